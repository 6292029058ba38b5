"""`regiobot migrate | import | export | start`: the store and getting started."""

from __future__ import annotations

import argparse
import importlib
import inspect
import logging
import sys
import tempfile
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from regiobot import clock
from regiobot.settings import get_settings

from .common import CommandError, open_store

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from storage.importers import ImportReport

log = logging.getLogger(__name__)

BUNDLED_PROGRAMME = Path(__file__).resolve().parents[1] / "storage" / "data" / (
    "midden-holland-programma-sociaal-domein-2020.txt"
)

# Which importer reads which source, as "module:function"; each takes (session, source,
# *, now) and returns an ImportReport — the iJw importer takes a list of paths. Loaded
# lazily so that a missing area fails with a clear message rather than at start-up.
IMPORTERS: dict[str, str] = {
    ".txt": "storage.importers.programme:import_programme_document",
    ".docx": "storage.importers.programme:import_programme_document",
    ".pdf": "storage.importers.programme:import_programme_document",
    ".yaml": "storage.importers.yaml_store:import_store_yaml",
    ".yml": "storage.importers.yaml_store:import_store_yaml",
    ".ics": "calendars.ics_import:import_meetings_ics",
    "url": "calendars.ics_import:import_meetings_ics",
    ".xml": "storage.declarations.importing:import_declarations",
    ".csv": "storage.declarations.importing:import_declarations",
    "dir": "storage.declarations.importing:import_declarations",
}
TAKES_A_LIST = {"storage.declarations.importing:import_declarations"}


def register(subparsers) -> None:
    migrate = subparsers.add_parser("migrate", help="bring the store's schema up to date")
    migrate.set_defaults(func=run_migrate)

    import_ = subparsers.add_parser(
        "import",
        help="import sources into the store, all or nothing",
        description=(
            "Import a programme document (.txt, .docx or .pdf), a store export (.yaml), "
            "meetings (.ics or an https URL), or iJw messages (.xml, a folder of them, or "
            ".csv). All sources of one call are imported in one transaction: one bad line "
            "and nothing changes. A programme document that does not look like one read "
            "correctly is refused with a report (exit 1) unless --force."
        ),
    )
    import_.add_argument("sources", nargs="+", metavar="PATH_OR_URL")
    import_.add_argument(
        "--dry-run", action="store_true",
        help="show what would be added, changed and cancelled, and change nothing",
    )
    import_.add_argument(
        "--force", action="store_true",
        help="apply a programme document even though the plausibility check refuses it",
    )
    import_.add_argument(
        "--overwrite-slack-changes", action="store_true",
        help="where the document changes a milestone that was moved from Slack, take the "
             "document's date (audited); by default the Slack change is kept",
    )
    import_.set_defaults(func=run_import)

    export = subparsers.add_parser("export", help="write the whole store as YAML")
    export.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    export.set_defaults(func=run_export)

    start = subparsers.add_parser(
        "start",
        help="migrate, load the Midden-Holland programme if the store is empty, and run",
        description=(
            "Migrate the store, load the bundled Midden-Holland 2020 programme when the "
            "store is empty, then run: the Slack app and scheduler when Slack tokens are "
            "set, otherwise a console where you type /regio commands or questions."
        ),
    )
    start.add_argument(
        "--no-run", action="store_true", help="prepare the store, then exit (for scripts)"
    )
    start.set_defaults(func=run_start)


def run_migrate(args: argparse.Namespace) -> int:
    from storage.migrate import upgrade

    upgrade(get_settings().database_url)
    print("store is up to date")
    return 0


def _importer_for(source: str) -> tuple[str, Callable[..., ImportReport]]:
    if source.startswith(("http://", "https://")):
        kind = "url"
    else:
        path = Path(source)
        if not path.exists():
            raise CommandError(f"{source}: no such file or folder")
        kind = "dir" if path.is_dir() else path.suffix.lower()
    target = IMPORTERS.get(kind)
    if target is None:
        known = ", ".join(sorted(k for k in IMPORTERS if k.startswith(".")))
        raise CommandError(f"{source}: cannot import this kind of file (known: {known})")
    module_name, function_name = target.split(":")
    try:
        module = importlib.import_module(module_name)
        return target, getattr(module, function_name)
    except (ImportError, AttributeError):
        raise CommandError(f"{source}: this Regiobot cannot import {kind} sources") from None


