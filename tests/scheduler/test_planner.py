"""The planner: which posts, to whom, when — working days, stages, superseding."""

from __future__ import annotations

from datetime import date, timedelta

from scheduler.planner import (
    Schedule,
    current,
    meeting_stages,
    milestone_stages,
    run_planner,
)
from scheduler.sender import Sender
from storage import deliveries
from storage.db import transaction
from storage.models import Milestone
from storage.queries import (
    add_subscription,
    find_subscriptions,
    move_milestone,
    remove_subscription,
    set_milestone_status,
)
from tests.scheduler.helpers import (
    ALICE,
    BOSD_CHANNEL,
    PROGRAMME_CHANNEL,
    amsterdam,
    meeting,
    milestone,
    moments,
    region,
    seed,
    tick,
)


def _days(due: date) -> dict[str, date]:
    return {stage.name: stage.day for stage in milestone_stages(due, Schedule())}


def test_it_skips_bevrijdingsdag_2020_when_counting_back():
    # Thursday 7 May 2020, 2 working days before: 6 May, (5 May Bevrijdingsdag), 4 May.
    assert _days(date(2020, 5, 7)) == {
        # 10 back: 6, 4, 1 May, 30, 29, 28 Apr, (27 Koningsdag), 24, 23, 22, 21 Apr.
        "w10": date(2020, 4, 21),
        "w2": date(2020, 5, 4),
        "due": date(2020, 5, 7),
    }


def test_it_skips_bevrijdingsdag_2025_too():
    # 2025: 5 May is a Monday and, per docs/architecture.md §4, a holiday in every year (not only
    # lustrum years). Wednesday 7 May 2025, 2 working days before: 6 May, 2 May.
    assert _days(date(2025, 5, 7))["w2"] == date(2025, 5, 2)
    assert _days(date(2025, 5, 6))["w2"] == date(2025, 5, 1)


def test_it_skips_good_friday_and_easter_monday():
    # Tuesday 14 April 2020: back over 13 (Tweede Paasdag), 12, 11, 10 (Goede Vrijdag).
    assert _days(date(2020, 4, 14))["w2"] == date(2020, 4, 8)
    # Easter 2025: Goede Vrijdag 18 April, Tweede Paasdag 21 April.
    assert _days(date(2025, 4, 22))["w2"] == date(2025, 4, 16)


def test_it_reminds_on_the_last_working_day_before_a_due_date_that_is_none():
    # Friday 1 January 2021 (Nieuwjaarsdag): the due-day reminder goes out on 31 Dec.
    assert _days(date(2021, 1, 1)) == {
        "w10": date(2020, 12, 17), "w2": date(2020, 12, 30), "due": date(2020, 12, 31),
    }
    # Saturday: Friday, and with "1 working day before" both fall on Friday: one post.
    stages = milestone_stages(date(2020, 6, 13), Schedule(reminder_days=(1,)))
    assert [(s.name, s.day) for s in stages] == [("due", date(2020, 6, 12))]


def test_it_posts_at_the_post_time_in_amsterdam_across_dst():
    winter = milestone_stages(date(2020, 3, 3), Schedule())[-1]
    summer = milestone_stages(date(2020, 7, 3), Schedule())[-1]
    assert (winter.at.hour, summer.at.hour) == (8, 7)  # 09:00 CET / CEST in UTC


def test_it_knows_only_the_current_stage():
    stages = milestone_stages(date(2020, 6, 30), Schedule())
    assert current(stages, amsterdam(date(2020, 6, 15), "08:59")) is None
    assert current(stages, amsterdam(date(2020, 6, 16), "09:00")).name == "w10"
    assert current(stages, amsterdam(date(2020, 6, 26), "09:00")).name == "w2"
    assert current(stages, amsterdam(date(2020, 6, 30), "23:59")).name == "due"
    assert current(stages, amsterdam(date(2020, 7, 1), "09:00")) is None


def test_it_calls_for_agenda_items_and_posts_the_agenda_in_working_days():
    # BOSD Thursday 14 May 2020 (Bevrijdingsdag 5 May, Hemelvaart is 21 May).
    stages = meeting_stages(date(2020, 5, 14), None, Schedule())
    assert [(s.name, s.day) for s in stages] == [
        (deliveries.BOSD_CALL, date(2020, 4, 29)),
        (deliveries.BOSD_AGENDA, date(2020, 5, 7)),
    ]


