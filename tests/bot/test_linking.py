"""Linking people by their Slack profile (issue 12 point 2) and speaking their language
(point 8), through the real Slack path: "Ben jij …?" with Ja/Nee on the Home tab,
`/regio ik ben`, coordinators' Goedkeuren/Afwijzen, and clear answers that change
nothing for a name that matches nobody, matches two people, or is taken."""

from __future__ import annotations

from slack_sdk import WebClient
from sqlalchemy import select

from bot.profiles import PROFILE_MAX_AGE
from scheduler.channels import SlackChannel
from scheduler.planner import Schedule
from scheduler.sender import Sender
from storage import linking
from storage.models import AuditEntry, Person
from tests.bot.conftest import ALICE, BOB, CAROL, blocks_text
from tests.bot.test_home_and_actions import _audit, _home_for

DANA, ERIK, NEWBIE = "U0DANA", "U0ERIK", "U0NEW"
HOME = {"type": "view", "view_id": "V0HOME"}


def _people(web, *names_and_emails) -> dict[str, int]:
    with web.factory() as session, session.begin():
        people = [Person(name=name, email=email) for name, email in names_and_emails]
        session.add_all(people)
        session.flush()
        return {p.name: p.id for p in people}


def _linked(web) -> dict[str, str | None]:
    with web.factory() as session:
        return {p.name: p.slack_user_id for p in session.scalars(select(Person))}


def _profile(web, user, real_name, *, email=None, locale="nl-NL"):
    web.slack.profiles[user] = {"real_name": real_name, "locale": locale, "name": user.lower(),
                                "profile": {"display_name": "", "email": email}}


def test_it_offers_a_matching_person_and_links_on_ja(web):
    ids = _people(web, ("Dana de Wit", None))
    _profile(web, DANA, "Dana de  Wit")
    text = blocks_text(_home_for(web, DANA, 1)["blocks"])
    assert "Ben jij *Dana de Wit*?" in text
    assert web.slack.calls_to("users.info")[0].args["include_locale"] in (True, "true", "1")
    web.sender.click("link_yes", str(ids["Dana de Wit"]), user=DANA, container=HOME)
    [_, publish] = web.slack.wait_for("views.publish", count=2)
    assert "Hallo Dana de Wit" in blocks_text(publish.args["view"]["blocks"])
    assert _linked(web)["Dana de Wit"] == DANA
    [entry] = _audit(web)
    assert (entry.action, entry.actor, entry.detail["slack_user_id"]) == (
        "person.link_self", DANA, DANA)


def test_it_offers_nothing_again_after_nee(web):
    ids = _people(web, ("Dana de Wit", None))
    _profile(web, DANA, "Dana de Wit")
    _home_for(web, DANA, 1)
    web.sender.click("link_no", str(ids["Dana de Wit"]), user=DANA, container=HOME)
    [_, publish] = web.slack.wait_for("views.publish", count=2)
    assert "Ben jij" not in blocks_text(publish.args["view"]["blocks"])
    assert _linked(web)["Dana de Wit"] is None
    assert [e.action for e in _audit(web)] == ["person.link_declined"]


def test_it_answers_clearly_for_no_match_two_matches_or_a_taken_person(web):
    ids = _people(web, ("Sam de Boer", None), ("Samira Bakker", "sam@gouda.nl"))
    before = _linked(web)
    _profile(web, NEWBIE, "Zoë Onbekend")
    assert "nog niet aan een persoon" in blocks_text(_home_for(web, NEWBIE, 1)["blocks"])
    _profile(web, "U0SAM", "Sam de Boer", email="sam@gouda.nl")
    text = blocks_text(_home_for(web, "U0SAM", 2)["blocks"])
    assert "meer dan één persoon" in text and "Ben jij" not in text
    _profile(web, "U0ALICE2", "Alice de Vries")
    assert "al aan iemand anders gekoppeld" in blocks_text(
        _home_for(web, "U0ALICE2", 3)["blocks"])
    # A forged Ja for a person held by someone else, or by someone already linked.
    with web.factory() as session:
        alice_id = session.scalar(select(Person.id).where(Person.slack_user_id == ALICE))
    web.sender.click("link_yes", str(alice_id), user="U0ALICE2", container=HOME)
    [held] = web.slack.wait_for("chat.postMessage")
    assert "al aan iemand anders gekoppeld" in held.args["text"]
    web.sender.click("link_yes", str(ids["Sam de Boer"]), user=BOB, container=HOME)
    [_, already] = web.slack.wait_for("chat.postMessage", count=2)
    assert "Je bent al gekoppeld aan Bob Jansen" in already.args["text"]
    web.settle()
    assert _linked(web) == before and _audit(web) == []


