"""Benchmark loading, feed rendering and static export on synthetic shows (not a test).

    python benchmarks/bench_catalog.py [--sizes 100,1000,5000] [--runs 5] [--workdir DIR]
                                       [--no-export]
    python benchmarks/bench_catalog.py --check --sizes 1000,5000 [--genrss PATH] [--hour]
                                       [--serve] [--build]

Each figure is measured in a fresh process (so no warm in-memory state is reused) and
reported as the median over --runs: "op" is the operation alone inside that process, "proc"
is the whole process from exec to exit (interpreter start and imports included). Peak RSS is
the child's ru_maxrss. The shows are written by synthetic.py: real small audio copied under
different names with distinct mtimes, and YAML like the shipped episodes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import (  # noqa: E402
    episode_paths,
    make_real_show,
    make_show,
    real_recordings,
    write_episode,
)

BASE_URL = "https://bench.example"
TARGETS = {
    ("cold", 1000): 1.0,
    ("noop", 5000): 0.150,
    ("one-change", 5000): 0.300,
    ("reload-noop", 5000): 0.150,
    ("reload-one", 5000): 0.300,
}
# What each row measures (all in a fresh process; "op" excludes interpreter start and imports;
# "op CPU" is the process's CPU time for the same span, which other work on the machine does not
# inflate).
FIGURES = {
    "cold": "catalog load, empty audio cache (every file probed)",
    "noop": "catalog load, warm audio cache, nothing changed",
    "one-change": "catalog load, warm audio cache, one episode's YAML and audio changed",
    "reload-noop": "Loader.load() again after a first load, nothing changed",
    "reload-one": "Loader.load() again after one episode's YAML changed",
    "feed": "feed.build of every episode, after a warm load",
    "export": "`podcast build` (load, checks, export of every URL)",
}


class Clock:
    """Wall and CPU time since it was started; CPU time is what other load cannot inflate."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self) -> dict[str, float]:
        """Seconds since the start, as {"op": wall, "cpu": this process's CPU}."""
        return {"op": time.perf_counter() - self.wall, "cpu": time.process_time() - self.cpu}


def child(mode: str, root: Path, out: Path | None) -> None:
    """Run one measured operation in this (fresh) process and print its figures as JSON."""
    started = time.perf_counter()
    from datetime import UTC, datetime

    from podcast.read import loader
    from podcast.render import feed

    imported = time.perf_counter()
    clock = Clock()
    if mode in ("reload", "reload-one"):
        reloader = loader.Loader(root)
        reloader.load()
        if mode == "reload-one":
            write_episode(root, 4242 % count_episodes(root), title_suffix=" (reloaded)")
        clock = Clock()
        reloader.load()
        figures = clock.lap()
        if mode == "reload-one":
            write_episode(root, 4242 % count_episodes(root))  # put it back for the next run
    elif mode == "export":
        from podcast.cli import cli

        cli(["build", str(out), "--root", str(root), "--base-url", BASE_URL], standalone_mode=False)
        figures = clock.lap()
    else:
        catalog = loader.load(root)
        figures = clock.lap()
        if mode == "feed":
            clock = Clock()
            feed.build(catalog, BASE_URL, datetime.now(UTC))
            figures = clock.lap()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({**figures, "imports": imported - started, "rss_mib": rss}))


def count_episodes(root: Path) -> int:
    """How many episode YAML files the synthetic show has."""
    return sum(1 for _ in root.glob("season-*/*.yaml"))


def measure(mode: str, root: Path, out: Path | None = None) -> dict[str, float]:
    """One fresh process: its op time, whole-process time and peak RSS."""
    command = [sys.executable, __file__, "--child", mode, str(root)]
    if out is not None:
        command.append(str(out))
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{result.stderr}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures["proc"] = elapsed
    return figures


def clear_cache(root: Path) -> None:
    """Forget what earlier runs read of `root`: probes, loaded episodes, loudness, images and
    notes (the caches live in XDG_CACHE_HOME, set by `main`)."""
    from podcast.files import cache_dir

    for kind in ("probe", "episodes", "loudness", "search", "artwork", "notes"):
        shutil.rmtree(cache_dir(kind, root), ignore_errors=True)


