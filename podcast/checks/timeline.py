"""What points into an episode's audio: chapters, soundbites and transcript cues."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta

from podcast.checks.context import Context, problem
from podcast.errors import Problem
from podcast.read import transcripts
from podcast.render import chapters
from podcast.render.times import hms


def check_chapters(context: Context) -> Iterator[Problem]:
    """Chapters apps would misplay (the rules live in podcast.render.chapters)."""
    for episode in context.catalog.episodes:
        for found in chapters.problems(episode):
            if found.line is None and found.path == episode.source:
                found = dataclasses.replace(found, line=episode.lines.get("chapters"))
            yield found


def check_soundbites(context: Context) -> Iterator[Problem]:
    """podcast:soundbite clips must last a while and lie inside the audio."""
    for episode in context.catalog.episodes:
        end = episode.audio.duration
        for bite in episode.soundbites:
            label = (
                f"soundbite '{bite.title}' at {hms(bite.start)}"
                if bite.title
                else (f"soundbite at {hms(bite.start)}")
            )
            if bite.duration <= timedelta(0):
                yield problem(
                    "soundbite",
                    episode,
                    "soundbites",
                    f"{label} lasts no time",
                    "give it a duration",
                )
            elif bite.start + bite.duration > end:
                yield problem(
                    "soundbite",
                    episode,
                    "soundbites",
                    f"{label} ends after the audio ({hms(end)})",
                    "move its start or shorten its duration",
                )


def check_transcripts(context: Context) -> Iterator[Problem]:
    """Transcripts apps cannot read (file:line of the bad cue), or that outlast the audio."""
    for episode in context.catalog.episodes:
        for found in transcripts.problems(episode):
            yield found if found.rule else dataclasses.replace(found, rule="transcript")
