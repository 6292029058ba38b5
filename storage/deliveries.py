"""The delivery table: every scheduled post, planned once and sent once (docs/architecture.md §6).

APScheduler keeps no promise across processes or crashes, so the promise lives here:

- the planner inserts a row per post that is due, under a unique `key`; inserting a
  key that exists does nothing (`INSERT … ON CONFLICT DO NOTHING`), so two planners,
  or one planner running again after a restart, never plan a post twice;
- a sender takes a row with a conditional UPDATE (`… WHERE id = ? AND status IN
  ('pending', 'retry') AND next_attempt_at <= now`) and goes on only when exactly one
  row changed — the pattern of healthchecks' `sendalerts`;
- the row then says `sending` until the Slack `ts` is recorded (`sent`), or the error
  is (`retry` with `next_attempt_at`, or `failed`); a row left `sending` by a crash is
  taken over by a later sender, which first looks for the key in the channel history.
- `claimed_at` is the database's clock (`storage.db.database_utcnow`), and so is the
  moment a claim is judged stale against: two clock processes whose own clocks
  disagree (or one with a date pinned by REGIOBOT_TODAY) still agree on how long a row
  has been `sending`. Everything else (when a post is due, backoff) is the scheduler's
  clock, passed in as `now`.

All SQL of the scheduler is in this module: keyword-only functions taking a Session.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    String,
    Text,
    case,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column

from storage import linking
from storage.db import database_utcnow
from storage.models import (
    AgendaItem,
    Base,
    Meeting,
    Milestone,
    Person,
    Subscription,
)
from storage.responsible import responsible_for, responsible_is, responsible_person_id

# pending → sending → sent; sending → retry → sending …; → failed; pending/retry → superseded.
DELIVERY_STATUSES = ("pending", "sending", "sent", "retry", "failed", "superseded")
CLAIMABLE = ("pending", "retry")
OPEN_STATUSES = ("pending", "sending", "retry")

# Kinds of post.
REMINDER = "reminder"
DIGEST = "digest"
BOSD_CALL = "bosd_call"
BOSD_AGENDA = "bosd_agenda"
ADMIN_ALERT = "admin_alert"
DECLARATIONS_DIGEST = "declarations_digest"
# "Jouw week": Monday's DM to a linked responsible person (issue 12 point 7).
WEEK = "week"
# A request to be linked to a person, to one coordinator (storage.linking).
LINK_REQUEST = "link_request"
KINDS = (REMINDER, DIGEST, BOSD_CALL, BOSD_AGENDA, ADMIN_ALERT, DECLARATIONS_DIGEST, WEEK,
         LINK_REQUEST)


class Delivery(Base):
    """One post to one Slack target (a channel id, or a user id for a DM)."""

    __tablename__ = "delivery"
    __table_args__ = (
        # The sender's claim query: claimable rows whose time has come, oldest first.
        Index("ix_delivery_status_next_attempt", "status", "next_attempt_at"),
        # The planner supersedes earlier stages of the same object and target.
        Index("ix_delivery_group_status", "group_key", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique per post: kind, object, its date (due date / meeting date / week), stage,
    # target — e.g. "reminder:m12:2020-06-30:w10:C0PROG". See scheduler.planner.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    # Slack channel id (C…/G…) or user id (U…/W…) as planned.
    target: Mapped[str] = mapped_column(String(32))
    # Rows of one object and target ("m12:C0PROG"): a later stage supersedes earlier ones.
    group_key: Mapped[str] = mapped_column(String(120))
    stage: Mapped[str | None] = mapped_column(String(16))
    # The date the post is about: the milestone's due date, the meeting's date, the
    # digest's week (its Monday). A moved milestone gets new keys, the old rows lapse.
    subject_date: Mapped[date | None]
    milestone_id: Mapped[int | None] = mapped_column(
        ForeignKey("milestone.id", ondelete="CASCADE"), index=True
    )
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    # Kind-specific data (a digest's person/programme ids, an alert's failed key).
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    planned_for: Mapped[datetime]
    # After this moment the post is stale (a later stage is due): never sent then.
    expires_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    # True after an attempt whose outcome is unknown (timeout, 5xx, crash while
    # sending): the next attempt first looks for the key in the channel history.
    needs_lookup: Mapped[bool] = mapped_column(Boolean, default=False)
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    # Where the message landed (a DM's D… channel) and its ts, for chat.update.
    slack_channel: Mapped[str | None] = mapped_column(String(32))
    slack_ts: Mapped[str | None] = mapped_column(String(32))
    # For a reminder replying in its milestone's thread: the ts of the thread's first post.
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None]
    # SHA-256 of the rendered message as posted, and the version (last change) of its
    # milestone or meeting it was rendered from: only objects changed after that
    # version are rendered again to see whether the message needs a chat.update.
    content_hash: Mapped[str | None] = mapped_column(String(64))
    content_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SchedulerHeartbeat(Base):
    """One row per clock process, touched on every tick; /healthz reads the newest."""

    __tablename__ = "scheduler_heartbeat"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "host:pid" (or a name given by a test).
    process: Mapped[str] = mapped_column(String(200), unique=True)
    started_at: Mapped[datetime]
    last_tick: Mapped[datetime] = mapped_column(index=True)


# --- planning


def _insert(session: Session, into: Any = Delivery):
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(into)
    if dialect == "sqlite":
        return sqlite.insert(into)
    raise NotImplementedError(f"no insert-if-absent for {dialect}")


def _chunks(items: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    """Slices of at most `size`: an IN list per statement stays far below any engine's
    limit on parameters."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def plan_delivery(
    session: Session,
    *,
    key: str,
    kind: str,
    target: str,
    group_key: str,
    planned_for: datetime,
    now: datetime,
    stage: str | None = None,
    subject_date: date | None = None,
    expires_at: datetime | None = None,
    milestone_id: int | None = None,
    meeting_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> bool:
    """Insert the post unless its key exists. True when it was new."""
    statement = (
        _insert(session)
        .values(
            key=key,
            kind=kind,
            target=target,
            group_key=group_key,
            stage=stage,
            subject_date=subject_date,
            milestone_id=milestone_id,
            meeting_id=meeting_id,
            payload=payload or {},
            planned_for=planned_for,
            expires_at=expires_at,
            status="pending",
            attempts=0,
            next_attempt_at=planned_for,
            needs_lookup=False,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["key"])
        # rowcount is not reliable here (psycopg reports -1 with RETURNING): a returned
        # id says the row is new.
        .returning(Delivery.id)
    )
    return session.execute(statement).scalar_one_or_none() is not None


