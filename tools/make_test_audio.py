#!/usr/bin/env python3
"""Generate the small audio fixtures in ``tests/data/``.

Run with the project venv::

    /work/venv/bin/python tools/make_test_audio.py

Every clip is the same ~3 s espeak-ng sentence (or, for chapters.mp3, a sox
tone sweep) encoded with ffmpeg; tags are written with mutagen. The script
also measures every file with ffprobe and mutagen and writes
``tests/data/README.md``. Output is deterministic (ffmpeg ``bitexact``).

Requirements: espeak-ng, sox, ffmpeg (libmp3lame, aac, libopus, libvorbis,
flac), mutagen, Pillow.
"""

from __future__ import annotations

import importlib
import io
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import mutagen
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TDRC,
    TIT2,
    TPE1,
    TRCK,
    CTOCFlags,
)
from mutagen.mp3 import MP3, BitrateMode
from mutagen.mp4 import MP4, MP4Cover
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
MAX_BYTES = 60_000

SENTENCE = "This is a short test clip for the podcast publisher."
BITEXACT = ["-fflags", "+bitexact", "-flags:a", "+bitexact", "-map_metadata", "-1"]


def run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def ffmpeg(src: Path, dest: Path, *args: str) -> None:
    run(
        [
            "ffmpeg",
            "-nostdin",
            "-y",
            "-loglevel",
            "error",
            "-i",
            str(src),
            *BITEXACT,
            "-ac",
            "1",
            *args,
            str(dest),
        ]
    )


