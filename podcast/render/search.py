"""Full-text search of the catalog: titles, notes, guests and transcripts, ranked as FTS5 ranks."""

from __future__ import annotations

import heapq
import math
import re
import sqlite3
import threading
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import cast

from podcast.model import Catalog, Episode
from podcast.render import search_postings
from podcast.render.cues import Cue, CueReader, read_cues, spoken_text
from podcast.render.notes import to_text
from podcast.render.search_postings import Posting, posting
from podcast.render.search_words import tokens

# The indexed fields and how much a word counts in each (bm25 weights): a word in the title says
# more about an episode than one said in passing.
FIELDS = {"title": 12.0, "guests": 8.0, "summary": 4.0, "notes": 2.0, "transcript": 1.0}
PER_PAGE = 20
MAX_TERMS = 12  # longer queries are cut: AND over many words finds nothing anyway
RECENT_TERMS = 32  # terms whose score parts are kept (a common one: 5,000 floats)
MAX_PLACES = 3  # transcript cues shown under each result
SNIPPET_WORDS = 28
STOP_WORDS = frozenset(
    "a an and are as at be but by for from has have in is it its of on or that the this to was "
    "were will with".split()
)
# The index keeps FTS5's words (see `search_words`) and ranks as FTS5's bm25 does, to the bit.
# Query words of 3+ letters also find the longer words they begin ("trust" finds "trusted").
K1, B = 1.2, 0.75  # bm25's constants, as FTS5 has them
_SCHEMA = """
CREATE TABLE docs (doc INTEGER PRIMARY KEY, slug TEXT NOT NULL, guests TEXT NOT NULL,
    summary TEXT NOT NULL, notes TEXT NOT NULL, size INTEGER NOT NULL);
"""  # `size`: how many words the doc holds in all fields (bm25's document length)
_INSERT_DOCS = "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)"
BATCH = 100  # episodes indexed per SQLite call
_WORD = re.compile(r"[^\W_]+")  # letters and digits: FTS5's tokenizer splits at "_" too


@dataclass(frozen=True, slots=True)
class Place:
    """Where the words occur in one episode: a field, a snippet and, in a transcript, the cue."""

    field: str
    snippet: tuple[tuple[str, bool], ...]  # (text, matched) pieces, for <mark> without HTML here
    cue: Cue | None = None


@dataclass(frozen=True, slots=True)
class Result:
    """One episode that matches, with the places the words were found."""

    episode: Episode
    score: float
    places: tuple[Place, ...]


@dataclass(frozen=True, slots=True)
class Results:
    """One page of results for a query."""

    query: str
    terms: tuple[str, ...]
    total: int
    page: int
    results: tuple[Result, ...]

    @property
    def pages(self) -> int:
        """How many pages the results fill."""
        return max(1, math.ceil(self.total / PER_PAGE))

    @property
    def first(self) -> int:
        """The rank of this page's first result (21 on page 2)."""
        return (self.page - 1) * PER_PAGE + 1


EMPTY = Results("", (), 0, 1, ())  # no query asked


def fold(text: str) -> str:
    """Lower case without accents, so 'Équité' finds 'equite'."""
    if text.isascii():  # the common case, and ten times faster than decomposing
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text: str) -> list[str]:
    """The folded words of `text`, in order."""
    return _WORD.findall(fold(text))


@dataclass(frozen=True, slots=True)
class _Spoken:
    """A transcript's cues and their folded text as one string, to search in one pass."""

    cues: tuple[Cue, ...]
    text: str  # the folded cue texts, one a line
    starts: tuple[int, ...]  # where each cue's line starts in `text`

    def best_cues(self, finders: tuple[re.Pattern[str], ...]) -> list[int]:
        """Positions of the cues holding most of the query's terms (earliest first on a tie),
        in order. One literal search per term: several times faster than one alternation."""
        held = Counter(at for finder in finders for at in self._holding(finder))
        # most terms first, the earliest among equals (a stable sort of the cues in order)
        best = sorted(sorted(held), key=held.__getitem__, reverse=True)[:MAX_PLACES]
        return sorted(best)

    def _holding(self, finder: re.Pattern[str]) -> set[int]:
        """The cues where `finder` matches where a word begins (the index's prefixes)."""
        starts, text = self.starts, self.text
        found = [match.start() for match in finder.finditer(text)]
        return {
            bisect_right(starts, at) - 1
            for at in found
            if not at or not (text[at - 1].isalnum() or text[at - 1] == "_")
        }


