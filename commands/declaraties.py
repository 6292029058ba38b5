"""`/regio declaraties [aanbieder] [maand]` and the weekly declarations digest (issue 5).

What contract managers need: per care provider, how timely its start/stop messages and
declarations are (the 0-meting percentages of "Inzicht in kosten") and which rules it
broke. Nothing here is about clients: the store holds no client data. Assignment numbers
(ToewijzingNummer) are shown only to authorised users — contract managers
(REGIOBOT_CONTRACT_MANAGERS) and admins — and only in answers that stay ephemeral.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy.orm import Session

from commands.core import Attachment, Context, Declined, Header, Note, Reply, Text, subcommand
from commands.i18n import counted, escape, t
from commands.parsing import parse_month
from regiobot.settings import Settings, get_settings
from storage.declarations import obligations, rules, store

MAX_FINDINGS = 40


def on_time_series(per: list[rules.KpiRow]) -> dict[str, list[tuple[str, float]]]:
    """Per provider, (month, % of its 305, 307, 315 and 325 obligations on time) for each
    month in which any was counted, in month order."""
    series: dict[str, list[tuple[str, float]]] = {}
    for row in sorted(per, key=lambda r: r.month):
        on_time = sum(row.counts[k][0] for k in rules.KPIS)
        counted = sum(row.counts[k][1] for k in rules.KPIS)
        if counted and row.provider_agb is not None:
            series.setdefault(row.provider_agb, []).append((row.month, 100.0 * on_time / counted))
    return series


def chart_png(series: dict[str, list[tuple[str, float]]], names: dict[str, str], *, today: date,
              lang: str) -> bytes:
    """A line chart of `on_time_series` as PNG bytes: one line per provider over the
    months, for the overlegtafel. Deterministic for the same data (no timestamps)."""
    import io

    import matplotlib  # only where a chart is drawn: it takes a while to import

    matplotlib.use("Agg")
    from matplotlib import pyplot

    months = sorted({month for points in series.values() for month, _ in points})
    figure, axes = pyplot.subplots(figsize=(9, 4.8), dpi=100)
    try:
        for agb in sorted(series, key=lambda a: names.get(a, a).lower()):
            points = series[agb]
            axes.plot([months.index(m) for m, _ in points], [p for _, p in points], marker="o",
                      linewidth=1.5, markersize=3, label=names.get(agb, agb))
        axes.set_xticks(range(len(months)), months, rotation=45, ha="right", fontsize=8)
        axes.set_ylim(0, 100)
        axes.set_ylabel(t("declaraties.chart.axis", lang))
        axes.set_xlabel(t("declaraties.chart.month", lang))
        axes.set_title(t("declaraties.chart.title", lang, today=today.isoformat()), fontsize=10)
        axes.grid(True, alpha=0.3)
        if series:
            axes.legend(fontsize=7, ncol=2, loc="lower left")
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", metadata={"Software": None})
        return buffer.getvalue()
    finally:
        pyplot.close(figure)


def chart(per: list[rules.KpiRow], names: dict[str, str], *, today: date, lang: str) -> Attachment | None:
    """The chart of these KPI rows as an attachment (drawn only when shown), or None if
    nothing was counted."""
    series = on_time_series(per)
    if not series:
        return None
    return Attachment(
        filename=f"declaraties-op-tijd-{today.isoformat()}.png",
        title=t("declaraties.chart.file", lang),
        render=lambda: chart_png(series, names, today=today, lang=lang),
    )


def table_words(lang: str) -> dict[str, str]:
    """The title and headers of the KPI table in the CLI, in the bot's language
    ("on_time" keeps a `{kpi}` placeholder, the titles `{day}` and `{month}`)."""
    return {
        key: t(f"declaraties.table.{key}", lang, kpi="{kpi}", day="{day}", month="{month}")
        for key in ("title", "title_month", "counted", "nothing", "month", "provider", "on_time",
                    "rejected", "region")
    }


RULES_NL = {
    "OP271": "305 binnen 5 werkdagen na start zorg",
    "START_NO_305": "startdatum verstreken, geen 305",
    "OP272": "307 binnen 5 werkdagen na einde zorg",
    "OP288": "gestarte levering niet afgesloten met een 307",
    "END_NO_307": "einddatum verstreken, geen 305 of 307",
    "OP274": "301 of 319 binnen 5 werkdagen na een 315 (8 weken na 'in onderzoek')",
    "OP090x4": "325 binnen 10 werkdagen na een 323",
    "REGIONAL_323": "maand gedeclareerd (323) binnen de regionale termijn",
    "START_REPORTED_EARLY": "305 verstuurd vóór de begindatum van de zorg",
}


def region_deadline(settings: Settings) -> dict:
    """The region's settings for the regional 323 deadline, as `rules.evaluate` takes
    them: how many months after the declared month, and whether a deadline on a weekend
    or holiday moves to the next working day."""
    return {
        "deadline_months": settings.regiobot_declaration_deadline_months,
        "deadline_moved": settings.regiobot_declaration_deadline_moved,
    }


def rule_text(rule: str, lang: str) -> str:
    if lang == "nl":
        return RULES_NL.get(rule, rule)
    return rules.RULES.get(rule, rule)



class PrivateReply(Reply):
    """A reply that stays ephemeral even when the asker adds "deel": it holds
    assignment-level detail meant only for the authorised asker."""

    def __setattr__(self, name, value):
        if name == "ephemeral":
            value = True
        super().__setattr__(name, value)


def authorised(ctx: Context) -> bool:
    """Contract managers and admins may see assignment numbers."""
    if ctx.user_id is None:
        return False
    return ctx.is_admin or ctx.user_id in set(ctx.settings.regiobot_contract_managers)


def _pct(on_time: int, total: int) -> str:
    return "—" if total == 0 else f"{round(100 * on_time / total)}%"


def kpi_text(row: rules.KpiRow, lang: str) -> str:
    """"305 80% (8/10) · 307 … · 315 … · 325 … · afgewezen 4%" — counts and percentages."""
    parts = []
    for kpi in rules.KPIS:
        on_time, total = row.counts[kpi]
        parts.append(f"{kpi} {_pct(on_time, total)} ({on_time}/{total})")
    parts.append(f"{t('declaraties.rejected', lang)} {_pct(row.rejected, row.lines)} ({row.rejected}/{row.lines})")
    return " · ".join(parts)


_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_args(text: str, *, today: date) -> tuple[str, str | None]:
    """(provider text, "YYYY-MM" or None): a month is `2020-03`, `maart` or `maart 2020`;
    the other words name the provider."""
    words = text.split()
    month: str | None = None
    rest: list[str] = []
    n = 0
    while n < len(words):
        word = words[n]
        match = _MONTH.match(word)
        if match and 1 <= int(match[2]) <= 12:
            month = f"{int(match[1]):04d}-{int(match[2]):02d}"
        elif parse_month(word) and len(word) >= 3:
            number = parse_month(word)
            year = today.year
            if n + 1 < len(words) and re.fullmatch(r"\d{4}", words[n + 1]):
                year = int(words[n + 1])
                n += 1
            month = f"{year:04d}-{number:02d}"
        else:
            rest.append(word)
        n += 1
    return " ".join(rest), month


# What `rules` notes on an obligation, as a finding's line says it.
FINDING_NOTES = {
    "in onderzoek": "declaraties.note.investigating",
    "final answer after in onderzoek": "declaraties.note.final",
    "retroactive": "declaraties.note.retroactive",
}


def _finding_line(f: rules.Finding, lang: str) -> str:
    label = {"assignment": "toewijzing", "request": "verzoek", "declaration": "declaratie", "period": "maand"}
    subject = f"{label.get(f.kind, f.kind)} {escape(f.subject)} (gemeente {f.municipality_code})"
    if f.note in FINDING_NOTES:
        # A request answered "in onderzoek" late has two OP274 findings: say which is which.
        subject += f", {t(FINDING_NOTES[f.note], lang)}"
    days = counted("count.days", f.days_late, lang)
    if f.rule in rules.CHECKS:
        due = t("declaraties.early.due", lang, due=f.due.isoformat())
        return f"`{f.rule}` {subject}: {due}, {t('declaraties.early', lang, days=days)}"
    working_days = counted("count.working_days", f.working_days_late, lang)
    when = (
        t("declaraties.missing", lang, wd=working_days)
        if f.missing
        else t("declaraties.late", lang, wd=working_days, days=days)
    )
    return f"`{f.rule}` {subject}: {t('declaraties.due', lang, due=f.due.isoformat())}, {when}"


@subcommand("declaraties", "declaratie", "declarations")
def declaraties(args: str, ctx: Context) -> Reply:
    """`/regio declaraties [aanbieder] [maand]` — tijdigheid van start-, stop- en declaratieberichten (iJw) per aanbieder.

    Zonder aanbieder: alle aanbieders met hun percentages op tijd (305, 307, antwoord op
    315, 325) en het percentage afgewezen declaratieregels. Met een aanbieder ook de
    openstaande bevindingen (OP271, OP272, OP288, OP274, OP090x4, regionale
    declaratietermijn); toewijzingnummers alleen voor contractmanagers.
    Voorbeelden: `/regio declaraties`, `/regio declaraties Enver maart 2020`,
    `/regio declaraties 2020-03`.
    """
    try:
        return _answer(args, ctx)
    except store.StoreBusy:
        # Messages not derived yet, and an import (or a long derivation) holding the
        # store past the wait: no answer without them; the person asks again.
        raise Declined(Reply.error(t("declaraties.busy", ctx.lang))) from None


def _answer(args: str, ctx: Context) -> Reply:
    lang = ctx.lang
    today = ctx.today
    provider_text, month = parse_args(args, today=today)
    names = store.providers(ctx.session)
    if not names:
        return Reply(summary=t("declaraties.none", lang), parts=[Text(t("declaraties.none", lang))])
    period = (
        t("declaraties.period.month", lang, month=month, today=today.isoformat())
        if month
        else t("declaraties.period.all", lang, today=today.isoformat())
    )
    if not provider_text.strip():
        result = obligations.evaluate(ctx.session, today=today, month=month,
                                     **region_deadline(ctx.settings))
        open_by_provider = {agb: n for agb, (n, _new) in result.finding_counts.items()}
        totals = rules.provider_summary(result.per)
        region_total = rules.provider_summary(result.region).get(None, rules.KpiRow(None, "*"))
        lines = [
            f"*{escape(names.get(agb, agb))}*: {kpi_text(row, lang)} · "
            f"{t('declaraties.findings.open', lang, n=open_by_provider.get(agb, 0))}"
            for agb, row in sorted(totals.items(), key=lambda kv: names.get(kv[0], kv[0]).lower())
        ]
        lines.append(f"*{t('declaraties.region', lang)}*: {kpi_text(region_total, lang)}")
        title = t("declaraties.title", lang)
        picture = chart(result.per, names, today=today, lang=lang)
        return Reply(
            summary=f"{title} ({period})",
            parts=[Header(title), Note(period), Text("\n".join(lines)), Note(t("declaraties.legend", lang))],
            files=[picture] if picture else [],
        )

    provider = store.find_provider(ctx.session, text=provider_text)
    if provider is None:
        message = t("declaraties.unknown", lang, text=escape(provider_text))
        return Reply.error(message, hint=t("declaraties.unknown.hint", lang, names=", ".join(sorted(names.values()))))
    result = obligations.evaluate(ctx.session, today=today, provider_agb=provider.agb_code,
                                  month=month, **region_deadline(ctx.settings))
    row = rules.provider_summary(result.per).get(provider.agb_code, rules.KpiRow(provider.agb_code, "*"))
    found = obligations.finding_summary(ctx.session, today=today, provider_agb=provider.agb_code,
                                        month=month, first=MAX_FINDINGS)
    title = t("declaraties.title.provider", lang, name=provider.name)
    parts: list = [Header(title), Note(f"AGB {provider.agb_code} · {period}"), Text(kpi_text(row, lang))]
    if not found.total and not any(total for _, total in row.counts.values()) and not row.lines:
        # Nothing was due (or declared) then: say so, not "everything on time".
        nothing = (t("declaraties.nothing", lang, month=month, name=escape(provider.name)) if month
                   else t("declaraties.nothing.ever", lang, name=escape(provider.name)))
        return Reply(summary=nothing, parts=[Header(title), Note(f"AGB {provider.agb_code} · {period}"),
                                             Text(nothing)])
    if not found.total:
        parts.append(Text(t("declaraties.findings.none", lang)))
        return Reply(summary=f"{title}: {kpi_text(row, lang)}", parts=parts)
    parts.append(Text(t("declaraties.findings", lang, n=found.total)))
    if authorised(ctx):
        shown = [_finding_line(f, lang) for f in found.first]
        if found.total > MAX_FINDINGS:
            shown.append(t("declaraties.findings.more", lang, n=found.total - MAX_FINDINGS))
        parts.append(Text("\n".join(shown)))
        parts.append(Note(t("declaraties.legend", lang)))
        return PrivateReply(summary=f"{title}: {found.total}", parts=parts)
    counts = found.by_rule
    parts.append(
        Text(
            "\n".join(
                t("declaraties.findings.counts", lang, n=n, rule=rule, what=rule_text(rule, lang))
                for rule, n in sorted(counts.items())
            )
        )
    )
    parts.append(Note(t("declaraties.findings.restricted", lang)))
    return Reply(summary=f"{title}: {found.total}", parts=parts)


def weekly_digest(source: Context | Session, *, week_ending: date, lang: str = "nl") -> Reply:
    """The weekly digest for channels following `declaraties`: one line per provider with
    its open findings (late or missing messages), how many are new this week, and its
    percentages on time this year. No ToewijzingNummer, nothing about clients.

    `week_ending` is the last day the digest covers (its "today").
    """
    session = source.session if isinstance(source, Context) else source
    # The scheduler gives a session: it runs with the process's settings.
    settings = source.settings if isinstance(source, Context) else get_settings()
    if isinstance(source, Context):
        lang = source.lang
    names = store.providers(session)
    # Grouped queries over the obligations kept in the store: counts and KPI rows.
    result = obligations.evaluate(session, today=week_ending, **region_deadline(settings))
    counts = result.finding_counts
    open_count = {agb: n for agb, (n, _new) in counts.items() if n}
    new_count = {agb: new for agb, (_n, new) in counts.items()}
    # KPIs of this year: rows are months of the due date (and of the declared month).
    per = [r for r in result.per if r.month.startswith(f"{week_ending.year:04d}-")]
    region = [r for r in result.region if r.month.startswith(f"{week_ending.year:04d}-")]
    totals = rules.provider_summary(per)
    providers = sorted(set(totals) | set(open_count), key=lambda agb: names.get(agb, agb).lower())
    lines = [
        t(
            "declaraties.digest.line",
            lang,
            name=escape(names.get(agb, agb)),
            open=open_count.get(agb, 0),
            new=new_count.get(agb, 0),
            kpis=kpi_text(totals.get(agb, rules.KpiRow(agb, "*")), lang),
        )
        for agb in providers
    ]
    region_row = rules.provider_summary(region).get(None, rules.KpiRow(None, "*"))
    lines.append(f"*{t('declaraties.region', lang)}*: {kpi_text(region_row, lang)}")
    title = t("declaraties.digest.title", lang, day=week_ending.isoformat())
    summary = t("declaraties.digest.summary", lang, open=sum(open_count.values()), providers=len(open_count))
    parts = [
        Header(title),
        Note(t("declaraties.period.year", lang, year=week_ending.year, today=week_ending.isoformat())),
        Text("\n".join(lines)),
        Note(t("declaraties.legend", lang)),
    ]
    picture = chart(per, names, today=week_ending, lang=lang)
    # Channel posts: not ephemeral.
    return Reply(summary=summary, parts=parts, ephemeral=False, files=[picture] if picture else [])


__all__ = ["PrivateReply", "authorised", "declaraties", "kpi_text", "parse_args", "weekly_digest"]