# The planned rows' columns a planner decides, and their PostgreSQL types (for unnest).
_PLANNED = (("key", "text"), ("kind", "text"), ("target", "text"), ("group_key", "text"),
            ("stage", "text"), ("subject_date", "date"), ("milestone_id", "integer"),
            ("meeting_id", "integer"), ("payload", "json"), ("planned_for", "timestamptz"),
            ("expires_at", "timestamptz"))


def plan_deliveries(
    session: Session, *, posts: Sequence[dict[str, Any]], now: datetime
) -> set[str]:
    """Insert the posts whose key is not planned yet; the keys that were new.

    Each post is a dict of `plan_delivery`'s arguments (key, kind, target, group_key,
    planned_for and any of stage, subject_date, expires_at, milestone_id, meeting_id,
    payload). All go in one `INSERT … ON CONFLICT DO NOTHING RETURNING key`: a key
    another planner inserted meanwhile is skipped, not doubled, exactly as with one
    INSERT per post. On PostgreSQL the rows travel as one array per column (`unnest`),
    so the statement has eleven parameters however many posts there are — a multi-row
    VALUES of 17 parameters a row cost psycopg more time parsing its own query text
    than the database took; SQLite gets SQLAlchemy's multi-row VALUES (insertmanyvalues)."""
    if not posts:
        return set()
    columns = {name: [post.get(name) for post in posts] for name, _ in _PLANNED}
    columns["payload"] = [post.get("payload") or {} for post in posts]
    if session.get_bind().dialect.name == "postgresql":
        columns["payload"] = [json.dumps(payload) for payload in columns["payload"]]
        names = ", ".join(name for name, _ in _PLANNED)
        arrays = ", ".join(f"CAST(:{name} AS {kind}[])" for name, kind in _PLANNED)
        statement = text(
            f"INSERT INTO delivery ({names}, status, attempts, next_attempt_at, needs_lookup,"
            " created_at, updated_at)"
            f" SELECT {names}, 'pending', 0, planned_for, false, :now, :now"
            f" FROM unnest({arrays}) AS post ({names})"
            " ON CONFLICT (key) DO NOTHING RETURNING key"
        )
        return set(session.execute(statement, {**columns, "now": now}).scalars())
    table = Delivery.__table__
    rows = [
        {**{name: values[i] for name, values in columns.items()},
         "status": "pending", "attempts": 0, "next_attempt_at": columns["planned_for"][i],
         "needs_lookup": False, "created_at": now, "updated_at": now}
        for i in range(len(posts))
    ]
    statement = (
        _insert(session, table)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(table.c.key)
    )
    return set(session.execute(statement, rows).scalars())


