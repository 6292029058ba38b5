"""`regiobot start` prepares an empty store once, and runs the console without Slack."""

import subprocess
import sys

from sqlalchemy import func, select

from regiobot_cli.store import prepare_store
from storage.db import make_engine, make_sessionmaker
from storage.declarations import MessageEvent
from storage.models import Meeting, Milestone, Region


def counts(url):
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        result = {
            model.__name__: session.scalar(select(func.count()).select_from(model))
            for model in (Region, Milestone, Meeting, MessageEvent)
        }
    engine.dispose()
    return result


def test_it_loads_the_programme_and_demo_declarations_into_an_empty_store_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'start.db'}"
    reports = prepare_store(url)
    first = counts(url)
    assert len(reports) == 2
    assert first["Region"] == 1 and first["Meeting"] == 8
    assert first["Milestone"] > 50 and first["MessageEvent"] > 100

    assert prepare_store(url) == []
    assert counts(url) == first


def test_it_derives_the_demo_declarations_before_the_first_question(tmp_path):
    # Not left to the clock's first tick: the first `/regio declaraties` only reads.
    from storage.declarations import store as declarations

    url = f"sqlite:///{tmp_path / 'start.db'}"
    prepare_store(url)
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        state = declarations.derivation_state(session)
        assert state is not None and state.event_id == declarations.latest_event_id(session) > 0
    engine.dispose()


def test_it_opens_a_console_that_answers_without_slack_tokens(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'console.db'}",
        "HOME": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "regiobot", "--today", "2020-03-01", "start"],
        input="wanneer is de volgende BOSD?\nexit\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "console" in done.stdout
    assert "12 maart 2020" in done.stdout
