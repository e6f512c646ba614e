"""The search index: transcript cues, word folding, matching, snippets and one index per catalog."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
from support.locks import hold_lock

from podcast.model import Catalog
from podcast.read import transcripts
from podcast.read.catalog import load
from podcast.render import search_cache
from podcast.render.search import SearchIndex, fold, matcher, read_cues, snippet, words
from podcast.render.search_cache import IndexCache


def test_read_cues_from_webvtt_with_voices_and_tags(tmp_path: Path) -> None:
    path = tmp_path / "t.vtt"
    path.write_text(
        "WEBVTT\n\nNOTE a comment\n\nintro\n00:00:01.500 --> 00:00:03.000 align:start\n"
        "<v.loud Dr. Kari Haley>Hello <b>there</b></v>\n\n"
        "01:02.250 --> 01:04.000\nSecond line\nwraps here\n",
        encoding="utf-8",
    )
    first, second = read_cues(path)
    assert (first.number, first.start, first.speaker, first.text) == (
        1,
        1.5,
        "Dr. Kari Haley",
        "Hello there",
    )
    # the speaker carries over to the next cue, as the episode page shows it
    assert (second.number, second.start, second.speaker) == (2, 62.25, "Dr. Kari Haley")
    assert second.text == "Second line wraps here"


def test_read_cues_from_srt_with_crlf_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "t.srt"
    path.write_bytes(
        "\ufeff1\r\n01:00:00,250 --> 01:00:02,000\r\nAccess\r\n\r\n"
        "2\r\n01:00:03,000 --> 01:00:04,000\r\nCare\r\n".encode()
    )
    cues = read_cues(path)
    assert [(c.number, c.start, c.text) for c in cues] == [
        (1, 3600.25, "Access"),
        (2, 3603.0, "Care"),
    ]


def test_unreadable_or_empty_transcripts_have_no_cues(tmp_path: Path) -> None:
    (tmp_path / "empty.vtt").write_text("", encoding="utf-8")
    (tmp_path / "junk.vtt").write_bytes(b"\xff\xfe\x00garbage --> nothing")
    assert read_cues(tmp_path / "empty.vtt") == ()
    assert read_cues(tmp_path / "junk.vtt") == ()
    assert read_cues(tmp_path / "missing.vtt") == ()


def test_fold_and_words_ignore_case_and_accents() -> None:
    assert fold("Équité ÇA") == "equite ca"
    assert words("Health-equity, it's NOW!") == ["health", "equity", "it", "s", "now"]


def test_snippet_marks_matches_and_trims_long_text() -> None:
    text = " ".join(f"w{i}" for i in range(100)) + " target " + "tail " * 50
    pieces = snippet(text, matcher(["target"]))
    assert ("target", True) in pieces
    assert pieces[0] == ("…", False) and pieces[-1] == ("…", False)
    assert len("".join(p for p, _ in pieces)) < len(text) / 2


def test_words_of_three_letters_or_more_find_longer_words(show_dir: Path) -> None:
    catalog = load(show_dir)
    index = SearchIndex(catalog)
    found = index.search("emerg", catalog.episodes)
    assert "s1-01-why-we-call-it-an-emergency" in [r.episode.slug for r in found.results]
    assert index.search("em", catalog.episodes).total == 0  # too short to stand for a prefix
    assert matcher(["emerg"]).fullmatch("emergency")
    assert not matcher(["em"]).fullmatch("emergency")


def test_every_word_must_occur_and_titles_rank_first(show_dir: Path) -> None:
    catalog = load(show_dir)
    index = SearchIndex(catalog)
    assert index.search("trust zeppelin", catalog.episodes).total == 0
    found = index.search("trust", catalog.episodes)
    assert found.results[0].episode.title == "Trust in medicine"
    assert found.terms == ("trust",)


def test_results_only_include_visible_episodes(show_dir: Path) -> None:
    catalog = load(show_dir)
    index = SearchIndex(catalog)
    everyone = index.search("sample", catalog.episodes)
    assert everyone.total == len(catalog.episodes)
    only = index.search("sample", catalog.episodes[:2])
    assert [r.episode for r in only.results] == sorted(
        catalog.episodes[:2], key=lambda e: [r.episode for r in everyone.results].index(e)
    )


def ready(cache: IndexCache, catalog: Catalog) -> SearchIndex:
    cache.prepare(catalog)
    cache.wait()
    index = cache.get(catalog)
    assert index is not None and index.catalog is catalog
    return index


def test_the_index_is_a_file_in_the_cache_directory_shared_by_every_server(
    show_dir: Path, user_cache: Path
) -> None:
    catalog = load(show_dir)
    first, second = IndexCache(), IndexCache()  # two workers
    one = ready(first, catalog)
    files = sorted(user_cache.rglob("*.sqlite"))
    assert files == [search_cache.index_path(catalog)]
    assert not list(show_dir.rglob("*.sqlite"))  # nothing written into the episodes folder
    built = files[0].stat().st_mtime_ns
    two = ready(second, load(show_dir))  # the same show loaded again: the same key, no build
    assert files[0].stat().st_mtime_ns == built
    assert len(one) == len(two) == len(catalog.episodes)
    assert [r.episode.slug for r in one.search("trust", catalog.episodes).results] == [
        r.episode.slug for r in two.search("trust", catalog.episodes).results
    ]


def test_a_changed_transcript_names_a_new_index_and_the_old_file_goes(
    show_dir: Path, user_cache: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = IndexCache()
    old = load(show_dir)
    old_path, old_key = search_cache.ensure_file(old), search_cache.index_key(old)
    old_index = search_cache.open_index(old, old_path)
    path = show_dir / "season-1" / "01-why-we-call-it-an-emergency.vtt"
    path.write_text("WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nZeppelins ahead.\n", "utf-8")
    new = load(show_dir)
    assert search_cache.index_key(new) != old_key
    with caplog.at_level(logging.INFO, logger=search_cache.__name__):
        index = ready(cache, new)
    assert index.search("zeppelins", new.episodes).total == 1
    assert (
        index.search("emergency", new.episodes).total
        == old_index.search("emergency", old.episodes).total
    )  # the other transcripts' words, recalled from the old file, are all still there
    transcripts = sum(1 for e in new.episodes if e.transcript is not None)
    assert f"1 transcripts read, {transcripts - 1} unchanged" in caplog.text
    assert not old_path.exists()
    assert sorted(user_cache.rglob("*.sqlite")) == [search_cache.index_path(new)]


def test_a_workers_first_search_opens_the_index_its_siblings_built(
    show_dir: Path, user_cache: Path
) -> None:
    catalog = load(show_dir)
    ready(IndexCache(), catalog)  # one worker (or the server before it forked) built the file
    late = IndexCache()  # a worker that has not prepared anything yet
    index = late.get(catalog)  # its first search: answered, not "preparing"
    assert index is not None and index.catalog is catalog
    assert index.search("trust", catalog.episodes).total >= 1
    assert late.get(catalog) is index
    reloaded = load(show_dir)  # after a reload its siblings have indexed too: same file
    again = late.get(reloaded)
    assert again is not None and again.catalog is reloaded


def test_no_search_waits_while_another_process_builds_the_index(
    show_dir: Path, user_cache: Path
) -> None:
    catalog = load(show_dir)
    folder = search_cache.index_path(catalog).parent
    folder.mkdir(parents=True)
    holder = hold_lock(folder / search_cache.LOCK)
    try:
        cache = IndexCache()
        cache.prepare(catalog)
        assert cache.get(catalog) is None  # answered at once: the index is not ready
        assert cache.get(catalog) is None
    finally:
        holder.communicate("")  # the other process lets go
    cache.wait()
    assert cache.get(catalog) is not None


def test_an_unwritable_cache_directory_still_gives_an_index_in_memory(
    show_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache directory would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    catalog = load(show_dir)
    index = ready(IndexCache(), catalog)
    assert index.search("trust", catalog.episodes).results[0].episode.title == "Trust in medicine"


def test_a_new_catalog_is_indexed_in_the_background_meanwhile_the_old_index_serves(
    show_dir: Path, user_cache: Path
) -> None:
    cache = IndexCache()
    old = load(show_dir)
    old_index = ready(cache, old)
    (show_dir / "season-2" / "02-social-drivers-of-health.yaml").unlink()
    new = load(show_dir)  # a reloaded catalog (live reload swaps in a new object)
    assert cache.get(new) is old_index  # no waiting for the rebuild
    assert old_index.search("social drivers", new.episodes).total == 0  # gone from the site
    cache.wait()
    assert cache.get(new) is not old_index
    index = cache.get(new)
    assert index is not None and index.catalog is new
    assert len(index) == len(new.episodes) == len(old.episodes) - 1


def test_cue_numbers_match_the_episode_page(show_dir: Path) -> None:
    # Result links say #cue-N; the page numbers the cues that transcripts.parse reads.
    for path in sorted(show_dir.glob("season-*/*.[vs][tr][tt]")):
        ours = [(c.number, c.start, c.text) for c in read_cues(path)]
        page = [(n, c.start, c.text) for n, c in enumerate(transcripts.parse(path), start=1)]
        assert ours == page, path


# --- the cues search shows are the cues the episode page shows -----------------------------


def test_a_transcript_the_page_cannot_read_gives_search_no_cues(show_dir: Path) -> None:
    # 00:00:03.93 is not WebVTT (three digits of milliseconds): the page shows no cues
    path = show_dir / "season-1" / "01-why-we-call-it-an-emergency.vtt"
    path.write_text("WEBVTT\n\n00:00:03.93 --> 00:00:05.000\nZeppelins ahead.\n", encoding="utf-8")
    catalog = load(show_dir)
    with pytest.raises(transcripts.TranscriptError):
        transcripts.parse(path)
    assert read_cues(path) == ()
    assert SearchIndex(catalog).search("zeppelins", catalog.episodes).total == 0


def test_search_numbers_and_names_cues_as_the_page_does(tmp_path: Path) -> None:
    path = tmp_path / "t.vtt"
    path.write_text(
        "WEBVTT\n\nNOTE a timing in a comment is no cue\n00:00:00.500 --> 00:00:01.000\n\n"
        "00:00:01.000 --> 00:00:02.000\n<v Dr. Kari Haley>Zebras first.\n\n"
        "00:00:02.000 --> 00:00:03.000\nZebras again, same speaker.\n",
        encoding="utf-8",
    )
    page = [(n, c.start, c.speaker or "", c.text) for n, c in enumerate(transcripts.parse(path), 1)]
    assert [(c.number, c.start, c.speaker, c.text) for c in read_cues(path)] == page
    assert page[1] == (2, 2.0, "Dr. Kari Haley", "Zebras again, same speaker.")


def test_transcript_lines_shown_are_those_holding_most_of_the_words(show_dir: Path) -> None:
    path = show_dir / "season-1" / "01-why-we-call-it-an-emergency.vtt"
    lines = [
        "Zebras graze.",  # one word of two
        "Zebras and okapis, both.",  # both: shown
        "Okapis hide.",  # one
        "Nothing here, azebras aside.",  # not where a word begins: no match
        "Okapis with zebras again.",  # both: shown
        "Zebras once more.",  # one, and three places are shown at most
    ]
    cues = [f"00:00:{n:02d}.000 --> 00:00:{n:02d}.900\n{text}\n" for n, text in enumerate(lines)]
    path.write_text("WEBVTT\n\n" + "\n".join(cues), encoding="utf-8")
    catalog = load(show_dir)
    (found,) = SearchIndex(catalog).search("zebras okapis", catalog.episodes).results
    shown = [place.cue.number for place in found.places if place.cue is not None]
    assert shown == [1, 2, 5]  # the two with both words, then the earliest with one, in order


def test_an_index_in_memory_learns_new_characters_without_waiting_on_itself(
    show_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A character no index in this process has met: the tokenizer asks SQLite about it, under
    # the same fork guard the in-memory build takes for its own SQLite calls.
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache directory would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    path = show_dir / "season-1" / "01-why-we-call-it-an-emergency.vtt"
    path.write_text("WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nꓡꓲꓢꓴ zeppelins.\n", "utf-8")
    catalog = load(show_dir)
    cache = IndexCache()
    cache.prepare(catalog)
    deadline = time.monotonic() + 30
    while (index := cache.get(catalog)) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert index is not None, "the index in memory was never ready"
    assert index.search("ꓡꓲꓢꓴ", catalog.episodes).total == 1