def _keys(store_fixture, **filters) -> list[str]:
    with store_fixture.session() as session:
        return [d.key for d in deliveries.find_deliveries(session, **filters)]


def test_it_plans_the_owner_dm_and_the_following_channel(store, schedule):
    seed(store.factory, region([milestone("a", date(2020, 6, 30))]))
    run_planner(store.factory, now=amsterdam(date(2020, 6, 16)), schedule=schedule)
    keys = _keys(store)
    milestone_id = int(keys[0].split(":")[1][1:])
    assert sorted(keys) == sorted([
        f"reminder:m{milestone_id}:2020-06-30:w10:{ALICE}",
        f"reminder:m{milestone_id}:2020-06-30:w10:{PROGRAMME_CHANNEL}",
    ])


def test_it_plans_nothing_twice(store, schedule):
    seed(store.factory, region([milestone("a", date(2020, 6, 30))]))
    now = amsterdam(date(2020, 6, 16))
    first = run_planner(store.factory, now=now, schedule=schedule)
    again = run_planner(store.factory, now=now + timedelta(minutes=5), schedule=schedule)
    assert len(first.planned) == 2 and again.planned == []
    assert len(_keys(store)) == 2


def test_it_plans_nothing_for_an_owner_without_slack_or_an_unfollowed_programme(store, schedule):
    seed(store.factory, region([milestone("a", date(2020, 6, 30), owner="Charlie Bakker")],
                               subscriptions=False))
    run_planner(store.factory, now=amsterdam(date(2020, 6, 16)), schedule=schedule)
    assert _keys(store) == []


def test_it_reminds_a_moved_milestone_for_its_new_date_only(store, schedule, console):
    seed(store.factory, region([milestone("a", date(2020, 6, 30))]))
    sender = Sender(store.factory, console, schedule=schedule, worker="w")
    tick(store.factory, sender, amsterdam(date(2020, 6, 16)), schedule)
    with transaction(store.factory) as session:
        moved = session.query(Milestone).one()
        move_milestone(session, milestone=moved, due_date=date(2020, 7, 31),
                       now=amsterdam(date(2020, 6, 17)))
    for now in moments(date(2020, 6, 17), date(2020, 7, 31)):
        tick(store.factory, sender, now, schedule)
    posted = [key for _, key, _ in console.posts]
    assert [k.split(":", 3)[2:] for k in posted
            if k.startswith("reminder:") and k.endswith(ALICE)] == [
        ["2020-06-30", f"w10:{ALICE}"],
        ["2020-07-31", f"w10:{ALICE}"],
        ["2020-07-31", f"w2:{ALICE}"],
        ["2020-07-31", f"due:{ALICE}"],
    ]


def test_it_posts_nothing_more_for_a_done_milestone(store, schedule, console):
    seed(store.factory, region([milestone("a", date(2020, 6, 30))]))
    sender = Sender(store.factory, console, schedule=schedule, worker="w")
    tick(store.factory, sender, amsterdam(date(2020, 6, 16)), schedule)
    with transaction(store.factory) as session:
        set_milestone_status(session, milestone=session.query(Milestone).one(), status="done",
                             now=amsterdam(date(2020, 6, 17)))
    for now in moments(date(2020, 6, 17), date(2020, 7, 14)):
        tick(store.factory, sender, now, schedule)
    assert len(console.posts) == 2  # the first reminder, to Alice and the channel


