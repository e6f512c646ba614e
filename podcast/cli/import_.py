"""`podcast import`: bring an existing show's feed (URL or file) into the episodes folder."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from podcast.publish.import_run import Options, import_feed


@click.command("import")
@click.argument("source")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("episodes"),
    show_default=True,
    help="Episodes folder to import into.",
)
@click.option("--dry-run", is_flag=True, help="Write nothing; print the mapping and problems.")
@click.option(
    "--media",
    type=click.Choice(["download", "keep"]),
    default="download",
    show_default=True,
    help="download: fetch every enclosure into the episodes folder; keep: leave the audio "
    "at its URL (the feed and site use that URL unchanged).",
)
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Only items from this date on.")
@click.option(
    "--i-own-this-feed",
    "owns",
    is_flag=True,
    help="Import a feed that says podcast:locked yes (you own the show).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds to wait on a silent server.",
)
def import_command(source: str, root: Path, **flags: Any) -> None:
    """Import SOURCE (a feed URL or file): every guid, date and title kept."""
    options = Options.asked(**flags)
    show_count = not options.dry_run
    with click.progressbar(
        length=0, label=options.activity, file=sys.stderr, show_pos=show_count
    ) as bar:
        report = import_feed(root, source, replace(options, progress=bar.update))
    for line in report.lines():
        click.echo(line)
    if report.failed:
        raise click.ClickException(f"{len(report.failed)} item(s) failed; run again to resume")
