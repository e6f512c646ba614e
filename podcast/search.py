"""Full-text search of the catalog: an inverted index built once per catalog, queried in memory."""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from podcast.model import Catalog, Episode
from podcast.notes import to_text

# How much a word counts where it is found: a word in the title says more than one said in passing.
WEIGHTS = {"title": 12, "guests": 8, "summary": 4, "notes": 2, "transcript": 1}
PER_PAGE = 20
MAX_TERMS = 12  # longer queries are cut: AND over many rare words finds nothing anyway
MAX_EXPANSIONS = 40  # vocabulary words one short query word may stand for ("trust" → "trusted")
MAX_PLACES = 3  # transcript cues shown under each result
SNIPPET_WORDS = 28
STOP_WORDS = frozenset(
    "a an and are as at be but by for from has have in is it its of on or that the this to was "
    "were will with".split()
)
_WORD = re.compile(r"\w+")
_TIMING = re.compile(r"^\s*(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})\s*-->")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]+)>")
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True, slots=True)
class Cue:
    """One timed line of a transcript; `number` is its 1-based position (the page's `#cue-N`)."""

    number: int
    start: float
    speaker: str
    text: str

    @property
    def clock(self) -> str:
        """The start as `M:SS` or `H:MM:SS`, as players show it."""
        minutes, seconds = divmod(int(self.start), 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


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


def fold(text: str) -> str:
    """Lower case without accents, so 'Équité' finds 'equite'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    """The folded words of `text`, in order."""
    return _WORD.findall(fold(text))


def read_cues(path: Path) -> tuple[Cue, ...]:
    """The cues of a WebVTT or SRT file; an unreadable file has none (search must not fail)."""
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return ()
    cues: list[Cue] = []
    for block in re.split(r"\r?\n\s*\r?\n", text.replace("\r\n", "\n")):
        lines = block.strip("\n").split("\n")
        for index, line in enumerate(lines):
            timing = _TIMING.match(line)
            if timing:
                body = "\n".join(lines[index + 1 :])
                cues.append(_cue(len(cues) + 1, timing, body))
                break
    return tuple(cues)


def _cue(number: int, timing: re.Match[str], body: str) -> Cue:
    hours, minutes, seconds, millis = timing.groups()
    start = (
        int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis.ljust(3, "0")) / 1000
    )
    voice = _VOICE.search(body)
    text = " ".join(_TAG.sub("", body).split())
    return Cue(number, start, voice.group(1).strip() if voice else "", text)


class SearchIndex:
    """Every word of every episode's title, guests, summary, notes and transcript."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._texts: list[dict[str, str]] = []
        self._cues: list[tuple[Cue, ...]] = []
        building: dict[str, dict[int, int]] = {}
        for doc, episode in enumerate(catalog.episodes):
            texts, cues = _fields(episode)
            self._texts.append(texts)
            self._cues.append(cues)
            for word, weight in _weights(texts, cues).items():
                building.setdefault(word, {})[doc] = weight
        # Arrays of ints take a tenth of the memory of dicts: it matters at thousands of episodes.
        self._postings = {
            word: (array("I", docs.keys()), array("I", docs.values()))
            for word, docs in building.items()
        }
        self._vocabulary = sorted(self._postings)

    def __len__(self) -> int:
        return len(self._texts)

    def search(self, query: str, visible: Iterable[Episode], page: int = 1) -> Results:
        """Episodes among `visible` that contain every word of `query`, best first."""
        terms = tuple(dict.fromkeys(w for w in words(query[:500]) if w not in STOP_WORDS))
        terms = terms[:MAX_TERMS]
        allowed = {e.slug for e in visible}
        scores, matched = self._match(terms)
        ranked = sorted(
            (doc for doc in scores if self.catalog.episodes[doc].slug in allowed),
            key=lambda doc: (-scores[doc], -self.catalog.episodes[doc].published.timestamp()),
        )
        page = max(1, min(page, max(1, math.ceil(len(ranked) / PER_PAGE))))
        chosen = ranked[(page - 1) * PER_PAGE : page * PER_PAGE]
        results = tuple(
            Result(self.catalog.episodes[doc], scores[doc], self._places(doc, matched))
            for doc in chosen
        )
        return Results(query, terms, len(ranked), page, results)

    def _match(self, terms: tuple[str, ...]) -> tuple[dict[int, float], frozenset[str]]:
        """Score every episode that holds all terms (or words they begin)."""
        if not terms:
            return {}, frozenset()
        scores: dict[int, float] | None = None
        matched: set[str] = set()
        for term in terms:
            found = self._term_scores(term, matched)
            scores = (
                found
                if scores is None
                else {doc: score + found[doc] for doc, score in scores.items() if doc in found}
            )
            if not scores:
                return {}, frozenset()
        return scores or {}, frozenset(matched)

    def _term_scores(self, term: str, matched: set[str]) -> dict[int, float]:
        """Scores for one query word: exact hits count fully, words it begins count half."""
        found: dict[int, float] = {}
        start = bisect_left(self._vocabulary, term)
        for word in self._vocabulary[start : start + MAX_EXPANSIONS]:
            if not word.startswith(term):
                break
            if word != term and len(term) < 3:
                continue
            factor = 1.0 if word == term else 0.5
            matched.add(word)
            docs, weights = self._postings[word]
            for doc, weight in zip(docs, weights, strict=True):
                found[doc] = max(found.get(doc, 0.0), weight * factor)
        return found

    def _places(self, doc: int, matched: frozenset[str]) -> tuple[Place, ...]:
        """Where the words are: the best text field, then the cues holding most of them."""
        places = []
        texts = self._texts[doc]
        for field in ("guests", "summary", "notes"):
            if texts[field] and matched.intersection(words(texts[field])):
                places.append(Place(field, snippet(texts[field], matched)))
                break
        cues = [(len(matched.intersection(words(c.text))), c) for c in self._cues[doc]]
        best = sorted((pair for pair in cues if pair[0]), key=lambda p: -p[0])[:MAX_PLACES]
        for _, cue in sorted(best, key=lambda pair: pair[1].number):
            places.append(Place("transcript", snippet(cue.text, matched), cue))
        return tuple(places)


def _fields(episode: Episode) -> tuple[dict[str, str], tuple[Cue, ...]]:
    guests = "; ".join(f"{p.name} ({p.role})" if p.role else p.name for p in episode.guests)
    texts = {
        "title": episode.title,
        "guests": guests,
        "summary": episode.summary,
        "notes": to_text(episode.notes) if episode.notes else "",
    }
    cues = read_cues(episode.transcript.path) if episode.transcript else ()
    return texts, cues


def _weights(texts: dict[str, str], cues: tuple[Cue, ...]) -> Counter[str]:
    """Weight of each word in one episode: field weight times (capped) repetitions."""
    counts: Counter[str] = Counter()
    fields = [*texts.items(), ("transcript", " ".join(c.text for c in cues))]
    for field, text in fields:
        for word, count in Counter(words(text)).items():
            counts[word] += WEIGHTS[field] * min(count, 4)
    return counts


def snippet(text: str, matched: frozenset[str]) -> tuple[tuple[str, bool], ...]:
    """A window of `text` around its first matched word, cut into (text, matched) pieces."""
    tokens = list(_WORD.finditer(text))
    first = next((i for i, t in enumerate(tokens) if fold(t.group()) in matched), 0)
    low = max(0, first - SNIPPET_WORDS // 3)
    high = min(len(tokens), low + SNIPPET_WORDS)
    if not tokens:
        return ((text, False),)
    begin = tokens[low].start() if low else 0
    end = tokens[high - 1].end() if high < len(tokens) else len(text)
    pieces: list[tuple[str, bool]] = [("…", False)] if low else []
    position = begin
    for token in tokens[low:high]:
        if fold(token.group()) in matched:
            pieces.append((text[position : token.start()], False))
            pieces.append((token.group(), True))
            position = token.end()
    pieces.append((text[position:end], False))
    if high < len(tokens):
        pieces.append(("…", False))
    return tuple(p for p in pieces if p[0])


class IndexCache:
    """The index of the catalog being served, rebuilt only when the catalog object changes."""

    def __init__(self) -> None:
        self._index: SearchIndex | None = None
        self._lock = threading.Lock()

    def get(self, catalog: Catalog) -> SearchIndex:
        """The index for `catalog`, built on first use."""
        with self._lock:
            if self._index is None or self._index.catalog is not catalog:
                self._index = SearchIndex(catalog)
            return self._index
