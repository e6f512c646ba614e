"""Show notes rendered once, remembered across runs: a build's renderers fork with every
episode's notes already in HTML.

Markdown to sanitized HTML costs about 0.3 ms for a few hundred words, and a build renders
an episode's notes for its page, the feed and its descriptions, in whichever renderer process
gets each: at 1,000 episodes that was a quarter of a clean build's rendering CPU. `recall`
gives `notes` every episode's HTML before the renderers fork (they inherit it): from
`notes-v1.json` in the user's cache directory (`files.cache_dir("notes", root)`, never inside
the episodes folder) for a text rendered before, else rendered now. A remembered HTML is
sanitized again and taken only if that leaves it as it is, so a tampered cache can cost time,
never put markup in a page. A missing, corrupt or stale cache is rebuilt, never an error.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import metadata
from pathlib import Path

from podcast.files import cache_dir, read_cache, write_atomic
from podcast.model import Catalog
from podcast.render import notes

CACHE_FILE = "notes-v1.json"
MAX_CACHE_BYTES = 64 * 2**20  # about 50,000 episodes' notes; a larger file is not ours


@cache
def fingerprint() -> str:
    """Changes whenever a remembered rendering could differ: notes' code, the libraries."""
    digest = hashlib.sha256(Path(notes.__file__ or "").read_bytes())
    for library in ("markdown-it-py", "nh3"):
        digest.update(f"{library} {metadata.version(library)}".encode())
    return digest.hexdigest()[:16]


def key(markdown: str) -> str:
    """A text's name in the cache file: its digest (the text itself is the producer's)."""
    return hashlib.blake2b(markdown.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def cache_path(root: Path) -> Path:
    """Where the remembered notes of the episodes folder `root` live (outside it)."""
    return cache_dir("notes", Path(root)) / CACHE_FILE


def recall(catalog: Catalog) -> None:
    """Hand `notes` the HTML of every episode's notes; remember the new ones on disk.

    The file keeps the notes this catalog has, so it never grows past one show's. An
    unwritable cache directory only means the next build renders them again.
    """
    path = cache_path(catalog.root)
    entries = read_cache(path, MAX_CACHE_BYTES, fingerprint()).get("entries")
    stored = entries if isinstance(entries, dict) else {}
    kept: dict[str, str] = {}
    renderings: dict[str, str] = {}
    for markdown in {episode.notes for episode in catalog.episodes if episode.notes}:
        name = key(markdown)
        html = stored.get(name)
        if not isinstance(html, str) or notes.sanitize(html) != html:
            html = notes.render_html(markdown)
        kept[name] = renderings[markdown] = html
    notes.remember(renderings)
    if kept == stored:
        return
    document = {"fingerprint": fingerprint(), "entries": kept}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(document, sort_keys=True).encode())  # ASCII: any text
    except OSError:
        return
