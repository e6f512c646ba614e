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
    # logs of March 2026 hold nothing of the first month of an episode from 2022
    old = next(e for e in report["episodes"] if e["published"].startswith("2022-01-11"))
    assert (old["first_30_days"], old["first_30_days_complete"]) == (None, False)
    new = next(e for e in report["episodes"] if e["title"] == "A long talk")
    assert (new["first_7_days"], new["first_7_days_complete"]) == (2, False)


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


def test_cli_options_reach_the_count(long_show: Path, tmp_path: Path) -> None:
    cidrs = tmp_path / "datacentres.txt"
    cidrs.write_text("# cloud\n198.51.100.0/24\n")
    result = stats(
        long_show,
        tmp_path,
        "--format",
        "json",
        "--window",
        "rolling",
        "--max-per-ip",
        "7",
        "--exclude-cidrs",
        str(cidrs),
        "--since",
        "2026-03-03",
        "--until",
        "2026-03-03",
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["window"] == "rolling 24 hours"
    assert report["methodology"]["max_downloads_per_address"] == 7
    assert report["methodology"]["data_centre_networks"] == 1
    assert report["downloads"] == 1  # only the 3rd's Overcast download; the 2nd is outside
    assert report["methodology"]["excluded"]["outside --since/--until"] == 1


def test_a_bad_cidr_list_names_the_line(long_show: Path, tmp_path: Path) -> None:
    cidrs = tmp_path / "datacentres.txt"
    cidrs.write_text("198.51.100.0/24\nnot-a-network\n")
    result = stats(long_show, tmp_path, "--exclude-cidrs", str(cidrs))
    assert result.exit_code == 1
    assert f"{cidrs}:2: not a network in CIDR notation" in result.output


def test_an_html_report_that_cannot_be_written(long_show: Path, tmp_path: Path) -> None:
    result = stats(long_show, tmp_path, "--html", str(tmp_path / "no-such-dir" / "r.html"))
    assert result.exit_code == 1
    assert "cannot write the report" in result.output
    assert "Traceback" not in result.output


def test_the_report_goes_to_stdout_and_everything_else_to_stderr(
    long_show: Path, tmp_path: Path
) -> None:
    target = tmp_path / "report.html"
    result = stats(long_show, tmp_path, "--format", "json", "--methodology", "--html", str(target))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["episodes"]  # nothing but the JSON on stdout
    assert result.stderr.startswith("\nMethod: IAB Tech Lab Podcast Measurement")
    assert result.stderr.endswith(f"\nWrote {target}\n") and target.is_file()
    table = stats(long_show, tmp_path, "--methodology")
    assert table.exit_code == 0, table.output
    assert table.stderr == "" and "\n\nMethod: IAB Tech Lab" in table.stdout


def test_logs_without_a_podcast_request_say_so_before_the_report(
    long_show: Path, tmp_path: Path
) -> None:
    log = tmp_path / "other.log"
    log.write_text(line(ip=ADDRESSES[0], path="/about/", sent=500, byte_range="", at=when(2)))
    result = CliRunner().invoke(
        cli, ["stats", str(log), "--root", str(long_show), "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "No podcast requests in these logs: none of 1 requests fetched an episode's audio. "
        "Are these the logs of the server the feed's enclosure URLs point at?\n"
    )
    rows = list(csv.DictReader(io.StringIO(result.stdout)))  # the report still follows
    assert rows and {row["downloads"] for row in rows} == {"0"}