def existing_keys(session: Session, *, keys: Iterable[str]) -> set[str]:
    """Which of `keys` are planned already (planning them again would change nothing)."""
    found: set[str] = set()
    for chunk in _chunks(list(keys)):
        found.update(session.scalars(select(Delivery.key).where(Delivery.key.in_(chunk))))
    return found


def supersede_groups(session: Session, *, keep: dict[str, str], now: datetime) -> int:
    """Lapse the not-yet-sent rows of each group (group_key → the key planned for it
    now) except that key: an earlier stage, an old date. Their reason names the key
    that superseded them.

    Set-based: one SELECT per 500 groups finds the rows (usually none — an earlier
    stage was sent, or lapsed by `supersede_expired`), then one UPDATE per 500 of them,
    conditional on their status like every claim, so a row a sender took meanwhile is
    left to the sender."""
    lapsed: dict[int, str] = {}
    for chunk in _chunks(list(keep)):
        rows = session.execute(
            select(Delivery.id, Delivery.group_key, Delivery.key)
            .where(Delivery.group_key.in_(chunk), Delivery.status.in_(CLAIMABLE))
        )
        for delivery_id, group_key, key in rows:
            if key != keep[group_key]:
                lapsed[delivery_id] = keep[group_key]
    count = 0
    for ids in _chunks(list(lapsed)):
        reason = case({i: "superseded by " + lapsed[i] for i in ids}, value=Delivery.id)
        result = session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids), Delivery.status.in_(CLAIMABLE))
            .values(status="superseded", updated_at=now, last_error=reason)
            .execution_options(synchronize_session=False)
        )
        count += result.rowcount
    return count


def supersede_group(session: Session, *, group_key: str, keep_key: str, now: datetime) -> int:
    """`supersede_groups` for one group in one UPDATE: the planner's way until it planned
    set-based, kept as the reference the planner is checked against (bench.planner)."""
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.group_key == group_key,
            Delivery.key != keep_key,
            Delivery.status.in_(CLAIMABLE),
        )
        .values(status="superseded", updated_at=now, last_error="superseded by " + keep_key)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def supersede_expired(session: Session, *, now: datetime) -> int:
    """Lapse not-yet-sent rows whose moment has passed (a later stage is due)."""
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.status.in_(CLAIMABLE),
            Delivery.expires_at.is_not(None),
            Delivery.expires_at <= now,
        )
        .values(status="superseded", updated_at=now, last_error="expired")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def supersede_closed_milestones(session: Session, *, now: datetime) -> int:
    """Lapse not-yet-sent reminders of milestones that are done, cancelled or moved."""
    closed = select(Milestone.id).where(Milestone.status != "open")
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.status.in_(CLAIMABLE),
            Delivery.kind == REMINDER,
            or_(
                Delivery.milestone_id.in_(closed),
                Delivery.subject_date
                != select(Milestone.due_date)
                .where(Milestone.id == Delivery.milestone_id)
                .scalar_subquery(),
            ),
        )
        .values(status="superseded", updated_at=now, last_error="milestone closed or moved")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def supersede(session: Session, *, delivery_id: int, worker: str, reason: str,
              now: datetime) -> bool:
    """Lapse a row the sender holds (found stale or unwanted at send time)."""
    result = session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == "sending",
               Delivery.claimed_by == worker)
        .values(status="superseded", updated_at=now, last_error=reason)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


# --- claiming and recording


def due_delivery_ids(session: Session, *, now: datetime, limit: int = 50) -> list[int]:
    """Ids of rows a sender may claim now, oldest first (candidates; the claim decides)."""
    return list(
        session.scalars(
            select(Delivery.id)
            .where(Delivery.status.in_(CLAIMABLE), Delivery.next_attempt_at <= now)
            .order_by(Delivery.next_attempt_at, Delivery.id)
            .limit(limit)
        )
    )


