"""`regiobot declarations report|findings|import` and `regiobot demo-data declarations`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from regiobot import clock
from regiobot.settings import get_settings

from .common import CommandError, open_store

if TYPE_CHECKING:
    from storage import declaration_rules as rules


def register(subparsers) -> None:
    """Add this area's subcommands to the `regiobot` parser."""
    parser = subparsers.add_parser(
        "declarations", help="iJw declarations: timeliness KPIs, findings, import"
    )
    area = parser.add_subparsers(dest="declarations_command", required=True, metavar="ACTION")

    report = area.add_parser("report", help="KPIs per provider per month and for the region")
    report.add_argument("--month", help="only this month (YYYY-MM), by due date")
    report.add_argument("--provider", help="only this provider (name or AGB code)")
    report.set_defaults(func=run_report)

    findings = area.add_parser("findings", help="broken rules: late and missing messages")
    findings.add_argument("--provider", help="only this provider (name or AGB code)")
    findings.add_argument("--rule", help="only this rule (e.g. OP271)")
    findings.set_defaults(func=run_findings)

    importer = area.add_parser("import", help="import iJw XML messages and CSV exports")
    importer.add_argument("paths", nargs="+", type=Path, help="*.xml, *.csv or folders")
    importer.set_defaults(func=run_import)

    demo = subparsers.add_parser("demo-data", help="write demo data")
    kinds = demo.add_subparsers(dest="demo_kind", required=True, metavar="KIND")
    declarations = kinds.add_parser(
        "declarations", help="a year (2020) of iJw traffic as XML and as the CSV export"
    )
    declarations.add_argument("--messages", type=int, default=500, help="about this many messages")
    declarations.add_argument("--out", type=Path, required=True, help="folder to write to")
    declarations.add_argument("--seed", type=int, default=2020, help="same seed, same data")
    declarations.add_argument("--year", type=int, default=2020)
    declarations.add_argument(
        "--format", default="xml,csv", help="xml, csv or xml,csv (CSV is the fast path for large N)"
    )
    declarations.set_defaults(func=run_demo)


def _month(value: str | None) -> str | None:
    if value is None:
        return None
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise CommandError(f"--month must look like 2020-03, not {value!r}")
    return value


def _provider(session, text: str | None) -> str | None:
    from storage import declarations as store

    if not text:
        return None
    provider = store.find_provider(session, text=text)
    if provider is None:
        raise CommandError(f"no provider matches {text!r}; known: {', '.join(store.provider_names(session))}")
    return provider.agb_code


def _pct(on_time: int, total: int) -> str:
    return f"{100 * on_time / total:5.1f}% {on_time:>5}/{total:<5}" if total else f"{'—':>6} {'':>11}"


def format_table(rows: list[rules.KpiRow], names: dict[str, str]) -> list[str]:
    from storage import declaration_rules as rules

    header = f"{'month':<8} {'provider':<24} " + " ".join(
        f"{'% ' + k + ' on time':<18}" for k in rules.KPIS
    ) + f" {'% lines rejected':<18}"
    out = [header, "-" * len(header)]
    for r in rows:
        name = "REGION" if r.provider_agb is None else names.get(r.provider_agb, r.provider_agb)
        cells = " ".join(f"{_pct(*r.counts[k]):<18}" for k in rules.KPIS)
        out.append(f"{r.month:<8} {name[:24]:<24} {cells} {_pct(r.rejected, r.lines):<18}")
    return out


def run_report(args) -> int:
    from storage import declaration_rules as rules
    from storage import declarations as store

    month = _month(args.month)
    today = clock.today()
    factory = open_store()
    with factory() as session:
        agb = _provider(session, args.provider)
        names = store.providers(session)
        result = rules.evaluate(
            session, today=today, provider_agb=agb, month=month,
            deadline_months=get_settings().regiobot_declaration_deadline_months,
        )
        per, region = result.per, result.region
    print(f"Declarations KPIs as of {today.isoformat()}" + (f", month {month}" if month else ""))
    print("Counted by the month of the deadline; rejected lines by the month declared.")
    rows = sorted(per, key=lambda r: (r.month, names.get(r.provider_agb, r.provider_agb).lower()))
    if agb is None:
        by_month: dict[str, list[rules.KpiRow]] = {}
        for r in rows:
            by_month.setdefault(r.month, []).append(r)
        rows = []
        for r in region:
            rows.extend(by_month.get(r.month, []))
            rows.append(r)
    for line in format_table(rows, names):
        print(line)
    if not rows:
        print("(nothing to report)")
    return 0


def run_findings(args) -> int:
    from storage import declaration_rules as rules
    from storage import declarations as store

    today = clock.today()
    factory = open_store()
    with factory() as session:
        agb = _provider(session, args.provider)
        names = store.providers(session)
        found = rules.evaluate(
            session, today=today, provider_agb=agb, keep_findings=True,
            deadline_months=get_settings().regiobot_declaration_deadline_months,
        ).findings
    if args.rule:
        found = [f for f in found if f.rule.lower() == args.rule.lower()]
    print(f"{len(found)} findings as of {today.isoformat()}")
    for f in found:
        state = "missing" if f.missing else f"sent {f.done.isoformat()}"
        print(
            f"{f.rule:<13} {names.get(f.provider_agb, f.provider_agb)[:24]:<24} gemeente {f.municipality_code} "
            f"{f.kind} {f.subject:<12} due {f.due.isoformat()} {state}: "
            f"{f.working_days_late} working days / {f.days_late} days late"
        )
    return 0


def run_import(args) -> int:
    from storage.db import transaction
    from storage.importers import ImportRefused
    from storage.importers.ijw import import_declarations

    factory = open_store()
    try:
        with transaction(factory) as session:
            report = import_declarations(session, list(args.paths), now=clock.utcnow())
    except ImportRefused as refused:
        raise CommandError("import refused, nothing imported:\n" + str(refused)) from None
    for line in report.lines():
        print(line)
    return 0


def run_demo(args) -> int:
    from storage.declarations_demo import write_demo

    formats = {part.strip().lower() for part in args.format.split(",") if part.strip()}
    if not formats or formats - {"xml", "csv"}:
        raise CommandError("--format takes xml, csv or xml,csv")
    if args.messages < 1:
        raise CommandError("--messages must be at least 1")
    truth = write_demo(
        args.out,
        messages=args.messages,
        seed=args.seed,
        year=args.year,
        xml="xml" in formats,
        csv_export="csv" in formats,
    )
    kinds = ", ".join(f"{n}× {t}" for t, n in sorted(truth.by_type.items()))
    print(f"{truth.messages} messages written to {args.out} ({kinds})")
    return 0