def _send_requests(web) -> None:
    client = WebClient(token="xoxb-test", base_url=web.slack.api_url, retry_handlers=[])
    sender = Sender(web.factory, SlackChannel(client), schedule=Schedule(), worker="w")
    from regiobot import clock

    sender.run(now=clock.utcnow())


def test_it_asks_the_coordinators_and_only_they_decide(web):
    ids = _people(web, ("Dana de Wit", None))
    _profile(web, ERIK, "Erik Zomaar")
    web.sender.command("ik ben Dana de Wit", user_id=ERIK)
    [answer] = web.slack.wait_for("response_url")
    assert "gevraagd de koppeling goed te keuren" in answer.args["text"]
    assert _linked(web)["Dana de Wit"] is None
    _send_requests(web)
    [dm] = [c for c in web.slack.calls_to("chat.postMessage") if c.args["channel"] == CAROL]
    assert "<@U0ERIK> zegt Dana de Wit te zijn" in dm.args["text"]
    [row] = [b for b in dm.args["blocks"] if b["type"] == "actions"]
    request_id = row["elements"][0]["value"]
    # Bob is no coordinator: refused, nothing changes.
    web.sender.click("link_approve", request_id, user=BOB, channel="D0CAROL")
    [refusal] = web.slack.wait_for("chat.postEphemeral")
    assert refusal.args["user"] == BOB and "mag je niet" in refusal.args["text"]
    assert _linked(web)["Dana de Wit"] is None
    # Carol (an admin) approves: linked, audited, the card says so, Erik is told.
    web.sender.click("link_approve", request_id, user=CAROL, channel="D0CAROL")
    [update] = web.slack.wait_for("chat.update")
    assert "Goedgekeurd door <@U0CAROL>" in blocks_text(update.args["blocks"])
    told = web.slack.wait_for("chat.postMessage", count=2)[-1]
    assert told.args["channel"] == ERIK and "gekoppeld aan Dana de Wit" in told.args["text"]
    assert _linked(web)["Dana de Wit"] == ERIK
    actions = [e.action for e in _audit(web)]
    assert actions == ["person.link_requested", "person.link_approved"]
    # A second click (another coordinator's card): already decided, nothing more.
    web.sender.click("link_reject", request_id, user=CAROL, channel="D0CAROL")
    web.slack.wait_for("chat.postEphemeral", count=2)
    assert _linked(web)["Dana de Wit"] == ERIK and len(_audit(web)) == 2
    assert ids


def test_it_links_at_once_when_the_profile_proves_it(web):
    _people(web, ("Dana de Wit", "dana@krimpenerwaard.nl"))
    _profile(web, DANA, "D. de Wit", email="Dana@Krimpenerwaard.nl")
    _home_for(web, DANA, 1)  # the profile is read when the Home tab opens
    web.sender.command("ik ben Dana de Wit", user_id=DANA)
    [answer] = web.slack.wait_for("response_url")
    assert "Je bent nu gekoppeld aan Dana de Wit" in answer.args["text"]
    assert _linked(web)["Dana de Wit"] == DANA


def test_it_speaks_the_language_of_the_users_slack_locale(web):
    _profile(web, ALICE, "Alice de Vries", locale="en-GB")
    text = blocks_text(_home_for(web, ALICE, 1)["blocks"])
    assert "My milestones" in text and "Mijn mijlpalen" not in text
    web.sender.command("mijlpaal 1", user_id=ALICE)
    [answer] = web.slack.wait_for("response_url")
    assert "Responsible" in blocks_text(answer.args["blocks"])
    with web.factory() as session:
        assert not session.scalars(select(AuditEntry)).first()


