#!/usr/bin/env python3
"""Generate the shipped sample show in ``episodes/``.

Run from anywhere with the project venv::

    /work/venv/bin/python tools/make_samples.py

It (re)creates, deterministically:

* ``episodes/artwork.jpg``  - 1400x1400 RGB baseline JPEG drawn with Pillow;
* ``episodes/show.yaml``    - the show description;
* ``episodes/season-N/NN-slug.{mp3,m4a}`` - short spoken placeholder clips made
  with espeak-ng and encoded with ffmpeg (mono, 44100 Hz, 48 kbit/s, at about -16 LUFS);
* ``episodes/season-N/NN-slug.{vtt,srt}`` - a transcript whose cues are timed
  from the synthesized speech itself;
* ``episodes/season-N/NN-slug.yaml`` - the episode metadata.

The show is the real HealthPartners podcast "Off the Charts: Examining the
Health Equity Emergency", but every episode here is a SAMPLE: the audio is a
speech-synthesizer placeholder that must be replaced by the real recordings.
Only the facts listed in SHOW_FACTS below are used about the real hosts and
organisation; do not add more.

GUIDs are fixed constants in this file: an episode's guid must never change
once published, so never regenerate them.

Requirements: espeak-ng, ffmpeg (with libmp3lame and the native aac encoder),
mutagen and Pillow; DejaVu fonts (Debian package fonts-dejavu-core).
"""

from __future__ import annotations

import array
import json
import math
import re
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass, field
from pathlib import Path

from mutagen.id3 import (
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TDRC,
    TIT2,
    TPE1,
    TRCK,
    CTOCFlags,
)
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
EPISODES = ROOT / "episodes"

SHOW_TITLE = "Off the Charts: Examining the Health Equity Emergency"
ARTIST = "Kari Haley & Steven Jackson"
SITE = "https://www.healthpartners.com/"

KARI = "Dr. Kari Haley"
STEVEN = "Dr. Steven Jackson"
GUEST = "Sample Guest"

# espeak-ng voice, pitch (0-99) and speed (words per minute) per speaker.
VOICES = {
    KARI: ("en-us+f3", 58, 175),
    STEVEN: ("en-us+m3", 36, 175),
    GUEST: ("en-us+m7", 48, 175),
}

ESPEAK_RATE = 22050  # espeak-ng always writes 22050 Hz mono s16
OUT_RATE = 44100
LEAD_IN = 0.25  # silence before the first word (s)
TAIL = 0.40  # silence after the last word (s)
GAP_SAME = 0.25  # pause between two sentences of one speaker
GAP_TURN = 0.45  # pause when the speaker changes

SAMPLE_FIRST_LINE = (
    "**Sample episode.** This is a placeholder recording made with a speech "
    "synthesizer; it will be replaced by the real episode."
)


# --------------------------------------------------------------------------
# Episode definitions
# --------------------------------------------------------------------------


@dataclass
class Episode:
    season: int
    number: int | None  # None for the trailer
    slug: str
    title: str
    published: str  # ISO 8601 with zone (US Central: -06:00 CST / -05:00 CDT)
    type: str  # full | trailer | bonus
    guid: str
    summary: str
    body: str  # show notes after the fixed first line (Markdown)
    turns: list  # [(speaker, [sentence, ...]), ...]
    fmt: str = "mp3"  # mp3 | m4a
    transcript: str = "vtt"  # vtt | srt
    yaml_chapters: list | None = None  # [(turn index, title), ...] -> YAML chapters
    id3_chapters: list | None = None  # [(turn index, title), ...] -> CHAP frames
    guests: list = field(default_factory=list)

    @property
    def stem(self) -> str:
        return f"{self.number or 0:02d}-{self.slug}"

    @property
    def folder(self) -> Path:
        return EPISODES / f"season-{self.season}"


def notes(*paragraphs: str) -> str:
    return "\n\n".join(p.strip() for p in paragraphs)