def change_one(root: Path, count: int, run: int) -> None:
    """Edit one episode's YAML and replace its audio's bytes (new mtime) before a run."""
    index = (run * 7919) % count
    write_episode(root, index, title_suffix=f" (edit {run})")
    _, audio = episode_paths(root, index)
    audio.write_bytes(audio.read_bytes())  # same bytes, new mtime: the cache must re-probe


def bench(size: int, runs: int, workdir: Path, export: bool) -> dict[str, dict[str, float]]:
    """Every figure for one show size."""
    root = make_show(workdir / f"show-{size}", size)
    results: dict[str, list[dict[str, float]]] = {}

    def record(name: str, figures: dict[str, float]) -> None:
        results.setdefault(name, []).append(figures)

    for _ in range(runs):
        clear_cache(root)
        record("cold", measure("load", root))
    for _ in range(runs):
        record("noop", measure("load", root))
    for run in range(runs):
        change_one(root, size, run)
        record("one-change", measure("load", root))
    for _ in range(runs):
        record("reload-noop", measure("reload", root))
    for _ in range(runs):
        record("reload-one", measure("reload-one", root))
    for _ in range(runs):
        record("feed", measure("feed", root))
    export_runs = runs if size <= 1000 else max(1, runs // 3)
    for _ in range(export_runs if export else 0):
        record("export", measure("export", root, workdir / f"site-{size}"))
    return {
        name: {key: statistics.median(f[key] for f in figures) for key in figures[0]}
        | {"max_rss_mib": max(f["rss_mib"] for f in figures), "runs": len(figures)}
        for name, figures in results.items()
    }


def table(all_results: dict[int, dict[str, dict[str, float]]]) -> str:
    """A Markdown table of the medians, with the issue's targets."""
    lines = [
        "| episodes | figure | op (median) | op CPU | whole process | peak RSS | target |",
        "|---:|---|---:|---:|---:|---:|---|",
    ]
    for size, results in all_results.items():
        for name, figures in results.items():
            target = TARGETS.get((name, size))
            verdict = ""
            if target is not None:
                wall = "met" if figures["op"] <= target else "MISSED"
                cpu = "met" if figures["cpu"] <= target else "MISSED"
                verdict = f"≤ {target * 1000:.0f} ms: wall {wall}, CPU {cpu}"
            if size == 5000 and name != "export":
                verdict += (
                    " (RSS ≤ 100 MiB: "
                    + ("met" if figures["max_rss_mib"] <= 100 else "MISSED")
                    + ")"
                )
            lines.append(
                f"| {size} | {name} | {figures['op'] * 1000:.0f} ms | "
                f"{figures['cpu'] * 1000:.0f} ms | "
                f"{figures['proc'] * 1000:.0f} ms | {figures['max_rss_mib']:.0f} MiB | "
                f"{verdict} |"
            )
    legend = [f"- {name}: {text}" for name, text in FIGURES.items()]
    return "\n".join(lines + ["", *legend])


# --- whole-process `podcast check` on real audio, beside genRSS -M --------------------------


def run_process(command: list[str]) -> dict[str, float]:
    """Wall seconds, CPU seconds (user + system, worker processes included) and peak RSS (MiB)
    of one whole process; it must succeed (exit 0, or 1 for warnings-as-errors)."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    stderr = child.stderr.read().decode(errors="replace") if child.stderr else ""
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):
        raise SystemExit(f"{command[:4]} failed:\n{stderr[-2000:]}")
    return {
        "wall": elapsed,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss": usage.ru_maxrss / 1024,
    }


def bench_check(size: int, runs: int, workdir: Path, genrss: str | None) -> dict[str, float]:
    """Median cold and warm `podcast check`, and genRSS -M, on `size` real 20-s MP3 episodes.

    The three run in turn within each round, so load from other work on the machine falls
    on all of them alike: the ratio is the figure to trust on a busy machine.
    """
    recordings = real_recordings(workdir / "audio", size)
    root = make_real_show(workdir / f"real-{size}", size, recordings)
    check = [sys.executable, "-m", "podcast", "check", "--root", str(root)]
    rounds: dict[str, list[dict[str, float]]] = {"cold": [], "warm": [], "genrss": []}
    out = str(workdir / "genrss.xml")
    genrss_command = [genrss, "-d", str(root), "-r", "-M", "-e", "mp3", "-o", out] if genrss else []
    for command in (check, genrss_command):  # untimed: bytecode compiled, audio in the page cache
        if command:
            run_process(command)
    for _ in range(runs):
        clear_cache(root)
        rounds["cold"].append(run_process(check))
        rounds["warm"].append(run_process(check))
        if genrss_command:
            rounds["genrss"].append(run_process(genrss_command))
    return {
        f"{name}_{key}": statistics.median(r[key] for r in results)
        for name, results in rounds.items()
        if results
        for key in ("wall", "cpu", "rss")
    }


def check_table(results: dict[int, dict[str, float]]) -> str:
    """Markdown: cold/warm check against the goals, and the ratio to genRSS -M."""
    lines = [
        "| episodes | cold check | warm check | genRSS -M | genRSS / cold | peak RSS cold/warm "
        "| goals |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    for size, f in results.items():
        peer = f.get("genrss_wall")
        ratio = (
            f"{peer / f['cold_wall']:.1f}× (CPU {f['genrss_cpu'] / f['cold_cpu']:.1f}×)"
            if peer
            else "–"
        )
        lines.append(
            f"| {size} | {f['cold_wall']:.2f} s (CPU {f['cold_cpu']:.2f}) "
            f"| {f['warm_wall']:.2f} s (CPU {f['warm_cpu']:.2f}) | "
            + (f"{peer:.2f} s (CPU {f['genrss_cpu']:.2f})" if peer else "–")
            + f" | {ratio} | {f['cold_rss']:.0f}/{f['warm_rss']:.0f} MiB "
            "| cold ≤ 1.0 s at 1,000 and ≥ 3× genRSS; warm ≤ 0.6 s |"
        )
    return "\n".join(lines)


def bench_build(
    size: int, runs: int, workdir: Path, names: tuple[str, ...] = ("first", "clean", "noop", "one")
) -> dict[str, float]:
    """Median whole-process `podcast build` of the real show (after bench_check: the probe and
    loudness caches are warm): into an empty folder with no mirror of an earlier build
    ("first": every page rendered), into an empty folder again ("clean": the mirror of the
    last build in the cache), again with nothing changed ("noop", which must write nothing),
    after one episode's title was edited ("one"), and a first build again right after the
    last build and the mirror were deleted ("deleted").

    What the timed builds replace is moved aside, not deleted, and deleted after them: ext4
    skips the inodes freed in the last minutes when it makes a file or folder (checking each
    one's deletion time), so creating the 9,000 files and folders of a build seconds after
    deleting as many took a third longer here. "deleted" measures that case on purpose,
    after every other size's builds (`main`), so that none follows its deletions; `main`
    deletes what was set aside (in WORKDIR/aside) once every build is timed.
    """
    from podcast.publish import build_mirror

    root = workdir / f"real-{size}"
    out = workdir / f"site-real-{size}"
    aside = workdir / "aside"
    build = [sys.executable, "-m", "podcast", "build", str(out), "--root", str(root)]
    build += ["--base-url", BASE_URL]
    edited = sorted(root.glob("season-*/*.yaml"))[-1]
    original = edited.read_text("utf-8")
    rounds: dict[str, list[dict[str, float]]] = {name: [] for name in names}

    def set_aside(folder: Path) -> None:
        if folder.exists():
            aside.mkdir(exist_ok=True)
            folder.rename(aside / f"{folder.name}-{time.monotonic_ns()}")

    try:
        for _ in range(runs if "first" in names else 0):  # before a build retires an older one
            set_aside(out)
            set_aside(build_mirror.location(root))
            build_mirror.forget(root)  # the mirror's manifest, in the cache
            rounds["first"].append(run_process(build))
        for run in range(runs if "clean" in names else 0):
            set_aside(out)
            rounds["clean"].append(run_process(build))
            rounds["noop"].append(run_process(build))
            title = original.split("\n", 1)[0]
            edited.write_text(original.replace(title, f"{title} (edit {run})", 1), "utf-8")
            rounds["one"].append(run_process(build))
        for _ in range(runs if "deleted" in names else 0):
            shutil.rmtree(out, ignore_errors=True)
            build_mirror.forget(root)
            rounds["deleted"].append(run_process(build))
    finally:
        edited.write_text(original, "utf-8")
    files = [p for p in out.rglob("*") if p.is_file()]
    figures = {
        f"{name}_{key}": statistics.median(r[key] for r in results)
        for name, results in rounds.items()
        for key in ("wall", "cpu", "rss")
    }
    return figures | {"files": len(files), "mb": sum(p.stat().st_size for p in files) / 1e6}


def build_table(results: dict[int, dict[str, float]]) -> str:
    """Markdown: first, clean, no-op and one-change `podcast build` of the real show."""
    lines = [
        "| episodes | site | first build (no mirror) | clean build (OUT deleted) | no-op build "
        "| one title edited | first build, seconds after deleting one | peak RSS | goals |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for size, f in results.items():
        cells = [
            f"{f[k + '_wall']:.2f} s (CPU {f[k + '_cpu']:.2f})"
            for k in ("first", "clean", "noop", "one", "deleted")
        ]
        lines.append(
            f"| {size} | {f['files']:.0f} files, {f['mb']:.0f} MB | "
            + " | ".join(cells)
            + f" | {max(f['first_rss'], f['clean_rss'], f['one_rss']):.0f} MiB "
            "| build ≤ 3 s; no-op ≤ 1.0 s at 1,000, ≤ 2 s at 5,000 |"
        )
    return "\n".join(lines)


def hour_files(folder: Path) -> dict[str, float]:
    """Probe time of one-hour files of each format (MP3 CBR no Xing, VBR ± Xing, M4A, Opus)."""
    from podcast.read.audio import probe

    kinds = {
        "cbr-noxing.mp3": ["-c:a", "libmp3lame", "-b:a", "64k", "-write_xing", "0"],
        "vbr-xing.mp3": ["-c:a", "libmp3lame", "-q:a", "5"],
        "vbr-noxing.mp3": ["-c:a", "libmp3lame", "-q:a", "5", "-write_xing", "0"],
        "hour.m4a": ["-c:a", "aac", "-b:a", "64k"],
        "hour.opus": ["-c:a", "libopus", "-b:a", "32k"],
    }
    source = "anoisesrc=color=pink:amplitude=0.3:sample_rate=44100,volume='0.3+0.7*abs(sin(t/3))'"
    folder.mkdir(parents=True, exist_ok=True)
    seconds = {}
    for name, codec in kinds.items():
        path = folder / name
        if not path.exists():
            command = ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", source + ":eval=frame"]
            subprocess.run([*command, "-t", "3600", "-ac", "1", *codec, str(path)], check=True)
        started = time.perf_counter()
        probe(path)
        seconds[name] = time.perf_counter() - started
    return seconds


# --- gunicorn on the real show: start to first 200, first search, search p95, memory -------

QUERIES = ("health", "equity", "topic 7", "clinics change", "emergency department", "zzzz")


def bench_serve(size: int, workdir: Path, cold: bool) -> dict[str, float]:
    """Seconds from starting gunicorn (2 workers) to the first 200 of `/`, then to the first
    answered search (503 while the index is prepared), the p95 of 20 rounds of QUERIES, and
    the master's and workers' peak RSS (VmHWM). `cold` empties the caches first."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from support.servers import Gunicorn

    root = workdir / f"real-{size}"
    if cold:
        clear_cache(root)
    started = time.perf_counter()
    with Gunicorn(root, workdir / "gunicorn.log", workers=2) as server:
        first = _until_200(server, b"/") - started
        search = _until_200(server, b"/search/?q=health") - started
        timings = []
        for _ in range(20):
            for query in QUERIES:
                began = time.perf_counter()
                _until_200(server, b"/search/?q=" + query.replace(" ", "+").encode())
                timings.append(time.perf_counter() - began)
        peaks = [_peak_kib(pid) for pid in [server.process.pid, *server.worker_pids()]]
    return {
        "first": first,
        "search": search,
        "p95": statistics.quantiles(timings, n=20)[-1],
        "rss": max(peaks) / 1024,
    }


def _until_200(server: Any, target: bytes) -> float:
    """When `target` first answered 200 (asking every 20 ms)."""
    while server.get(target).status != 200:
        time.sleep(0.02)
    return time.perf_counter()


def _peak_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))