def claim_delivery(session: Session, *, delivery_id: int, worker: str, now: datetime) -> bool:
    """Take the row for sending; True only for the one sender whose UPDATE changed it.
    `now` decides whether the row is due; the claim is timed by the database's clock."""
    claimed_at = database_utcnow(session)
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.status.in_(CLAIMABLE),
            Delivery.next_attempt_at <= now,
        )
        .values(
            status="sending",
            claimed_at=claimed_at,
            claimed_by=worker,
            attempts=Delivery.attempts + 1,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def stale_sending(session: Session, *, stale_after: timedelta) -> list[tuple[int, datetime]]:
    """(id, claimed_at) of rows left `sending` for longer than `stale_after` by the
    database's clock (a crash, or a sender frozen that long)."""
    claimed_before = database_utcnow(session) - stale_after
    rows = session.execute(
        select(Delivery.id, Delivery.claimed_at)
        .where(Delivery.status == "sending", Delivery.claimed_at < claimed_before)
        .order_by(Delivery.claimed_at, Delivery.id)
    )
    return [(row.id, row.claimed_at) for row in rows]


def claim_stale(
    session: Session, *, delivery_id: int, claimed_at: datetime, worker: str, now: datetime
) -> bool:
    """Take over a row left `sending`; only one sender wins, and it must look up the key.
    The new claim is timed by the database's clock, like every claim."""
    claimed_now = database_utcnow(session)
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.status == "sending",
            Delivery.claimed_at == claimed_at,
        )
        .values(claimed_at=claimed_now, claimed_by=worker, needs_lookup=True, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def get_delivery(session: Session, *, delivery_id: int) -> Delivery | None:
    return session.get(Delivery, delivery_id)


def delivery_by_key(session: Session, *, key: str) -> Delivery | None:
    return session.scalar(select(Delivery).where(Delivery.key == key))


def mark_sent(
    session: Session,
    *,
    delivery_id: int,
    worker: str,
    slack_channel: str,
    slack_ts: str,
    content_hash: str | None,
    content_version: datetime | None,
    now: datetime,
) -> bool:
    result = session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == "sending",
               Delivery.claimed_by == worker)
        .values(
            status="sent",
            slack_channel=slack_channel,
            slack_ts=slack_ts,
            sent_at=now,
            content_hash=content_hash,
            content_at=content_version,
            needs_lookup=False,
            last_error=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def mark_retry(
    session: Session,
    *,
    delivery_id: int,
    worker: str,
    next_attempt_at: datetime,
    error: str,
    needs_lookup: bool,
    now: datetime,
) -> bool:
    values: dict[str, Any] = {
        "status": "retry",
        "next_attempt_at": next_attempt_at,
        "last_error": error[:2000],
        "updated_at": now,
    }
    # Once an attempt may have reached Slack, every later attempt must look first.
    if needs_lookup:
        values["needs_lookup"] = True
    result = session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == "sending",
               Delivery.claimed_by == worker)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def mark_failed(
    session: Session, *, delivery_id: int, worker: str, error: str, now: datetime
) -> bool:
    result = session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == "sending",
               Delivery.claimed_by == worker)
        .values(status="failed", last_error=error[:2000], updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


# --- threads: the reminders of one milestone to one target form one thread


def thread_root(session: Session, *, group_key: str, exclude_id: int) -> Delivery | None:
    """The first post of a reminder group that went out top-level (the thread to reply in)."""
    return session.scalar(
        select(Delivery)
        .where(
            Delivery.group_key == group_key,
            Delivery.kind == REMINDER,
            Delivery.id != exclude_id,
            Delivery.status == "sent",
            Delivery.slack_ts.is_not(None),
            Delivery.thread_ts.is_(None),
        )
        .order_by(Delivery.sent_at, Delivery.id)
        .limit(1)
    )


def set_thread(session: Session, *, delivery_id: int, worker: str, slack_channel: str,
               thread_ts: str, now: datetime) -> bool:
    """Fix the thread (and conversation) a claimed row replies in, before posting it."""
    result = session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == "sending",
               Delivery.claimed_by == worker)
        .values(thread_ts=thread_ts, slack_channel=slack_channel, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


# --- keeping posted messages current (chat.update)


def _source_version(delivery=Delivery):
    """The last change of a delivery's milestone, or meeting and its agenda (SQL)."""
    milestone_version = (
        select(Milestone.updated_at).where(Milestone.id == delivery.milestone_id)
        .scalar_subquery()
    )
    meeting_version = (
        select(Meeting.updated_at).where(Meeting.id == delivery.meeting_id).scalar_subquery()
    )
    item_version = (
        select(func.max(AgendaItem.updated_at))
        .where(AgendaItem.meeting_id == delivery.meeting_id)
        .scalar_subquery()
    )
    return milestone_version, meeting_version, item_version


def deliveries_to_refresh(
    session: Session, *, sent_since: datetime, limit: int = 100
) -> list[Delivery]:
    """Sent reminders and BOSD posts whose milestone or meeting (or agenda item) changed
    after the version they were last rendered from: only those are rendered again."""
    milestone_version, meeting_version, item_version = _source_version()
    return list(
        session.scalars(
            select(Delivery)
            .where(
                Delivery.status == "sent",
                Delivery.kind.in_((REMINDER, BOSD_CALL, BOSD_AGENDA)),
                Delivery.sent_at >= sent_since,
                Delivery.slack_ts.is_not(None),
                or_(
                    Delivery.content_at.is_(None),
                    milestone_version > Delivery.content_at,
                    meeting_version > Delivery.content_at,
                    item_version > Delivery.content_at,
                ),
            )
            .order_by(Delivery.id)
            .limit(limit)
        )
    )


def source_version(session: Session, *, delivery_id: int) -> datetime | None:
    """The version (last change) of what a delivery shows, for `content_at`."""
    versions = session.execute(
        select(*_source_version()).where(Delivery.id == delivery_id)
    ).one_or_none()
    values = [v for v in (versions or ()) if v is not None]
    if not values:
        return None
    # SQLite hands back text for a bare subquery column; the model's type is not applied.
    return max(_as_utc(v) for v in values)


def _as_utc(value) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def claim_refresh(
    session: Session, *, delivery_id: int, content_at: datetime | None,
    version: datetime | None,
) -> bool:
    """Take the comparison of one posted message (its `content_at` moves from the version
    it was rendered from to `version`), so two senders don't both update it."""
    condition = (
        Delivery.content_at.is_(None) if content_at is None else Delivery.content_at == content_at
    )
    result = session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == "sent", condition)
        .values(content_at=version)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def record_refresh(session: Session, *, delivery_id: int, content_hash: str, now: datetime) -> None:
    session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id)
        .values(content_hash=content_hash, updated_at=now)
        .execution_options(synchronize_session=False)
    )