def jpeg(size: int, label: str, colour: str) -> bytes:
    """A small baseline JPEG with a centred label."""
    img = Image.new("RGB", (size, size), colour)
    d = ImageDraw.Draw(img)
    try:
        f = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", size // 6)
    except OSError:
        f = ImageFont.load_default()
    d.rectangle(
        [size // 10, size // 10, size - size // 10, size - size // 10],
        outline="white",
        width=max(2, size // 50),
    )
    d.text((size // 2, size // 2), label, font=f, fill="white", anchor="mm")
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80, optimize=True)
    return buf.getvalue()


# --------------------------------------------------------------------------
# Fixture builders
# --------------------------------------------------------------------------


def make_all(tmp: Path) -> dict[str, str]:
    """Create every fixture; return {file name: how it was made}."""
    how: dict[str, str] = {}
    speech = tmp / "speech.wav"
    run(["espeak-ng", "-v", "en-us", "-s", "175", "-w", str(speech), SENTENCE])
    tone = tmp / "tone.wav"
    run(
        [
            "sox",
            "-R",
            "-D",
            "-n",
            "-r",
            "44100",
            "-c",
            "1",
            "-b",
            "16",
            str(tone),
            "synth",
            "3",
            "sine",
            "330-660",
            "vol",
            "0.5",
            "fade",
            "0.05",
            "3",
            "0.05",
        ]
    )

    # cbr.mp3 ----------------------------------------------------------------
    p = DATA / "cbr.mp3"
    ffmpeg(
        speech,
        p,
        "-ar",
        "44100",
        "-c:a",
        "libmp3lame",
        "-b:a",
        "64k",
        "-write_xing",
        "1",
        "-id3v2_version",
        "0",
    )
    tags = ID3()
    tags.add(TIT2(encoding=3, text="Tagged title"))
    tags.add(TPE1(encoding=3, text="Tag Artist"))
    tags.add(TDRC(encoding=3, text="2024-03-05"))
    tags.add(TRCK(encoding=3, text="4"))
    tags.add(COMM(encoding=3, lang="eng", desc="", text="A comment"))
    tags.add(
        APIC(
            encoding=3, mime="image/jpeg", type=3, desc="Cover", data=jpeg(300, "COVER", "#1B4F72")
        )
    )
    tags.save(str(p), v2_version=4, padding=lambda info: 0)
    how[p.name] = (
        "espeak-ng speech; ffmpeg libmp3lame CBR 64 kbit/s, 44100 Hz mono, "
        "Xing/Info header; mutagen ID3v2.4: TIT2 'Tagged title', TPE1 "
        "'Tag Artist', TDRC '2024-03-05', TRCK '4', COMM(eng,'') "
        "'A comment', APIC type 3 (front cover) 300x300 JPEG, desc 'Cover'."
    )

    # vbr-xing.mp3 -----------------------------------------------------------
    p = DATA / "vbr-xing.mp3"
    ffmpeg(
        speech,
        p,
        "-ar",
        "44100",
        "-c:a",
        "libmp3lame",
        "-q:a",
        "5",
        "-write_xing",
        "1",
        "-id3v2_version",
        "0",
    )
    how[p.name] = (
        "espeak-ng speech; ffmpeg libmp3lame VBR -q:a 5, 44100 Hz mono, with Xing header; no tags."
    )

    # vbr-noxing.mp3 ---------------------------------------------------------
    p = DATA / "vbr-noxing.mp3"
    ffmpeg(
        speech,
        p,
        "-ar",
        "44100",
        "-c:a",
        "libmp3lame",
        "-q:a",
        "5",
        "-write_xing",
        "0",
        "-id3v2_version",
        "0",
    )
    info = MP3(p).info
    assert info.bitrate_mode == BitrateMode.UNKNOWN, info.bitrate_mode
    assert b"Xing" not in p.read_bytes()[:2000] and b"Info" not in p.read_bytes()[:2000]
    how[p.name] = (
        "Same as vbr-xing.mp3 but `-write_xing 0`: no Xing/Info/VBRI "
        "header, so a reader must estimate the duration (mutagen "
        "reports bitrate_mode UNKNOWN); no tags."
    )

    # chapters.mp3 -----------------------------------------------------------
    p = DATA / "chapters.mp3"
    ffmpeg(
        tone,
        p,
        "-ar",
        "44100",
        "-c:a",
        "libmp3lame",
        "-b:a",
        "48k",
        "-write_xing",
        "1",
        "-id3v2_version",
        "0",
    )
    tags = ID3()
    tags.add(TIT2(encoding=3, text="Chapters test"))
    tags.add(
        CTOC(
            element_id="toc",
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=["ch1", "ch2", "ch3"],
            sub_frames=[TIT2(encoding=3, text="Table of contents")],
        )
    )
    chapters = [
        ("ch1", 0, 1000, "Intro", None),
        ("ch2", 1000, 2000, "Middle", jpeg(64, "2", "#7D3C98")),
        ("ch3", 2000, 3000, "End", None),
    ]
    for eid, start, end, title, image in chapters:
        sub = [TIT2(encoding=3, text=title)]
        if image:
            sub.append(
                APIC(encoding=3, mime="image/jpeg", type=0, desc="Chapter image", data=image)
            )
        tags.add(
            CHAP(
                element_id=eid,
                start_time=start,
                end_time=end,
                start_offset=0xFFFFFFFF,
                end_offset=0xFFFFFFFF,
                sub_frames=sub,
            )
        )
    tags.save(str(p), v2_version=4, padding=lambda info: 0)
    how[p.name] = (
        "sox 3 s sine sweep 330-660 Hz; ffmpeg libmp3lame CBR 48 kbit/s, "
        "44100 Hz mono; mutagen ID3v2.4: TIT2 'Chapters test', CTOC "
        "'toc' (top-level, ordered; TIT2 'Table of contents') -> "
        "CHAP ch1 0-1000 ms 'Intro', ch2 1000-2000 ms 'Middle' (with "
        "an APIC 64x64 JPEG sub-frame), ch3 2000-3000 ms 'End'."
    )

    # tagged.m4a -------------------------------------------------------------
    p = DATA / "tagged.m4a"
    ffmpeg(
        speech,
        p,
        "-ar",
        "44100",
        "-c:a",
        "aac",
        "-profile:a",
        "aac_low",
        "-b:a",
        "48k",
        "-movflags",
        "+faststart",
    )
    m = MP4(p)
    m["\xa9nam"] = ["Tagged title"]
    m["\xa9ART"] = ["Tag Artist"]
    m["\xa9day"] = ["2024-03-05"]
    m["trkn"] = [(4, 10)]
    m["covr"] = [MP4Cover(jpeg(300, "COVER", "#117A65"), imageformat=MP4Cover.FORMAT_JPEG)]
    m.save()
    how[p.name] = (
        "espeak-ng speech; ffmpeg native AAC-LC 48 kbit/s, 44100 Hz mono, "
        "+faststart; mutagen MP4 tags: ©nam 'Tagged title', ©ART "
        "'Tag Artist', ©day '2024-03-05', trkn (4, 10), covr 300x300 JPEG."
    )

    # voice.* ----------------------------------------------------------------
    p = DATA / "voice.opus"
    ffmpeg(speech, p, "-ar", "48000", "-c:a", "libopus", "-b:a", "24k")
    how[p.name] = "espeak-ng speech; ffmpeg libopus 24 kbit/s, 48000 Hz mono, Ogg container."
    p = DATA / "voice.ogg"
    ffmpeg(speech, p, "-ar", "22050", "-c:a", "libvorbis", "-q:a", "2")
    how[p.name] = "espeak-ng speech; ffmpeg libvorbis -q:a 2, 22050 Hz mono, Ogg container."
    p = DATA / "voice.flac"
    ffmpeg(speech, p, "-ar", "11025", "-sample_fmt", "s16", "-c:a", "flac")
    how[p.name] = (
        "espeak-ng speech; ffmpeg FLAC, 11025 Hz mono, 16-bit (low rate keeps it under 60 KB)."
    )
    p = DATA / "voice.wav"
    ffmpeg(speech, p, "-ar", "8000", "-c:a", "pcm_s16le")
    how[p.name] = (
        "espeak-ng speech; ffmpeg PCM s16le, 8000 Hz mono (low rate keeps it under 60 KB)."
    )

    # broken / misleading files ----------------------------------------------
    p = DATA / "not-audio.mp3"
    p.write_text(
        "This is a plain text file with an .mp3 extension.\nIt contains no audio at all.\n",
        encoding="ascii",
    )
    how[p.name] = "A plain ASCII text file renamed .mp3."
    p = DATA / "empty.mp3"
    p.write_bytes(b"")
    how[p.name] = "Zero bytes."
    p = DATA / "truncated.mp3"
    p.write_bytes((DATA / "cbr.mp3").read_bytes()[:300])
    tag_size = ID3(DATA / "cbr.mp3").size
    how[p.name] = (
        f"The first 300 bytes of cbr.mp3, whose ID3v2 tag is {tag_size} bytes "
        "long: the file ends inside the tag (in the APIC frame), before "
        "any MPEG audio frame."
    )
    p = DATA / "wav-renamed.mp3"
    shutil.copyfile(DATA / "voice.wav", p)
    how[p.name] = "A byte-for-byte copy of voice.wav renamed .mp3 (RIFF/WAVE content)."
    return how


# --------------------------------------------------------------------------
# Measurement + README
# --------------------------------------------------------------------------


def probe(p: Path) -> dict:
    r = subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(p)],
        capture_output=True,
        text=True,
    )
    if r.returncode != 0:
        msg = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else "error"
        return {"error": msg.replace(str(p), p.name)}
    j = json.loads(r.stdout)
    fmt = j["format"]
    st = next((s for s in j.get("streams", []) if s.get("codec_type") == "audio"), {})
    rate = int(st["sample_rate"])
    pcm = subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-i",
            str(p),
            "-map",
            "0:a:0",
            "-ac",
            "1",
            "-ar",
            str(rate),
            "-f",
            "s16le",
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    return {
        "format": fmt.get("format_name"),
        "codec": st.get("codec_name"),
        "rate": st.get("sample_rate"),
        "duration": fmt.get("duration"),
        "bit_rate": fmt.get("bit_rate"),
        "decoded": f"{len(pcm) / 2 / rate:.6f}",
    }


def public_name(exc_type: type) -> str:
    """'mutagen.id3._util.error' -> 'mutagen.id3.error' when re-exported."""
    parts = exc_type.__module__.split(".")
    while len(parts) > 1 and parts[-1].startswith("_"):
        parent = importlib.import_module(".".join(parts[:-1]))
        if getattr(parent, exc_type.__name__, None) is not exc_type:
            break
        parts.pop()
    return ".".join(parts + [exc_type.__name__])


def mutagen_info(p: Path) -> str:
    try:
        f = mutagen.File(p)
    except Exception as e:  # noqa: BLE001 - we want to record what happens
        cause = e.__cause__ or e.__context__
        why = str(e) or (f"(from {type(cause).__name__})" if cause else "")
        return f"raises {public_name(type(e))}: {why}"
    if f is None:
        return "None"
    extra = ""
    if isinstance(f, MP3):
        extra = f", bitrate_mode {str(f.info.bitrate_mode).split('.')[-1]}"
    return f"{type(f).__name__}, length {f.info.length:.6f}, bitrate {f.info.bitrate}{extra}"


ORDER = [
    "cbr.mp3",
    "vbr-xing.mp3",
    "vbr-noxing.mp3",
    "chapters.mp3",
    "tagged.m4a",
    "voice.opus",
    "voice.ogg",
    "voice.flac",
    "voice.wav",
    "not-audio.mp3",
    "empty.mp3",
    "truncated.mp3",
    "wav-renamed.mp3",
]


def write_readme(how: dict[str, str]) -> list[dict]:
    rows = []
    for name in ORDER:
        p = DATA / name
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise SystemExit(f"{name}: {size} bytes > {MAX_BYTES}")
        rows.append(
            {
                "name": name,
                "bytes": size,
                "ffprobe": probe(p),
                "mutagen": mutagen_info(p),
                "how": how[name],
            }
        )
    lines = [
        "# Test audio fixtures",
        "",
        "Generated by `tools/make_test_audio.py` (run it with the project venv to "
        "rebuild; output is deterministic). Do not edit these files by hand.",
        "",
        "`ffprobe duration` is ffprobe's container (format) duration in seconds, "
        "which for an MP3 without a Xing header is only an estimate; `decoded` is the "
        "number of samples ffmpeg's decoder actually outputs divided by the sample "
        "rate (encoder delay/padding is trimmed only when the file says how: LAME/Info "
        "tag, MP4 edit list, Opus pre-skip). The mutagen column "
        f"is `mutagen.File(path)` with mutagen {mutagen.version_string}.",
        "",
        "| file | bytes | ffprobe duration (s) | decoded (s) | ffprobe format / codec | mutagen |",
        "|---|---:|---:|---:|---|---|",
    ]
    for r in rows:
        fp = r["ffprobe"]
        if "error" in fp:
            dur, dec, fc = "—", "—", f"error: {fp['error']}"
        else:
            dur, dec = fp["duration"], fp["decoded"]
            fc = f"{fp['format']} / {fp['codec']} {fp['rate']} Hz"
        lines.append(f"| `{r['name']}` | {r['bytes']} | {dur} | {dec} | {fc} | {r['mutagen']} |")
    by = {r["name"]: r for r in rows}
    nox = by["vbr-noxing.mp3"]
    nox_m = MP3(DATA / "vbr-noxing.mp3").info
    nox_dec = float(nox["ffprobe"]["decoded"])
    cbr_m = MP3(DATA / "cbr.mp3").info.length
    cbr_dec = float(by["cbr.mp3"]["ffprobe"]["decoded"])
    lines += [
        "",
        "## Things to know",
        "",
        f"- `vbr-noxing.mp3`: with no Xing/VBRI header mutagen reports "
        f"`bitrate_mode` UNKNOWN, takes the bitrate of the first frame "
        f"({nox_m.bitrate} bit/s) and estimates length = audio bytes x 8 / bitrate "
        f"= {nox_m.length:.6f} s, which is {nox_dec - nox_m.length:.3f} s "
        f"({(nox_dec - nox_m.length) / nox_dec:.0%}) short of the decoded "
        f"{nox_dec:.6f} s. ffprobe's own estimate ({float(nox['ffprobe']['duration']):.6f} s) "
        f"is also short, by {nox_dec - float(nox['ffprobe']['duration']):.3f} s. "
        "Only decoding (or counting every frame) gives the real duration.",
        f"- MP3s with a Xing/Info header: mutagen `info.length` ({cbr_m:.6f} s for "
        f"`cbr.mp3`) counts whole frames, so it includes the encoder delay and padding; "
        f"the gapless (decoded) length is {cbr_dec:.6f} s, "
        f"{(cbr_m - cbr_dec) * 1000:.0f} ms less.",
        "- `not-audio.mp3` and `empty.mp3`: `mutagen.File()` does not return None; "
        "it picks the MP3 class from the extension and raises "
        "`mutagen.mp3.HeaderNotFoundError` (a `mutagen.MutagenError`). "
        "ffprobe fails with `Invalid argument`.",
        "- `truncated.mp3`: the ID3v2 header announces a tag much longer than the "
        "file, and mutagen raises `mutagen.id3.error` (a `mutagen.MutagenError`) with "
        "an empty message, chained from a bare `OSError` raised while reading the tag. "
        "Catch `mutagen.MutagenError`, not just `HeaderNotFoundError`.",
        "- `wav-renamed.mp3`: `mutagen.File()` scores the content (RIFF/WAVE header) "
        "above the extension and returns a `WAVE` object, and ffprobe also probes it "
        "as WAV. Anything that trusts the extension (MIME type in a feed enclosure, "
        "for example) would call it audio/mpeg.",
        "- `tagged.m4a`: mutagen's length comes from the MP4 header and differs "
        "slightly from ffprobe's container duration and from the decoded length.",
    ]
    lines += ["", "## How each file was made", ""]
    for r in rows:
        lines.append(f"- `{r['name']}`: {r['how']}")
    lines.append("")
    (DATA / "README.md").write_text("\n".join(lines), encoding="utf-8")
    return rows


def main() -> None:
    for tool in ("espeak-ng", "sox", "ffmpeg", "ffprobe"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} not found on PATH")
    DATA.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as t:
        how = make_all(Path(t))
    for r in write_readme(how):
        fp = r["ffprobe"]
        print(f"{r['name']:16s} {r['bytes']:6d} B  {fp.get('duration', '-')!s:>10}  {r['mutagen']}")


if __name__ == "__main__":
    main()
