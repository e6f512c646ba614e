"""`podcast deploy`: publish the built site to object storage (or a folder), then tell the apps."""

from __future__ import annotations

import sys
import threading
from typing import Any

import click

from podcast.cli import ROOT_OPTION, _absolute_url, _load, format_problem, resolve_root
from podcast.publish import deploy_run as run
from podcast.publish.deploy import DEFAULT_MAX_DELETES, Progress

URL_OPTIONS = {"base_url": "--base-url", "media_base_url": "--media-base-url"}


@click.command("deploy")
@click.argument("target")
@ROOT_OPTION
@click.option("--base-url", metavar="URL", help="Public address of the site (default: show.yaml).")
@click.option("--media-base-url", metavar="URL", help="Where enclosures live, e.g. a media CDN.")
@click.option("--endpoint-url", metavar="URL", help="The S3 endpoint (R2, B2, MinIO, SeaweedFS…).")
@click.option("--dry-run", is_flag=True, help="Print the plan and change nothing.")
@click.option(
    "--max-deletes",
    type=click.IntRange(min=0),
    default=DEFAULT_MAX_DELETES,
    show_default=True,
    help="Delete nothing when more objects than this would go.",
)
@click.option("--verify", "verify_url", metavar="URL", help="Check the changed objects there.")
def deploy_command(**options: Any) -> None:
    """Upload the site to TARGET (s3://BUCKET[/PREFIX] or a folder): media, pages, feed last."""
    try:
        for text, err in run.deploy_site(_request(options), _Bar(), _load):
            click.echo(text, err=err)
    except run.Refused as refused:
        for problem in refused.problems:
            click.echo(format_problem(problem), err=True)
        raise
    except run.NoAddress as exc:
        raise click.UsageError(str(exc)) from None


def _request(options: dict[str, Any]) -> run.Request:
    """The options as the core takes them: the episodes folder found, given URLs absolute."""
    for name, option in URL_OPTIONS.items():
        if options[name]:
            options[name] = _absolute_url(options[name], option)
    return run.Request(**options | {"root": resolve_root(options["root"])})


class _Bar(Progress):
    """A click progress bar in bytes on a terminal's stderr; silent otherwise."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.bar: Any = None

    def planned(self, total: int) -> None:
        """Draw the bar once the plan's size is known (nothing to draw for nothing to send)."""
        if sys.stderr.isatty() and total:
            self.bar = click.progressbar(length=total, label="Uploading", file=sys.stderr)

    def sent(self, count: int) -> None:
        """Advance by `count` bytes."""
        if self.bar is not None:
            with self.lock:
                self.bar.update(count)
