"""Which module answers which `/regio` word, so that a command imports only its own module.

A subcommand's module registers its handler with `@subcommand` when it is imported
(`commands.core.SUBCOMMANDS`); importing them all loads the ORM models, the question
reader and the declarations rules, which a one-shot `regiobot ask "/regio help"` does not
need. So this table names, for every word, the module that registers it, and `find`
imports that module on first use. Every module here is part of the bot: one that fails
to import raises, nothing is skipped. tests/commands/test_registry.py checks that the
table and what the modules register agree.

The overview of `/regio help` needs every subcommand's usage line (the first line of
its handler's docstring, which is its help text) but none of the handlers, so
`usage_lines` reads those lines from the modules' source instead of importing them.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from functools import cache
from pathlib import Path

from commands.core import SUBCOMMANDS, Handler, Subcommand

# Module → the words it registers (its subcommands' names and aliases).
SUBCOMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "commands.help": ("help", "hulp", "?", "h"),
    "commands.programmes": ("programma", "programmas", "programma's", "programme",
                            "programmes", "program", "project", "deelproject", "projecten"),
    "commands.people": ("wie", "who", "koppel", "link", "ik", "iam"),
    "commands.milestones": ("mijlpalen", "milestones", "deadlines", "mijlpaal", "milestone"),
    "commands.money": ("budget", "begroting", "financien", "financiën", "kosten",
                       "verdeel", "verdeelsleutel", "split"),
    "commands.meetings": ("bosd", "overleg", "meeting", "agenda"),
    "commands.subscriptions": ("volg", "follow", "subscribe", "ontvolg", "unfollow",
                               "unsubscribe", "volgt", "following", "subscriptions"),
    "commands.search": ("zoek", "search", "vind", "find"),
    "commands.kalender": ("kalender", "calendar", "ical"),
    "commands.declaraties": ("declaraties", "declaratie", "declarations"),
}

MODULE_OF_WORD: dict[str, str] = {
    word: module for module, words in SUBCOMMAND_MODULES.items() for word in words
}


def find(word: str) -> Subcommand | None:
    """The subcommand `word` names (importing its module the first time), or None."""
    module = MODULE_OF_WORD.get(word)
    if module is None:
        return None
    importlib.import_module(module)
    return SUBCOMMANDS.get(word)


def handler(name: str) -> Handler:
    """The handler of subcommand `name`, for answers that reuse one (a question about
    the BOSD answers as `/regio bosd` does). A name that is not a subcommand is a bug."""
    entry = find(name)
    if entry is None:
        raise KeyError(f"no subcommand {name!r}")
    return entry.handler


def load_all() -> dict[str, Subcommand]:
    """Import every subcommand module; SUBCOMMANDS then holds every word."""
    for module in SUBCOMMAND_MODULES:
        importlib.import_module(module)
    return SUBCOMMANDS


# `@subcommand("name", …, may=LEVEL)` and, after it, the first line of the handler's
# docstring.
_DECLARATION = re.compile(r'^@subcommand\(\s*"([^"]+)"')
_MAY = re.compile(r"\bmay=([A-Z_]+)\b")
_DOCSTRING = re.compile(r'"""\s*(.*)')


@cache
def _declarations() -> dict[str, tuple[str, str | None]]:
    """Subcommand name → (its usage line, the name of the level it declares with `may=`
    or None), read from the source of every module without importing it."""
    declared: dict[str, tuple[str, str | None]] = {}
    for module in SUBCOMMAND_MODULES:
        spec = importlib.util.find_spec(module)
        if spec is None or spec.origin is None:
            raise ModuleNotFoundError(f"no module named {module!r}", name=module)
        lines = Path(spec.origin).read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            found = _DECLARATION.match(line)
            if found is None:
                continue
            may = _MAY.search(line)
            for following in lines[number + 1:]:
                docstring = _DOCSTRING.search(following)
                if docstring is not None:
                    declared[found[1]] = (docstring[1].removesuffix('"""').strip(),
                                          may[1].lower() if may else None)
                    break
    return declared


def usage_lines() -> dict[str, str]:
    """Subcommand name → its usage line (the first line of its docstring)."""
    return {name: usage for name, (usage, _) in _declarations().items()}


def declared_levels() -> dict[str, str]:
    """Subcommand name → the level (commands.permissions.Level.name) it declares, for the
    subcommands that change something. The constant's name is the level's, upper-case."""
    return {name: level for name, (_, level) in _declarations().items() if level}
