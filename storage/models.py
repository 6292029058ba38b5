"""The store's tables (docs/architecture.md §3), as SQLAlchemy 2.0 typed models.

Money is Decimal in Numeric(14, 2); dates are dates; timestamps are aware UTC datetimes
(`UTCDateTime` keeps that true on SQLite, which has no time zones). Text "as written"
in the source document is kept beside every parsed value.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    MetaData,
    Numeric,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on every engine (SQLite would hand back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


Money = Numeric(14, 2)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UTCDateTime(),
        Decimal: Money,
        dict[str, Any]: JSON,
        list[str]: JSON,
    }


class Region(Base):
    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    year: Mapped[int]
    # The yearly regional budget ("€40.000,-"), parsed and as written.
    budget_amount: Mapped[Decimal | None]
    budget_text: Mapped[str | None] = mapped_column(Text)

    municipalities: Mapped[list[Municipality]] = relationship(
        back_populates="region", order_by="Municipality.name", cascade="all, delete-orphan"
    )
    programmes: Mapped[list[Programme]] = relationship(
        back_populates="region", order_by="Programme.position", cascade="all, delete-orphan"
    )
    bodies: Mapped[list[GoverningBody]] = relationship(
        back_populates="region", cascade="all, delete-orphan"
    )


class Municipality(Base):
    __tablename__ = "municipality"
    __table_args__ = (UniqueConstraint("region_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    inhabitants: Mapped[int]
    # CBS gemeentecode ("0513"): the municipality code iJw messages carry.
    cbs_code: Mapped[str | None] = mapped_column(String(4))

    region: Mapped[Region] = relationship(back_populates="municipalities")


class Person(Base):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    slack_user_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    email: Mapped[str | None] = mapped_column(String(320))
    # Coordinators may change any programme's milestones and BOSD agendas.
    is_coordinator: Mapped[bool] = mapped_column(Boolean, default=False)

    roles: Mapped[list[Role]] = relationship(back_populates="person")


class Programme(Base):
    """A regional programme, or one of the region's stand-alone projects."""

    __tablename__ = "programme"
    __table_args__ = (UniqueConstraint("region_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(120))
    number: Mapped[int | None]
    name: Mapped[str] = mapped_column(String(200))
    # "programma" or "project" (Inzicht in kosten, Rechtmatigheid en kwaliteit, Gedeelde zorg).
    kind: Mapped[str] = mapped_column(String(20), default="programma")
    aliases: Mapped[list[str]] = mapped_column(default=list)
    ambition: Mapped[str | None] = mapped_column(Text)
    goals: Mapped[list[str]] = mapped_column(default=list)
    dependencies: Mapped[list[str]] = mapped_column(default=list)
    local_assignment: Mapped[list[str]] = mapped_column(default=list)
    background: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)

    region: Mapped[Region] = relationship(back_populates="programmes")
    roles: Mapped[list[Role]] = relationship(
        back_populates="programme", order_by="Role.position", cascade="all, delete-orphan"
    )
    partner_links: Mapped[list[ProgrammePartner]] = relationship(
        back_populates="programme",
        order_by="ProgrammePartner.position",
        cascade="all, delete-orphan",
    )
    projects: Mapped[list[Project]] = relationship(
        back_populates="programme", order_by="Project.position", cascade="all, delete-orphan"
    )
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="programme", order_by="Milestone.position", cascade="all, delete-orphan"
    )
    budget_lines: Mapped[list[BudgetLine]] = relationship(
        back_populates="programme", order_by="BudgetLine.position", cascade="all, delete-orphan"
    )

    @property
    def partners(self) -> list[Partner]:
        return [link.partner for link in self.partner_links]


class Partner(Base):
    """An external organisation working with one or more programmes."""

    __tablename__ = "partner"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)


class ProgrammePartner(Base):
    __tablename__ = "programme_partner"

    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), primary_key=True
    )
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partner.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(default=0)

    programme: Mapped[Programme] = relationship(back_populates="partner_links")
    partner: Mapped[Partner] = relationship()


class Project(Base):
    """A deelproject of a programme."""

    __tablename__ = "project"
    __table_args__ = (UniqueConstraint("programme_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(160))
    number: Mapped[int | None]
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)

    programme: Mapped[Programme] = relationship(back_populates="projects")
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="project", order_by="Milestone.position"
    )
    roles: Mapped[list[Role]] = relationship(back_populates="project", order_by="Role.position")


