"""The `podcast` command: each subcommand parses options and calls one core function."""

from __future__ import annotations

from pathlib import Path

import click

from podcast import catalog as catalog_module
from podcast.errors import CatalogError, PodcastError

ROOT_OPTION = click.option(
    "--root", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Episodes folder (default: ./episodes if present, else the shipped show).",
)


def resolve_root(root: Path | None) -> Path:
    """The folder to work on: the option, ./episodes, or the shipped show."""
    if root is not None:
        return root
    local = Path("episodes")
    return local if (local / catalog_module.SHOW_FILE).is_file() else catalog_module.default_root()


@click.group()
@click.version_option(package_name="offthecharts-publisher")
def cli() -> None:
    """Publish the Off the Charts podcast: catalog, feed and website."""


@cli.command()
@ROOT_OPTION
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--drafts", is_flag=True, help="Also show episodes scheduled for later.")
def serve(root: Path | None, host: str, port: int, drafts: bool) -> None:
    """Run the development server on the episodes folder."""
    from podcast.web import create_app

    app = create_app({"EPISODES_ROOT": resolve_root(root), "DRAFTS": drafts})
    app.run(host=host, port=port)


@cli.command()
@ROOT_OPTION
def check(root: Path | None) -> None:
    """Load the catalog and report every problem."""
    catalog = catalog_module.load(resolve_root(root))
    for problem in catalog.warnings:
        click.echo(str(problem), err=True)
    click.echo(f"OK: {len(catalog.episodes)} episodes in {catalog.root}")


def main() -> None:
    """Entry point: user errors become `Error: …` and exit 1, never a traceback."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        raise SystemExit(1) from None
    except click.ClickException as exc:
        exc.show()
        raise SystemExit(exc.exit_code) from None
    except CatalogError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"Error: the catalog has {len(exc.problems)} problem(s); fix them and "
                   "run the command again.", err=True)
        raise SystemExit(1) from None
    except PodcastError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(1) from None
