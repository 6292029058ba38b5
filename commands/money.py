"""`/regio budget [programma]` and `/regio verdeel <bedrag | programma>`."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from commands.core import Context, Declined, Header, Note, Reply, Text, subcommand
from commands.helpers import find_one, plan_year, programme_label, region_id, usage_error
from commands.i18n import escape, format_money, t
from commands.parsing import fold, parse_amount
from storage import queries
from storage.models import BudgetLine
from storage.verdeelsleutel import percentage_of, split_by_inhabitants


def _line(line: BudgetLine, lang: str, *, with_year: bool = False) -> str:
    """The line as written, with the parsed amount beside it when it adds something."""
    if line.text.strip() == line.label.strip() or line.text.startswith(line.label):
        # A line that is only its label ("Bestaande budgetten regionale gemeenten").
        text = f"*{escape(line.text)}*"
    else:
        text = f"*{escape(line.label)}*: {escape(line.text)}"
    if line.amount is not None:
        text += f" → {format_money(line.amount, lang)}"
    if with_year:
        # "150.000 per jaar" stands for 2020 and for 2021: say which line is which.
        text += f" ({line.year})"
    if line.note and line.note not in line.text:
        text += f" _({escape(line.note)})_"
    return text


def _totals(lines: list[BudgetLine]) -> dict[int, Decimal]:
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        if line.amount is not None:
            totals[line.year] += line.amount
    return dict(sorted(totals.items()))


@subcommand("budget", "begroting", "financien", "financiën", "kosten")
def budget(args: str, ctx: Context) -> Reply:
    """`/regio budget [programma]` — begrotingsregels zoals geschreven, bedragen en totalen per jaar.

    Voorbeelden: `/regio budget`, `/regio budget jeugdigen beschermen`, `/regio budget JBJR`.
    """
    lang = ctx.lang
    rid = region_id(ctx)
    if rid is None:
        return Reply.error(t("no_data", lang))
    if args.strip():
        found = find_one(ctx, args, ("programme",), "programme")
        programme = found.obj
        lines = queries.find_budget_lines(ctx.session, programme_id=programme.id)
        parts: list = [Header(t("budget.title", lang, name=programme_label(programme)))]
        if not lines:
            parts.append(Text(t("budget.none", lang)))
            return Reply(summary=parts[0].text, parts=parts)
        years = len({line.year for line in lines}) > 1
        parts.append(Text("\n".join(_line(line, lang, with_year=years) for line in lines)))
        totals = _totals(lines)
        parts += [Text(t("budget.total", lang, year=year, amount=format_money(amount, lang)))
                  for year, amount in totals.items()]
        summary = f"{programme.name}: " + ", ".join(
            f"{year} {format_money(amount, lang)}" for year, amount in totals.items()
        ) if totals else programme.name
        return Reply(summary=summary, parts=parts)

    region = queries.get_region(ctx.session, region_id=rid)
    lines = queries.find_budget_lines(ctx.session, region_id=rid)
    parts = [Header(t("budget.title", lang, name=f"{region.name} {region.year}"))]
    if region.budget_text:
        parts.append(Note(t("budget.region", lang, text=escape(region.budget_text))))
    if not lines:
        parts.append(Text(t("budget.none", lang)))
        return Reply(summary=parts[0].text, parts=parts)
    by_programme: dict[int, list[BudgetLine]] = defaultdict(list)
    for line in lines:
        by_programme[line.programme_id].append(line)
    for group in by_programme.values():
        programme = group[0].programme
        years = len({line.year for line in group}) > 1
        body = "\n".join(_line(line, lang, with_year=years) for line in group)
        totals = _totals(group)
        if totals:
            body += "\n" + " · ".join(
                t("budget.total", lang, year=y, amount=format_money(a, lang))
                for y, a in totals.items()
            )
        parts.append(Text(f"*{escape(programme_label(programme))}*\n{body}"))
    overall = _totals(lines)
    parts += [Text(t("budget.all_total", lang, year=y, amount=format_money(a, lang)))
              for y, a in overall.items()]
    return Reply(summary=parts[0].text, parts=parts)


@subcommand("verdeel", "verdeelsleutel", "split")
def verdeel(args: str, ctx: Context) -> Reply:
    """`/regio verdeel <bedrag | programma>` — verdeel een bedrag over de gemeenten naar inwoners, tot op de cent.

    Bedragen: `40000`, `€ 40.000,-`, `40k`, `1,5 miljoen`. Met een programmanaam wordt de
    begroting van dat programma (in het planjaar) verdeeld: `/regio verdeel JBJR`.
    """
    lang = ctx.lang
    text = args.strip()
    if not text:
        return usage_error(ctx, "/regio verdeel <bedrag | programma>")
    rid = region_id(ctx)
    if rid is None:
        return Reply.error(t("no_data", lang))
    amount = parse_amount(text)
    source = None
    if amount is None:
        if any(c.isdigit() for c in text) or text.startswith("€"):
            return Reply.error(t("bad_amount", lang, text=escape(text)))
        typed = set(fold(text).split())
        named = [line for line in queries.find_budget_lines(ctx.session, region_id=rid)
                 if line.amount is not None and (fold(line.label) == fold(text) or (
                     len(fold(line.label).split()) == 1 and fold(line.label) in typed
                     and line.label.isupper()))]
        if named:
            # "/regio verdeel JBJR": the budget line named, not its whole programme.
            year = plan_year(ctx)
            named = [line for line in named if line.year == year] or named
            amount = sum((line.amount for line in named), Decimal(0))
            source = t("split.line_source", lang, lines=", ".join(
                f"{escape(line.label)} ({escape(line.programme.name)}, {line.year})"
                for line in named))
        else:
            try:
                found = find_one(ctx, text, ("programme",), "programme")
            except Declined as declined:
                declined.reply.parts.append(Note(t("bad_amount", lang, text=escape(text))))
                raise
            programme = found.obj
            year = plan_year(ctx)
            lines = queries.find_budget_lines(ctx.session, programme_id=programme.id)
            totals = _totals(lines)
            amount = totals.get(year) or (totals[max(totals)] if totals else None)
            if not amount:
                return Reply.error(t("split.no_amount", lang, programme=escape(programme.name)))
            year = year if year in totals else max(totals)
            source = t("split.programme", lang, programme=escape(programme.name), year=year)
    municipalities = queries.find_municipalities(ctx.session, region_id=rid)
    inhabitants = {m.name: m.inhabitants for m in municipalities}
    if not inhabitants or sum(inhabitants.values()) == 0:
        return Reply.error(t("split.no_municipalities", lang))
    shares = split_by_inhabitants(amount, inhabitants)
    lines_text = [
        t("split.line", lang, name=escape(name), pct=str(percentage_of(inhabitants, name)).replace(".", "," if lang == "nl" else "."),
          amount=format_money(share, lang))
        for name, share in shares.items()
    ]
    total = sum(shares.values(), Decimal(0))
    title = t("split.title", lang, amount=format_money(amount, lang))
    parts: list = [Header(title)]
    if source:
        parts.append(Note(source))
    parts.append(Text("\n".join(lines_text)))
    parts.append(Text(t("split.total", lang, amount=format_money(total, lang))))
    total_inhabitants = f"{sum(inhabitants.values()):,}".replace(",", "." if lang == "nl" else ",")
    parts.append(Note(t("split.note", lang, inhabitants=total_inhabitants)))
    summary = title + ": " + "; ".join(
        f"{name} {format_money(share, lang)}" for name, share in shares.items()
    )
    return Reply(summary=summary, parts=parts)