def serve_table(results: dict[tuple[int, str], dict[str, float]]) -> str:
    lines = [
        "| episodes | caches | start → first 200 | → first search | search p95 | peak RSS "
        "(largest process) |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for (size, kind), f in results.items():
        lines.append(
            f"| {size} | {kind} | {f['first']:.2f} s | {f['search']:.2f} s | "
            f"{f['p95'] * 1000:.1f} ms | {f['rss']:.0f} MiB |"
        )
    return "\n".join(lines)


def _load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


# A fixed pure-Python loop: the host's own speed drifted by a third within one session here
# (the same loop took 0.23-0.40 s of CPU), which moves every figure whatever the code does.
SPEED_PROBE = [sys.executable, "-c", "sum(i * i for i in range(5_000_000))"]


def _host_speed() -> str:
    """The median CPU seconds of SPEED_PROBE over 5 fresh processes, as text."""
    return f"{statistics.median(run_process(SPEED_PROBE)['cpu'] for _ in range(5)):.2f} s"


def _speed_line(started: str) -> str:
    """The host's speed at the start and now: figures of two runs compare only when these do."""
    loop = SPEED_PROBE[-1]
    return f"host speed (`{loop}`, CPU): {started} at start, {_host_speed()} at end"


def main() -> None:
    """Parse arguments; run as the parent (benchmark) or as a measured child."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--no-export", action="store_true", help="skip the static export")
    parser.add_argument("--check", action="store_true", help="real audio: cold/warm check")
    parser.add_argument("--genrss", default=None, help="genRSS's script, for the side by side")
    parser.add_argument("--hour", action="store_true", help="probe one-hour files of each format")
    parser.add_argument(
        "--serve", action="store_true", help="gunicorn on the real show (after --check)"
    )
    parser.add_argument(
        "--build", action="store_true", help="podcast build of the real show (after --check)"
    )
    args = parser.parse_args()
    if args.child:
        mode, root, *rest = args.child
        child(mode, Path(root), Path(rest[0]) if rest else None)
        return
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="podcast-bench-"))
    # The probe cache lives in the user's cache directory: keep the benchmark's apart.
    os.environ["XDG_CACHE_HOME"] = str(workdir / "xdg-cache")
    # Measure programs as installed ones run: with their bytecode cached (pip compiles a
    # package when it installs it; an editable checkout, on its first run). With this set,
    # as some sandboxes do, every run of a checkout compiles its modules again.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    started_load, started_speed = _load_average(), _host_speed()
    shutil.rmtree(workdir / "aside", ignore_errors=True)  # what a killed run set aside
    if args.check or args.hour:
        sizes = [int(s) for s in args.sizes.split(",")] if args.check else []
        checks = {}
        for size in sizes:  # each row as soon as it is measured: 5,000 takes a while
            checks[size] = bench_check(size, args.runs, workdir, args.genrss)
            print(check_table({size: checks[size]}), flush=True)
        print(check_table(checks) if checks else "")
        if args.build:
            built = {size: bench_build(size, args.runs, workdir) for size in sizes}
            for size in sizes:  # last: each deletes a build and makes one at once
                built[size] |= bench_build(size, args.runs, workdir, ("deleted",))
            shutil.rmtree(workdir / "aside", ignore_errors=True)
            print(build_table(built))
        for name, seconds in (hour_files(workdir / "hour") if args.hour else {}).items():
            print(f"- probe of a one-hour {name}: {seconds * 1000:.0f} ms")
        if args.serve:
            served = {
                (size, kind): bench_serve(size, workdir, kind == "cold")
                for size in sizes
                for kind in ("cold", "warm")
            }
            print(serve_table(served))
        print(f"\nload average at start {started_load}, at end {_load_average()}")
        print(_speed_line(started_speed))
        return
    all_results = {}
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"benchmarking {size} episodes in {workdir} …", file=sys.stderr)
        all_results[size] = bench(size, args.runs, workdir, not args.no_export)
    print(table(all_results))
    # Other work on the machine inflates every figure: say how busy it was.
    print(
        f"\nload average at start {started_load}, at end {_load_average()}; "
        f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}"
    )
    print(_speed_line(started_speed))
    if args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