def import_sources(session: Session, sources: list[str], *,
                   options: dict | None = None) -> list[ImportReport]:
    """Import every source within the caller's transaction. `options` (force,
    overwrite_slack_changes, stage) go to the importers that take them."""
    now = clock.utcnow()
    reports = []
    for source in sources:
        name, importer = _importer_for(source)
        target = source if source.startswith(("http://", "https://")) else Path(source)
        accepted = inspect.signature(importer).parameters
        extra = {k: v for k, v in (options or {}).items() if k in accepted}
        reports.append(
            importer(session, [target] if name in TAKES_A_LIST else target, now=now, **extra)
        )
    return reports


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def _progress(enabled: bool):
    """A rich progress display of the import stages on a terminal, else nothing.

    Redrawn at each stage rather than by rich's refresh thread: with no other thread
    running, the iJw reader may read half of a large folder in a forked process
    (`storage.declarations.ijw_xml.read_ijw`)."""
    if not enabled:
        return nullcontext(None)
    from rich.progress import Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), TimeElapsedColumn(), auto_refresh=False,
                    transient=True, console=_console())


def _console():
    from rich.console import Console

    return Console(file=sys.stderr)


def _print_summary(report: ImportReport) -> None:
    rows = getattr(report, "summary", None)
    if not rows:
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"read from {report.source}", title_justify="left")
    table.add_column("programme")
    for heading in ("roles", "partners", "budget lines", "projects", "milestones"):
        table.add_column(heading, justify="right")
    for row in rows:
        table.add_row(row.name, str(row.roles), str(row.partners), str(row.budget_lines),
                      str(row.projects), str(row.milestones))
    table.add_row("total", *(str(sum(getattr(r, k) for r in rows))
                             for k in ("roles", "partners", "budget_lines", "projects",
                                       "milestones")), style="bold")
    Console(width=120).print(table)


def run_import(args: argparse.Namespace) -> int:
    from storage.db import transaction
    from storage.importers import ImportRefused
    from storage.migrate import upgrade

    url = get_settings().database_url
    upgrade(url)
    factory = open_store(url)
    dry_run = getattr(args, "dry_run", False)
    options = {
        "force": getattr(args, "force", False),
        "overwrite_slack_changes": getattr(args, "overwrite_slack_changes", False),
    }
    reports: list[ImportReport] = []
    with _progress(sys.stderr.isatty()) as progress:
        if progress is not None:
            task = progress.add_task("importing", total=None)
            options["stage"] = lambda stage: progress.update(task, description=stage, refresh=True)
        try:
            with transaction(factory) as session:
                reports = import_sources(session, args.sources, options=options)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        except ImportRefused as refused:
            print("nothing imported:", file=sys.stderr)
            for problem in refused.problems:
                print(f"  {problem}", file=sys.stderr)
            return 1
    if dry_run:
        print("dry run: nothing was changed; this import would do:")
    for report in reports:
        lines = report.lines(details=True) if dry_run and hasattr(report, "details") \
            else report.lines()
        print("\n".join(lines))
        _print_summary(report)
    return 0


def run_export(args: argparse.Namespace) -> int:
    from storage.importers.yaml_store import dump_store
    from storage.migrate import upgrade

    url = get_settings().database_url
    upgrade(url)
    with open_store(url)() as session:
        text = dump_store(session)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


DEMO_DECLARATION_MESSAGES = 300


def prepare_store(url: str) -> list[ImportReport]:
    """Migrate, and when the store holds no region yet load the bundled programme and a
    small year of generated iJw traffic, so every command has something to show."""
    from commands.declaraties import region_deadline
    from storage.db import transaction
    from storage.declarations import obligations
    from storage.declarations.demo import write_demo_declarations
    from storage.declarations.importing import import_declarations
    from storage.migrate import upgrade
    from storage.queries import store_is_empty

    upgrade(url)
    factory = open_store(url)
    with transaction(factory) as session:
        if not store_is_empty(session):
            return []
        reports = import_sources(session, [str(BUNDLED_PROGRAMME)])
        with tempfile.TemporaryDirectory(prefix="regiobot-demo-") as folder:
            demo = write_demo_declarations(
                Path(folder), messages=DEMO_DECLARATION_MESSAGES, seed=2020
            )
            reports.append(
                import_declarations(
                    session, [demo / "xml", demo / "aanbieders.csv"], now=clock.utcnow()
                )
            )
        # Derived here, not left to the clock: a newcomer's first question would wait.
        obligations.refresh(session, **region_deadline(get_settings()))
        return reports


def run_start(args: argparse.Namespace) -> int:
    from storage.importers import ImportRefused

    settings = get_settings()
    try:
        reports = prepare_store(settings.database_url)
    except ImportRefused as refused:
        raise CommandError(f"the bundled programme did not import:\n{refused}") from None
    for report in reports:
        print("\n".join(report.lines()[:1]))
    if args.no_run:
        return 0
    from regiobot_cli.run import run_everything

    return run_everything(settings, open_store(settings.database_url))
