"""The chart of % on time per provider over the months (issue 15 #4): the weekly digest
posts it into its thread through files_upload_v2 (the real scheduler sender against the
fake Slack), the console writes it to a file and prints the path, and its numbers are
the KPI rows'."""

from __future__ import annotations

import io
from datetime import date

from slack_sdk import WebClient

from bot.console import reply_text
from commands.core import Context
from commands.declaraties import declaraties, on_time_series, weekly_digest
from scheduler.channels import ConsoleChannel, SlackChannel
from scheduler.planner import Schedule
from scheduler.sender import Sender
from storage.db import transaction
from storage.declarations import rules
from storage.declarations.importing import import_declarations
from storage.queries import add_subscription
from tests.fakeslack import FakeSlack
from tests.scheduler.helpers import amsterdam, moments, region, seed, tick

from .conftest import NOW

PNG = b"\x89PNG\r\n\x1a\n"


def _import(store, demo_year) -> None:
    out, _truth = demo_year
    with store.session() as session, session.begin():
        import_declarations(session, [out / "declaraties.csv", out / "aanbieders.csv"], now=NOW)


def test_it_charts_the_share_on_time_of_each_providers_obligations_per_month(store, demo_year):
    _import(store, demo_year)
    with store.session() as session:
        per = rules.evaluate(session, today=date(2020, 12, 31)).per
    series = on_time_series(per)
    assert len(series) >= 2
    for agb, points in series.items():
        rows = {r.month: r for r in per if r.provider_agb == agb}
        for month, share in points:
            row = rows[month]
            on_time = sum(row.counts[k][0] for k in rules.KPIS)
            counted = sum(row.counts[k][1] for k in rules.KPIS)
            assert share == 100.0 * on_time / counted
        assert [m for m, _ in points] == sorted(m for m, _ in points)


def test_it_uploads_the_digest_chart_into_the_digest_thread(store, demo_year):
    _import(store, demo_year)
    seed(store.factory, region([], subscriptions=False))
    with transaction(store.factory) as session:
        add_subscription(session, channel_id="C0CONTRACT", topic="declaraties",
                         created_by=None, now=amsterdam(date(2020, 6, 1)))
    schedule = Schedule()
    with FakeSlack() as slack:
        channel = SlackChannel(WebClient(token="xoxb-test", base_url=slack.api_url, timeout=5,
                                         retry_handlers=[]))
        sender = Sender(store.factory, channel, schedule=schedule, worker="w")
        for now in moments(date(2020, 6, 1), date(2020, 6, 2)):
            tick(store.factory, sender, now, schedule)
        [post] = slack.messages("C0CONTRACT")
        [upload] = slack.uploads()
    assert upload["channel"] == "C0CONTRACT" and upload["thread_ts"] == post["ts"]
    assert upload["content"].startswith(PNG) and len(upload["content"]) > 5000
    assert upload["title"] == "Grafiek: % op tijd per aanbieder"


def test_it_writes_the_chart_to_a_file_at_the_console(store, demo_year, tmp_path):
    _import(store, demo_year)
    with store.session() as session:
        ctx = Context(session=session, today=date(2020, 12, 31), now=NOW, user_id="console")
        text = reply_text(declaraties("", ctx), files_dir=tmp_path)
        digest = weekly_digest(session, week_ending=date(2020, 10, 4))
    path = tmp_path / "declaraties-op-tijd-2020-12-31.png"
    assert text.splitlines()[-1] == f"Grafiek: % op tijd per aanbieder: {path}"
    assert path.read_bytes().startswith(PNG)
    # The scheduler's console channel does the same with the digest's chart.
    stream = io.StringIO()
    console = ConsoleChannel(stream, files_dir=tmp_path)
    [attachment] = digest.files
    where = console.upload("C0CONTRACT", filename=attachment.filename, title=attachment.title,
                           content=attachment.render(), thread_ts="1.000000")
    assert stream.getvalue().endswith(f"{where}\n") and where.endswith(".png")