EPISODE_LIST = [
    Episode(
        season=1,
        number=None,
        slug="trailer-a-conversation-starts-here",
        title="A conversation about health equity starts here",
        published="2022-01-04T06:00:00-06:00",
        type="trailer",
        guid="eb23caba-4c7d-46b5-b1fd-9d96ef1eb8eb",
        summary="A sample trailer introducing a podcast in which two physicians "
        "talk about health equity.",
        body=notes(
            "This sample trailer stands in for the real trailer of the show "
            "co-hosted by Dr. Kari Haley and Dr. Steven Jackson.",
            "What this sample trailer mentions:\n\n"
            "- a podcast about health equity\n"
            "- two physicians as hosts\n"
            "- health equity as an emergency",
            f"Learn more about HealthPartners at [healthpartners.com]({SITE}).",
        ),
        turns=[
            (KARI, ["This is a sample trailer for a podcast about health equity."]),
            (
                STEVEN,
                ["Each episode, two physicians talk about why health equity is an emergency."],
            ),
            (KARI, ["This placeholder will be replaced by the real trailer."]),
        ],
    ),
    Episode(
        season=1,
        number=1,
        slug="why-we-call-it-an-emergency",
        title="Why we call it an emergency",
        published="2022-01-11T06:00:00-06:00",
        type="full",
        guid="38b421c9-1a98-4e61-ac18-3ab2fd2431da",
        summary="The hosts explain why they treat health equity as an emergency "
        "that calls for action now.",
        body=notes(
            "In this sample, the hosts introduce themselves and the idea behind the "
            "show: that unequal health is an emergency, not a distant problem.",
            "Topics this sample touches on:\n\n"
            "- introductions from both hosts\n"
            "- what makes something an emergency\n"
            "- why acting now matters",
            f"Learn more about HealthPartners at [healthpartners.com]({SITE}).",
        ),
        turns=[
            (KARI, ["Welcome to this sample episode.", "I'm Kari Haley."]),
            (
                STEVEN,
                ["And I'm Steven Jackson.", "Today we ask why health equity is an emergency."],
            ),
            (
                KARI,
                [
                    "In an emergency, we act now.",
                    "This placeholder will be replaced by the real episode.",
                ],
            ),
        ],
        id3_chapters=[(0, "Welcome"), (1, "Why an emergency"), (2, "Acting now")],
    ),
    Episode(
        season=1,
        number=2,
        slug="what-health-equity-means",
        title="What health equity means",
        published="2022-02-08T06:00:00-06:00",
        type="full",
        guid="80e91968-eed9-4242-8c0b-293c0f185053",
        summary="A sample conversation about what the words health equity mean.",
        body=notes(
            "This sample episode works toward a plain-language definition of health equity.",
            "Topics this sample touches on:\n\n"
            "- a working definition of health equity\n"
            "- a fair chance to be as healthy as possible",
            f"Learn more about HealthPartners at [healthpartners.com]({SITE}).",
        ),
        turns=[
            (STEVEN, ["In this sample episode, we talk about what health equity means."]),
            (
                KARI,
                ["Health equity means everyone has a fair chance to be as healthy as possible."],
            ),
            (STEVEN, ["The real conversation will replace this placeholder."]),
        ],
        yaml_chapters=[(0, "Opening"), (1, "A working definition"), (2, "What comes next")],
    ),
    Episode(
        season=2,
        number=1,
        slug="access-to-care",
        title="Access to care",
        published="2024-01-16T06:00:00-06:00",
        type="full",
        guid="56747fb0-64f9-4625-ae5a-fe751af36393",
        summary="A sample episode about the everyday things that make care "
        "easier or harder to reach.",
        body=notes(
            "This sample episode looks at access to care: getting to the right "
            "care at the right time.",
            "Barriers this sample mentions:\n\n"
            "- distance and transportation\n"
            "- cost\n"
            "- time off work",
            f"Learn more about HealthPartners at [healthpartners.com]({SITE}).",
        ),
        turns=[
            (KARI, ["This sample episode is about access to care."]),
            (STEVEN, ["Access can depend on distance, transportation, cost, and time off work."]),
            (KARI, ["The real recording will replace this placeholder."]),
        ],
        fmt="m4a",
        transcript="srt",
    ),
    Episode(
        season=2,
        number=2,
        slug="social-drivers-of-health",
        title="Social drivers of health",
        published="2024-09-17T06:00:00-05:00",
        type="full",
        guid="abd3d367-61fd-4b4c-adcf-b54dd3c59eb4",
        summary="A sample conversation about how conditions outside the clinic shape health.",
        body=notes(
            "Health is shaped long before anyone arrives at a clinic or an "
            "emergency department. This sample episode names some of the social "
            "drivers of health.",
            "Drivers this sample mentions:\n\n- housing\n- food\n- income\n- safe neighborhoods",
            f"Learn more about HealthPartners at [healthpartners.com]({SITE}).",
        ),
        turns=[
            (STEVEN, ["Welcome to a sample episode on the social drivers of health."]),
            (
                KARI,
                [
                    "Housing, food, income, and safe neighborhoods shape health "
                    "long before a clinic visit."
                ],
            ),
            (STEVEN, ["This placeholder will be replaced by the real episode."]),
        ],
        yaml_chapters=[(0, "Opening"), (1, "Beyond the clinic"), (2, "Coming up")],
    ),
    Episode(
        season=3,
        number=1,
        slug="trust-in-medicine",
        title="Trust in medicine",
        published="2025-02-11T06:00:00-06:00",
        type="full",
        guid="cff4c8e8-93e5-4c74-94e4-a76e894115e7",
        summary="A sample conversation with a sample guest about how trust in medicine is earned.",
        body=notes(
            "This sample episode is about trust between patients, communities and "
            "the people who care for them. The guest voice is a fictional "
            "placeholder, not a real person.",
            "Topics this sample touches on:\n\n"
            "- trust in medicine\n"
            "- trust earned by listening\n"
            "- a guest perspective",
            f"Learn more about HealthPartners at [healthpartners.com]({SITE}).",
        ),
        turns=[
            (KARI, ["In this sample episode, we talk about trust in medicine."]),
            (GUEST, ["I am a sample guest, standing in for a real conversation."]),
            (
                STEVEN,
                [
                    "Trust is earned by listening.",
                    "The real episode will replace this placeholder.",
                ],
            ),
        ],
        fmt="m4a",
        guests=[{"name": "Sample Guest", "role": "guest", "href": "https://example.org/"}],
    ),
    Episode(
        season=3,
        number=2,
        slug="community-voices",
        title="Community voices",
        published="2026-01-13T06:00:00-06:00",
        type="bonus",
        guid="3d7852ff-94c7-4a0b-a65e-d7f9f019b77f",
        summary="A sample bonus episode about listening to the people closest to a problem.",
        body=notes(
            "Bonus episodes are short extras between regular episodes. This "
            "sample one is about community voices.",
            "Topics this sample touches on:\n\n"
            "- community voices\n"
            "- the people closest to a problem seeing the solutions first",
            f"Learn more about HealthPartners at [healthpartners.com]({SITE}).",
        ),
        turns=[
            (KARI, ["This is a sample bonus episode about community voices."]),
            (STEVEN, ["The people closest to a problem often see the solutions first."]),
            (KARI, ["This placeholder will be replaced by the real bonus episode."]),
        ],
    ),
]