def test_it_posts_only_the_latest_relevant_reminder_after_a_week_of_downtime(
    store, schedule, console
):
    # Due Friday 19 June 2020: w10 on 5 June, w2 on 17 June, due on 19 June.
    # BOSD Thursday 18 June: call on 4 June, agenda on 11 June.
    seed(store.factory, region([milestone("a", date(2020, 6, 19)),
                                milestone("late", date(2020, 5, 29))],
                               [meeting("bosd-6", date(2020, 6, 18), agenda=["Jeugd"])]))
    sender = Sender(store.factory, console, schedule=schedule, worker="w")
    for now in moments(date(2020, 6, 1), date(2020, 6, 3)):
        tick(store.factory, sender, now, schedule)
    before = [key for _, key, _ in console.posts]
    assert any(key.startswith("digest:2020-06-01") for key in before)
    # Down from Thursday 4 June to Wednesday 17 June, 10:00 (two weeks).
    for now in moments(date(2020, 6, 17), date(2020, 6, 22), at=("10:00", "15:00"),
                       every_day=True):
        tick(store.factory, sender, now, schedule)
    after = [key.rsplit(":", 1)[0] for _, key, _ in console.posts[len(before):]]
    milestone_id = next(k for k in after if k.startswith("reminder")).split(":")[1]
    # No w10 reminder of 5 June, no BOSD call of 4 June, no digest of 8 June: only what
    # is still relevant on 17 June (the w2 reminder, the agenda, this week's digest),
    # then what falls due later.
    assert sorted(set(after)) == sorted({
        "bosd_agenda:mt1:2020-06-18",
        "digest:2020-06-15",
        "week:2020-06-15",  # Alice's "Jouw week" (her DM gets no separate digest)
        "week:2020-06-22",
        f"reminder:{milestone_id}:2020-06-19:w2",
        f"reminder:{milestone_id}:2020-06-19:due",
        "digest:2020-06-22",
    })
    with store.session() as session:
        statuses = deliveries.count_by_status(session)
    # The missed posts were never planned, so nothing lapsed either.
    assert set(statuses) == {"sent"}


def test_it_supersedes_a_planned_post_that_went_stale(store, schedule, console):
    seed(store.factory, region([milestone("a", date(2020, 6, 19))]))
    # Planned on 5 June (w10) but the sender never ran until 17 June (w2 is due).
    run_planner(store.factory, now=amsterdam(date(2020, 6, 5)), schedule=schedule)
    sender = Sender(store.factory, console, schedule=schedule, worker="w")
    tick(store.factory, sender, amsterdam(date(2020, 6, 17)), schedule)
    assert {key.split(":")[3] for _, key, _ in console.posts
            if key.startswith("reminder:")} == {"w2"}
    with store.session() as session:
        superseded = deliveries.find_deliveries(session, statuses=["superseded"])
    assert {d.stage for d in superseded} == {"w10"}


def test_it_sends_the_bosd_call_and_agenda_to_bosd_channels(store, schedule, console):
    seed(store.factory, region([], [meeting("bosd-3", date(2020, 4, 16), number=3,
                                            agenda=["Programma's 2020"])]))
    sender = Sender(store.factory, console, schedule=schedule, worker="w")
    for now in moments(date(2020, 3, 30), date(2020, 4, 16)):
        tick(store.factory, sender, now, schedule)
    assert [(channel, key.split(":")[0]) for channel, key, _ in console.posts] == [
        (BOSD_CHANNEL, "bosd_call"), (BOSD_CHANNEL, "bosd_agenda"),
    ]
    text = console.stream.getvalue()
    assert "Agenda BOSD 3 – 16 april 2020" in text and "Programma's 2020" in text


