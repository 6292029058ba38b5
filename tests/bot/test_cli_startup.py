"""`regiobot ask` loads what answering needs, not every CLI area's libraries (start-up
is most of the time a one-shot command takes; bench/startup.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

_SCRIPT = """
import sys
from regiobot_cli import main
status = main(["ask", {text!r}])
print(status, *sorted(m for m in {modules!r} if m in sys.modules))
"""
# Help needs no store: none of SQLAlchemy, its ORM, the driver or the models.
_NOT_FOR_HELP = ("alembic", "storage.migrate", "storage.importers.ijw", "slack_bolt", "slack_sdk",
                 "uvicorn", "sqlalchemy", "psycopg", "storage.models", "commands.questions",
                 "commands.milestones", "matplotlib", "rich")


def _ask(store_url: str, text: str, modules: tuple[str, ...]) -> tuple[str, list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "REGIOBOT_"))}
    env["DATABASE_URL"] = store_url
    script = _SCRIPT.format(text=text, modules=modules)
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    *answer, loaded = done.stdout.strip().splitlines()
    return "\n".join(answer), loaded.split()


def test_it_answers_help_without_loading_the_store_migrations_or_the_web_server(store_url):
    answer, loaded = _ask(store_url, "/regio help", _NOT_FOR_HELP)
    assert "/regio mijlpaal" in answer  # the overview is complete without its modules
    assert loaded == ["0"], f"loaded for a help answer: {loaded}"


@pytest.mark.parametrize(("text", "loaded"), [
    ("/regio verdeel 40000", ["commands.money", "sqlalchemy.orm", "storage.models"]),
    # One subcommand's help imports its module (with what it imports), no other.
    ("/regio help mijlpaal", ["commands.milestones", "sqlalchemy.orm", "storage.models"]),
])
def test_it_loads_a_subcommand_module_and_the_store_when_the_answer_needs_them(
        store_url, text, loaded):
    modules = ("commands.money", "commands.milestones", "sqlalchemy.orm", "storage.models",
               "commands.declaraties")
    _, found = _ask(store_url, text, modules)
    assert found[1:] == sorted(loaded)


def test_it_says_how_to_make_the_store_when_an_answer_needs_one_that_has_no_tables(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "REGIOBOT_"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'empty.db'}"
    ask = [sys.executable, "-m", "regiobot", "ask"]
    needs_store = subprocess.run([*ask, "/regio bosd"], env=env, capture_output=True,
                                 text=True, timeout=120)
    assert needs_store.returncode == 2
    assert "no tables yet: run `regiobot migrate`" in needs_store.stderr
    assert "Traceback" not in needs_store.stderr
    # Help reads no store, so it answers all the same.
    help_ = subprocess.run([*ask, "/regio help"], env=env, capture_output=True, text=True,
                           timeout=120)
    assert help_.returncode == 0 and "/regio bosd" in help_.stdout
