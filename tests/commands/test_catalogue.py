"""The one catalogue of words (commands.i18n.CATALOG): every message in both languages,
with the same blanks to fill in, and no module keeping words of its own."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from commands.i18n import CATALOG, t

ROOT = Path(__file__).resolve().parents[2]


def _blanks(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_it_has_every_message_in_dutch_and_english(key):
    assert set(CATALOG[key]) == {"nl", "en"}
    assert CATALOG[key]["nl"].strip() and CATALOG[key]["en"].strip()


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_it_fills_in_the_same_blanks_in_both_languages(key):
    assert _blanks(CATALOG[key]["nl"]) == _blanks(CATALOG[key]["en"])


def _word_tables(path: Path) -> list[str]:
    """Dicts of words keyed by language ({"nl": "…", "en": "…"} or {"nl": {…}, "en": {…}})."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Dict) and {"nl", "en"} <= {
                k.value for k in node.keys if isinstance(k, ast.Constant)}:
            if all(isinstance(v, ast.Dict) or isinstance(v, ast.Constant) and isinstance(v.value, str)
                   for v in node.values):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_it_keeps_the_words_for_users_in_the_catalogue_alone():
    tables = [
        where
        for room in ("bot", "commands", "scheduler", "calendars")
        for path in sorted((ROOT / room).rglob("*.py"))
        if path != ROOT / "commands" / "i18n.py"
        for where in _word_tables(path)
    ]
    assert tables == []


def test_it_names_one_button_with_one_word():
    # "Een week uitstellen" was "Postpone a week" in one table and "Snooze a week" in another.
    labels = [entry["en"] for entry in CATALOG.values()]
    assert not any("Snooze a week" in label for label in labels)


def test_it_falls_back_to_dutch_and_shows_an_unknown_key_rather_than_failing():
    assert t("or", "fr") == "of"
    assert t("no.such.message", "en") == "no.such.message"


def test_it_fills_in_a_blank_named_like_an_argument_of_t():
    assert t("notice.alert.hint", "en", key="delivery-1").endswith("Key: delivery-1")


def test_it_keeps_each_usage_line_in_dutch_as_its_handlers_docstring_says_it():
    from commands import registry

    usages = registry.usage_lines()
    assert {k.removeprefix("usage.") for k in CATALOG if k.startswith("usage.")} == set(usages)
    for name, line in usages.items():
        assert t(f"usage.{name}", "nl") == line, name


def test_it_lists_every_subcommand_in_english_for_an_english_reader(bot):
    from tests.commands.support import text_of

    english = text_of(bot.ask("help", lang="en"))
    assert "search everything I know" in english and "zoek in alles" not in english
    assert "the (next) BOSD with its agenda" in english
    one = text_of(bot.ask("help zoek", lang="en"))
    assert "`/regio zoek <woorden>` — search everything" in one
    assert "zoek in alles" in text_of(bot.ask("help"))  # Dutch stays the docstring
