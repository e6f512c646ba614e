"""`podcast tag`: the producer's commands that make the audio ready for every app."""

from __future__ import annotations

from pathlib import Path

import click

from podcast.cli import _load, _shown
from podcast.model import Catalog, Episode
from podcast.read import catalog as catalog_module
from podcast.read import select


@click.command("tag")
@click.argument("episode", required=False, metavar="[EPISODE]")
@click.option("--all", "every", is_flag=True, help="Tag every episode's audio.")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("episodes"),
    show_default=True,
    help="Episodes folder.",
)
def tag_command(episode: str | None, every: bool, root: Path) -> None:
    """Write EPISODE's YAML (slug, YAML path or SEASON/NUMBER; or --all) into its audio's tags:
    title, show, hosts, date, season and number, summary, cover, chapters. Only tags change."""
    from podcast.publish.tag import tag_episodes

    catalog = _writable_catalog(root, episode, every)
    done, skipped = tag_episodes(catalog, _chosen(catalog, episode))
    for item in done:
        click.echo(f"Tagged {_shown(item.path)} ({item.format}): {item.size_after:,} bytes")
        for note in item.notes:
            click.echo(f"Note: {note}", err=True)
    for error in skipped:
        click.echo(f"Skipped {error}", err=True)


def _writable_catalog(root: Path, episode: str | None, every: bool) -> Catalog:
    """The catalog of a real episodes folder (never the shipped show), once the choice is clear."""
    if every == (episode is not None):
        raise click.UsageError("name one EPISODE or pass --all")
    if not (root / catalog_module.SHOW_FILE).is_file():
        raise click.UsageError(
            f"no show.yaml in {root}; run this next to the episodes folder or pass --root"
        )
    return _load(root)


def _chosen(catalog: Catalog, episode: str | None) -> tuple[Episode, ...]:
    return catalog.episodes if episode is None else (select.pick(catalog, episode),)
