"""Two episodes that look alike to a listener: the same title, or the same recording."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from podcast.checks.context import Context, problem
from podcast.errors import Problem, Severity
from podcast.model import Episode
from podcast.read import same_audio as same_audio_module


def check_duplicates(context: Context) -> Iterator[Problem]:
    """Two episodes with the same title, or the same audio under two file names."""
    titles: dict[str, Episode] = {}
    for episode in sorted(context.catalog.episodes, key=lambda e: str(e.source)):
        first = titles.setdefault(episode.title.casefold(), episode)
        if first is not episode:
            yield problem(
                "duplicate-title",
                episode,
                "title",
                f"the title '{episode.title}' is also the title of {first.source.name}",
                "give each episode its own title: apps list them side by side",
                Severity.WARNING,
            )
    for episode, first, path, first_path in same_audio(context.catalog.episodes):
        yield problem(
            "duplicate-audio",
            episode,
            "audio",
            f"{path.name} holds the same audio as {first_path.name} ({first.source.name})",
            "one of them is the wrong file: export the right audio",
            Severity.WARNING,
        )


def same_audio(episodes: Iterable[Episode]) -> Iterator[tuple[Episode, Episode, Path, Path]]:
    """(episode, an earlier one with the same recording, their files), whatever their tags;
    only local files of one type and length are compared (remote audio is not ours)."""
    alike: dict[tuple[str, int], list[tuple[Episode, Path]]] = {}
    for episode in sorted(episodes, key=lambda e: str(e.source)):
        audio = episode.audio
        if audio.path is not None:
            key = (audio.mime, round(audio.duration.total_seconds()))
            alike.setdefault(key, []).append((episode, audio.path))
    for group in alike.values():
        if len(group) < 2:  # alone at its length: nothing to compare, no file to open
            continue
        paths = [path for _, path in group]
        known = [episode.audio.frames_digest for episode, _ in group]
        for index, earlier in same_audio_module.repeats(paths, known):
            (episode, path), (first, first_path) = group[index], group[earlier]
            yield episode, first, path, first_path
