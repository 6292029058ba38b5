"""`/regio help`: every subcommand's first docstring line, or one subcommand's whole docstring."""

from __future__ import annotations

from commands import registry
from commands.core import Context, Header, Note, Part, Reply, Text, subcommand
from commands.i18n import CATALOG, escape, join_words, t

POLITE = frozenset({"please", "pls", "plz", "alsjeblieft", "alstublieft", "aub", "svp", "me",
                    "mij", "graag", "even", "nodig", "needed", "!"})


def usage_line(name: str, lang: str, docstring_line: str) -> str:
    """A subcommand's usage line in `lang`: its docstring's first line in Dutch, the
    catalogue's translation in English (the commands' words themselves stay Dutch)."""
    return t(f"usage.{name}", lang) if lang != "nl" and f"usage.{name}" in CATALOG else (
        docstring_line)


def who_may(levels: dict[str, str], lang: str) -> str:
    """"Wijzigen mogen: `agenda`, `koppel` — beheerders en coördinatoren; …", from what
    each subcommand declares (`may=`; commands.registry reads it from their source)."""
    names_of: dict[str, list[str]] = {}
    for name in sorted(levels):
        names_of.setdefault(levels[name], []).append(f"`{name}`")
    groups = [f"{join_words(names, lang)} — {t(f'may.{level}', lang)}"
              for level, names in names_of.items()]
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
        entry = registry.find(name.split()[0])
        if entry is None:
            return Reply.error(t("help.unknown", lang, name=escape(name)), hint=t("help.more", lang))
        usage = usage_line(entry.name, lang, entry.usage)
        details = entry.help_text(lang).partition("\n")[2]
        return Reply(summary=usage, parts=[Header(f"/regio {entry.name}"),
                                           Text(escape(f"{usage}\n{details}".strip()))])
    # Read from the subcommands' source: the overview needs none of their modules.
    usages = registry.usage_lines()
    lines = [f"• {escape(usage_line(name, lang, usages[name]))}" for name in sorted(usages)]
    parts: list[Part] = [
        Header(t("help.title", lang)),
        Text(t("help.intro", lang)),
        Text("\n".join(lines)),
        Note(who_may(registry.declared_levels(), lang)),
        Note(t("help.more", lang)),
    ]
    return Reply(summary=t("help.title", lang), parts=parts)