@lru_cache(maxsize=256)
def _cached_cues(read: CueReader, path: Path, mtime_ns: int) -> _Spoken:
    """The cues of recently shown transcripts; the key changes with the file."""
    cues = read(path)
    folded = [fold(cue.text).replace("\n", " ") for cue in cues]
    starts, position = [], 0
    for line in folded:
        starts.append(position)
        position += len(line) + 1
    return _Spoken(cues, "\n".join(folded), tuple(starts))


class SearchIndex:
    """Every word of every episode's title, guests, summary, notes and transcript.

    `db` is an index written by `write_index` (a file every worker opens read-only, see
    `render.search_cache`); without one the index is built in memory, for tests and scripts.
    """

    def __init__(
        self,
        catalog: Catalog,
        read: CueReader = read_cues,
        db: sqlite3.Connection | None = None,
    ) -> None:
        self.catalog = catalog
        self._read = read  # the page's own reader: search shows exactly the cues it shows
        if db is None:
            db = sqlite3.connect(":memory:", check_same_thread=False)
            write_index(db, catalog, read)
        self._db = db
        by_slug = {episode.slug: episode for episode in catalog.episodes}
        sizes = dict(db.execute("SELECT doc, size FROM docs").fetchall())
        self._episodes = {
            int(doc): by_slug[slug]
            for doc, slug in db.execute("SELECT doc, slug FROM docs")
            if slug in by_slug
        }
        self._docs = {episode.slug: doc for doc, episode in self._episodes.items()}
        self._by_id = {id(episode): doc for doc, episode in self._episodes.items()}
        self._norms = _norms(sizes)
        self._rows = len(sizes)  # bm25's N: every doc indexed, hidden or not
        self._lock = threading.Lock()  # one connection, shared by the server's threads
        self._recent: dict[str, dict[int, float]] = {}  # term: its part of each doc's score

    def __len__(self) -> int:
        return len(self._episodes)

    def search(self, query: str, visible: Iterable[Episode], page: int = 1) -> Results:
        """Episodes among `visible` that contain every word of `query`, best first."""
        terms = tuple(dict.fromkeys(w for w in words(query[:500]) if w not in STOP_WORDS))
        terms = terms[:MAX_TERMS]
        if not terms:
            return Results(query, terms, 0, 1, ())
        parts = self._parts(terms)
        matched = _intersect(parts, self._allowed(visible))
        total = len(matched)
        page = max(1, min(page, math.ceil(total / PER_PAGE) or 1))
        pattern, each = matcher(terms), finders(terms)
        results = tuple(
            Result(self._episodes[doc], -score, self._places(doc, pattern, each))
            for score, doc in self._ranked(parts, matched, (page - 1) * PER_PAGE)
        )
        return Results(query, terms, total, page, results)

    def _allowed(self, visible: Iterable[Episode]) -> set[int]:
        """The docs of `visible` (an episode of another catalog by its slug)."""
        shown = tuple(visible)
        allowed: set[int | None] = set(map(self._by_id.get, map(id, shown)))
        if None in allowed:  # episodes of a newer catalog, while this index still serves it
            return {self._docs[e.slug] for e in shown if e.slug in self._docs}
        return cast(set[int], allowed)

    def _parts(self, terms: tuple[str, ...]) -> list[dict[int, float]]:
        """Per term, its part of the score of each doc holding it (none if a term is in no
        doc: every term must match). Kept for the terms asked most recently."""
        parts = []
        for term in terms:
            with self._lock:
                part = self._recent.pop(term, None)
                if part is None:
                    part = self._part(term)
                self._recent[term] = part  # the newest last
                while len(self._recent) > RECENT_TERMS:
                    del self._recent[next(iter(self._recent))]
            if not part:
                return []
            parts.append(part)
        return parts

    def _part(self, term: str) -> dict[int, float]:
        """bm25's sum term for `term` in each doc holding it, `idf * f * (k1 + 1) / (f + norm)`,
        as FTS5 computes it for the phrase `"term"*`: the term's own tokens, a phrase if
        several, nothing at all if none."""
        said = tokens(term)
        prefix = len(term) >= 3
        if len(said) == 1:
            found = posting(self._db, said[0], prefix)
        else:
            found = self._phrase(said, prefix) if said else {}
        idf, norms, factor = _idf(self._rows, len(found)), self._norms, K1 + 1.0
        return {doc: idf * ((f * factor) / (f + norms[doc])) for doc, f in found.items()}

    def _phrase(self, said: list[str], prefix: bool) -> Posting:
        """Docs holding the words of `said` one after another (the last a prefix): the rare
        query word FTS5 cuts in two. Counted in each candidate's own text."""
        parts = [posting(self._db, t, False) for t in said[:-1]]
        parts.append(posting(self._db, said[-1], prefix))
        found: Posting = {}
        for doc in _intersect(parts, set(self._episodes)):
            texts = self._indexed(doc)
            weight = sum(
                int(w) * _phrases(tokens(texts[f]), said, prefix) for f, w in FIELDS.items()
            )
            if weight:
                found[doc] = weight
        return found

    def _indexed(self, doc: int) -> dict[str, str]:
        """The fields of `doc` as they were indexed."""
        episode = self._episodes[doc]
        texts = _fields(episode)
        transcript = episode.transcript
        texts["transcript"] = spoken_text(self._read(transcript.path)) if transcript else ""
        return texts

    def _ranked(
        self, parts: list[dict[int, float]], matched: set[int], skip: int
    ) -> list[tuple[float, int]]:
        """(bm25, doc) of one page of matches, best (lowest bm25) first, then the newest.

        Docs are numbered newest first (see `write_index`), so the doc breaks ties by date.
        The arithmetic is FTS5's own, operation for operation, so the scores are its scores.
        """
        docs = sorted(matched)
        scores = [0.0] * len(docs)
        for part in parts:  # term by term, in the query's order, as FTS5 adds them up
            found = map(part.__getitem__, docs)
            scores = [score - share for score, share in zip(scores, found, strict=True)]
        # Floats and ints only: no tuple per match for the garbage collector to chase (its full
        # sweeps of a big catalog were the slow tail). A stable sort of docs in ascending order
        # breaks ties by doc, as `ORDER BY score, rowid` does.
        best = heapq.nsmallest(skip + PER_PAGE, range(len(docs)), key=scores.__getitem__)
        return [(scores[at], docs[at]) for at in best[skip:]]

    def _texts(self, doc: int) -> dict[str, str]:
        with self._lock:
            row = self._db.execute(
                "SELECT guests, summary, notes FROM docs WHERE doc = ?", (doc,)
            ).fetchone()
        return dict(zip(("guests", "summary", "notes"), row or ("", "", ""), strict=True))

    def _places(
        self, doc: int, pattern: re.Pattern[str], each: tuple[re.Pattern[str], ...]
    ) -> tuple[Place, ...]:
        """Where the words are: the best text field, then the cues holding most of them."""
        places = []
        texts = self._texts(doc)
        for field in ("guests", "summary", "notes"):
            if pattern.search(fold(texts[field])):
                places.append(Place(field, snippet(texts[field], pattern)))
                break
        transcript = self._episodes[doc].transcript
        if transcript is None:
            return tuple(places)
        try:
            spoken = _cached_cues(self._read, transcript.path, transcript.path.stat().st_mtime_ns)
        except OSError:
            return tuple(places)
        for at in spoken.best_cues(each):
            cue = spoken.cues[at]
            places.append(Place("transcript", snippet(cue.text, pattern), cue))
        return tuple(places)