SEASONS = {
    1: (
        "Naming the emergency",
        "Sample season description: the first conversations, on what health "
        "equity means and why the hosts call it an emergency.",
    ),
    2: (
        "Barriers and drivers",
        "Sample season description: access to care and the social drivers of health.",
    ),
    3: (
        "Trust and community",
        "Sample season description: trust in medicine and the voices of the "
        "communities the hosts serve.",
    ),
}


# --------------------------------------------------------------------------
# Audio
# --------------------------------------------------------------------------


def run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def synth(text: str, speaker: str, tmp: Path) -> array.array:
    """Speak ``text`` with the speaker's voice; return s16 samples at 22050 Hz,
    with leading and trailing silence trimmed."""
    voice, pitch, speed = VOICES[speaker]
    out = tmp / "utt.wav"
    run(["espeak-ng", "-v", voice, "-p", str(pitch), "-s", str(speed), "-w", str(out), text])
    with wave.open(str(out), "rb") as w:
        assert w.getframerate() == ESPEAK_RATE and w.getnchannels() == 1
        assert w.getsampwidth() == 2
        pcm = array.array("h", w.readframes(w.getnframes()))
    if sys.byteorder == "big":
        pcm.byteswap()
    threshold = 300
    loud = [i for i, s in enumerate(pcm) if abs(s) > threshold]
    start = max(0, loud[0] - int(0.02 * ESPEAK_RATE))
    end = min(len(pcm), loud[-1] + int(0.05 * ESPEAK_RATE))
    return pcm[start:end]


