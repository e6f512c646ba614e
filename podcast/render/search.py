"""Full-text search of the catalog: an SQLite FTS5 index built once per catalog, in memory."""

from __future__ import annotations

import math
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from podcast.model import Catalog, Episode
from podcast.render.cues import Cue, CueReader, read_cues, spoken_text
from podcast.render.notes import to_text

# The indexed fields and how much a word counts in each (bm25 weights): a word in the title says
# more about an episode than one said in passing.
FIELDS = {"title": 12.0, "guests": 8.0, "summary": 4.0, "notes": 2.0, "transcript": 1.0}
PER_PAGE = 20
MAX_TERMS = 12  # longer queries are cut: AND over many words finds nothing anyway
MAX_PLACES = 3  # transcript cues shown under each result
SNIPPET_WORDS = 28
STOP_WORDS = frozenset(
    "a an and are as at be but by for from has have in is it its of on or that the this to was "
    "were will with".split()
)
# SQLite's own tokenizer folds case and accents the way `fold` does. Query words of 3+ letters
# also find the longer words they begin ("trust" finds "trusted"): see `matcher`.
_SCHEMA = (
    f"CREATE VIRTUAL TABLE words USING fts5({', '.join(FIELDS)}, content='', "
    "tokenize='unicode61 remove_diacritics 2')"
)
_WORD = re.compile(r"[^\W_]+")  # letters and digits: SQLite's tokenizer splits at "_" too


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


def fold(text: str) -> str:
    """Lower case without accents, so 'Équité' finds 'equite'."""
    if text.isascii():  # the common case, and ten times faster than decomposing
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text: str) -> list[str]:
    """The folded words of `text`, in order."""
    return _WORD.findall(fold(text))


@lru_cache(maxsize=256)
def _cached_cues(read: CueReader, path: Path, mtime_ns: int) -> tuple[tuple[Cue, str], ...]:
    """Cues (and their folded text) of recently shown transcripts; the key changes with the file."""
    return tuple((cue, fold(cue.text)) for cue in read(path))


class SearchIndex:
    """Every word of every episode's title, guests, summary, notes and transcript."""

    def __init__(self, catalog: Catalog, read: CueReader = read_cues) -> None:
        self.catalog = catalog
        self._read = read  # the page's own reader: search shows exactly the cues it shows
        self._texts = [_fields(episode) for episode in catalog.episodes]
        self._docs = {episode.slug: doc for doc, episode in enumerate(catalog.episodes)}
        self._published = [episode.published.timestamp() for episode in catalog.episodes]
        # Contentless: SQLite keeps only the index; snippets come from our texts and the files.
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(_SCHEMA)
        with self._db:
            self._db.executemany(
                f"INSERT INTO words(rowid, {', '.join(FIELDS)}) VALUES (?, ?, ?, ?, ?, ?)",
                self._rows(),
            )
        self._lock = threading.Lock()  # one connection, shared by the server's threads

    def _rows(self) -> Iterator[tuple[int, str, str, str, str, str]]:
        """Rows to index, reading one transcript at a time to keep memory flat."""
        for doc, (episode, texts) in enumerate(
            zip(self.catalog.episodes, self._texts, strict=True)
        ):
            transcript = episode.transcript
            spoken = spoken_text(self._read(transcript.path)) if transcript else ""
            yield doc, texts["title"], texts["guests"], texts["summary"], texts["notes"], spoken

    def __len__(self) -> int:
        return len(self._texts)

    def search(self, query: str, visible: Iterable[Episode], page: int = 1) -> Results:
        """Episodes among `visible` that contain every word of `query`, best first."""
        terms = tuple(dict.fromkeys(w for w in words(query[:500]) if w not in STOP_WORDS))
        terms = terms[:MAX_TERMS]
        if not terms:
            return Results(query, terms, 0, 1, ())
        allowed = {self._docs[e.slug] for e in visible if e.slug in self._docs}
        episodes = self.catalog.episodes
        matches = self._match(terms)
        if len(allowed) < len(episodes):  # drafts hidden: skip the set lookups when none are
            matches = [(doc, score) for doc, score in matches if doc in allowed]
        ranked = sorted((score, -self._published[doc], doc) for doc, score in matches)
        page = max(1, min(page, math.ceil(len(ranked) / PER_PAGE) or 1))
        chosen = ranked[(page - 1) * PER_PAGE : page * PER_PAGE]
        pattern = matcher(terms)
        results = tuple(
            Result(episodes[doc], -score, self._places(doc, pattern)) for score, _, doc in chosen
        )
        return Results(query, terms, len(ranked), page, results)

    def _match(self, terms: tuple[str, ...]) -> list[tuple[int, float]]:
        """(doc, bm25) of the episodes holding every term; lower bm25 is better."""
        expression = " AND ".join(f'"{t}"*' if len(t) >= 3 else f'"{t}"' for t in terms)
        weights = ", ".join(str(w) for w in FIELDS.values())
        with self._lock:
            rows = self._db.execute(
                f"SELECT rowid, bm25(words, {weights}) FROM words WHERE words MATCH ?",
                (expression,),
            ).fetchall()
        return [(int(doc), float(score)) for doc, score in rows]

    def _places(self, doc: int, pattern: re.Pattern[str]) -> tuple[Place, ...]:
        """Where the words are: the best text field, then the cues holding most of them."""
        places = []
        texts = self._texts[doc]
        for field in ("guests", "summary", "notes"):
            if pattern.search(fold(texts[field])):
                places.append(Place(field, snippet(texts[field], pattern)))
                break
        transcript = self.catalog.episodes[doc].transcript
        if transcript is None:
            return tuple(places)
        try:
            cues = _cached_cues(self._read, transcript.path, transcript.path.stat().st_mtime_ns)
        except OSError:
            return tuple(places)
        counted = [(len(set(pattern.findall(folded))), c) for c, folded in cues]
        best = sorted((pair for pair in counted if pair[0]), key=lambda p: -p[0])[:MAX_PLACES]
        for _, cue in sorted(best, key=lambda pair: pair[1].number):
            places.append(Place("transcript", snippet(cue.text, pattern), cue))
        return tuple(places)


