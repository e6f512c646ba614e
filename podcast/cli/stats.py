"""`podcast stats`: downloads from access logs, by the IAB method."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from podcast.cli import ROOT_OPTION, resolve_root
from podcast.stats import run
from podcast.stats.count import WINDOWS


@click.command("stats")
@click.argument("logs", nargs=-1, required=True)
@ROOT_OPTION
@click.option("--format", "output", type=click.Choice(sorted(run.FORMATS)), default="table")
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
def stats_command(root: Path | None, **options: Any) -> None:
    """Count episode downloads in access logs (nginx, gunicorn, S3, CloudFront; `-` = stdin)."""
    for text, err in run.stats_report(run.Request(resolve_root(root), **options)):
        click.echo(text, err=err)
