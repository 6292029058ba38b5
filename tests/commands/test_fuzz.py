"""Property-based fuzz: whatever is typed, `handle` answers with a Reply that Slack accepts."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commands.core import Reply
from commands.home import home
from commands.registry import MODULE_OF_WORD
from commands.render import to_home_view, to_message
from tests.commands.support import ADMIN, ANKE, BOB, CARLA

WORDS = sorted(MODULE_OF_WORD) + [
    "volgende", "deel", "share", "gereed", "heropen", "verplaats", "toevoegen", "te laat",
    "mijn", "week", "K1", "K3", "Q4", "maart", "12 maart", "31-2-2020", "2020-03-12", "morgen",
    "40000", "€ 40.000,-", "1,5 miljoen", "40k", "-3", "0", "99999999999999", "1", "2", "#4", "²", "⓵", "٣",
    "gewoon thuis", "GTJ", "JBJR", "jeugd", "Anke van der Landen", "<@U123|x>", "<@U999>",
    "<!channel>", "*", "_", "`", "~", "&", "<", ">", "wie", "wat", "wanneer", "?", "bosd",
    "programmamanager", "budget", "verdeel", "\n", "é", "🙂", "x" * 300,
]


def _valid_for_slack(message: dict, *, max_blocks: int = 50) -> None:
    json.dumps(message)
    blocks = message["blocks"]
    assert len(blocks) <= max_blocks
    for block in blocks:
        if block["type"] == "header":
            assert 0 < len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            if "text" in block:
                assert 0 < len(block["text"]["text"]) <= 3000
            for item in block.get("fields", []):
                assert 0 < len(item["text"]) <= 2000
            assert len(block.get("fields", [])) <= 10
        if block["type"] == "actions":
            assert 0 < len(block["elements"]) <= 25


def _check(reply) -> None:
    assert isinstance(reply, Reply)
    message = to_message(reply)
    assert message["text"] and len(message["text"]) <= 4000
    _valid_for_slack(message)


commands_text = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(WORDS), min_size=0, max_size=6).map(" ".join),
    st.tuples(st.sampled_from(WORDS), st.text(max_size=60)).map(" ".join),
)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=commands_text, user=st.sampled_from([ADMIN, ANKE, BOB, CARLA, None]),
       lang=st.sampled_from(["nl", "en"]), channel=st.sampled_from(["C0CHAN1", None]))
def test_it_never_raises_and_always_answers_within_slacks_limits(bot, text, user, lang, channel):
    reply = bot.ask(text, user=user, lang=lang, channel=channel)
    _check(reply)
    assert "Er ging iets mis" not in reply.summary, text
    assert "Something went wrong" not in reply.summary, text


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(user=st.sampled_from([ADMIN, ANKE, BOB, CARLA, None, "UNOBODY"]),
       lang=st.sampled_from(["nl", "en"]))
def test_it_builds_a_valid_home_tab_for_anyone(bot, user, lang):
    reply = home(bot.ctx(user, lang=lang))
    view = to_home_view(reply)
    _valid_for_slack(view, max_blocks=100)


def test_it_keeps_a_long_list_within_slacks_limits(bot):
    from datetime import date

    from storage.models import Milestone

    programme = bot.milestone("wachtlijst-k3").programme
    for n in range(400):
        bot.session.add(Milestone(
            programme=programme, key=f"bulk-{n}", title=f"Mijlpaal nummer {n} " + "lang " * 30,
            due_date=date(2020, 1 + n % 12, 1 + n % 28), period_label="K1",
            created_at=bot.now, updated_at=bot.now,
        ))
    bot.session.commit()
    for text in ("mijlpalen", "mijlpalen te laat", "programma gtj", "wie gtj"):
        _check(bot.ask(text))
    _valid_for_slack(to_home_view(home(bot.ctx(ANKE))), max_blocks=100)