@dataclass
class Cue:
    start: float
    end: float
    speaker: str
    text: str
    turn: int


def render_speech(ep: Episode, tmp: Path) -> tuple[Path, list[Cue], float]:
    """Synthesize all sentences, lay them out with pauses, write a WAV.

    Returns the WAV path, one cue per sentence, and the duration in seconds."""
    pcm = array.array("h", bytes(2 * int(LEAD_IN * ESPEAK_RATE)))
    cues: list[Cue] = []
    prev_speaker = None
    for t, (speaker, sentences) in enumerate(ep.turns):
        for k, sentence in enumerate(sentences):
            if prev_speaker is not None:
                gap = GAP_TURN if k == 0 else GAP_SAME
                pcm.extend(array.array("h", bytes(2 * int(gap * ESPEAK_RATE))))
            start = len(pcm) / ESPEAK_RATE
            pcm.extend(synth(sentence, speaker, tmp))
            cues.append(Cue(start, len(pcm) / ESPEAK_RATE, speaker, sentence, t))
            prev_speaker = speaker
    pcm.extend(array.array("h", bytes(2 * int(TAIL * ESPEAK_RATE))))
    # Gentle peak normalisation to -1 dBFS so the clips have a sane level.
    peak = max(abs(s) for s in pcm) or 1
    gain = (32767 * 10 ** (-1 / 20)) / peak
    pcm = array.array("h", (int(round(s * gain)) for s in pcm))
    if sys.byteorder == "big":
        pcm.byteswap()
    wav = tmp / f"{ep.stem}.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(ESPEAK_RATE)
        w.writeframes(pcm.tobytes())
    return wav, cues, len(pcm) / ESPEAK_RATE


# Apple's loudness recommendation (-16 LUFS ±1 dB, true peak at most -1 dBTP), which `podcast
# check` measures: the shipped show must pass its own check. Single-pass loudnorm limits these
# short clips and lands 1.5-4 dB under its target, and AAC overshoots the limiter's peak, so the
# targets below are the ones that measure -16.0 to -16.8 LUFS and -1.2 to -1.7 dBTP afterwards.
LOUDNORM = "loudnorm=I=-14:TP=-2:LRA=11"
LOUDNORM_AAC = "loudnorm=I=-12:TP=-3:LRA=11"


def encode_mp3(wav: Path, dest: Path) -> None:
    # No ID3 from ffmpeg (mutagen writes the tag afterwards); the Xing/Info
    # header is written by default (-write_xing 1).
    run(
        [
            "ffmpeg",
            "-nostdin",
            "-y",
            "-loglevel",
            "error",
            "-i",
            str(wav),
            "-map_metadata",
            "-1",
            "-fflags",
            "+bitexact",
            "-flags:a",
            "+bitexact",
            "-af",
            LOUDNORM,
            "-ac",
            "1",
            "-ar",
            str(OUT_RATE),
            "-c:a",
            "libmp3lame",
            "-b:a",
            "48k",
            "-write_xing",
            "1",
            "-id3v2_version",
            "0",
            str(dest),
        ]
    )


def tag_mp3(ep: Episode, dest: Path, cues: list[Cue], duration: float) -> None:
    tags = ID3()
    tags.add(TIT2(encoding=3, text=ep.title))
    tags.add(TPE1(encoding=3, text=ARTIST))
    tags.add(TALB(encoding=3, text=SHOW_TITLE))
    tags.add(TDRC(encoding=3, text=ep.published[:10]))
    if ep.number is not None:
        tags.add(TRCK(encoding=3, text=str(ep.number)))
    tags.add(COMM(encoding=3, lang="eng", desc="", text=ep.summary))
    if ep.id3_chapters:
        starts = chapter_starts_ms(ep.id3_chapters, cues)
        end_ms = int(round(duration * 1000))
        ids = [f"chp{i}" for i in range(len(starts))]
        tags.add(
            CTOC(
                element_id="toc",
                flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                child_element_ids=ids,
                sub_frames=[TIT2(encoding=3, text="Chapters")],
            )
        )
        for i, ((_, title), start) in enumerate(zip(ep.id3_chapters, starts)):
            end = starts[i + 1] if i + 1 < len(starts) else end_ms
            tags.add(
                CHAP(
                    element_id=ids[i],
                    start_time=start,
                    end_time=end,
                    start_offset=0xFFFFFFFF,
                    end_offset=0xFFFFFFFF,
                    sub_frames=[TIT2(encoding=3, text=title)],
                )
            )
    tags.save(str(dest), v2_version=4, padding=lambda info: 256)


