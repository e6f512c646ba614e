"""`podcast stats`: downloads from access logs, by the IAB method."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import click

from podcast.cli import ROOT_OPTION, resolve_root
from podcast.stats import report
from podcast.stats.count import WINDOWS, Options
from podcast.stats.listeners import read_networks
from podcast.stats.run import stats

RENDERERS = {"table": report.as_table, "json": report.as_json, "csv": report.as_csv}


@click.command("stats")
@click.argument("logs", nargs=-1, required=True)
@ROOT_OPTION
@click.option("--format", "output", type=click.Choice(sorted(RENDERERS)), default="table")
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a self-contained HTML report with charts here.",
)
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="First day counted (UTC).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Last day counted (UTC).")
@click.option(
    "--window",
    type=click.Choice(sorted(WINDOWS)),
    default="day",
    help="Deduplication window: calendar day (UTC) or rolling 24 hours.",
)
@click.option(
    "--max-per-ip",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="More downloads than this from one address in a window: excluded.",
)
@click.option(
    "--exclude-cidrs",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A file of data-centre networks (CIDR, one a line) to exclude.",
)
@click.option("--methodology", is_flag=True, help="Print the IAB methodology disclosure too.")
def stats_command(
    logs: tuple[str, ...],
    root: Path | None,
    output: str,
    html_path: Path | None,
    since: datetime | None,
    until: datetime | None,
    window: str,
    max_per_ip: int,
    exclude_cidrs: Path | None,
    methodology: bool,
) -> None:
    """Count episode downloads in access logs (nginx, gunicorn, S3, CloudFront; `-` = stdin)."""
    networks = read_networks(exclude_cidrs) if exclude_cidrs else None
    options = Options(window, max_per_ip, _day(since), _day(until, 1), networks)
    result = stats(resolve_root(root), list(logs), options)
    if (empty := report.no_requests(result)) is not None:
        click.echo(empty, err=True)
    click.echo(RENDERERS[output](result))
    if methodology:
        click.echo("\n" + report.methodology(result), err=output != "table")
    if html_path is not None:
        from podcast.stats import html  # pygal loads only when a chart is wanted

        html.write(result, html_path)
        click.echo(f"Wrote {html_path}", err=True)


def _day(value: datetime | None, after: int = 0) -> float | None:
    """Midnight UTC of the day given (or of the day after, for an inclusive --until)."""
    if value is None:
        return None
    day = date(value.year, value.month, value.day) + timedelta(days=after)
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()
