"""Each log format, gzip, stdin and bad input, counted end to end through `podcast stats`."""

from __future__ import annotations

import gzip
import json
import runpy
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from gunicorn.glogging import SafeAtoms

from podcast.cli import cli
from stats.logs import LONG_PATH, PODCASTS, clf, line, when

SIZE = 1_439_475
ROOT = Path(__file__).parent.parent.parent
S3_LINE = (
    "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be media-bucket "
    "[{t}] {ip} 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE "
    'REST.{op}.OBJECT {key} "{method} /media-bucket/{key} HTTP/1.1" {status} - {sent} {size} 70 '
    '10 "-" "{agent}" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3= SigV4 '
    "ECDHE-RSA-AES128-GCM-SHA256 AuthHeader media-bucket.s3.us-west-1.amazonaws.com TLSv1.2 - -\n"
)
CLOUDFRONT_HEAD = (
    "#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) "
    "cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type "
    "x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for "
    "ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status "
    "fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type "
    "sc-content-type sc-content-len sc-range-start sc-range-end\n"
)


def stats(show: Path, *args: str, **kw: Any) -> Result:
    return CliRunner().invoke(cli, ["stats", "--root", str(show), *args], **kw)


def downloads(result: Result) -> int:
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    return int(next(e["downloads"] for e in report["episodes"] if e["title"] == "A long talk"))


def cloudfront(ip: str, status: int, sent: int, start: str = "-", end: str = "-") -> str:
    cells = ["2026-03-02", "10:00:00", "SEA19-C1", str(sent + 400), ip, "GET"]
    cells += ["d111.cloudfront.net", "/" + LONG_PATH, str(status), "-"]
    cells += [PODCASTS.replace(" ", "%20"), "-", "-", "Miss", "Ab12==", "media.example"]
    cells += ["https", "300", "0.1", "-", "TLSv1.3", "TLS_AES_128_GCM_SHA256", "Miss"]
    cells += ["HTTP/2.0", "-", "-", "443", "0.05", "Miss", "audio/mpeg", str(sent), start, end]
    return "\t".join(cells) + "\n"


def test_combined_podcast_and_gzip(long_show: Path, tmp_path: Path) -> None:
    plain = tmp_path / "access.log"
    plain.write_text(line(sent=SIZE, byte_range="", ip="192.0.2.1"))
    zipped = tmp_path / "access.log.1.gz"
    zipped.write_bytes(gzip.compress(line(sent=SIZE, ip="192.0.2.2").encode()))  # combined
    result = stats(long_show, str(plain), str(zipped), "--format", "json")
    assert downloads(result) == 2
    formats = {f["name"]: f["format"] for f in json.loads(result.stdout)["files"]}
    assert formats == {str(plain): "podcast", str(zipped): "combined"}


def test_combined_partial_requests_are_counted_conservatively(
    long_show: Path, tmp_path: Path
) -> None:
    # no Range in the log: each 206 is taken as starting at byte 0, so two halves that a
    # Range header would show to be adjacent do not add up (never an overcount)
    log = tmp_path / "access.log"
    log.write_text(line(status=206, sent=600_000) + line(status=206, sent=600_000))
    assert downloads(stats(long_show, str(log), "--format", "json")) == 0


def test_stdin(long_show: Path) -> None:
    text = line(sent=SIZE, byte_range="") + line(sent=SIZE, byte_range="", ip="192.0.2.5")
    assert downloads(stats(long_show, "-", "--format", "json", input=text)) == 2


def test_gzip_on_stdin(long_show: Path) -> None:
    data = gzip.compress(line(sent=SIZE, byte_range="").encode())
    assert downloads(stats(long_show, "-", "--format", "json", input=data)) == 1


def test_s3_server_access_log(long_show: Path, tmp_path: Path) -> None:
    key = LONG_PATH
    fields = dict(t=clf(when()), key=key, size=SIZE, agent=PODCASTS)
    lines = [
        S3_LINE.format(ip="192.0.2.1", op="GET", method="GET", status=200, sent=SIZE, **fields),
        S3_LINE.format(ip="192.0.2.2", op="HEAD", method="HEAD", status=200, sent="-", **fields),
        S3_LINE.format(ip="192.0.2.3", op="GET", method="GET", status=206, sent=2, **fields),
    ]
    log = tmp_path / "s3.log"
    log.write_text("".join(lines))
    result = stats(long_show, str(log), "--format", "json")
    assert downloads(result) == 1
    assert json.loads(result.stdout)["files"][0]["format"] == "s3"


