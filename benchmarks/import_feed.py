"""Time and peak memory to import a 150-episode feed with its media from a loopback server.

Run by hand: `python benchmarks/import_feed.py [EPISODES] [AUDIO_MB] [download|keep]`. Each
enclosure is the committed tests/data/cbr.mp3 padded with MP3 frames to AUDIO_MB (default 1)
so the download path does real work; the server is the tests' FeedServer (real http.server,
Range support).
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))

from support.feeds import FeedServer, build_feed, host_items  # noqa: E402

from podcast.publish.import_run import Options, import_feed  # noqa: E402


def main() -> None:
    """Serve the feed, import it into a scratch folder, print the figures."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 150
    megabytes = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    keep = len(sys.argv) > 3 and sys.argv[3] == "keep"  # --media keep: no audio downloaded
    with FeedServer() as server, tempfile.TemporaryDirectory() as scratch:
        feed = build_feed(server, host_items(count))
        frames = (Path(__file__).parent.parent / "tests/data/cbr.mp3").read_bytes()
        target = int(megabytes * 2**20)
        for path in [p for p in server.files if p.endswith(".mp3")]:
            server.files[path] = (frames * (target // len(frames) + 1))[:target]
        feed = build_feed(server, host_items(count))  # lengths of the padded audio
        for path in [p for p in server.files if p.endswith(".mp3")]:
            server.files[path] = (frames * (target // len(frames) + 1))[:target]
        url = server.add("/feed.xml", feed, "application/rss+xml")
        tracemalloc.start()
        started = time.perf_counter()
        report = import_feed(Path(scratch) / "episodes", url, Options(keep_media=keep))
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{count} episodes, {megabytes:g} MB each, --media {'keep' if keep else 'download'}: "
            f"{len(report.imported)} imported, "
            f"{len(report.failed)} failed in {elapsed:.1f} s; peak Python heap "
            f"{peak / 2**20:.1f} MB, peak RSS {rss:.0f} MB (server included)"
        )


if __name__ == "__main__":
    main()