class Role(Base):
    """Someone's part in a programme or project, with hours as written ("32 uur").

    `holder` is the name as written; `person` is set when the holder is a person rather
    than a body ("BOSD", "Afdelingshoofden MH") or an unfilled post.
    """

    __tablename__ = "role"
    __table_args__ = (
        # Who is responsible for a milestone (storage.responsible) looks roles up by
        # programme or project and kind, once per milestone.
        Index("ix_role_programme_kind", "programme_id", "kind"),
        Index("ix_role_project_kind", "project_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    # Normalised kind: "bestuurlijk opdrachtgever", "ambtelijk opdrachtgever",
    # "programmamanager", "projectleider", "projectsecretaris", "beleidsadviseur", …
    kind: Mapped[str] = mapped_column(String(80))
    label: Mapped[str] = mapped_column(String(200))
    holder: Mapped[str | None] = mapped_column(String(300))
    hours_text: Mapped[str | None] = mapped_column(String(120))
    hours: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    position: Mapped[int] = mapped_column(default=0)

    programme: Mapped[Programme] = relationship(back_populates="roles")
    project: Mapped[Project | None] = relationship(back_populates="roles")
    person: Mapped[Person | None] = relationship(back_populates="roles")


MILESTONE_STATUSES = ("open", "done", "cancelled")


class Milestone(Base):
    """A milestone with its timing as written (`period_label`) and as dates.

    `key` is stable across imports of the same source so that re-importing updates
    rather than duplicates, and keeps what was changed from Slack (status, owner).
    """

    __tablename__ = "milestone"
    __table_args__ = (
        UniqueConstraint("programme_id", "key"),
        Index("ix_milestone_due_status", "due_date", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(Text)
    period_start: Mapped[date | None]
    due_date: Mapped[date]
    # The timing the programme document gave it at its last import: a re-import tells a
    # move made from Slack (store ≠ these) from a change in the document (document ≠
    # these). None for milestones no document import has set.
    imported_due_date: Mapped[date | None]
    imported_period_start: Mapped[date | None]
    # Timing as written: "K2", "K2/K3", "30 jan 2020", "per 1-1-2021", "in 2020".
    period_label: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20), default="open")
    done_at: Mapped[datetime | None]
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    source_line: Mapped[int | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Bumped on every change a calendar client should notice (RFC 5545 SEQUENCE).
    sequence: Mapped[int] = mapped_column(default=0)

    programme: Mapped[Programme] = relationship(back_populates="milestones")
    project: Mapped[Project | None] = relationship(back_populates="milestones")
    owner: Mapped[Person | None] = relationship()


class BudgetLine(Base):
    __tablename__ = "budget_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(300))
    # None when the line names a source of money without an amount ("Inzet maatwerk Jeugd GGZ").
    amount: Mapped[Decimal | None]
    year: Mapped[int]
    # The line as written: "€ 239.500,- (+ € 55.000,- GHNT)".
    text: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)

    programme: Mapped[Programme] = relationship(back_populates="budget_lines")


class GoverningBody(Base):
    __tablename__ = "governing_body"
    __table_args__ = (UniqueConstraint("region_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    abbreviation: Mapped[str | None] = mapped_column(String(20))

    region: Mapped[Region] = relationship(back_populates="bodies")
    meetings: Mapped[list[Meeting]] = relationship(
        back_populates="body", order_by="Meeting.date", cascade="all, delete-orphan"
    )


MEETING_STATUSES = ("scheduled", "cancelled")


class Meeting(Base):
    __tablename__ = "meeting"
    __table_args__ = (Index("ix_meeting_body_date", "body_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("governing_body.id", ondelete="CASCADE"))
    # Stable identity: "bosd-2020-01-30" for the document's meetings, the UID from an .ics.
    uid: Mapped[str] = mapped_column(String(300), unique=True)
    number: Mapped[int | None]
    date: Mapped[date]
    start_time: Mapped[time | None] = mapped_column(Time)
    end_time: Mapped[time | None] = mapped_column(Time)
    location: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    sequence: Mapped[int] = mapped_column(default=0)

    body: Mapped[GoverningBody] = relationship(back_populates="meetings")
    agenda_items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )


class AgendaItem(Base):
    __tablename__ = "agenda_item"
    __table_args__ = (UniqueConstraint("meeting_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(Text)
    # "beslispunt", "special" or "ter informatie", when known.
    kind: Mapped[str | None] = mapped_column(String(40))
    prepared_by: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    meeting: Mapped[Meeting] = relationship(back_populates="agenda_items")


SUBSCRIPTION_TOPICS = ("programme", "bosd", "declaraties")


class Subscription(Base):
    """A Slack channel following a programme, the BOSD, or declaration alerts."""

    __tablename__ = "subscription"
    __table_args__ = (UniqueConstraint("channel_id", "topic", "programme_id_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32), index=True)
    topic: Mapped[str] = mapped_column(String(20))
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE")
    )
    # programme_id or 0: a unique constraint treats NULLs as distinct on PostgreSQL.
    programme_id_key: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]

    programme: Mapped[Programme | None] = relationship()


class AuditEntry(Base):
    """Who changed what from Slack (or the console), and when."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None]
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SearchEntry(Base):
    """One searchable text of the store (a programme's ambition and goals, a milestone's
    title, an agenda item …), kept in step with its record by `storage.search`.

    `terms` holds the text's lemmas, so "werkt", "werken" and "gewerkt" find each other;
    SQLite searches it through an FTS5 table, PostgreSQL through a GIN index on its
    tsvector (migration 0006)."""

    __tablename__ = "search_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The record the entry was made from, which is rebuilt as a whole when it changes.
    source_kind: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[int]
    # None for people, who belong to no one region.
    region_id: Mapped[int | None] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(20))
    ref_id: Mapped[int]
    field: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    terms: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_search_entry_source", "source_kind", "source_id"),)


class SearchState(Base):
    """A counter bumped whenever a searchable record changes: name indexes built in
    memory (commands.linking) are rebuilt when it moves, in every process."""

    __tablename__ = "search_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision: Mapped[int] = mapped_column(default=0)


FEED_SCOPES = ("region", "programme", "person", "meetings")


class FeedToken(Base):
    """A personal calendar feed URL. Only the token's SHA-256 is stored."""

    __tablename__ = "feed_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(20))
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE")
    )
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    owner_slack_id: Mapped[str | None] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


__all__ = [
    "AgendaItem",
    "AuditEntry",
    "Base",
    "BudgetLine",
    "FeedToken",
    "GoverningBody",
    "Meeting",
    "Milestone",
    "Municipality",
    "Partner",
    "Person",
    "Programme",
    "ProgrammePartner",
    "Project",
    "Region",
    "Role",
    "SearchEntry",
    "SearchState",
    "Subscription",
    "UTCDateTime",
]

# The search index follows every write through a session (storage.search's session
# hooks). Every such write uses these models, so loading them loads the hooks; a
# command that never touches the store (`/regio help`) loads neither.
import storage.search  # noqa: E402, F401  (after the models it indexes)