def test_cloudfront_standard_log(long_show: Path, tmp_path: Path) -> None:
    lines = [
        cloudfront("192.0.2.1", 200, SIZE),
        cloudfront("192.0.2.2", 206, 2, "0", "1"),
        cloudfront("192.0.2.2", 206, 500_000, "0", "499999"),
        cloudfront("192.0.2.2", 206, 500_000, "500000", "999999"),
    ]
    log = tmp_path / "cf.log"
    log.write_text(CLOUDFRONT_HEAD + "".join(lines))
    result = stats(long_show, str(log), "--format", "json")
    assert downloads(result) == 2
    report = json.loads(result.stdout)
    assert report["files"][0]["format"] == "cloudfront"
    assert report["methodology"]["excluded"] == {"bytes=0-1 probe": 1}


def test_the_shipped_gunicorn_format_is_read(long_show: Path, tmp_path: Path) -> None:
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    atoms = {
        "h": "192.0.2.8",
        "l": "-",
        "u": "-",
        "t": "[" + clf(when()) + "]",
        "r": f"GET /audio/{LONG_PATH} HTTP/1.1",
        "s": "206",
        "b": "1000000",
        "f": "-",
        "a": PODCASTS,
        "{range}i": "bytes=0-999999",
    }
    log = tmp_path / "gunicorn.log"
    log.write_text(settings["access_log_format"] % SafeAtoms(atoms) + "\n")
    result = stats(long_show, str(log), "--format", "json")
    assert downloads(result) == 1
    assert json.loads(result.stdout)["files"][0]["format"] == "podcast"


def test_unparsable_lines_are_counted_not_fatal(long_show: Path, tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text(line(sent=SIZE, byte_range="") + "garbage here\n" * 3 + "\n")
    result = stats(long_show, str(log), "--format", "json")
    assert downloads(result) == 1
    entry = json.loads(result.stdout)["files"][0]
    assert (entry["unparsable"], entry["first_unparsable"]) == (3, [2, 3, 4])


def test_a_missing_and_an_unreadable_log(long_show: Path, tmp_path: Path) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    result = stats(long_show, str(tmp_path / "nope.log"), str(folder))
    assert result.exit_code == 1
    assert f"{tmp_path / 'nope.log'}: cannot read the log" in result.output
    assert f"{folder}: cannot read the log" in result.output
    assert "Traceback" not in result.output


def test_a_binary_file(long_show: Path, data_dir: Path) -> None:
    result = stats(long_show, str(data_dir / "voice.wav"))
    assert result.exit_code == 1
    assert "binary file" in result.output


def test_an_unknown_format_names_the_known_ones(long_show: Path, tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text("2026-03-02 10:00:00 INFO started\n" * 5)
    result = stats(long_show, str(log))
    assert result.exit_code == 1
    for name in ("cloudfront", "s3", "podcast", "combined"):
        assert name in result.output


def test_no_podcast_requests_says_so(long_show: Path, tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text(line(path="/feed.xml", byte_range="") + line(path="/about/", byte_range=""))
    result = stats(long_show, str(log))
    assert result.exit_code == 0, result.output
    assert "No podcast requests in these logs" in result.stderr


def test_an_empty_log(long_show: Path, tmp_path: Path) -> None:
    log = tmp_path / "empty.log"
    log.write_text("")
    result = stats(long_show, str(log))
    assert result.exit_code == 0, result.output
    assert "No podcast requests" in result.stderr


def test_a_truncated_gzip_is_reported_not_fatal(long_show: Path, tmp_path: Path) -> None:
    text = "".join(line(sent=SIZE, byte_range="", ip=f"192.0.2.{i}") for i in range(200))
    log = tmp_path / "cut.log.gz"
    data = gzip.compress(text.encode())
    log.write_bytes(data[: len(data) // 2])
    result = stats(long_show, str(log), "--format", "json")
    assert result.exit_code == 0, result.output
    assert "stopped reading" in json.loads(result.stdout)["files"][0]["problem"]