def matcher(terms: Iterable[str]) -> re.Pattern[str]:
    """A regex for folded text that finds the query's words as the index does (3+: prefixes)."""
    parts = (re.escape(t) + (r"\w*" if len(t) >= 3 else r"\b") for t in terms)
    return re.compile(r"\b(?:" + "|".join(parts) + ")")


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
    hits = [bool(pattern.fullmatch(fold(t.group()))) for t in tokens]
    first = hits.index(True) if True in hits else 0
    low = max(0, first - SNIPPET_WORDS // 3)
    high = min(len(tokens), low + SNIPPET_WORDS)
    begin = tokens[low].start() if low else 0
    end = tokens[high - 1].end() if high < len(tokens) else len(text)
    pieces: list[tuple[str, bool]] = [("…", False)] if low else []
    position = begin
    for token, hit in zip(tokens[low:high], hits[low:high], strict=True):
        if hit:
            pieces.append((text[position : token.start()], False))
            pieces.append((token.group(), True))
            position = token.end()
    pieces.append((text[position:end], False))
    if high < len(tokens):
        pieces.append(("…", False))
    return tuple(p for p in pieces if p[0])


class IndexCache:
    """The index of the catalog being served: built once, then rebuilt when the catalog changes.

    The first index is built on the first search. After a reload, searches keep using the
    previous index (its results filtered to the episodes now visible) while the new one is
    built on a background thread, so no listener waits for a rebuild of thousands of episodes.
    """

    def __init__(self, read: CueReader = read_cues) -> None:
        self._read = read
        self._index: SearchIndex | None = None
        self._building: threading.Thread | None = None
        self._lock = threading.Lock()

    def get(self, catalog: Catalog) -> SearchIndex:
        """The freshest index ready for `catalog`, building the first one now."""
        with self._lock:
            if self._index is None:
                self._index = SearchIndex(catalog, self._read)
            elif self._index.catalog is not catalog and self._building is None:
                self._building = threading.Thread(
                    target=self._rebuild, args=(catalog,), name="search-index", daemon=True
                )
                self._building.start()
            return self._index

    def wait(self) -> None:
        """Block until a rebuild in progress (if any) has been swapped in."""
        building = self._building
        if building is not None:
            building.join()

    def _rebuild(self, catalog: Catalog) -> None:
        index: SearchIndex | None = None
        try:
            index = SearchIndex(catalog, self._read)
        finally:  # swap and free the slot together, so no second rebuild starts in between
            with self._lock:
                if index is not None:
                    self._index = index
                self._building = None