def encode_m4a(ep: Episode, wav: Path, dest: Path) -> None:
    run(
        [
            "ffmpeg",
            "-nostdin",
            "-y",
            "-loglevel",
            "error",
            "-i",
            str(wav),
            "-map_metadata",
            "-1",
            "-fflags",
            "+bitexact",
            "-flags:a",
            "+bitexact",
            "-af",
            LOUDNORM_AAC,
            "-ac",
            "1",
            "-ar",
            str(OUT_RATE),
            "-c:a",
            "aac",
            "-profile:a",
            "aac_low",
            "-b:a",
            "48k",
            "-movflags",
            "+faststart",
            "-metadata",
            f"title={ep.title}",
            "-metadata",
            f"artist={ARTIST}",
            "-metadata",
            f"album={SHOW_TITLE}",
            "-metadata",
            f"date={ep.published[:10]}",
            "-metadata",
            f"comment={ep.summary}",
            *(["-metadata", f"track={ep.number}"] if ep.number is not None else []),
            str(dest),
        ]
    )


def chapter_starts_ms(chapters: list, cues: list[Cue]) -> list[int]:
    """Chapter i starts at the first cue of its turn; the first one at 0."""
    starts = []
    for i, (turn, _title) in enumerate(chapters):
        if i == 0:
            starts.append(0)
        else:
            first = min(c.start for c in cues if c.turn == turn)
            starts.append(int(first * 1000) - 100)  # just before the first word
    return starts


# --------------------------------------------------------------------------
# Transcripts
# --------------------------------------------------------------------------