# --- what the planner reads


def open_milestones_due_between(session: Session, *, start: date, end: date) -> list[Milestone]:
    return list(
        session.scalars(
            select(Milestone)
            .where(Milestone.status == "open", Milestone.due_date >= start,
                   Milestone.due_date <= end)
            .order_by(Milestone.due_date, Milestone.id)
        )
    )


def late_open_responsible_and_programmes(
    session: Session, *, before: date
) -> list[tuple[int | None, int]]:
    """(responsible person id, programme id) of open milestones due before `before`,
    distinct: who gets a digest, without loading the milestones."""
    responsible = responsible_person_id()
    rows = session.execute(
        select(responsible.label("person_id"), Milestone.programme_id)
        .where(Milestone.status == "open", Milestone.due_date < before)
        .distinct()
        .order_by(Milestone.programme_id, responsible)
    )
    return [(row.person_id, row.programme_id) for row in rows]


def late_open_milestones(
    session: Session,
    *,
    before: date,
    responsible_id: int | None = None,
    programme_ids: Iterable[int] | None = None,
) -> list[Milestone]:
    """Open milestones due before `before`, of a responsible person (storage.responsible)
    or of some programmes (None: all)."""
    query = (
        select(Milestone)
        .where(Milestone.status == "open", Milestone.due_date < before)
        .options(joinedload(Milestone.owner), joinedload(Milestone.programme))
        .order_by(Milestone.due_date, Milestone.programme_id, Milestone.position, Milestone.id)
    )
    if responsible_id is not None:
        query = query.where(responsible_is(responsible_id))
    if programme_ids is not None:
        query = query.where(Milestone.programme_id.in_(list(programme_ids)))
    return list(session.scalars(query))


def responsible_with_open_due_by(session: Session, *, end: date) -> list[int]:
    """Ids of the people responsible for an open milestone due on or before `end` (late
    ones included): who gets "Jouw week"."""
    responsible = responsible_person_id()
    rows = session.execute(
        select(responsible.label("person_id"))
        .where(Milestone.status == "open", Milestone.due_date <= end)
        .distinct()
    )
    return sorted(row.person_id for row in rows if row.person_id is not None)


