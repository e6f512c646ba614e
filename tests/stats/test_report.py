"""The reports: table, JSON, CSV, methodology and HTML, and that none of them names an address."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from bs4 import BeautifulSoup
from click.testing import CliRunner, Result

from podcast.cli import cli
from stats.logs import GOOGLEBOT, OVERCAST, line, when

SIZE = 1_439_475
ADDRESSES = ["203.0.113.77", "2001:db8:77:1::abcd", "198.51.100.177"]


def lines() -> str:
    text = [
        line(ip=ADDRESSES[0], sent=SIZE, byte_range="", at=when(2)),
        line(ip=ADDRESSES[1], sent=SIZE, byte_range="", agent=OVERCAST, at=when(3)),
        line(ip=ADDRESSES[2], sent=SIZE, byte_range="", agent=GOOGLEBOT, at=when(3)),
        line(ip=ADDRESSES[2], status=206, sent=1000, byte_range="bytes=0-999", at=when(3)),
        f"{ADDRESSES[0]} this line is not in any format\n",
    ]
    return "".join(text)


def stats(show: Path, tmp_path: Path, *args: str) -> Result:
    log = tmp_path / "access.log"
    log.write_text(lines())
    return CliRunner().invoke(cli, ["stats", str(log), "--root", str(show), *args])


def test_the_table_a_producer_reads(long_show: Path, tmp_path: Path) -> None:
    result = stats(long_show, tmp_path)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "2 downloads by 2 unique listeners, 2026-03-02 to 2026-03-03" in out
    assert "window: calendar day (00:00-24:00 UTC)" in out
    row = next(r for r in out.splitlines() if r.startswith("A long talk"))
    assert row.split()[3:5] == ["2026-03-01", "2"]
    assert "1 unparsable" in out


def test_json_lists_every_episode(long_show: Path, tmp_path: Path) -> None:
    result = stats(long_show, tmp_path, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert len(report["episodes"]) == 8
    for episode in report["episodes"]:
        assert {"guid", "title", "downloads"} <= set(episode)
    assert [a["name"] for a in report["apps"]] == ["Apple Podcasts", "Overcast"]


def test_csv_has_a_row_per_episode(long_show: Path, tmp_path: Path) -> None:
    result = stats(long_show, tmp_path, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 8
    assert next(r for r in rows if r["title"] == "A long talk")["downloads"] == "2"


def test_methodology_discloses_window_threshold_lists_and_exclusions(
    long_show: Path, tmp_path: Path
) -> None:
    result = stats(long_show, tmp_path, "--methodology")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "IAB Tech Lab Podcast Measurement Technical Guidelines v2.3" in out
    assert "Window: calendar day" in out
    assert "opawg/user-agents-v2 @ 8008a31b" in out
    assert "A long talk 962493" in out
    assert "bot (OPAWG list): 1" in out
    assert "partial: short of header + 1 minute: 1" in out
    assert "more than 100 downloads from one address" in out


def test_html_is_one_offline_file_with_charts(long_show: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    result = stats(long_show, tmp_path, "--html", str(target))
    assert result.exit_code == 0, result.output
    soup = BeautifulSoup(target.read_text(encoding="utf-8"), "html.parser")
    assert len(soup.find_all("svg")) == 2
    assert not soup.find_all("script", src=True)
    assert not soup.find_all("link")
    assert not soup.find_all(src=True)
    assert not [a for a in soup.find_all(href=True) if not a["href"].startswith("#")]
    cells = [td.get_text() for td in soup.find("table").find_all("td")]
    assert "A long talk" in cells


def test_no_address_in_any_output(long_show: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    outputs = []
    for args in (["--methodology"], ["--format", "json"], ["--format", "csv"]):
        result = stats(long_show, tmp_path, *args, "--html", str(target))
        assert result.exit_code == 0, result.output
        outputs += [result.output, target.read_text(encoding="utf-8")]
    text = "\n".join(outputs)
    for address in ADDRESSES + ["2001:db8:77:1", "203.0.113"]:
        assert address not in text