def ts(seconds: float, sep: str = ".") -> str:
    ms = int(round(seconds * 1000))
    h, ms = divmod(ms, 3600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def write_vtt(cues: list[Cue], dest: Path) -> None:
    lines = ["WEBVTT", ""]
    for c in cues:
        lines += [f"{ts(c.start)} --> {ts(c.end)}", f"<v {c.speaker}>{c.text}</v>", ""]
    dest.write_text("\n".join(lines), encoding="utf-8")


def write_srt(cues: list[Cue], dest: Path) -> None:
    # SRT has no speaker markup; the text is exactly what was spoken.
    lines = []
    for i, c in enumerate(cues, 1):
        lines += [str(i), f"{ts(c.start, ',')} --> {ts(c.end, ',')}", c.text, ""]
    dest.write_text("\n".join(lines), encoding="utf-8")


# --------------------------------------------------------------------------
# YAML (written by hand to keep the documented layout and comments)
# --------------------------------------------------------------------------

_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9 ,.'()\-]*[A-Za-z0-9.)]$")


def q(value: str) -> str:
    """A YAML scalar: plain when unambiguous, else a double-quoted string."""
    if (
        _PLAIN.match(value)
        and ": " not in value
        and " #" not in value
        and value.lower() not in {"yes", "no", "true", "false", "null", "on", "off", "y", "n"}
    ):
        return value
    return json.dumps(value, ensure_ascii=False)


def hms(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


def episode_yaml(ep: Episode, cues: list[Cue]) -> str:
    out = [f"title: {q(ep.title)}", f"season: {ep.season}"]
    if ep.number is not None:
        out.append(f"episode: {ep.number}")
    out += [
        f"published: {ep.published}",
        f"type: {ep.type}",
        f"guid: {ep.guid}",
        f"summary: {q(ep.summary)}",
        "explicit: false",
        "notes: |",
    ]
    body = SAMPLE_FIRST_LINE + "\n\n" + ep.body
    out += [("  " + line) if line else "" for line in body.split("\n")]
    if ep.yaml_chapters:
        out.append("chapters:")
        for (_, title), start in zip(ep.yaml_chapters, chapter_starts_ms(ep.yaml_chapters, cues)):
            out.append(f'  - {{start: "{hms(start / 1000)}", title: {q(title)}}}')
    if ep.guests:
        out.append("guests:")
        for g in ep.guests:
            out.append(
                f"  - {{name: {json.dumps(g['name'])}, role: {g['role']}, "
                f"href: {json.dumps(g['href'])}}}"
            )
    return "\n".join(out) + "\n"


SHOW_YAML = """\
# Sample show description for the shipped demo. The show and hosts are real;
# the episodes in season-*/ are synthesized placeholders (see tools/make_samples.py).
title: "Off the Charts: Examining the Health Equity Emergency"
subtitle: Two physicians examine the health equity emergency.
description: >-
  Off the Charts: Examining the Health Equity Emergency is a HealthPartners
  podcast co-hosted by Dr. Kari Haley, an emergency medicine physician and EMS
  medical director at Regions Hospital, and Dr. Steven Jackson, a physical
  medicine and rehabilitation physician at Regions Hospital and HealthPartners'
  department chair for physical medicine and rehabilitation. The podcast
  launched in January 2022 and is in its third season.
language: en-us
author: HealthPartners
# owner: placeholder contact - replace the email before submitting the feed to a directory.
owner: {name: HealthPartners, email: podcast@example.org}
artwork: artwork.jpg
categories: ["Health & Fitness > Medicine", "Society & Culture"]
explicit: false
type: episodic
copyright: "© 2022–2026 HealthPartners"
# null means "the server's own address": URLs are built from the host the
# publisher is served from. Set absolute URLs (https://...) for a static export.
site: {base_url: null, media_base_url: null}
hosts:
  - {name: Dr. Kari Haley, role: host, bio: "Emergency medicine physician and EMS medical director at Regions Hospital."}
  - {name: Dr. Steven Jackson, role: host, bio: "Physical medicine and rehabilitation physician at Regions Hospital and HealthPartners' department chair for physical medicine and rehabilitation."}
# Season titles and descriptions are sample placeholders; replace with the real ones.
seasons:
%(seasons)s
links: {website: "https://www.healthpartners.com/"}
"""


def show_yaml() -> str:
    seasons = "\n".join(
        f"  {n}: {{title: {json.dumps(t)}, description: {json.dumps(d)}}}"
        for n, (t, d) in SEASONS.items()
    )
    return SHOW_YAML % {"seasons": seasons}


# --------------------------------------------------------------------------
# Artwork
# --------------------------------------------------------------------------

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def font(name: str, size: int) -> ImageFont.FreeTypeFont:
    path = FONT_DIR / name
    if not path.exists():
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", name.replace(".ttf", "")], capture_output=True, text=True
        ).stdout.strip()
        if not found or "DejaVu" not in found:
            raise SystemExit("DejaVu fonts missing: apt-get install fonts-dejavu-core")
        path = Path(found)
    return ImageFont.truetype(str(path), size)


def hex_rgb(h: str) -> tuple[int, int, int]:
    return tuple(int(h[i : i + 2], 16) for i in (1, 3, 5))


def make_artwork(dest: Path) -> None:
    W = H = 1400
    SS = 2  # draw at 2x, downsample = antialiasing
    w, h = W * SS, H * SS
    top, bottom = hex_rgb("#0A1B2E"), hex_rgb("#0D4A57")
    grad = Image.new("RGB", (1, h))
    for y in range(h):
        t = y / (h - 1)
        t = t * t * (3 - 2 * t)
        grad.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom)))
    img = grad.resize((w, h))
    d = ImageDraw.Draw(img)

    def S(v):  # scale helper
        return int(round(v * SS))

    white = (255, 255, 255)
    mint = hex_rgb("#8FE0D6")
    accent = hex_rgb("#FF8A5B")
    frame_col = hex_rgb("#4F8A96")
    grid_col = hex_rgb("#1F5563")

    margin = 110
    # Chart frame (the "chart" the line escapes from)
    fx0, fy0, fx1, fy1 = margin, 250, 930, 700
    for i in range(1, 4):  # horizontal grid lines
        y = fy0 + (fy1 - fy0) * i / 4
        d.line([(S(fx0), S(y)), (S(fx1), S(y))], fill=grid_col, width=S(3))
    for i in range(1, 5):  # vertical grid lines
        x = fx0 + (fx1 - fx0) * i / 5
        d.line([(S(x), S(fy0)), (S(x), S(fy1))], fill=grid_col, width=S(3))
    d.rounded_rectangle(
        [S(fx0), S(fy0), S(fx1), S(fy1)], radius=S(18), outline=frame_col, width=S(7)
    )

    # The line: modest wiggle inside the frame, then breaks out top-right.
    pts = [
        (150, 640),
        (270, 590),
        (390, 615),
        (510, 520),
        (630, 545),
        (760, 400),
        (880, 300),
        (1050, 170),
        (1215, 100),
    ]
    # arrowhead direction
    (ax, ay), (bx, by) = pts[-2], pts[-1]
    ang = math.atan2(by - ay, bx - ax)
    tip = (bx + 38 * math.cos(ang), by + 38 * math.sin(ang))
    spts = [(S(x), S(y)) for x, y in pts]
    d.line(spts, fill=accent, width=S(20), joint="curve")
    for x, y in spts[:-1]:
        r = S(14)
        d.ellipse([x - r, y - r, x + r, y + r], fill=accent)
    head = [
        tip,
        (bx + 44 * math.cos(ang + 2.4), by + 44 * math.sin(ang + 2.4)),
        (bx + 44 * math.cos(ang - 2.4), by + 44 * math.sin(ang - 2.4)),
    ]
    d.polygon([(S(x), S(y)) for x, y in head], fill=accent)

    # Title
    title_font = font("DejaVuSans-Bold.ttf", S(190))
    y = 760
    for line in ("Off the", "Charts"):
        d.text((S(margin - 8), S(y)), line, font=title_font, fill=white, anchor="lt")
        y += 200
    # Accent rule + subtitle
    y += 30
    d.rectangle([S(margin), S(y), S(margin + 120), S(y + 10)], fill=accent)
    y += 40
    sub_font = font("DejaVuSans.ttf", S(56))
    for line in ("Examining the Health", "Equity Emergency"):
        d.text((S(margin), S(y)), line, font=sub_font, fill=mint, anchor="lt")
        y += 70
    # Brand, bottom-right
    brand_font = font("DejaVuSans-Bold.ttf", S(40))
    d.text((S(W - margin), S(H - 90)), "HealthPartners", font=brand_font, fill=white, anchor="rs")

    img = img.resize((W, H), Image.LANCZOS).convert("RGB")
    img.save(dest, "JPEG", quality=88, optimize=True, progressive=False, subsampling="4:2:0")


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def check_tools() -> None:
    for tool in ("espeak-ng", "ffmpeg"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} not found on PATH")


