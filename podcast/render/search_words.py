"""Text cut into the words search indexes, exactly as SQLite's FTS5 `unicode61` tokenizer does.

The index is our own (see `search_postings`), but its words are FTS5's: case and accents folded,
`remove_diacritics 2`, letters, digits and private-use characters kept, anything else a
separator. That tokenizer decides one character at a time, so each character met for the first
time is put to FTS5 once (in a table in memory) and remembered; after that a text is cut with
`str.translate` and `split`, in C.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable

TOKENIZER = "unicode61 remove_diacritics 2"
# Held while this module is inside SQLite, and by os.fork (see `search_cache`): a worker forked
# from a server that preloads the app never inherits SQLite's own locks half taken.
FORK_GUARD = threading.Lock()


def _ascii() -> dict[int, str]:
    """ASCII letters and digits are kept (lower case); every other ASCII character separates."""
    return {c: chr(c).lower() if chr(c).isalnum() else " " for c in range(128)}


class Words:
    """FTS5's tokens of a text, learning each new character from FTS5 itself."""

    def __init__(self) -> None:
        self._table: dict[int, str] = _ascii()  # code point: its folded form, or " " to separate
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def tokens(self, text: str) -> list[str]:
        """The folded words of `text`, in order, as FTS5 would index them."""
        if not text.isascii():
            self._learn(text)
        return text.translate(self._table).split()

    def _learn(self, text: str) -> None:
        unknown = {ord(c) for c in text} - self._table.keys()
        if unknown:
            with self._lock:
                self._table.update(self._ask(sorted(unknown - self._table.keys())))

    def _ask(self, codes: Iterable[int]) -> dict[int, str]:
        """How FTS5 treats each character: the one token of "a<c>b" or, if two, a separator."""
        rows = [(code, f"a{chr(code)}b") for code in codes]
        with FORK_GUARD:
            db = self._connection()
            db.executemany("INSERT INTO probe(rowid, x) VALUES (?, ?)", rows)
            found: dict[int, list[str]] = {}
            for doc, term in db.execute("SELECT doc, term FROM probe_words ORDER BY doc, offset"):
                found.setdefault(doc, []).append(term)
            db.execute("DELETE FROM probe")
        return {
            code: found[code][0][1:-1] if len(found.get(code, ())) == 1 else " " for code, _ in rows
        }

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            db = sqlite3.connect(":memory:", check_same_thread=False)
            db.executescript(
                f"CREATE VIRTUAL TABLE probe USING fts5(x, tokenize='{TOKENIZER}');"
                "CREATE VIRTUAL TABLE probe_words USING fts5vocab(probe, instance);"
            )
            self._db = db
        return self._db


WORDS = Words()  # one table of characters for the process: they are the same for every index


def tokens(text: str) -> list[str]:
    """The folded words of `text` as FTS5's unicode61 tokenizer cuts them."""
    return WORDS.tokens(text)
