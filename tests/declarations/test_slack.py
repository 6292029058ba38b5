"""`/regio declaraties` and the weekly digest: assignment numbers only for authorised
users, nothing about clients anywhere."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from commands.core import SUBCOMMANDS, Context
from commands.declaraties import declaraties, weekly_digest
from commands.render import to_message, to_text
from regiobot.settings import reset_settings_cache
from storage.declarations import store as store_q
from storage.declarations.importing import import_declarations

from .conftest import NOW, personal_values

TODAY = date(2021, 3, 1)


@pytest.fixture
def contract_manager(monkeypatch):
    monkeypatch.setenv("REGIOBOT_CONTRACT_MANAGERS", "UCM1, UCM2")
    reset_settings_cache()
    yield "UCM2"
    monkeypatch.delenv("REGIOBOT_CONTRACT_MANAGERS")
    reset_settings_cache()


@pytest.fixture
def imported(store, demo_year):
    out, _truth = demo_year
    with store.session() as session, session.begin():
        import_declarations(session, [out / "xml", out / "aanbieders.csv"], now=NOW)
    with store.session() as session:
        numbers = {a.toewijzing_nummer for a in store_q.assignments(session)}
    return out, numbers


def _ctx(session, user, admins=frozenset()):
    return Context(session=session, today=TODAY, now=datetime(2021, 3, 1, 9, tzinfo=UTC),
                   user_id=user, admins=admins)


def _everything(reply) -> str:
    return to_text(reply) + "\n" + repr(to_message(reply)) + "\n" + reply.summary


def _numbers_in(text: str, numbers: set[str]) -> set[str]:
    return {n for n in re.findall(r"\d{6}", text) if n in numbers}


def test_it_registers_the_subcommand():
    assert SUBCOMMANDS["declaraties"].handler is declaraties
    assert "aanbieder" in SUBCOMMANDS["declaraties"].usage


def test_it_shows_assignment_numbers_only_to_contract_managers_and_admins(store, imported, contract_manager):
    out, numbers = imported
    personal = personal_values(sorted((out / "xml").rglob("*.xml")))
    with store.session() as session:
        providers = sorted(store_q.providers(session).values())
        shown_to_manager: set[str] = set()
        for name in providers:
            anonymous = declaraties(name, _ctx(session, "USOMEONE"))
            assert anonymous.ok and anonymous.ephemeral
            text = _everything(anonymous)
            assert _numbers_in(text, numbers) == set(), name
            manager = declaraties(name, _ctx(session, contract_manager))
            admin = declaraties(name, _ctx(session, "UADMIN", frozenset({"UADMIN"})))
            assert manager.ephemeral and admin.ephemeral
            shown_to_manager |= _numbers_in(_everything(manager), numbers)
            assert _numbers_in(_everything(admin), numbers) == _numbers_in(_everything(manager), numbers)
            for reply in (anonymous, manager, admin):
                assert not [v for v in personal if v in _everything(reply)]
        assert shown_to_manager, "the generated year has late starts and stops to show"


def test_it_keeps_detail_ephemeral_when_asked_to_share(store, imported, contract_manager):
    from commands.dispatch import handle

    _out, numbers = imported
    with store.session() as session:
        shared = []
        for name in sorted(store_q.providers(session).values()):
            reply = handle(f"declaraties {name} deel", _ctx(session, contract_manager))
            assert reply.ok
            if _numbers_in(_everything(reply), numbers):
                assert reply.ephemeral, name
                shared.append(name)
        assert shared
        # Without assignment numbers, sharing with the channel is fine.
        overview = handle("declaraties deel", _ctx(session, contract_manager))
        assert not overview.ephemeral


def test_it_answers_per_month_and_for_unknown_providers(store, imported):
    with store.session() as session:
        overview = declaraties("2020-05", _ctx(session, "U1"))
        assert "Regio" in to_text(overview) and "2020-05" in to_text(overview)
        unknown = declaraties("Zorgboer", _ctx(session, "U1"))
        assert not unknown.ok
        assert "Enver" in to_text(unknown)


def test_it_builds_a_weekly_digest_without_assignment_numbers_or_client_data(store, imported):
    out, numbers = imported
    personal = personal_values(sorted((out / "xml").rglob("*.xml")))
    with store.session() as session:
        digest = weekly_digest(session, week_ending=date(2020, 10, 4))
        providers = store_q.providers(session)
    text = _everything(digest)
    assert not digest.ephemeral
    assert _numbers_in(text, numbers) == set()
    assert not [v for v in personal if v in text]
    assert "REF" not in text  # no request references either
    # One line per provider with findings or KPIs, and the region.
    body = [line for line in to_text(digest).splitlines() if "·" in line and "(" in line]
    assert len(body) >= len([n for n in providers.values() if n in text]) + 1
    assert all(name in text for agb, name in providers.items() if agb in {"73730101", "73730202"})


def test_it_says_there_were_no_messages_for_a_provider_in_a_month_without_any(store, imported):
    with store.session() as session:
        quiet = declaraties("Enver 2019-06", _ctx(session, "U1"))
        busy = declaraties("Enver 2020-06", _ctx(session, "U1"))
    assert "Geen berichten met een termijn in 2019-06 voor Enver." in to_text(quiet)
    assert "alles op tijd" not in to_text(quiet)
    assert "Geen berichten met een termijn" not in to_text(busy)


def test_it_counts_one_day_as_one_in_a_finding():
    from commands.declaraties import _finding_line
    from storage.declarations.rules import Finding

    def finding(rule, working_days, days, done):
        return Finding(rule=rule, provider_agb="73730101", municipality_code="0513", subject="100001",
                       kind="assignment", due=date(2020, 3, 9), done=done,
                       working_days_late=working_days, days_late=days)

    late = _finding_line(finding("OP271", 1, 1, date(2020, 3, 10)), "nl")
    assert late.endswith("uiterlijk 2020-03-09, 1 werkdag te laat (1 dag)")
    assert _finding_line(finding("OP271", 0, 1, date(2020, 3, 14)), "en").endswith(
        "due 2020-03-09, 0 working days late (1 day)")
    assert _finding_line(finding("OP271", 3, 5, None), "nl").endswith("ontbreekt, 3 werkdagen over de termijn")
    early = _finding_line(finding("START_REPORTED_EARLY", 5, 7, date(2020, 3, 2)), "en")
    assert early.endswith("Begindatum 2020-03-09, sent 7 days early")


def test_it_tells_the_two_op274_findings_of_a_late_in_onderzoek_apart():
    from commands.declaraties import _finding_line
    from storage.declarations.rules import Finding

    def finding(due, done, note):
        return Finding(rule="OP274", provider_agb="73730101", municipality_code="0513", subject="REF1",
                       kind="request", due=due, done=done, working_days_late=3, days_late=3, note=note)

    first = _finding_line(finding(date(2020, 3, 9), date(2020, 3, 12), "in onderzoek"), "nl")
    final = _finding_line(finding(date(2020, 4, 27), None, "final answer after in onderzoek"), "nl")
    assert first.startswith("`OP274` verzoek REF1 (gemeente 0513), eerste antwoord (in onderzoek): uiterlijk")
    assert final.startswith("`OP274` verzoek REF1 (gemeente 0513), eindantwoord na in onderzoek: uiterlijk")


@pytest.mark.parametrize("asked", ["declaraties", "declaraties Horizon", "hoe tijdig declareert Horizon?"])
def test_it_says_the_declarations_are_being_brought_up_to_date_when_an_import_holds_the_store(
        store, imported, monkeypatch, asked):
    from commands.dispatch import handle

    # The import's messages are not derived yet (the clock has not ticked), and another
    # import holds the store for longer than an answer waits.
    monkeypatch.setattr(store_q, "IMPORT_LOCK_WAIT_S", 1)
    holder = store.session()
    holder.begin()
    store_q.lock_for_import(holder)
    try:
        with store.session() as session:
            if store.url.startswith("sqlite"):
                session.connection().exec_driver_sql("PRAGMA busy_timeout = 300")
            reply = handle(asked, _ctx(session, "U1"))
            assert not reply.ok
            assert reply.summary.startswith("De declaraties worden net bijgewerkt met nieuw ingelezen berichten.")
    finally:
        holder.rollback()
        holder.close()
    # Once the store is free, the same question is answered, with the import's messages.
    with store.session() as session:
        again = handle(asked, _ctx(session, "U1"))
    assert again.ok
    assert ("Declaraties: Horizon" if "Horizon" in asked else "Declaraties: tijdigheid") in to_text(again)


def test_it_knows_a_provider_by_name_as_soon_as_an_import_brings_it(store, demo_year):
    from commands.dispatch import handle

    # A web process that has answered before (its name index built) and stays up while
    # the import adds providers: the next question knows them.
    with store.session() as session:
        before = handle("hoe tijdig declareert Horizon?", _ctx(session, "U1"))
    assert "Horizon" not in to_text(before) or not before.ok
    out, _truth = demo_year
    with store.session() as session, session.begin():
        import_declarations(session, [out / "xml", out / "aanbieders.csv"], now=NOW)
    with store.session() as session:
        after = handle("hoe tijdig declareert Horizon?", _ctx(session, "U1"))
    assert after.ok
    assert "Declaraties: Horizon" in to_text(after)
