"""`podcast release`, `list` and `remove`: one episode's way out to listeners, and back."""

from __future__ import annotations

import json
from pathlib import Path

import click

from podcast.cli import ROOT_OPTION, _shown, resolve_root
from podcast.publish.listing import Listing, listing
from podcast.publish.release import release
from podcast.publish.remove import remove
from podcast.publish.schedule import status_line
from podcast.render.times import clock

EPISODE_HELP = "EPISODE is its slug, its YAML file or SEASON/NUMBER (e.g. 3/2)."


@click.command("release", help=f"Release the draft EPISODE, now or --at WHEN. {EPISODE_HELP}")
@click.argument("episode")
@ROOT_OPTION
@click.option(
    "--at",
    metavar="WHEN",
    help="A date (the show's release hour in its timezone), an ISO 8601 time with zone, or now.",
)
def release_command(episode: str, root: Path | None, at: str | None) -> None:
    """Turn a draft into a scheduled or live episode, by one edited line of its YAML."""
    done = release(resolve_root(root), episode, at)
    if done.changed:
        click.echo(f"Wrote {_shown(done.episode.source)}")
    click.echo(status_line(done.status, done.published, done.clock, done.episode.slug))


@click.command("list")
@ROOT_OPTION
@click.option(
    "--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def list_command(root: Path | None, output: str) -> None:
    """Every episode: season, number, status, date in the show's zone, length, problems."""
    found = listing(resolve_root(root))
    click.echo(_json(found) if output == "json" else _table(found))


@click.command("remove", help=f"Take EPISODE out of the feed and site. {EPISODE_HELP}")
@click.argument("episode")
@ROOT_OPTION
def remove_command(episode: str, root: Path | None) -> None:
    """Move the episode's files to episodes/.removed/, remembering its guid."""
    done = remove(resolve_root(root), episode)
    for path in done.moved:
        click.echo(f"Moved {_shown(path)}")
    for path in done.kept:
        click.echo(f"Kept {_shown(path)} (another episode uses it)")
    click.echo(f"Removed {done.episode.slug}: its files are in {_shown(done.folder)}")


def _table(found: Listing) -> str:
    header = f"{'S':>3} {'#':>3}  {'status':<9}  {'date (' + found.zone + ')':<22}  "
    lines = [header + f"{'length':>8}  {'problems':>8}  title"]
    for row in found.rows:
        lines.append(
            f"{row.season:>3} {row.number or '-':>3}  {row.status.value:<9}  "
            f"{row.published:%Y-%m-%d %H:%M %Z}".ljust(42)
            + f"  {clock(row.duration):>8}  {row.problems:>8}  {row.title}"
        )
    return "\n".join(lines)


def _json(found: Listing) -> str:
    rows = [
        {
            "slug": row.slug,
            "season": row.season,
            "number": row.number,
            "title": row.title,
            "status": row.status.value,
            "published": row.published.isoformat(),
            "duration": row.duration.total_seconds(),
            "problems": row.problems,
        }
        for row in found.rows
    ]
    return json.dumps({"timezone": found.zone, "episodes": rows}, indent=2, ensure_ascii=False)
