"""Search done the straightforward way, to hold the real index to: SQLite FTS5 matches and ranks
(`bm25()`, `ORDER BY`), and each result's places are found by reading its texts plainly.

This is what the site's search did before it kept its own postings; results must not change,
so `tests/render/test_search_reference.py` compares the two query for query.
"""

from __future__ import annotations

import dataclasses
import math
import random
import re
import sqlite3
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

from podcast.model import Catalog, Episode, Person, Transcript
from podcast.render.cues import Cue, CueReader, read_cues, spoken_text
from podcast.render.notes import to_text
from podcast.render.search import (
    FIELDS,
    MAX_PLACES,
    MAX_TERMS,
    PER_PAGE,
    SNIPPET_WORDS,
    STOP_WORDS,
    Place,
    Result,
    Results,
    fold,
    words,
)

_WORD = re.compile(r"[^\W_]+")


class ReferenceIndex:
    """An FTS5 table of the catalog, in memory, asked with one SQL query per search."""

    def __init__(self, catalog: Catalog, read: CueReader = read_cues) -> None:
        self.read = read
        self.db = sqlite3.connect(":memory:")
        self.db.execute(
            f"CREATE VIRTUAL TABLE words USING fts5({', '.join(FIELDS)}, content='', "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        newest = sorted(catalog.episodes, key=lambda e: (-e.published.timestamp(), e.slug))
        self.episodes = dict(enumerate(newest))
        for doc, episode in self.episodes.items():
            self.db.execute(
                f"INSERT INTO words(rowid, {', '.join(FIELDS)}) VALUES (?, ?, ?, ?, ?, ?)",
                (doc, *indexed(episode, read)),
            )

    def search(self, query: str, visible: Iterable[Episode], page: int = 1) -> Results:
        """The page of results the site showed for `query`."""
        terms = tuple(dict.fromkeys(w for w in words(query[:500]) if w not in STOP_WORDS))
        terms = terms[:MAX_TERMS]
        if not terms:
            return Results(query, terms, 0, 1, ())
        slugs = {e.slug for e in visible}
        ranked = [(doc, score) for doc, score in self.ranked(terms) if self.slug(doc) in slugs]
        page = max(1, min(page, math.ceil(len(ranked) / PER_PAGE) or 1))
        shown = ranked[(page - 1) * PER_PAGE : page * PER_PAGE]
        pattern = re.compile(r"\b(?:" + "|".join(_term(t) for t in terms) + ")")
        results = tuple(
            Result(self.episodes[doc], -score, self.places(doc, terms, pattern))
            for doc, score in shown
        )
        return Results(query, terms, len(ranked), page, results)

    def slug(self, doc: int) -> str:
        return self.episodes[doc].slug

    def ranked(self, terms: tuple[str, ...]) -> list[tuple[int, float]]:
        """Every matching doc with its bm25, best first, then the newest."""
        expression = " AND ".join(f'"{t}"*' if len(t) >= 3 else f'"{t}"' for t in terms)
        weights = ", ".join(str(w) for w in FIELDS.values())
        return self.db.execute(
            f"SELECT rowid, bm25(words, {weights}) AS score FROM words WHERE words MATCH ? "
            "ORDER BY score, rowid",
            (expression,),
        ).fetchall()

    def places(
        self, doc: int, terms: tuple[str, ...], pattern: re.Pattern[str]
    ) -> tuple[Place, ...]:
        """The first text field holding a word, then the transcript cues holding most."""
        episode = self.episodes[doc]
        texts = dict(zip(FIELDS, indexed(episode, self.read), strict=True))
        found = []
        for field in ("guests", "summary", "notes"):
            if pattern.search(fold(texts[field])):
                found.append(Place(field, snippet(texts[field], pattern)))
                break
        transcript = episode.transcript
        cues = self.read(transcript.path) if transcript else ()
        for cue in best_cues(cues, terms):
            found.append(Place("transcript", snippet(cue.text, pattern), cue))
        return tuple(found)


def indexed(episode: Episode, read: CueReader) -> tuple[str, ...]:
    """Title, guests, summary, notes and transcript words, as the index holds them."""
    guests = "; ".join(f"{p.name} ({p.role})" if p.role else p.name for p in episode.guests)
    notes = to_text(episode.notes) if episode.notes else ""
    transcript = episode.transcript
    said = spoken_text(read(transcript.path)) if transcript else ""
    return (episode.title, guests, episode.summary, notes, said)


def _term(term: str) -> str:
    return re.escape(term) + (r"\w*" if len(term) >= 3 else r"\b")


def best_cues(cues: tuple[Cue, ...], terms: tuple[str, ...]) -> list[Cue]:
    """The cues holding most of the terms where a word begins (earliest first on a tie)."""
    held = []
    for cue in cues:
        line = fold(cue.text).replace("\n", " ")
        count = sum(1 for t in terms if re.search(r"(?<!\w)" + _term(t), line))
        if count:
            held.append((-count, cue.number, cue))
    best = sorted(held, key=lambda h: h[:2])[:MAX_PLACES]
    return [cue for _, _, cue in sorted(best, key=lambda h: h[1])]


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


def transcript_paths(catalog: Catalog) -> list[Path]:
    """Every transcript the catalog's episodes point to."""
    return [e.transcript.path for e in catalog.episodes if e.transcript is not None]


# --- a generated catalog that gives both indexes something to disagree about ---------------

# Plain words and their longer forms (prefix matches), accents, a ligature, combining marks,
# curly quotes, underscores, digits, New Tai Lue vowels (letters to Python, separators to
# SQLite's tokenizer: one query word, a two-word phrase to FTS5) and private-use characters.
VOCABULARY = (
    "health healthy healthcare equity equitable care cared career community communities trust "
    "trusted access clinic clinics emergency data policy housing food nurse nurses doctor "
    "Équité équité ÉQUITÉ santé Ærø café cafe naïve coöperate ﬁnance ß straße Ǆemal "
    "e\u0301te\u0301 \u0301 don’t “quoted” snake_case a_b x2 2024 covid-19 id ok em "
    "a\u19b0b ka\u19b0ng \ue000pua the and of to"
).split()


def generated_catalog(template: Catalog, folder: Path, count: int, seed: int) -> Catalog:
    """`count` episodes of random text from VOCABULARY, each with a WebVTT transcript written
    into `folder`; the audio is the template's first episode's, the show the template's."""
    rng = random.Random(seed)
    base = template.episodes[0]

    def text(low: int, high: int) -> str:
        return " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(low, high)))

    episodes = []
    for n in range(count):
        transcript = folder / f"{n}.vtt"
        cues = [
            f"00:00:{c:02d}.000 --> 00:00:{c:02d}.900\n<v Host {c % 2}>{text(1, 9)}\n"
            for c in range(rng.randint(0, 12))
        ]
        transcript.write_text("WEBVTT\n\n" + "\n".join(cues), encoding="utf-8")
        episodes.append(
            dataclasses.replace(
                base,
                source=folder / f"{n}.yaml",
                slug=f"gen-{n}",
                title=text(1, 6),
                number=n + 1,
                published=base.published - timedelta(days=n % 7),  # ties by date too
                guid=f"gen-{n}",
                summary=text(0, 15),
                notes=text(0, 40),
                guests=(Person(text(1, 2), rng.choice(("guest", ""))),),
                transcripts=(Transcript(transcript, "text/vtt", "en"),) if n % 5 else (),
            )
        )
    return Catalog(folder, template.show, tuple(episodes))


def queries(seed: int, count: int) -> list[str]:
    """Random queries of one to four words (some cut short, to stand for prefixes)."""
    rng = random.Random(seed)
    asked = []
    for _ in range(count):
        picked = [rng.choice(VOCABULARY) for _ in range(rng.randint(1, 4))]
        asked.append(
            " ".join(w[: rng.randint(1, len(w))] if rng.random() < 0.3 else w for w in picked)
        )
    return asked
