"""Milestone lists and changes: filters, permissions, audit, sequence, the Home tab."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from commands.changes import milestone_card, milestone_done, milestone_snooze
from commands.core import Actions
from commands.home import home
from commands.render import to_home_view, to_message
from storage.models import AuditEntry, Milestone
from tests.commands.support import ADMIN, ANKE, BOB, CARLA, CORINE, MANON, NOW, text_of


def _rows(bot) -> list[tuple]:
    bot.session.expire_all()
    milestones = bot.session.scalars(select(Milestone).order_by(Milestone.id))
    return [(m.id, m.status, m.due_date, m.done_at, m.sequence, m.updated_at) for m in milestones]


def _audit(bot) -> list[AuditEntry]:
    return list(bot.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_it_lists_milestones_by_due_date_grouped_per_programme(bot):
    reply = bot.ask("mijlpalen")
    assert reply.ok
    text = text_of(reply)
    assert "6 mijlpalen" in text
    assert f"#{bot.milestone('wachtlijst-k3').id} Start wachtlijstbeheer — K3 (30 september 2020)" in text


# Each filter: what is asked, what the answer must say, what it must leave out.
FILTERS = {
    "quarter as written": ("mijlpalen K3", "nl", ["1 mijlpaal (K3 2020)"], []),
    "quarter in English": ("milestones Q3", "en", ["1 milestone (Q3 2020)"], []),
    "English quarter in Dutch": ("mijlpalen Q2", "nl", ["Wervingsactie pleegzorg"], []),
    "month and programme": ("mijlpalen juni gewoon thuis", "nl",
                            ["Gewoon Thuis Jeugd, juni 2020", "Wervingsactie"], []),
    "late": ("mijlpalen te laat", "nl",
             ["2 mijlpalen (te laat)", "Onderzoek hoge instroom afronden",
              "Evaluatie experttafel"], ["Start wachtlijstbeheer"]),
    "project": ("mijlpalen experttafel", "nl", ["Evaluatie experttafel"], []),
    "coming week, none due": ("mijlpalen week", "nl", ["Geen mijlpalen gevonden"], []),
}


@pytest.mark.parametrize("name", FILTERS)
def test_it_filters_milestones(bot, name):
    question, lang, shown, left_out = FILTERS[name]
    text = text_of(bot.ask(question, lang=lang))
    for words in shown:
        assert words in text
    for words in left_out:
        assert words not in text


def test_it_filters_the_coming_week_from_today(bot):
    bot.today = bot.today.replace(month=3, day=28)
    assert "Start nieuwe vormen" in text_of(bot.ask("mijlpalen week"))


def test_it_counts_every_milestone_but_lists_only_the_first_of_a_long_list(bot):
    from commands.milestones import MAX_LINES

    template = bot.milestone("wachtlijst-k3")
    extra = MAX_LINES + 14
    for n in range(extra):
        bot.session.add(Milestone(
            programme_id=template.programme_id, key=f"extra-{n:03d}", title=f"Extra {n:03d}",
            due_date=template.due_date + timedelta(days=n % 40), period_label="K4",
            status="open", position=100 + n, created_at=NOW, updated_at=NOW, sequence=0,
        ))
    bot.session.flush()
    text = text_of(bot.ask("mijlpalen"))
    assert f"{6 + extra} mijlpalen" in text
    assert f"… en nog {6 + extra - MAX_LINES}." in text
    assert text.count("Extra ") == MAX_LINES - 5  # the five due before them come first


def test_it_lists_my_milestones_when_linked(bot):
    mine = text_of(bot.ask("mijlpalen mijn", user=ANKE))
    assert "Start wachtlijstbeheer" in mine  # Anke manages Gewoon Thuis Jeugd
    assert "Onderzoek hoge instroom" not in mine  # Manon's programme
    reply = bot.ask("mijlpalen mijn", user="UNOBODY")
    assert not reply.ok and "niet aan een persoon gekoppeld" in text_of(reply)


def test_it_answers_unknown_programme_in_milestones_with_suggestions(bot):
    reply = bot.ask("mijlpalen gewoon tuis")
    assert reply.ok  # a typo close enough is taken
    reply = bot.ask("mijlpalen jeugd")
    assert not reply.ok and "Bedoel je" in text_of(reply)


def test_it_refuses_an_unauthorised_milestone_change_and_changes_nothing(bot):
    milestone = bot.milestone("wachtlijst-k3")
    before = _rows(bot)
    for user in (BOB, MANON, "UNOBODY", None):
        reply = bot.ask(f"mijlpaal {milestone.id} gereed", user=user)
        assert not reply.ok and not reply.changed
        assert "Dat mag je niet" in text_of(reply)
        assert "Er is niets veranderd" in text_of(reply)
    assert not bot.ask(f"mijlpaal {milestone.id} verplaats 1 oktober", user=BOB).ok
    assert not bot.press(milestone_snooze, milestone.id, user=BOB).ok
    assert _rows(bot) == before
    assert _audit(bot) == []


def test_it_lets_the_programme_manager_mark_done_audits_and_the_home_tab_shows_it(bot):
    milestone = bot.milestone("wachtlijst-k3")
    home_before = text_of(home(bot.ctx(ANKE)))
    line = [x for x in home_before.splitlines() if "Start wachtlijstbeheer" in x][0]
    assert "gereed" not in line

    reply = bot.ask(f"mijlpaal {milestone.id} gereed", user=ANKE)
    assert reply.ok and reply.changed
    assert f"Mijlpaal {milestone.id} is gereed gemeld." in text_of(reply)
    assert not any(isinstance(p, Actions) for p in reply.parts)  # no buttons once done

    bot.session.expire_all()
    milestone = bot.milestone("wachtlijst-k3")
    assert milestone.status == "done"
    assert milestone.done_at == NOW
    assert milestone.sequence == 1
    assert milestone.updated_at == NOW
    [entry] = _audit(bot)
    assert (entry.actor, entry.action, entry.object_type, entry.object_id) == (
        ANKE, "milestone.done", "milestone", milestone.id)

    home_after = text_of(home(bot.ctx(ANKE)))
    line = [x for x in home_after.splitlines() if "Start wachtlijstbeheer" in x][0]
    assert "gereed" in line


def test_it_lets_sponsors_coordinators_and_admins_change(bot):
    first, second, third = (bot.milestone(k) for k in ("ambulant-k1", "werving-k2", "evaluatie"))
    assert bot.ask(f"mijlpaal {first.id} gereed", user=CORINE).changed
    assert bot.ask(f"mijlpaal {second.id} gereed", user=CARLA).changed
    assert bot.ask(f"mijlpaal {third.id} gereed", user=ADMIN).changed
    assert [e.actor for e in _audit(bot)] == [CORINE, CARLA, ADMIN]


def test_it_reopens_and_moves_a_milestone(bot):
    milestone = bot.milestone("wachtlijst-k3")
    bot.ask(f"mijlpaal {milestone.id} gereed", user=ANKE)
    reply = bot.ask(f"mijlpaal {milestone.id} heropen", user=ANKE)
    assert reply.changed and "staat weer open" in text_of(reply)
    reply = bot.ask(f"mijlpaal {milestone.id} verplaats 15 oktober", user=ANKE)
    assert reply.changed and "verplaatst naar 15 oktober 2020" in text_of(reply)
    bot.session.expire_all()
    milestone = bot.milestone("wachtlijst-k3")
    assert (milestone.status, milestone.done_at, milestone.sequence) == ("open", None, 3)
    assert milestone.due_date.isoformat() == "2020-10-15"
    assert milestone.period_label == "K3"  # as written stays
    actions = [e.action for e in _audit(bot)]
    assert actions == ["milestone.done", "milestone.reopen", "milestone.move"]
    assert _audit(bot)[-1].detail["old_due_date"] == "2020-09-30"


# A bad `/regio mijlpaal …` and what the answer must say; {nr}: a milestone that exists.
BAD_COMMANDS = {
    "mijlpaal": "ontbreekt",
    "mijlpaal x gereed": "is geen nummer",
    "mijlpaal ⓵ gereed": "is geen nummer",  # a digit to str.isdigit(), none to int()
    "mijlpaal 999 gereed": "Ik ken geen mijlpaal nummer 999",
    "mijlpaal {nr} verplaats": "Naar welke datum",
    "mijlpaal {nr} verplaats 31 februari": "is geen datum",
    "mijlpaal {nr} vernietig": "Kies `gereed`",
}


@pytest.mark.parametrize("command", BAD_COMMANDS)
def test_it_answers_a_bad_milestone_command_clearly_and_changes_nothing(bot, command):
    before = _rows(bot)
    reply = bot.ask(command.format(nr=bot.milestone("wachtlijst-k3").id))
    assert not reply.ok
    assert BAD_COMMANDS[command] in text_of(reply)
    assert _rows(bot) == before


def test_it_snoozes_a_week_from_the_button(bot):
    milestone = bot.milestone("ambulant-k1")
    due = milestone.due_date
    reply = bot.press(milestone_snooze, milestone.id, user=ANKE)
    assert reply.ok and reply.changed
    bot.session.expire_all()
    assert bot.milestone("ambulant-k1").due_date == due + timedelta(days=7)
    assert [e.action for e in _audit(bot)] == ["milestone.snooze"]


def test_it_marks_done_from_the_button(bot):
    milestone = bot.milestone("ambulant-k1")
    reply = bot.press(milestone_done, milestone.id, user=ANKE)
    assert reply.ok and reply.changed
    bot.session.expire_all()
    assert bot.milestone("ambulant-k1").status == "done"
    assert [e.action for e in _audit(bot)] == ["milestone.done"]


def test_it_changes_nothing_more_when_done_is_pressed_again(bot):
    # A second click, or a retried request.
    milestone = bot.milestone("ambulant-k1")
    bot.press(milestone_done, milestone.id, user=ANKE)
    again = bot.press(milestone_done, milestone.id, user=ANKE)
    assert again.ok and not again.changed and "was al gereed" in text_of(again)
    assert bot.press(milestone_snooze, milestone.id, user=ANKE).changed is False
    assert [e.action for e in _audit(bot)] == ["milestone.done"]


def test_it_answers_a_button_of_an_unknown_milestone(bot):
    reply = bot.press(milestone_done, 424242, user=ANKE)
    assert not reply.ok and "Ik ken geen mijlpaal nummer 424242" in text_of(reply)


def test_it_snoozes_a_late_milestone_to_a_week_from_today(bot):
    late = bot.milestone("evaluatie")  # due 15 February, today is 1 March
    assert bot.press(milestone_snooze, late.id, user=ANKE).changed
    bot.session.expire_all()
    assert bot.milestone("evaluatie").due_date == bot.today + timedelta(days=7)


def test_it_builds_a_card_with_buttons_while_open(bot):
    milestone = bot.milestone("werving-k2")
    reply = milestone_card(milestone, bot.ctx(ANKE))
    text = text_of(reply)
    assert "Wervingsactie pleegzorg" in text
    assert "Versterking Pleegzorg" in text and "30 juni 2020 (K2)" in text
    [actions] = [p for p in reply.parts if isinstance(p, Actions)]
    assert actions.block_id == f"milestone-{milestone.id}"
    assert [(b.action_id, getattr(b, "value", None)) for b in actions.buttons] == [
        ("milestone_done", str(milestone.id)), ("milestone_snooze_tomorrow", str(milestone.id)),
        ("milestone_snooze", str(milestone.id)), ("milestone_snooze_date", None),
        ("milestone_move_form", str(milestone.id)), ("milestone_owner_form", str(milestone.id))]
    message = to_message(reply)
    assert message["text"] and len(message["blocks"]) <= 50
    english = text_of(milestone_card(milestone, bot.ctx(ANKE, lang="en")))
    assert "Due" in english and "30 June 2020" in english


def test_it_shows_the_home_tab(bot):
    reply = home(bot.ctx(ANKE))
    text = text_of(reply)
    assert "Hallo Anke van der Landen" in text
    assert "1 te laat" in text  # Evaluatie experttafel, due 15 February
    assert text.index("Evaluatie experttafel") < text.index("Start wachtlijstbeheer")
    assert "BOSD 2: 12 maart 2020" in text
    view = to_home_view(reply)
    assert view["type"] == "home" and len(view["blocks"]) <= 100


def test_it_points_an_unlinked_user_to_koppel(bot):
    text = text_of(home(bot.ctx("UNOBODY")))
    assert "/regio koppel" in text
    assert "12 maart 2020" in text
