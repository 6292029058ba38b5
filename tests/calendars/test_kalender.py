"""`/regio kalender`: the URLs in an ephemeral reply; `intrekken` makes them 404."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from sqlalchemy import select

from commands.core import Context
from commands.dispatch import handle
from commands.render import to_blocks, to_text
from regiobot.settings import reset_settings_cache
from storage.models import AuditEntry, FeedToken
from tests.calendars.conftest import NOW
from tests.calendars.test_http import Client, app_for

BASE = "https://regiobot.example.nl"


@pytest.fixture(autouse=True)
def base_url(monkeypatch):
    monkeypatch.setenv("PUBLIC_BASE_URL", BASE)
    reset_settings_cache()
    yield
    reset_settings_cache()


def ask(store, text: str, user: str | None = "UANNE01"):
    with store.session() as session:
        ctx = Context(session=session, today=NOW.date(), now=NOW, user_id=user)
        reply = handle(text, ctx)
        session.commit()  # as the Slack layer and the console do: the caller owns it
        return reply


def token_of(reply) -> str:
    (token,) = set(re.findall(r"/calendar/([A-Za-z0-9_-]{43})\.ics", to_text(reply)))
    return token


def test_it_answers_with_https_webcal_and_google_urls_ephemerally(region):
    reply = ask(region, "/regio kalender")
    assert reply.ok and reply.ephemeral
    text = to_text(reply)
    token = token_of(reply)
    https = f"{BASE}/calendar/{token}.ics"
    webcal = f"webcal://regiobot.example.nl/calendar/{token}.ics"
    assert https in text
    assert webcal in text
    assert "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe="") in text
    assert to_blocks(reply)  # valid Block Kit
    with region.session() as session:
        (row,) = session.scalars(select(FeedToken)).all()
        assert (row.scope, row.owner_slack_id) == ("region", "UANNE01")
        audits = session.scalars(select(AuditEntry)).all()
        assert [a.action for a in audits] == ["calendar.token"]
        assert token not in str(audits[0].detail)


def test_it_makes_a_feed_for_a_programme_by_name_or_abbreviation(region):
    for text in ("/regio kalender programma gewoon thuis", "/regio kalender GHNT"):
        reply = ask(region, text)
        assert reply.ok, to_text(reply)
        assert "Gewoon thuis" in to_text(reply)
        body = Client(app_for(region)).get(f"/calendar/{token_of(reply)}.ics").text
        assert "Wervingsactie" in body and "Inkoop" not in body


def test_it_suggests_when_the_programme_is_unknown(region):
    reply = ask(region, "/regio kalender programma Gewon thuis jeugd xyz")
    assert not reply.ok
    assert "/calendar/" not in to_text(reply)


def test_it_makes_my_feed_for_a_linked_person(region):
    reply = ask(region, "/regio kalender mijn", user="UBRAM01")
    body = Client(app_for(region)).get(f"/calendar/{token_of(reply)}.ics").text
    assert "Mijlpalen van Bram de Boer" in body
    assert "experimenten pleegzorg" in body


def test_it_explains_koppel_when_the_user_is_not_linked(region):
    reply = ask(region, "/regio kalender mijn", user="UNOBODY")
    assert not reply.ok
    assert "/regio koppel" in to_text(reply)
    with region.session() as session:
        assert session.scalars(select(FeedToken)).all() == []


def test_it_makes_a_bosd_feed(region):
    reply = ask(region, "/regio kalender bosd")
    body = Client(app_for(region)).get(f"/calendar/{token_of(reply)}.ics").text
    assert "BOSD – vergaderingen" in body and "Wervingsactie" not in body


def test_it_revokes_the_users_tokens_so_the_old_url_is_404(region):
    client = Client(app_for(region))
    first = token_of(ask(region, "/regio kalender"))
    second = token_of(ask(region, "/regio kalender bosd"))
    others = token_of(ask(region, "/regio kalender", user="UBRAM01"))
    assert client.get(f"/calendar/{first}.ics").status_code == 200
    reply = ask(region, "/regio kalender intrekken")
    assert reply.ok and reply.ephemeral
    assert "2" in to_text(reply)
    assert client.get(f"/calendar/{first}.ics").status_code == 404
    assert client.get(f"/calendar/{second}.ics").status_code == 404
    assert client.get(f"/calendar/{others}.ics").status_code == 200
    again = ask(region, "/regio kalender intrekken")
    assert "geen actieve" in to_text(again)


def test_it_has_help_from_its_docstring():
    from commands.registry import find

    entry = find("kalender")
    assert entry is not None and entry.usage.startswith("`/regio kalender")


def test_it_builds_the_same_urls_as_the_calendar_side():
    from calendars.tokens import feed_urls as calendar_urls
    from commands.kalender import feed_urls as command_urls
    from storage.feeds import new_token

    token = new_token()
    urls = calendar_urls("https://r.example/", token)
    assert command_urls("https://r.example/", token) == (urls.https, urls.webcal, urls.google)
