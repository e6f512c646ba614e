"""`podcast deploy`: publish the built site to object storage (or a folder), then tell the apps."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

import click

from podcast.cli import (
    ROOT_OPTION,
    _absolute_url,
    _load,
    _shown,
    format_problem,
    resolve_root,
)
from podcast.errors import Severity
from podcast.publish import deploy as core
from podcast.publish.targets import Target, open_target


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
    default=core.DEFAULT_MAX_DELETES,
    show_default=True,
    help="Delete nothing when more objects than this would go.",
)
@click.option("--verify", "verify_url", metavar="URL", help="Check the changed objects there.")
def deploy_command(
    target: str,
    root: Path | None,
    base_url: str | None,
    media_base_url: str | None,
    endpoint_url: str | None,
    dry_run: bool,
    max_deletes: int,
    verify_url: str | None,
) -> None:
    """Upload the site to TARGET (s3://BUCKET[/PREFIX] or a folder): media, pages, feed last."""
    folder = resolve_root(root)
    catalog, base = _checked(folder, base_url)
    media = _absolute_url(media_base_url, "--media-base-url") if media_base_url else None
    store = open_target(target, endpoint_url)
    store.check()
    plan = _plan(folder, target, store, base, media, max_deletes)
    if dry_run:
        return _print_plan(plan)
    result = core.execute(store, plan, _bar(plan.upload_bytes))
    _report(result, plan, store)
    _after(catalog.show, base, plan, result, verify_url)


def _checked(folder: Path, base_url: str | None) -> tuple[Any, str]:
    """The catalog and base URL, refusing a show with errors (as `podcast build` does)."""
    from podcast.checks import rules as checks

    catalog = _load(folder)
    errors = [p for p in checks.run(catalog) if p.severity is Severity.ERROR]
    for problem in errors:
        click.echo(format_problem(problem), err=True)
    if errors:
        raise click.ClickException(
            f"{len(errors)} error(s) would reach listeners; fix them (see `podcast check`); "
            "nothing was deployed"
        )
    return catalog, _absolute_url(base_url or catalog.show.base_url, "--base-url")


def _plan(
    folder: Path, name: str, store: Target, base: str, media: str | None, max_deletes: int
) -> core.Plan:
    site = core.stage(folder, core.staging_folder(name), base, media)
    items = core.scan(site, core.CachePolicy(), core.hashes_file(site))
    return core.make_plan(items, store.read_manifest(), max_deletes)


def _print_plan(plan: core.Plan) -> None:
    """The dry run's plan: uploads with sizes and reasons, deletions, untouched count."""
    for item, reason in plan.uploads:
        click.echo(f"upload  {item.key}  {item.size:,} bytes  ({reason})")
    for key in plan.deletions:
        click.echo(f"delete  {key}")
    for key, why in plan.held:
        click.echo(f"keep    {key}  ({why})")
    click.echo(
        f"Dry run: {len(plan.uploads)} upload(s) ({plan.upload_bytes / 1e6:.1f} MB), "
        f"{len(plan.deletions)} deletion(s), {plan.untouched} untouched; nothing was changed"
    )


class _Bar(core.Progress):
    """A click progress bar in bytes on a terminal's stderr; silent otherwise."""

    def __init__(self, total: int) -> None:
        self.lock = threading.Lock()
        self.bar: Any = None
        if sys.stderr.isatty() and total:
            self.bar = click.progressbar(length=total, label="Uploading", file=sys.stderr)

    def sent(self, count: int) -> None:
        """Advance by `count` bytes."""
        if self.bar is not None:
            with self.lock:
                self.bar.update(count)


def _bar(total: int) -> _Bar:
    return _Bar(total)


def _report(result: core.Result, plan: core.Plan, store: Target) -> None:
    click.echo(
        f"Deployed to {store if not isinstance(store, Path) else _shown(store)}: "
        f"{len(result.uploaded)} uploaded ({plan.upload_bytes / 1e6:.1f} MB), "
        f"{len(result.deleted)} deleted, {plan.untouched} untouched"
    )
    for key, why in plan.held:
        click.echo(f"Warning: kept {key} ({why})", err=True)


def _after(
    show: Any, base: str, plan: core.Plan, result: core.Result, verify_url: str | None
) -> None:
    """Pings once the feed is live (only when it changed), then the optional verification."""
    from podcast.publish import pings, verify

    warnings = list(result.warnings)
    if any(item.kind is core.Kind.FEED for item, _ in plan.uploads):
        warnings += pings.ping_all(show, base.rstrip("/") + "/feed.xml")
    for warning in warnings:
        click.echo(f"Warning: {warning}", err=True)
    if verify_url:
        problems = verify.verify(verify_url, [item for item, _ in plan.uploads])
        for problem in problems:
            click.echo(problem, err=True)
        if problems:
            raise click.ClickException(f"{len(problems)} problem(s) at {verify_url}")
        click.echo(f"Verified {len(plan.uploads)} object(s) at {verify_url}")