def _answer_to(web, response_url):
    [call] = web.slack.wait_for("response_url", where=lambda c: response_url.endswith(c.path))
    return call.args


def test_it_offers_the_match_under_the_first_answer_and_only_once(web):
    ids = _people(web, ("Dana de Wit", None))
    _profile(web, DANA, "Dana de Wit")
    _, first_url = web.sender.command("bosd volgende", user_id=DANA)
    first = _answer_to(web, first_url)
    assert "Ben jij *Dana de Wit*?" in blocks_text(first["blocks"])
    assert "BOSD" in blocks_text(first["blocks"])  # the answer itself is still there
    _, second_url = web.sender.command("bosd volgende", user_id=DANA)
    assert "Ben jij" not in blocks_text(_answer_to(web, second_url)["blocks"])
    web.sender.click("link_yes", str(ids["Dana de Wit"]), user=DANA)
    [told] = web.slack.wait_for("chat.postEphemeral")
    assert "Dana de Wit" in told.args["text"] and told.args["user"] == DANA
    assert _linked(web)["Dana de Wit"] == DANA


def test_it_offers_nothing_to_someone_linked_or_unmatched_or_in_a_shared_answer(web):
    _people(web, ("Dana de Wit", None), ("Erik Smit", None))
    _profile(web, ERIK, "Erik Smit")
    _profile(web, NEWBIE, "Zoë Onbekend")
    _profile(web, ALICE, "Dana de Wit")  # Alice is linked already (to someone else)
    for user in (NEWBIE, ALICE):
        _, url = web.sender.command("bosd volgende", user_id=user)
        assert "Ben jij" not in blocks_text(_answer_to(web, url)["blocks"])
    web.sender.mention("wanneer is de volgende BOSD?", user=ERIK)  # answered in the channel
    [shared] = web.slack.wait_for("chat.postMessage")
    assert "Ben jij" not in blocks_text(shared.args.get("blocks") or [])
    web.sender.direct_message("wanneer is de volgende BOSD?", user=ERIK, channel="D0ERIK")
    [_, in_dm] = web.slack.wait_for("chat.postMessage", count=2)
    assert "Ben jij *Erik Smit*?" in blocks_text(in_dm.args["blocks"])
    assert _linked(web)["Erik Smit"] is None  # offered, not linked


def test_it_answers_a_first_command_in_the_language_of_the_slack_locale(web):
    _profile(web, NEWBIE, "Zoë Onbekend", locale="en-US")
    _, url = web.sender.command("help", user_id=NEWBIE)
    text = blocks_text(_answer_to(web, url)["blocks"])
    assert "what can I do?" in text and "wat kan ik" not in text


def test_it_offers_the_match_once_the_slack_name_changed_to_a_persons_name(web):
    """Nothing to offer is remembered, so answers skip the matching — until the profile,
    fetched again after a week, names someone."""
    _people(web, ("Dana de Wit", None))
    _profile(web, DANA, "dana.w")
    for _ in range(2):
        _, url = web.sender.command("bosd volgende", user_id=DANA)
        assert "Ben jij" not in blocks_text(_answer_to(web, url)["blocks"])
    _profile(web, DANA, "Dana de Wit")  # changed in Slack: not seen before the refresh
    _, url = web.sender.command("bosd volgende", user_id=DANA)
    assert "Ben jij" not in blocks_text(_answer_to(web, url)["blocks"])
    with web.factory() as session, session.begin():
        profile = linking.get_profile(session, slack_user_id=DANA)
        profile.fetched_at -= PROFILE_MAX_AGE
    _, url = web.sender.command("bosd volgende", user_id=DANA)
    assert "Ben jij *Dana de Wit*?" in blocks_text(_answer_to(web, url)["blocks"])
    assert len(web.slack.calls_to("users.info")) == 2
