"""`regiobot migrate | import | export | start`: the store and getting started."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from regiobot import clock
from regiobot.settings import get_settings

from .common import CommandError, open_store

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from storage.importers import ImportReport

log = logging.getLogger(__name__)

BUNDLED_PROGRAMME = Path(__file__).resolve().parents[2] / "storage" / "data" / (
    "midden-holland-programma-sociaal-domein-2020.txt"
)

# Which importer reads which source, as "module:function"; each takes (session, source,
# *, now) and returns an ImportReport — the iJw importer takes a list of paths. Loaded
# lazily so that a missing area fails with a clear message rather than at start-up.
IMPORTERS: dict[str, str] = {
    ".txt": "storage.importers.programme_document:import_programme_document",
    ".yaml": "storage.importers.yaml_store:import_store_yaml",
    ".yml": "storage.importers.yaml_store:import_store_yaml",
    ".ics": "calendars.ics_import:import_meetings_ics",
    "url": "calendars.ics_import:import_meetings_ics",
    ".xml": "storage.importers.ijw:import_declarations",
    ".csv": "storage.importers.ijw:import_declarations",
    "dir": "storage.importers.ijw:import_declarations",
}
TAKES_A_LIST = {"storage.importers.ijw:import_declarations"}


def register(subparsers) -> None:
    migrate = subparsers.add_parser("migrate", help="bring the store's schema up to date")
    migrate.set_defaults(func=run_migrate)

    import_ = subparsers.add_parser(
        "import",
        help="import sources into the store, all or nothing",
        description=(
            "Import a programme document (.txt), a store export (.yaml), meetings (.ics or "
            "an https URL), or iJw messages (.xml, a folder of them, or .csv). All sources "
            "of one call are imported in one transaction: one bad line and nothing changes."
        ),
    )
    import_.add_argument("sources", nargs="+", metavar="PATH_OR_URL")
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


def import_sources(session: Session, sources: list[str]) -> list[ImportReport]:
    """Import every source within the caller's transaction."""
    now = clock.utcnow()
    reports = []
    for source in sources:
        name, importer = _importer_for(source)
        target = source if source.startswith(("http://", "https://")) else Path(source)
        reports.append(importer(session, [target] if name in TAKES_A_LIST else target, now=now))
    return reports


def run_import(args: argparse.Namespace) -> int:
    from storage.db import transaction
    from storage.importers import ImportRefused
    from storage.migrate import upgrade

    url = get_settings().database_url
    upgrade(url)
    factory = open_store(url)
    try:
        with transaction(factory) as session:
            reports = import_sources(session, args.sources)
    except ImportRefused as refused:
        print("nothing imported:", file=sys.stderr)
        for problem in refused.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    for report in reports:
        print("\n".join(report.lines()))
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
    from storage.db import transaction
    from storage.declarations_demo import write_demo_declarations
    from storage.importers.ijw import import_declarations
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
    from regiobot.run import run_everything

    return run_everything(settings, open_store(settings.database_url))
