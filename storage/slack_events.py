"""Slack event ids already handled, so that a retried delivery is answered once.

Slack retries an Events API delivery (same `event_id`, an `X-Slack-Retry-Num` header)
when it got no 200 within 3 seconds — also when the first delivery is still being
worked on. The first process to insert the id wins; every later insert conflicts on
the primary key and changes nothing, which also holds between several web processes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, delete
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.models import Base

# Slack retries for about an hour at most; a day is ample for spotting a retry.
KEEP_FOR_SECONDS = 24 * 60 * 60


class SlackEvent(Base):
    __tablename__ = "slack_event"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(index=True)


def claim_event(session: Session, *, event_id: str, now: datetime) -> bool:
    """Record `event_id` as handled; True only for the first caller.

    Runs within the caller's transaction: the claim holds once that commits.
    """
    values = {"event_id": event_id, "received_at": now}
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = (
            insert(SlackEvent)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["event_id"])
            # RETURNING rather than rowcount, which ORM-enabled inserts don't report.
            .returning(SlackEvent.event_id)
        )
        return session.execute(statement).scalar() is not None
    # Other engines: the unique key still decides, by a failed insert in a savepoint.
    try:
        with session.begin_nested():
            session.add(SlackEvent(**values))
        return True
    except IntegrityError:
        return False


def forget_events(session: Session, *, before: datetime) -> int:
    """Drop ids received before `before` (Slack no longer retries those); how many."""
    result = session.execute(delete(SlackEvent).where(SlackEvent.received_at < before))
    return result.rowcount
