"""`regiobot declarations report|findings|import` and `regiobot demo-data declarations`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

from regiobot import clock
from regiobot.settings import get_settings
from storage.db import transaction
from storage.importers import ImportRefused

from .common import CommandError, open_store

if TYPE_CHECKING:
    from storage.declarations import rules


def register(subparsers) -> None:
    """Add this area's subcommands to the `regiobot` parser."""
    parser = subparsers.add_parser(
        "declarations", help="iJw declarations: timeliness KPIs, findings, import"
    )
    area = parser.add_subparsers(dest="declarations_command", required=True, metavar="ACTION")

    report = area.add_parser("report", help="KPIs per provider per month and for the region")
    report.add_argument("--month", help="only this month (YYYY-MM), by due date")
    report.add_argument("--provider", help="only this provider (name or AGB code)")
    report.add_argument("--json", action="store_true", help="machine-readable (docs/declarations.md)")
    report.set_defaults(func=run_report)

    findings = area.add_parser("findings", help="broken rules: late and missing messages")
    findings.add_argument("--provider", help="only this provider (name or AGB code)")
    findings.add_argument("--rule", help="only this rule (e.g. OP271)")
    findings.add_argument("--json", action="store_true", help="machine-readable (docs/declarations.md)")
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
    from storage.declarations import store

    if not text:
        return None
    provider = store.find_provider(session, text=text)
    if provider is None:
        raise CommandError(f"no provider matches {text!r}; known: {', '.join(store.provider_names(session))}")
    return provider.agb_code


def _rule(text: str | None) -> str | None:
    """The rule `--rule` names, as the findings spell it (any case)."""
    from storage.declarations import rules

    if not text:
        return None
    known = {name.lower(): name for name in rules.RULES}
    if text.lower() not in known:
        raise CommandError(f"no rule {text!r}; known: {', '.join(rules.RULES)}")
    return known[text.lower()]


def _region_deadline() -> dict:
    from commands.declaraties import region_deadline  # the Slack command's settings, lazily

    return region_deadline(get_settings())


def _pct(on_time: int, total: int) -> str:
    return f"{100 * on_time / total:5.1f}% {on_time:>5}/{total:<5}" if total else f"{'—':>6} {'':>11}"


def format_table(rows: list[rules.KpiRow], names: dict[str, str], *, lang: str = "en") -> list[str]:
    from commands.declaraties import table_words  # the bot's words, lazily
    from storage.declarations import rules

    words = table_words(lang)
    header = f"{words['month']:<8} {words['provider']:<24} " + " ".join(
        f"{words['on_time'].format(kpi=k):<18}" for k in rules.KPIS
    ) + f" {words['rejected']:<18}"
    out = [header, "-" * len(header)]
    for r in rows:
        name = words["region"] if r.provider_agb is None else names.get(r.provider_agb, r.provider_agb)
        cells = " ".join(f"{_pct(*r.counts[k]):<18}" for k in rules.KPIS)
        out.append(f"{r.month:<8} {name[:24]:<24} {cells} {_pct(r.rejected, r.lines):<18}")
    return out


def run_report(args) -> int:
    from storage.declarations import obligations, store

    month = _month(args.month)
    today = clock.today()
    factory = open_store()
    with factory() as session:
        agb = _provider(session, args.provider)
        names = store.providers(session)
        obligations.refresh(session, **_region_deadline())
        session.commit()
        result = obligations.evaluate(
            session, today=today, provider_agb=agb, month=month,
            **_region_deadline(),
        )
        per, region = result.per, result.region
    rows = sorted(per, key=lambda r: (r.month, names.get(r.provider_agb, r.provider_agb).lower()))
    if args.json:
        _print_json({
            "as_of": today.isoformat(),
            "month": month,
            "provider": _provider_json(agb, names) if agb else None,
            "deadline": _region_deadline(),
            "rows": [_row_json(r, names) for r in rows],
            "region": [] if agb else [_row_json(r, names) for r in region],
        })
        return 0
    from commands.declaraties import table_words

    lang = get_settings().regiobot_lang
    words = table_words(lang)
    print(words["title_month" if month else "title"].format(day=today.isoformat(), month=month))
    print(words["counted"])
    if agb is None:
        by_month: dict[str, list[rules.KpiRow]] = {}
        for r in rows:
            by_month.setdefault(r.month, []).append(r)
        rows = []
        for r in region:
            rows.extend(by_month.get(r.month, []))
            rows.append(r)
    for line in format_table(rows, names, lang=lang):
        print(line)
    if not rows:
        print(words["nothing"])
    return 0


def run_findings(args) -> int:
    from storage.declarations import obligations, rules, store

    today = clock.today()
    rule = _rule(args.rule)
    factory = open_store()
    with factory() as session:
        agb = _provider(session, args.provider)
        names = store.providers(session)
        obligations.refresh(session, **_region_deadline())
        session.commit()
        found = obligations.findings(session, today=today, provider_agb=agb)
    if rule:
        found = [f for f in found if f.rule == rule]
    if args.json:
        _print_json({
            "as_of": today.isoformat(),
            "provider": _provider_json(agb, names) if agb else None,
            "rule": rule,
            "deadline": _region_deadline(),
            "findings": [_finding_json(f, names) for f in found],
        })
        return 0
    from commands.i18n import counted  # the bot's counts; this text is in English

    print(f"{counted('count.findings', len(found), 'en')} as of {today.isoformat()}")
    for f in found:
        state = "missing" if f.missing else f"sent {f.done.isoformat()}"
        how = (f"{counted('count.working_days', f.working_days_late, 'en')} / "
               f"{counted('count.days', f.days_late, 'en')}"
               + (" before its Begindatum" if f.rule in rules.CHECKS else " late"))
        print(
            f"{f.rule:<13} {names.get(f.provider_agb, f.provider_agb)[:24]:<24} gemeente {f.municipality_code} "
            f"{f.kind} {f.subject:<12} due {f.due.isoformat()} {state}: {how}"
        )
    return 0


# --- JSON: stable keys, documented in docs/declarations.md ------------------------------


def _print_json(document: dict) -> None:
    print(json.dumps(document, ensure_ascii=False, indent=2))


def _provider_json(agb: str, names: dict[str, str]) -> dict:
    return {"agb_code": agb, "name": names.get(agb, agb)}


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100 * part / whole, 2)


def _row_json(r: rules.KpiRow, names: dict[str, str]) -> dict:
    from storage.declarations import rules

    return {
        "month": r.month,
        "provider": None if r.provider_agb is None else _provider_json(r.provider_agb, names),
        "kpis": {
            k: {"on_time": r.counts[k][0], "counted": r.counts[k][1],
                "percentage": _share(r.counts[k][0], r.counts[k][1])}
            for k in rules.KPIS
        },
        "lines": {"declared": r.lines, "rejected": r.rejected,
                  "percentage_rejected": _share(r.rejected, r.lines)},
    }


def _finding_json(f: rules.Finding, names: dict[str, str]) -> dict:
    from storage.declarations import rules

    return {
        "rule": f.rule,
        "description": f.description,
        "provider": _provider_json(f.provider_agb, names),
        "municipality_code": f.municipality_code,
        "kind": f.kind,
        "subject": f.subject,
        "due": f.due.isoformat(),
        "done": f.done.isoformat() if f.done else None,
        "missing": f.missing,
        "working_days": f.working_days_late,
        "days": f.days_late,
        "early": f.rule in rules.CHECKS,
        "note": f.note,
    }


def run_import(args) -> int:
    from storage.declarations.importing import import_declarations

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
    from storage.declarations.demo import write_demo

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
