"""The `regiobot` parser: each command imports only its own area, and the table that
says which area that is agrees with what the areas register."""

from __future__ import annotations

import subprocess
import sys

import pytest

from regiobot_cli import AREA_OF_COMMAND, AREAS, build_parser, command_of


def _commands(parser) -> set[str]:
    [subparsers] = [a for a in parser._actions if a.dest == "command"]
    return set(subparsers.choices)


@pytest.mark.parametrize("area", AREAS)
def test_it_names_the_area_of_every_command_that_area_registers(area):
    commands = {c for c, a in AREA_OF_COMMAND.items() if a == area}
    # The parser for one of the area's commands holds that area alone.
    assert _commands(build_parser(min(commands))) == commands


def test_it_lists_every_command_in_the_full_help():
    assert _commands(build_parser()) == set(AREA_OF_COMMAND)


@pytest.mark.parametrize(("argv", "command"), [
    (["ask", "/regio help"], "ask"),
    (["--today", "2020-03-01", "ask", "bosd"], "ask"),
    (["-v", "migrate"], "migrate"),
    (["--help"], None),
    ([], None),
])
def test_it_reads_the_command_past_the_global_options(argv, command):
    assert command_of(argv) == command


def test_it_does_not_import_the_other_areas_for_one_command():
    script = ("import sys\nfrom regiobot_cli import main\n"
              "try:\n    main(['migrate', '--help'])\nexcept SystemExit:\n    pass\n"
              "print(sorted(m for m in sys.modules if m.startswith('regiobot_cli.')))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip().splitlines()[-1] == "['regiobot_cli.common', 'regiobot_cli.store']"