def build_episode(ep: Episode, tmp: Path) -> dict:
    ep.folder.mkdir(parents=True, exist_ok=True)
    for old in ep.folder.glob(ep.stem + ".*"):
        old.unlink()
    wav, cues, duration = render_speech(ep, tmp)
    if not 8.0 <= duration <= 15.0:
        raise SystemExit(f"{ep.stem}: duration {duration:.2f}s outside 8-15 s")
    audio = ep.folder / f"{ep.stem}.{ep.fmt}"
    if ep.fmt == "mp3":
        encode_mp3(wav, audio)
        tag_mp3(ep, audio, cues, duration)
    else:
        encode_m4a(ep, wav, audio)
    if ep.transcript == "vtt":
        write_vtt(cues, ep.folder / f"{ep.stem}.vtt")
    else:
        write_srt(cues, ep.folder / f"{ep.stem}.srt")
    (ep.folder / f"{ep.stem}.yaml").write_text(episode_yaml(ep, cues), encoding="utf-8")
    size = audio.stat().st_size
    if size >= 100_000:
        raise SystemExit(f"{audio.name}: {size} bytes, expected < 100 KB")
    return {
        "file": str(audio.relative_to(ROOT)),
        "bytes": size,
        "speech_seconds": round(duration, 3),
    }


def main() -> None:
    check_tools()
    EPISODES.mkdir(exist_ok=True)
    make_artwork(EPISODES / "artwork.jpg")
    (EPISODES / "show.yaml").write_text(show_yaml(), encoding="utf-8")
    with tempfile.TemporaryDirectory() as t:
        for ep in EPISODE_LIST:
            info = build_episode(ep, Path(t))
            print(f"{info['file']:60s} {info['bytes']:6d} B  {info['speech_seconds']:6.3f} s")
    print(f"{'episodes/artwork.jpg':60s} {(EPISODES / 'artwork.jpg').stat().st_size:6d} B")


if __name__ == "__main__":
    main()
