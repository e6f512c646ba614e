"""The `podcast` command: each subcommand parses options and calls one core function."""

from __future__ import annotations

import errno
import gc
import importlib
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from podcast.errors import CatalogError, PodcastError, Problem, Severity
from podcast.model import Catalog, EpisodeType
from podcast.read import catalog as catalog_module
from podcast.read import loader

if TYPE_CHECKING:
    from podcast.publish.add import NewEpisode
    from podcast.publish.build import Checked

# Annotated so modules that import it back from here (podcast.cli.NAME) type-check.
ROOT_OPTION: Callable[[Callable[..., Any]], Callable[..., Any]] = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Episodes folder (default: ./episodes if present, else the shipped show).",
)
SEVERITY_NAMES = {Severity.ERROR: "errors", Severity.WARNING: "warnings", Severity.INFO: "notices"}


def resolve_root(root: Path | None) -> Path:
    """The folder to work on: the option, ./episodes, or the shipped show."""
    if root is not None:
        return root
    local = Path("episodes")
    return local if (local / catalog_module.SHOW_FILE).is_file() else catalog_module.default_root()


def writable_root(root: Path | None) -> Path:
    """The folder a writing command (add, release, remove, tag) changes: the option or
    ./episodes, with a show.yaml; never the shipped show inside the installed package."""
    folder = root or Path("episodes")
    if not (folder / catalog_module.SHOW_FILE).is_file():
        raise click.UsageError(
            f"no show.yaml in {folder}; run this next to the episodes folder or pass --root"
        )
    return folder


