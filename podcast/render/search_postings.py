"""Which episodes hold each word, and how often (weighted by field): written once per catalog.

One row a word: the episodes that hold it (ascending doc numbers) and, for each, the word's
count in every field times that field's weight, summed (what FTS5's bm25 calls the phrase
frequency). Both are packed arrays, as narrow as their largest value allows, so the index is a
fraction of an FTS5 index with positions, and a query reads only the rows of its own words.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence

from podcast.render.search_words import tokens

# A rowid table: its blobs go to overflow pages whole (WITHOUT ROWID would triple the file)
SCHEMA = """CREATE TABLE postings (token TEXT PRIMARY KEY, count INTEGER NOT NULL,
    docs BLOB NOT NULL, freqs BLOB NOT NULL);"""
INSERT = "INSERT INTO postings VALUES (?, ?, ?, ?)"
_RANGE = "SELECT count, docs, freqs FROM postings WHERE token >= ? AND token < ?"
_ONE = "SELECT count, docs, freqs FROM postings WHERE token = ?"
_LAST = "\U0010ffff"  # above every character FTS5 keeps in a word (it is no letter)

Posting = dict[int, int]  # doc: weighted frequency


def weighted(fields: Sequence[str], weights: Sequence[float]) -> tuple[Counter[str], int]:
    """The weighted count of each word over `fields`, and how many words they hold in all.

    The last field (the transcript: the longest, weight 1) is counted first, in C; the short
    fields before it are added to its counts word by word."""
    *short, longest = fields
    said = tokens(longest) if longest else []
    counts = Counter(said)
    if weights[-1] != 1:
        counts = Counter({word: int(weights[-1]) * count for word, count in counts.items()})
    size = len(said)
    for text, weight in zip(short, weights[:-1], strict=True):
        words = tokens(text) if text else []
        size += len(words)
        for word in words:
            counts[word] += int(weight)
    return counts, size


class Postings:
    """Postings being gathered for one index, doc by doc in ascending order."""

    def __init__(self, docs: int) -> None:
        self._lists: dict[str, tuple[array[int], array[int]]] = {}
        self._code = "H" if docs <= 2**16 else "I"  # doc numbers, 2 bytes each where they fit

    def add(self, doc: int, counts: Counter[str]) -> None:
        """Record one doc's weighted word counts."""
        lists = self._lists
        for word, count in counts.items():
            try:
                docs, freqs = lists[word]
            except KeyError:
                docs, freqs = lists[word] = (array(self._code), array("H"))
            docs.append(doc)
            try:
                freqs.append(count)
            except OverflowError:  # a word said tens of thousands of times: wider counts
                lists[word] = docs, freqs = docs, array("I", freqs)
                freqs.append(count)

    def rows(self) -> Iterable[tuple[str, int, bytes, bytes]]:
        """(token, count, docs, freqs), each array packed as narrow as it can be."""
        for word, (docs, freqs) in self._lists.items():
            yield word, len(docs), _narrow(docs), _narrow(freqs)


def _narrow(values: array[int]) -> bytes:
    top = max(values)
    code = "B" if top < 2**8 else "H" if top < 2**16 else "I"
    return values.tobytes() if code == values.typecode else array(code, values).tobytes()


def _unpack(packed: bytes, count: int) -> array[int]:
    code = {1: "B", 2: "H", 4: "I"}[len(packed) // count]
    values = array(code)
    values.frombytes(packed)
    return values


def posting(db: sqlite3.Connection, token: str, prefix: bool) -> Posting:
    """Doc: weighted frequency, for `token` or (prefix) every word beginning with it."""
    if prefix:
        rows = db.execute(_RANGE, (token, token + _LAST)).fetchall()
    else:
        rows = db.execute(_ONE, (token,)).fetchall()
    merged: Posting = {}
    for count, packed_docs, packed_freqs in rows:
        docs, freqs = _unpack(packed_docs, count), _unpack(packed_freqs, count)
        if not merged:
            merged = dict(zip(docs, freqs, strict=True))
            continue
        for doc, freq in zip(docs, freqs, strict=True):
            merged[doc] = merged.get(doc, 0) + freq
    return merged
