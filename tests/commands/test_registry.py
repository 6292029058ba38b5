"""The table of subcommand modules against what the modules register, and the help
overview read from their source against their docstrings."""

from __future__ import annotations

import subprocess
import sys

from commands import registry


def test_it_names_every_word_each_module_registers_and_no_other():
    registered = registry.load_all()
    for module, words in registry.SUBCOMMAND_MODULES.items():
        assert {w for w, entry in registered.items()
                if entry.handler.__module__ == module} == set(words), module
    assert set(registered) == set(registry.MODULE_OF_WORD)


def test_it_reads_the_usage_line_of_every_subcommand_as_its_docstring_says_it():
    registered = registry.load_all()
    names = {entry.name for entry in registered.values()}
    assert registry.usage_lines() == {name: registered[name].usage for name in names}


def test_it_reads_who_may_change_as_each_subcommand_declares_it():
    registered = registry.load_all()
    declared = {entry.name: entry.may.name for entry in registered.values()
                if entry.may is not None}
    assert declared and registry.declared_levels() == declared


def test_it_answers_help_without_importing_a_subcommand_module_or_the_orm_models():
    script = (
        "import sys\n"
        "from commands import registry\n"
        "from commands.core import Context\n"
        "from commands.dispatch import handle\n"
        "from datetime import date, datetime\n"
        "reply = handle('/regio help', Context(session=None, today=date(2020, 3, 1),"
        " now=datetime(2020, 3, 1)))\n"
        "assert reply.ok\n"
        "loaded = [m for m in registry.SUBCOMMAND_MODULES if m in sys.modules]\n"
        "print(' '.join(loaded + [m for m in ('storage.models', 'commands.questions')"
        " if m in sys.modules]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["commands.help"]