class PodcastGroup(click.Group):
    """Turns the core's errors into `Error: …` and exit 1: a user never sees a traceback.

    Commands in their own modules (`LAZY`) are imported only when run or listed: `check`
    should not pay for the import, deploy and stats machinery (a third of its start-up).
    """

    LAZY = {
        "deploy": "podcast.cli.deploy:deploy_command",
        "import": "podcast.cli.import_:import_command",
        "list": "podcast.cli.episodes:list_command",
        "release": "podcast.cli.episodes:release_command",
        "remove": "podcast.cli.episodes:remove_command",
        "stats": "podcast.cli.stats:stats_command",
        "tag": "podcast.cli.produce:tag_command",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command, the lazy ones included, sorted as click lists them."""
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command named `cmd_name`, importing its module on first use."""
        if cmd_name in self.LAZY and cmd_name not in self.commands:
            module, name = self.LAZY[cmd_name].split(":")
            self.add_command(getattr(importlib.import_module(module), name))
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand, reporting PodcastError as a clean message."""
        try:
            return super().invoke(ctx)
        except CatalogError as exc:
            for problem in exc.problems:
                click.echo(format_problem(problem), err=True)
            raise click.ClickException(
                f"the catalog has {_count(exc.problems, Severity.ERROR)} error(s); fix them "
                "and run the command again"
            ) from None
        except PodcastError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=PodcastGroup)
@click.version_option(package_name="offthecharts-publisher")
def cli() -> None:
    """Publish the Off the Charts podcast: catalog, feed and website."""


# --- add --------------------------------------------------------------------------------------


@cli.command()
@click.argument("audio", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Episodes folder (default: ./episodes).",
)
@click.option("--season", type=click.IntRange(min=1), help="Season (default: the latest).")
@click.option(
    "--episode",
    "number",
    type=click.IntRange(min=1),
    help="Episode number (default: the audio's track number, else the next free).",
)
@click.option("--title", help="Title (default: the audio's title tag).")
@click.option(
    "--published",
    metavar="WHEN",
    help="Release it then: a date (the show's release hour, e.g. 6 a.m. in its timezone) or an "
    "ISO 8601 time with zone, e.g. 2026-12-01T06:00:00-06:00 (default: a draft).",
)
@click.option("--publish", "now", is_flag=True, help="Release it now (default: a draft).")
@click.option(
    "--type",
    "kind",
    type=click.Choice([t.value for t in EpisodeType]),
    default=EpisodeType.FULL.value,
    show_default=True,
)
@click.option("--move", is_flag=True, help="Move the audio instead of copying it.")
@click.option(
    "--encode",
    type=click.Choice(["mp3", "aac"]),
    help="Encode a WAV, AIFF or FLAC master into MP3 or AAC (M4A) as it is added.",
)
@click.option(
    "--low-bandwidth/--no-low-bandwidth",
    default=None,
    help="Also make a low-data copy (mono MP3, 32 kbps) beside the audio (default: "
    "show.yaml's low_bandwidth).",
)
def add(
    audio: Path, root: Path | None, published: str | None, now: bool, kind: str, **options: Any
) -> None:
    """Add AUDIO as a new episode: file it under an ASCII name and write its YAML."""
    from podcast.publish.add import add_episode

    folder = writable_root(root)
    when = _parse_when(folder, published, now)
    new = add_episode(
        folder, audio, published=when, kind=EpisodeType(kind), draft=when is None, **options
    )
    _report_added(new)


def _report_added(new: NewEpisode) -> None:
    for notice in new.notices:
        click.echo(notice, err=True)
    click.echo(f"Added {_shown(new.audio_path)}")
    click.echo(f"Wrote {_shown(new.yaml_path)}")
    if new.to_fill:
        click.echo(f"Still to fill in {new.yaml_path.name}: {', '.join(new.to_fill)}")
    click.echo("Then run `podcast check`.")
    click.echo(new.status_line())


def _parse_when(folder: Path, text: str | None, now: bool = False) -> datetime | None:
    """--published WHEN in the show's zone (or --publish: now); None leaves a draft."""
    from podcast.publish.schedule import show_clock
    from podcast.read.when import WhenError

    if now and text:
        raise click.UsageError("give --publish (now) or --published WHEN, not both")
    wanted = "now" if now else text
    try:
        return show_clock(folder).parse(wanted) if wanted else None
    except WhenError as exc:
        raise click.BadParameter(str(exc), param_hint="--published") from None


# --- check ------------------------------------------------------------------------------------


@cli.command()
@ROOT_OPTION
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option(
    "--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "--against",
    metavar="FEED_FILE_OR_URL",
    help="The last published feed: a changed or vanished guid is an error.",
)
@click.option(
    "--verify-remote", is_flag=True, help="HEAD each audio URL kept at another host (network)."
)
@click.option(
    "--loudness",
    "all_loudness",
    is_flag=True,
    help="Measure the loudness of every episode not measured yet, not only the new ones.",
)
def check(root: Path | None, strict: bool, output: str, **options: Any) -> None:
    """Report every problem a podcast directory or app would find; exit 1 on errors."""
    folder = resolve_root(root)
    episodes, problems = _checked(folder, output == "json", **options)
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    ok = not any(p.severity in failing for p in problems)
    click.echo(_report(output, folder, episodes, problems, ok))
    if not ok:
        sys.exit(1)


def _checked(folder: Path, quiet: bool, **options: Any) -> tuple[int | None, list[Problem]]:
    """(episodes loaded or None, every problem): the rules run on whatever loaded."""
    from podcast.checks.audit import audit, refused

    try:
        catalog = _load(folder, quiet=quiet)
    except CatalogError as exc:
        return None, refused(exc, datetime.now(UTC))
    return len(catalog.episodes), audit(catalog, datetime.now(UTC), **options)


def _report(
    output: str, folder: Path, episodes: int | None, problems: Sequence[Problem], ok: bool
) -> str:
    """The check's report: JSON, or each problem and a summary line."""
    if output == "json":
        report = _json_report(folder, episodes, problems, ok)
        return json.dumps(report, indent=2, ensure_ascii=False)
    return "\n".join([*map(format_problem, problems), _summary(folder, episodes, problems, ok)])


def format_problem(problem: Problem) -> str:
    """`path:line: severity [rule]: message` and the hint on the next line."""
    location = _shown(problem.path) if problem.path else "<catalog>"
    if problem.line:
        location += f":{problem.line}"
    rule = f" [{problem.rule}]" if problem.rule else ""
    text = f"{location}: {problem.severity.value}{rule}: {problem.message}"
    return f"{text}\n    hint: {problem.hint}" if problem.hint else text


def _summary(folder: Path, episodes: int | None, problems: Sequence[Problem], ok: bool) -> str:
    counts = ", ".join(f"{_count(problems, s)} {SEVERITY_NAMES[s]}" for s in Severity)
    where = f"{episodes} episodes in {_shown(folder)}" if episodes is not None else _shown(folder)
    return f"{'OK' if ok else 'FAILED'}: {where}: {counts}"


def _json_report(
    folder: Path, episodes: int | None, problems: Sequence[Problem], ok: bool
) -> dict[str, Any]:
    return {
        "ok": ok,
        "root": str(folder),
        "episodes": episodes,
        **{SEVERITY_NAMES[s]: _count(problems, s) for s in Severity},
        "problems": [
            {
                "rule": p.rule,
                "severity": p.severity.value,
                "path": str(p.path) if p.path else None,
                "line": p.line,
                "message": p.message,
                "hint": p.hint,
            }
            for p in problems
        ],
    }


def _count(problems: Sequence[Problem], severity: Severity) -> int:
    return sum(1 for p in problems if p.severity is severity)


# --- build ------------------------------------------------------------------------------------


@cli.command()
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@ROOT_OPTION
@click.option(
    "--base-url",
    metavar="URL",
    help="Public address of the site (default: site.base_url in show.yaml).",
)
@click.option(
    "--media-base-url",
    metavar="URL",
    help="Where enclosures live, e.g. a media CDN (lengths still come from the local files).",
)
@click.option(
    "--clean",
    is_flag=True,
    help="Render every page again, reusing nothing earlier builds recorded "
    "(files that come out the same are left as they are).",
)
def build(
    out: Path, root: Path | None, base_url: str | None, media_base_url: str | None, clean: bool
) -> None:
    """Export the site, feed, audio and artwork into OUT for any static host or CDN."""
    from podcast.publish.build import build_show

    folder = resolve_root(root)
    check = partial(_checked_for_build, folder, base_url, media_base_url)
    report = build_show(folder, out, (base_url, media_base_url), check, clean)
    size = f"{report.files} files ({report.bytes / 1e6:.1f} MB)"
    if report.warnings is None:
        click.echo(f"Nothing changed: {size} in {_shown(out)}")
        return
    also = f"; {report.warnings} warning(s), see `podcast check`" if report.warnings else ""
    click.echo(f"Built {size} into {_shown(out)}{also}")


def _checked_for_build(folder: Path, base_url: str | None, media_base_url: str | None) -> Checked:
    """The show loaded and gated (nothing is built past an error), and its addresses."""
    from podcast.publish.build import Checked

    catalog = _load(folder)
    warnings = _gate(catalog)
    base = _absolute_url(base_url or catalog.show.base_url, "--base-url")
    media = _absolute_url(media_base_url, "--media-base-url") if media_base_url else None
    return Checked(catalog, base, media, warnings)


def _gate(catalog: Catalog) -> int:
    """The number of warnings; ClickException (nothing built) when an error would ship."""
    from podcast.checks.audit import audit

    found = audit(catalog, datetime.now(UTC))
    errors = [p for p in found if p.severity is Severity.ERROR]
    if errors:
        for problem in errors:
            click.echo(format_problem(problem), err=True)
        raise click.ClickException(
            f"{len(errors)} error(s) would reach listeners; fix them "
            "(see `podcast check`); nothing was built"
        )
    return _count(found, Severity.WARNING)


def _absolute_url(url: str | None, option: str) -> str:
    if not url:
        raise click.UsageError(
            f"a static site needs its public address: pass {option} "
            "https://… or set site.base_url in show.yaml"
        )
    if not url.startswith(("http://", "https://")):
        raise click.BadParameter(f"'{url}' is not an absolute http(s) URL", param_hint=option)
    return url.rstrip("/")


# --- serve ------------------------------------------------------------------------------------


@cli.command()
@ROOT_OPTION
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--drafts", is_flag=True, help="Preview: show drafts and scheduled episodes, marked, feed too."
)
def serve(root: Path | None, host: str, port: int, drafts: bool) -> None:
    """Run the development server on the episodes folder."""
    from podcast.site.app import create_app

    folder = resolve_root(root)
    _check_port(host, port)
    _load(folder)  # report problems (and warm the audio cache) before the server starts
    _log_to_stderr()
    app = create_app({"EPISODES_ROOT": folder, "DRAFTS": drafts, "PREVIEW": True})
    app.run(host=host, port=port)