def _norms(sizes: dict[int, int]) -> list[float]:
    """bm25's length term by doc, `k1 * (1 - b + b * D / avgdl)`, as FTS5 computes it."""
    if not sizes:
        return []
    average = float(sum(sizes.values())) / float(len(sizes))
    norms = [0.0] * (max(sizes) + 1)  # docs are numbered from 0 (see `_rows`)
    for doc, size in sizes.items():
        norms[doc] = K1 * (1 - B + B * float(size) / average)
    return norms


def _idf(rows: int, hits: int) -> float:
    """FTS5's inverse document frequency, never below a millionth."""
    idf = math.log((rows - hits + 0.5) / (hits + 0.5))
    return idf if idf > 0.0 else 1e-6


def _intersect(postings: Sequence[Mapping[int, object]], allowed: set[int]) -> set[int]:
    """The allowed docs in every posting, smallest posting first."""
    if not postings:
        return set()
    smallest, *rest = sorted(postings, key=len)
    matched = allowed.intersection(smallest.keys())
    for other in rest:
        matched.intersection_update(other.keys())
    return matched


def _phrases(said: list[str], phrase: list[str], prefix: bool) -> int:
    """How often `phrase` occurs in `said`, word after word (its last word a prefix)."""
    *head, last = phrase
    span = len(phrase)
    found = 0
    for at in range(len(said) - span + 1):
        end = said[at + span - 1]
        if said[at : at + span - 1] == head and (end.startswith(last) if prefix else end == last):
            found += 1
    return found


