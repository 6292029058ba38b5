"""`/regio help`: every subcommand's first docstring line, or one subcommand's whole docstring."""

from __future__ import annotations

from commands.core import SUBCOMMANDS, Context, Header, Note, Reply, Subcommand, Text, subcommand
from commands.i18n import escape, join_words, t

POLITE = frozenset({"please", "pls", "plz", "alsjeblieft", "alstublieft", "aub", "svp", "me",
                    "mij", "graag", "even", "nodig", "needed", "!"})


def _unique() -> list[Subcommand]:
    seen: dict[int, Subcommand] = {}
    for entry in SUBCOMMANDS.values():
        seen.setdefault(id(entry.handler), entry)
    return sorted(seen.values(), key=lambda e: e.name)


def who_may(entries: list[Subcommand], lang: str) -> str:
    """"Wijzigen mogen: `agenda`, `koppel` — beheerders en coördinatoren; …", from what
    each subcommand declares (`may=`)."""
    levels: dict[str, tuple[str, list[str]]] = {}
    for entry in entries:
        if entry.may is not None:
            levels.setdefault(entry.may.name, (entry.may.who(lang), []))[1].append(
                f"`{entry.name}`")
    groups = [f"{join_words(names, lang)} — {who}" for who, names in levels.values()]
    return t("help.may_all", lang, groups="; ".join(groups))


@subcommand("help", "hulp", "?", "h")
def help_(args: str, ctx: Context) -> Reply:
    """`/regio help [opdracht]` — wat ik kan, of alles over één opdracht.

    Leesopdrachten antwoorden alleen aan jou; zet `deel` achteraan om het antwoord in het
    kanaal te plaatsen (bijv. `/regio bosd volgende deel`). Wie wat mag wijzigen, staat
    bij elke opdracht die iets wijzigt.
    """
    lang = ctx.lang
    name = args.strip().lower().lstrip("/")
    if name.startswith("regio "):
        name = name[len("regio "):].strip()
    # "help please", "help me": nothing but politeness.
    name = " ".join(w for w in name.split() if w not in POLITE)
    if name:
        entry = SUBCOMMANDS.get(name.split()[0])
        if entry is None:
            return Reply.error(t("help.unknown", lang, name=escape(name)), hint=t("help.more", lang))
        return Reply(summary=entry.usage,
                     parts=[Header(f"/regio {entry.name}"), Text(escape(entry.help_text(lang)))])
    entries = _unique()
    lines = [f"• {escape(entry.usage)}" for entry in entries]
    parts = [
        Header(t("help.title", lang)),
        Text(t("help.intro", lang)),
        Text("\n".join(lines)),
        Note(who_may(entries, lang)),
        Note(t("help.more", lang)),
    ]
    return Reply(summary=t("help.title", lang), parts=parts)