def test_it_posts_around_bevrijdingsdag_and_easter_on_the_right_days(store, schedule, console):
    seed(store.factory, region([milestone("mei", date(2025, 5, 7)),
                                milestone("pasen", date(2025, 4, 22), owner="Bob Jansen")],
                               subscriptions=False))
    sender = Sender(store.factory, console, schedule=schedule, worker="w")
    posted_on: dict[str, date] = {}
    for now in moments(date(2025, 4, 1), date(2025, 5, 7), every_day=True):
        seen = len(console.posts)
        tick(store.factory, sender, now, schedule)
        for _, key, _ in console.posts[seen:]:
            posted_on[key] = now.date()
    weeks = {k: v for k, v in posted_on.items() if k.startswith("week:")}
    reminders = {k.split(":", 2)[2]: v for k, v in posted_on.items() if k.startswith("reminder")}
    # "Jouw week" while the Easter milestone is due or late: on Tuesday 22 April (Easter
    # Monday is no working day), Monday 28 April, and on Tuesday 6 May in the week of
    # Bevrijdingsdag, when Alice's milestone of 7 May is due too.
    assert weeks == {"week:2025-04-21:U0BOB": date(2025, 4, 22),
                     "week:2025-04-28:U0BOB": date(2025, 4, 28),
                     "week:2025-05-05:U0BOB": date(2025, 5, 6),
                     "week:2025-05-05:U0ALICE": date(2025, 5, 6)}
    assert not any(k.startswith("digest:") for k in posted_on)  # no channel follows
    assert reminders == {
        # Due Tuesday 22 April 2025: back over Tweede Paasdag (21) and Goede Vrijdag (18).
        "2025-04-22:w10:U0BOB": date(2025, 4, 4),
        "2025-04-22:w2:U0BOB": date(2025, 4, 16),
        "2025-04-22:due:U0BOB": date(2025, 4, 22),
        # Due Wednesday 7 May 2025: back over Bevrijdingsdag (5 May) and Koningsdag (26 April
        # is a Saturday in 2025).
        "2025-05-07:w10:U0ALICE": date(2025, 4, 22),
        "2025-05-07:w2:U0ALICE": date(2025, 5, 2),
        "2025-05-07:due:U0ALICE": date(2025, 5, 7),
    }


def test_it_drops_a_planned_post_when_the_channel_stops_following(store, schedule, console):
    seed(store.factory, region([milestone("a", date(2020, 6, 30))],
                               [meeting("bosd-6", date(2020, 6, 18))]))
    now = amsterdam(date(2020, 6, 16))  # the w10 reminder and the BOSD agenda are due
    run_planner(store.factory, now=now, schedule=schedule)
    with transaction(store.factory) as session:
        for topic in ("programme", "bosd"):
            channel = PROGRAMME_CHANNEL if topic == "programme" else BOSD_CHANNEL
            (sub,) = [s for s in find_subscriptions(session, channel_id=channel)
                      if s.topic == topic]
            remove_subscription(session, channel_id=channel, topic=topic,
                                programme_id=sub.programme_id)
    report = Sender(store.factory, console, schedule=schedule, worker="w").run(now=now)
    assert [key.rsplit(":", 1)[1] for key in report.sent] == [ALICE]
    assert len(report.superseded) == 2


def test_it_finds_a_due_date_on_a_holiday_after_a_long_weekend(store, schedule):
    # Due on Tweede Paasdag 2020 (Monday 13 April): 10 working days before is Friday
    # 27 March, with Goede Vrijdag and a weekend between the last working day and it.
    seed(store.factory, region([milestone("paasmaandag", date(2020, 4, 13))]))
    report = run_planner(store.factory, now=amsterdam(date(2020, 3, 27)), schedule=schedule)
    assert {key.split(":")[3] for key in report.planned} == {"w10"}


def test_it_posts_the_weekly_declarations_digest_to_channels_following_declaraties(
    store, schedule, console
):
    seed(store.factory, region([], subscriptions=False))
    with transaction(store.factory) as session:
        add_subscription(session, channel_id="C0CONTRACT", topic="declaraties",
                         created_by=None, now=amsterdam(date(2020, 4, 1)))
    sender = Sender(store.factory, console, schedule=schedule, worker="w")
    posted: list[tuple[str, date]] = []
    for now in moments(date(2020, 4, 1), date(2020, 4, 21)):
        seen = len(console.posts)
        tick(store.factory, sender, now, schedule)
        posted += [(key, now.date()) for _, key, _ in console.posts[seen:]]
    # This week's (planned on the 1st, relevant until next Monday), then each Monday —
    # Tuesday 14 April after Tweede Paasdag.
    assert posted == [
        ("declarations_digest:2020-03-30:C0CONTRACT", date(2020, 4, 1)),
        ("declarations_digest:2020-04-06:C0CONTRACT", date(2020, 4, 6)),
        ("declarations_digest:2020-04-13:C0CONTRACT", date(2020, 4, 14)),
        ("declarations_digest:2020-04-20:C0CONTRACT", date(2020, 4, 20)),
    ]
    assert "C0CONTRACT" in console.posts[0][0]
