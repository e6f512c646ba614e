"""`podcast deploy` as a whole: the gate, the built site, the plan, the upload, then the pings
and the optional check of what listeners get.

`deploy_site` says each line as it happens (the summary before the pings, which may take a
while), so the command only prints; refusals and failures are `DeployError`s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from podcast.checks import rules
from podcast.errors import Problem, Severity
from podcast.model import Catalog, Show
from podcast.publish import build as export
from podcast.publish import pings, verify
from podcast.publish.deploy import (
    CachePolicy,
    DeployError,
    Kind,
    Plan,
    Progress,
    Result,
    execute,
    hashes_file,
    make_plan,
    scan,
    stage,
    staging_folder,
)
from podcast.publish.targets import Target, open_target
from podcast.read import loader

Said = tuple[str, bool]  # a line to print, and whether it goes to stderr


class Refused(DeployError):
    """Errors that would reach listeners: nothing was deployed."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(
            f"{len(problems)} error(s) would reach listeners; fix them (see `podcast check`); "
            "nothing was deployed"
        )
        self.problems = problems


class NoAddress(DeployError):
    """Neither the options nor show.yaml say where the site lives."""


@dataclass(frozen=True, slots=True)
class Request:
    """What `podcast deploy` was asked (its options, by name); the URLs already absolute."""

    root: Path
    target: str
    base_url: str | None
    media_base_url: str | None
    endpoint_url: str | None
    dry_run: bool
    max_deletes: int
    verify_url: str | None


def deploy_site(
    request: Request,
    progress: Progress | None = None,
    load: Callable[[Path], Catalog] = loader.load,
) -> Iterator[Said]:
    """Refuse a show with errors, build it, upload what changed in order (or, on a dry run,
    say the plan), then ping and verify; each line said as it happens."""
    progress = progress or Progress()
    # taken before loading, so a file edited during the load counts as changed next time
    state = export.folder_state(request.root, request.base_url, request.media_base_url)
    catalog = checked(load(request.root))
    base = address(request.base_url or catalog.show.base_url)
    target = open_target(request.target, request.endpoint_url)
    target.check()
    plan = planned(request, catalog, target, base, state)
    if request.dry_run:
        yield from plan_lines(plan)
        return
    progress.planned(plan.upload_bytes)
    result = execute(target, plan, progress)
    yield from summary(target, plan, result)
    yield from ((f"Warning: {w}", True) for w in pinged(catalog.show, base, plan, result))
    if request.verify_url:
        yield from verified(request.verify_url, plan)


def checked(catalog: Catalog) -> Catalog:
    """`catalog`, unless a rule finds an error that would reach listeners (as `build` gates)."""
    errors = [p for p in rules.run(catalog) if p.severity is Severity.ERROR]
    if errors:
        raise Refused(errors)
    return catalog


def address(url: str | None) -> str:
    """The site's public address, without a trailing slash."""
    if not url:
        raise NoAddress(
            "a static site needs its public address: pass --base-url https://… "
            "or set site.base_url in show.yaml"
        )
    return url.rstrip("/")


def planned(request: Request, catalog: Catalog, target: Target, base: str, state: str) -> Plan:
    """The checked catalog built into the target's staging folder, compared with its manifest."""
    staging = staging_folder(request.target)
    site = stage(request.root, staging, base, request.media_base_url, catalog, state)
    items = scan(site, CachePolicy(), hashes_file(site))
    return make_plan(items, target.read_manifest(), request.max_deletes)


def plan_lines(plan: Plan) -> Iterator[Said]:
    """The dry run's plan: uploads with sizes and reasons, deletions, kept objects, totals."""
    for item, reason in plan.uploads:
        yield f"upload  {item.key}  {item.size:,} bytes  ({reason})", False
    for key in plan.deletions:
        yield f"delete  {key}", False
    for key, why in plan.held:
        yield f"keep    {key}  ({why})", False
    yield (
        (
            f"Dry run: {len(plan.uploads)} upload(s) ({plan.upload_bytes / 1e6:.1f} MB), "
            f"{len(plan.deletions)} deletion(s), {plan.untouched} untouched; nothing was changed"
        ),
        False,
    )


def summary(target: Target, plan: Plan, result: Result) -> Iterator[Said]:
    """What went up and what was deleted, then each object kept that was due to go."""
    yield (
        (
            f"Deployed to {target}: {len(result.uploaded)} uploaded "
            f"({plan.upload_bytes / 1e6:.1f} MB), {len(result.deleted)} deleted, "
            f"{plan.untouched} untouched"
        ),
        False,
    )
    for key, why in plan.held:
        yield f"Warning: kept {key} ({why})", True


def pinged(show: Show, base: str, plan: Plan, result: Result) -> list[str]:
    """The deploy's warnings, and those of the pings sent when a feed changed."""
    warnings = list(result.warnings)
    if any(item.kind is Kind.FEED for item, _ in plan.uploads):
        warnings += pings.ping_all(show, base + "/feed.xml")
    return warnings


def verified(url: str, plan: Plan) -> Iterator[Said]:
    """Each problem with the uploaded objects as served at `url`; DeployError if any."""
    problems = verify.verify(url, [item for item, _ in plan.uploads])
    yield from ((problem, True) for problem in problems)
    if problems:
        raise DeployError(f"{len(problems)} problem(s) at {url}")
    yield f"Verified {len(plan.uploads)} object(s) at {url}", False
