"""The search index against the straightforward one (FTS5's own match and bm25): the same
hits, in the same order, with the same scores, places and snippets, query for query."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.search_reference import ReferenceIndex, generated_catalog, queries

from podcast.model import Catalog
from podcast.read.catalog import load
from podcast.render import search_cache
from podcast.render.search import Results, SearchIndex

FIXED = [
    "health",  # in most episodes, with longer forms (healthy, healthcare)
    "health equity",
    "the community",  # a stop word and a common word
    "trust nurse clinic",
    "emergency zzzz",  # common and absent: nothing
    "he",  # short: whole words only
    "em id ok",
    "equite",  # folded accents: Équité, équité, ÉQUITÉ
    "Équité santé",
    "aero",  # not Ærø: FTS5 keeps æ and ø
    "Ærø",
    "finance",  # not "ﬁnance": FTS5 keeps the ligature whole
    "strasse straße",
    "ete",  # combining accents
    "don",  # don’t
    "snake",  # snake_case is one word to FTS5
    "covid 19",
    "a\u19b0b",  # one query word that FTS5 reads as a two-word phrase
    "ka\u19b0ng health",
    "\u19b0",  # no word at all to FTS5: nothing matches
    "\ue000pua",
    "x2 2024",
]


def same(left: Results, right: Results) -> None:
    assert (left.query, left.terms, left.total, left.page) == (
        right.query,
        right.terms,
        right.total,
        right.page,
    )
    assert [r.episode.slug for r in left.results] == [r.episode.slug for r in right.results]
    assert [r.score for r in left.results] == [r.score for r in right.results]
    assert [r.places for r in left.results] == [r.places for r in right.results]


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    shipped = load(Path(__file__).parents[2] / "episodes")
    return generated_catalog(shipped, tmp_path_factory.mktemp("generated"), 90, seed=16)


def test_every_query_finds_what_fts5_finds_in_the_same_order(catalog: Catalog) -> None:
    reference, index = ReferenceIndex(catalog), SearchIndex(catalog)
    some = catalog.episodes[::3]  # drafts and removed episodes are not shown
    paged = hit = 0
    for query in FIXED + queries(seed=16, count=100):
        for visible in (catalog.episodes, some):
            for page in (1, 2, 9):
                expected = reference.search(query, visible, page)
                same(index.search(query, visible, page), expected)
                paged += expected.total > 20
                hit += expected.total > 0
    assert paged > 100 and hit > 500  # the comparison saw long result lists, and many


@pytest.mark.parametrize("query", ["a\u19b0b", "ka\u19b0ng health", "equite", "Ærø", "ete", "don"])
def test_the_unusual_words_are_found(catalog: Catalog, query: str) -> None:
    found = SearchIndex(catalog).search(query, catalog.episodes)
    assert found.total > 0
    same(found, ReferenceIndex(catalog).search(query, catalog.episodes))


def test_the_shared_index_file_answers_as_the_index_in_memory(
    catalog: Catalog, user_cache: Path
) -> None:
    path = search_cache.ensure_file(catalog)
    shared, memory = search_cache.open_index(catalog, path), SearchIndex(catalog)
    for query in FIXED:
        same(shared.search(query, catalog.episodes), memory.search(query, catalog.episodes))
