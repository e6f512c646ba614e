"""`podcast import`: bring an existing show's feed (URL or file) into the episodes folder."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from podcast.publish.import_fetch import Network
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
def import_command(
    source: str,
    root: Path,
    dry_run: bool,
    media: str,
    since: datetime | None,
    owns: bool,
    timeout: float,
) -> None:
    """Import SOURCE (a feed URL or file): every guid, date and title kept."""
    keep = media == "keep"
    label = _label(dry_run, keep)
    with click.progressbar(length=0, label=label, file=sys.stderr, show_pos=not dry_run) as bar:
        advance: Any = bar.update
        network = Network(timeout=timeout)
        options = Options(dry_run, since, owns, network, progress=advance, keep_media=keep)
        report = import_feed(root, source, options)
    for line in report.lines():
        click.echo(line)
    if report.failed:
        raise click.ClickException(f"{len(report.failed)} item(s) failed; run again to resume")


def _label(dry_run: bool, keep: bool) -> str:
    """What the progress bar says: nothing is downloaded on a dry run, little with --media keep."""
    if dry_run:
        return "Reading the feed (dry run: nothing is downloaded)"
    return "Importing (audio left at its URL)" if keep else "Downloading"