SpokenText = Callable[[Path], str]  # a transcript file's words, as indexed


def write_index(
    db: sqlite3.Connection,
    catalog: Catalog,
    read: CueReader,
    guard: AbstractContextManager[object] | None = None,
    spoken: SpokenText | None = None,
) -> None:
    """Index every episode of `catalog` into the empty database `db`, in one transaction.

    Rows go in batches, each inside `guard`: a server that forks while an index is being built
    holds it meanwhile, so no fork copies SQLite in the middle of a call (see `search_cache`).
    """
    guard = guard or nullcontext()
    with guard:
        db.executescript(_SCHEMA + search_postings.SCHEMA)
    gathered = search_postings.Postings(len(catalog.episodes))
    rows = _rows(catalog, spoken or (lambda path: spoken_text(read(path))))
    while batch := list(islice(rows, BATCH)):
        docs = []
        for doc, slug, indexed, shown in batch:
            counts, size = search_postings.weighted(indexed, list(FIELDS.values()))
            gathered.add(doc, counts)
            docs.append((doc, slug, *shown, size))
        with guard:
            db.executemany(_INSERT_DOCS, docs)
    lists = iter(gathered.rows())
    while chunk := list(islice(lists, BATCH * 20)):
        with guard:
            db.executemany(search_postings.INSERT, chunk)
    with guard:
        db.commit()


Row = tuple[int, str, tuple[str, ...], tuple[str, str, str]]


def _rows(catalog: Catalog, spoken: SpokenText) -> Iterator[Row]:
    """(doc, slug, indexed fields, fields shown in results) per episode, one file at a time.

    Docs are numbered newest first, so that among equal scores the newest episode comes first.
    """
    newest_first = sorted(catalog.episodes, key=lambda e: (-e.published.timestamp(), e.slug))
    for doc, episode in enumerate(newest_first):
        texts = _fields(episode)
        transcript = episode.transcript
        said = spoken(transcript.path) if transcript else ""
        indexed = (texts["title"], texts["guests"], texts["summary"], texts["notes"], said)
        yield doc, episode.slug, indexed, (texts["guests"], texts["summary"], texts["notes"])


def matcher(terms: Iterable[str]) -> re.Pattern[str]:
    """A regex for folded text that finds the query's words as the index does (3+: prefixes)."""
    parts = (_term(t) for t in terms)
    return re.compile(r"\b(?:" + "|".join(parts) + ")")


def _term(term: str) -> str:
    return re.escape(term) + (r"\w*" if len(term) >= 3 else r"\b")


def finders(terms: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    """One regex a term, for `matcher`'s words without its leading \\b (checked by the caller:
    a look-behind here would cost the regex its fast search for the literal)."""
    return tuple(re.compile(_term(t)) for t in terms)


def _fields(episode: Episode) -> dict[str, str]:
    guests = "; ".join(f"{p.name} ({p.role})" if p.role else p.name for p in episode.guests)
    return {
        "title": episode.title,
        "guests": guests,
        "summary": episode.summary,
        "notes": to_text(episode.notes) if episode.notes else "",
    }


def snippet(text: str, pattern: re.Pattern[str]) -> tuple[tuple[str, bool], ...]:
    """A window of `text` around its first matching word, cut into (text, matched) pieces."""
    tokens = list(_WORD.finditer(text))
    if not tokens:
        return ((text, False),)
    # ASCII folds to the same length, so its folded words are those of the lowered text
    folded = _WORD.findall(text.lower()) if text.isascii() else [fold(t[0]) for t in tokens]
    first = next((n for n, word in enumerate(folded) if pattern.fullmatch(word)), 0)
    low = max(0, first - SNIPPET_WORDS // 3)
    high = min(len(tokens), low + SNIPPET_WORDS)
    hits = [bool(pattern.fullmatch(word)) for word in folded[low:high]]
    begin = tokens[low].start() if low else 0
    end = tokens[high - 1].end() if high < len(tokens) else len(text)
    pieces: list[tuple[str, bool]] = [("…", False)] if low else []
    position = begin
    for token, hit in zip(tokens[low:high], hits, strict=True):
        if hit:
            pieces.append((text[position : token.start()], False))
            pieces.append((token.group(), True))
            position = token.end()
    pieces.append((text[position:end], False))
    if high < len(tokens):
        pieces.append(("…", False))
    return tuple(p for p in pieces if p[0])
