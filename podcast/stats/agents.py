"""Name the app behind a User-Agent, or the bot, with the OPAWG user-agent lists (MIT).

The lists ship in podcast/stats/data/opawg/ (see its SOURCE). Their rule: try bots, apps,
libraries, browsers in that order and take the first entry whose pattern matches. A library
entry with category `bot` (scripts, crawlers' HTTP clients) is a bot too. The Apple Watch
entry is in the bots list: the watch re-downloads what the phone already counted.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

KINDS = ("bots", "apps", "libraries", "browsers")
CACHE_LIMIT = 50_000  # distinct User-Agents remembered; real logs have a few thousand


@dataclass(frozen=True, slots=True)
class Agent:
    """What a User-Agent is: bot or not, and the app (or library/browser) and device names."""

    bot: bool
    name: str  # "Apple Podcasts", "Overcast", … or "Unknown"
    kind: str  # "app", "library", "browser", "bot" or "unknown"
    device: str = ""  # "iPhone", "Apple HomePod", … when the devices list knows it


@dataclass(frozen=True, slots=True)
class _Entry:
    name: str
    kind: str
    bot: bool
    pattern: re.Pattern[str]


def _read(name: str) -> dict[str, object]:
    text = resources.files("podcast.stats").joinpath(f"data/opawg/{name}.json").read_text("utf-8")
    loaded: dict[str, object] = json.loads(text)
    return loaded


def _entries(name: str) -> list[dict[str, str]]:
    entries: list[dict[str, str]] = _read(name)["entries"]  # type: ignore[assignment]
    return entries


@cache
def _patterns() -> tuple[tuple[_Entry, ...], tuple[tuple[str, re.Pattern[str]], ...]]:
    ordered = []
    for kind in KINDS:
        singular = {"bots": "bot", "apps": "app", "libraries": "library", "browsers": "browser"}
        for entry in _entries(kind):
            bot = kind == "bots" or entry.get("category") == "bot"
            ordered.append(_Entry(entry["name"], singular[kind], bot, re.compile(entry["pattern"])))
    devices = tuple((e["name"], re.compile(e["pattern"])) for e in _entries("devices"))
    return tuple(ordered), devices


def lists_version() -> str:
    """Where the shipped lists come from (repository @ commit, date), for the methodology."""
    text = resources.files("podcast.stats").joinpath("data/opawg/SOURCE").read_text("utf-8")
    return text.split(". ")[0].strip()


class Agents:
    """Classifies User-Agents, remembering each answer (a log repeats a few thousand agents)."""

    def __init__(self) -> None:
        self.known: dict[str, Agent] = {}

    def classify(self, user_agent: str) -> Agent:
        """The OPAWG answer for this User-Agent (first match in bots, apps, libraries, browsers)."""
        found = self.known.get(user_agent)
        if found is None:
            if len(self.known) >= CACHE_LIMIT:
                self.known.clear()
            found = self.known[user_agent] = identify(user_agent)
        return found


def identify(user_agent: str) -> Agent:
    """Match one User-Agent against the lists, newlines removed as the lists ask."""
    text = user_agent.replace("\n", "").replace("\r", "")
    entries, devices = _patterns()
    for entry in entries:
        if entry.pattern.search(text):
            kind = "bot" if entry.bot else entry.kind
            device = "" if entry.bot else _device(text, devices)
            return Agent(entry.bot, entry.name, kind, device)
    return Agent(False, "Unknown", "unknown", _device(text, devices))


def _device(text: str, devices: tuple[tuple[str, re.Pattern[str]], ...]) -> str:
    return next((name for name, pattern in devices if pattern.search(text)), "")