def open_due_by(session: Session, *, end: date, responsible_id: int) -> list[Milestone]:
    """A person's open milestones due on or before `end`, in due order."""
    return list(
        session.scalars(
            select(Milestone)
            .where(Milestone.status == "open", Milestone.due_date <= end,
                   responsible_is(responsible_id))
            .options(joinedload(Milestone.owner), joinedload(Milestone.programme),
                     joinedload(Milestone.project))
            .order_by(Milestone.due_date, Milestone.programme_id, Milestone.position,
                      Milestone.id)
        )
    )


def responsible_slack_users(session: Session, *, milestone_ids: Iterable[int]) -> dict[int, str]:
    """{milestone id: Slack user id of the person responsible for it}, linked people only."""
    return {
        milestone_id: who.slack_user_id
        for milestone_id, who in responsible_for(session, milestone_ids=milestone_ids).items()
        if who.slack_user_id
    }


def programme_channels(session: Session) -> dict[int | None, list[str]]:
    """Channels following programmes: {programme_id: [channel ids]}; the key None holds
    channels following every programme (a 'programme' subscription without programme)."""
    out: dict[int | None, list[str]] = {}
    for row in session.execute(
        select(Subscription.programme_id, Subscription.channel_id)
        .where(Subscription.topic == "programme")
        .order_by(Subscription.channel_id)
    ):
        out.setdefault(row.programme_id, []).append(row.channel_id)
    return out


def topic_channels(session: Session, *, topic: str) -> list[str]:
    return sorted(
        set(session.scalars(select(Subscription.channel_id).where(Subscription.topic == topic)))
    )


def people_with_slack(session: Session, *, person_ids: Iterable[int]) -> dict[int, str]:
    ids = list(person_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Person.id, Person.slack_user_id)
        .where(Person.id.in_(ids), Person.slack_user_id.is_not(None))
    )
    return {row.id: row.slack_user_id for row in rows}


def lang_for_target(session: Session, *, target: str) -> str | None:
    """The language of a DM's person (their Slack locale), None for channels or unknown."""
    return linking.lang_of(session, slack_user_id=target) if is_user(target) else None


def needs_profile(session: Session, *, target: str) -> bool:
    """A DM to someone whose Slack profile (locale) was never fetched."""
    return is_user(target) and linking.get_profile(session, slack_user_id=target) is None


def is_user(target: str) -> bool:
    """A user id (U…/W…, or a console user) rather than a channel (C…/G…/D…)."""
    return target[:1] not in ("C", "G", "D")


def count_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(Delivery.status, func.count()).group_by(Delivery.status))
    return {status: count for status, count in rows}


def find_deliveries(
    session: Session, *, statuses: Sequence[str] | None = None, kind: str | None = None
) -> list[Delivery]:
    query = select(Delivery).order_by(Delivery.planned_for, Delivery.id)
    if statuses is not None:
        query = query.where(Delivery.status.in_(list(statuses)))
    if kind is not None:
        query = query.where(Delivery.kind == kind)
    return list(session.scalars(query))


# --- heartbeat


def write_heartbeat(session: Session, *, process: str, now: datetime) -> None:
    """Record a tick of `process` (insert on its first tick)."""
    changed = session.execute(
        update(SchedulerHeartbeat)
        .where(SchedulerHeartbeat.process == process)
        .values(last_tick=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        dialect = session.get_bind().dialect.name
        module = postgresql if dialect == "postgresql" else sqlite
        session.execute(
            module.insert(SchedulerHeartbeat)
            .values(process=process, started_at=now, last_tick=now)
            .on_conflict_do_update(index_elements=["process"], set_={"last_tick": now})
        )


def last_heartbeat(session: Session) -> SchedulerHeartbeat | None:
    return session.scalar(
        select(SchedulerHeartbeat).order_by(SchedulerHeartbeat.last_tick.desc()).limit(1)
    )


__all__ = [
    "ADMIN_ALERT",
    "BOSD_AGENDA",
    "BOSD_CALL",
    "DECLARATIONS_DIGEST",
    "DIGEST",
    "Delivery",
    "WEEK",
    "KINDS",
    "REMINDER",
    "SchedulerHeartbeat",
]