def _log_to_stderr() -> None:
    """The app's log (each reload, each problem with file:line) on stderr, as gunicorn's is."""
    import logging  # here, with socket below: only `serve` needs them (10 ms of every check)

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("[%(asctime)s] %(levelname)s: %(message)s"))
    app_log = logging.getLogger("podcast")
    app_log.setLevel(logging.INFO)
    app_log.addHandler(handler)


def _check_port(host: str, port: int) -> None:
    """A clean error, before loading anything, when another program holds the port."""
    import socket

    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.create_server((host, port), family=family):  # SO_REUSEADDR, as the server
            pass
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise click.ClickException(f"cannot listen on {host}:{port} ({exc.strerror})") from None
        raise click.ClickException(
            f"port {port} on {host} is in use by another program; "
            f"pass --port {port + 1} (or another free port), or stop that program"
        ) from None


# --- shared -----------------------------------------------------------------------------------


def _load(folder: Path, quiet: bool = False) -> Catalog:
    """Load the catalog through the audio cache, with a progress bar on a terminal."""
    shown = not quiet and sys.stderr.isatty()  # counting the episodes is a folder walk
    total = len(catalog_module.episode_files(folder)) if shown else 0
    with _progress(total, "Reading episodes") as step:
        return loader.load(folder, on_probe=lambda _: step())


@contextmanager
def _progress(total: int, label: str) -> Iterator[Any]:
    """A click progress bar on stderr when it is a terminal; a no-op step otherwise."""
    if not sys.stderr.isatty() or total == 0:
        yield lambda: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield lambda: bar.update(1)


def _shown(path: Path) -> str:
    """A path relative to the working folder when inside it, for short messages."""
    try:
        return str(Path(path).absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def main() -> None:
    """Entry point for the `podcast` script and `python -m podcast`."""
    # A command builds a catalog of many small objects and few cycles: the collector's default
    # pace (every 700 allocations, walking all that imports made too) was 50 ms of a 0.6 s
    # check of 1,000 episodes. What is imported lives to the end, so it is set aside (as for
    # a server that forks), and collections come 30 times less often.
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
    cli()
