"""The declarations tables and the plain records the importers hand over (docs/architecture.md §5).

What is kept is what the timeliness rules need and nothing more. iJw messages carry a
client's BSN, name, birth date, gender and address; none of it is stored here — not in a
column, not as raw XML. Everything is keyed on the codes the messages carry:
(municipality code, ToewijzingNummer) for an assignment, the AGB code for a provider,
(message type, sender, BerichtIdentificatie) for a message. Events refer to assignments by
those codes rather than by row id, so a 305 imported before its 301 still links up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Boolean, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base

# Message types as the bot names them, with their iJw BerichtCode.
MESSAGE_CODES = {
    "301": "436",
    "302": "437",
    "305": "438",
    "306": "439",
    "307": "440",
    "308": "441",
    "315": "446",
    "316": "447",
    "317": "486",
    "318": "487",
    "319": "488",
    "320": "489",
    "323": "490",
    "325": "491",
}
MESSAGE_TYPES = tuple(MESSAGE_CODES)
# VerzoekAntwoord in a 319 (basisschema LDT_VerzoekAntwoord).
ANSWER_REJECTED = "1"
ANSWER_INVESTIGATING = "2"
# StatusAanlevering 3: "delete the earlier delivery with the same key" (OP033).
STATUS_DELETE = "3"
# A 325's status when it rejects the whole declaration (a rejecting RetourCode on the
# DeclaratieAntwoord or the message itself, no lines listed): every line is rejected.
DECLARATION_REJECTED = "1"


class Provider(Base):
    """A care provider (zorgaanbieder), identified by its AGB code."""

    __tablename__ = "declaration_provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    agb_code: Mapped[str] = mapped_column(String(8), unique=True)
    # The AGB code until a name is known: iJw messages carry no provider names.
    name: Mapped[str] = mapped_column(String(300))


class Assignment(Base):
    """A toegewezen product (from a 301), as the latest 301 describes it (OP033x1)."""

    __tablename__ = "declaration_assignment"
    __table_args__ = (
        UniqueConstraint("municipality_code", "toewijzing_nummer"),
        Index("ix_declaration_assignment_provider", "provider_agb", "start_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_code: Mapped[str] = mapped_column(String(4))
    toewijzing_nummer: Mapped[str] = mapped_column(String(12))
    provider_agb: Mapped[str] = mapped_column(String(8))
    product_category: Mapped[str | None] = mapped_column(String(2))
    product_code: Mapped[str | None] = mapped_column(String(5))
    # ReferentieAanbieder: links the assignment to the 315 product that asked for it.
    reference: Mapped[str | None] = mapped_column(String(36))
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    # Toewijzingsdatum of the latest 301: which 301 describes the assignment now.
    assigned_on: Mapped[date]
    # When the first 301 carrying this assignment was received (or dated): OP271's
    # clock for a retroactive assignment.
    first_message_date: Mapped[date]
    # Assigned with retroactive effect: it starts before the day it was assigned.
    retroactive: Mapped[bool] = mapped_column(Boolean, default=False)
    # The Dagtekening of its latest 301: as of that day or later this row is the
    # assignment as its 301s describe it; before, the rules read the 301s known then.
    last_message_date: Mapped[date | None]
    updated_at: Mapped[datetime]


class MessageEvent(Base):
    """One item of one iJw message: a product line of a 301/305/307/315, or a whole
    317/319/323/325 (or retour) message.

    `position` numbers the items within a message (0 for a message-level event); with the
    message type, the sender and the BerichtIdentificatie it makes the event unique, so
    re-importing a message changes nothing. BerichtIdentificatie is unique per message
    type for its sender (retourcode 9056), hence the key.
    """

    __tablename__ = "declaration_event"
    __table_args__ = (
        UniqueConstraint(
            "message_type", "sender", "message_id", "message_date", "position",
            name="uq_declaration_event_message",
        ),
        Index("ix_declaration_event_assignment", "municipality_code", "toewijzing_nummer"),
        Index("ix_declaration_event_provider", "provider_agb", "message_type", "message_date"),
        Index("ix_declaration_event_reference", "message_type", "provider_agb", "reference"),
        Index("ix_declaration_event_declaration", "message_type", "related_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_type: Mapped[str] = mapped_column(String(3))
    sender: Mapped[str] = mapped_column(String(8))
    receiver: Mapped[str] = mapped_column(String(8))
    # BerichtIdentificatie: Identificatie and Dagtekening (the message's own date).
    message_id: Mapped[str] = mapped_column(String(12))
    message_date: Mapped[date]
    position: Mapped[int] = mapped_column(Integer, default=0)
    municipality_code: Mapped[str] = mapped_column(String(4))
    provider_agb: Mapped[str] = mapped_column(String(8))
    # When the receiver got it, if the source says so; rules fall back to message_date.
    receipt_date: Mapped[date | None]
    toewijzing_nummer: Mapped[str | None] = mapped_column(String(12))
    reference: Mapped[str | None] = mapped_column(String(36))
    product_category: Mapped[str | None] = mapped_column(String(2))
    product_code: Mapped[str | None] = mapped_column(String(5))
    # 305: Begindatum of the care; 307: Einddatum of the care; 301: Ingangsdatum.
    care_date: Mapped[date | None]
    # 301: the assignment's period; 315: the requested period; 323: DeclaratiePeriode.
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    # 305/307 StatusAanlevering; 319 VerzoekAntwoord; 325 DECLARATION_REJECTED or None.
    status: Mapped[str | None] = mapped_column(String(1))
    declaration_number: Mapped[str | None] = mapped_column(String(36))
    # 325: the BerichtIdentificatie of the 323 it answers (DeclaratieIdentificatie).
    related_id: Mapped[str | None] = mapped_column(String(12))
    related_date: Mapped[date | None]
    # 323: declared lines (Prestaties); 325: lines sent back and those rejected.
    line_count: Mapped[int | None]
    rejected_count: Mapped[int | None]
    # 301: Toewijzingsdatum, so that the assignment as of any day is the latest 301 known
    # that day (OP033x1), not the latest of all.
    assigned_on: Mapped[date | None]
    source: Mapped[str] = mapped_column(String(8), default="xml")
    imported_at: Mapped[datetime]


@dataclass(frozen=True)
class AssignmentRow:
    """An assignment as the importers hand it over (from one 301 product line)."""

    municipality_code: str
    toewijzing_nummer: str
    provider_agb: str
    product_category: str | None
    product_code: str | None
    reference: str | None
    start_date: date
    end_date: date | None
    assigned_on: date
    message_date: date
    # The 301's Dagtekening when `message_date` is its receipt date (CSV).
    sent_on: date | None = None


@dataclass
class Extracted:
    """What one message contributes, from XML or a CSV export: events (dicts for the
    event table), assignment rows, its provider. Nothing personal."""

    key: tuple[str, str, str, date]
    events: list[dict]
    assignments: list[AssignmentRow]
    provider_agb: str


# The two kinds of obligation that can be findings, each with a partial index ordered
# by how overdue its rows are, so that "the most overdue as of D" reads about as many
# index entries as it shows rather than every row of the provider (migration 0018).
# Unmet (not a check): late by D − due, so the oldest due date is the most overdue.
# Verbatim in the index and in the queries that use it (SQLite uses a partial index
# only for a query that repeats its condition).
UNMET = "(done IS NULL AND rule NOT IN ('LINES', 'START_REPORTED_EARLY'))"
# Met late (or a check sent early): late by `days_late` whatever the day.
MET_LATE = "(days_late IS NOT NULL)"


class KeptObligation(Base):
    """An obligation as the rules derive it from the messages of one group, kept with
    the span of days on which the store knew it so (docs/declarations.md, "Obligations
    kept"): known from `known_from` (the day of the message that made it so) until the
    day before `known_until` (the next message of its group that changed it; NULL: it
    still stands). As of a day D the obligations are the rows with known_from ≤ D <
    known_until; whether each is met, late or not yet due as of D follows from `due`
    and `done`. `group_key` names the group whose messages it is derived from, so that
    a later message re-derives that group only.

    `days_late` is how late a met obligation was (for a check: how many days before its
    `due` it was sent), when it was; NULL when unmet or in time — the same whatever the
    day, unlike an unmet one's.

    Rule "LINES" is the rejected-lines KPI: a 323 with its first 325, `subject` the
    declared month, `lines` and `rejected` its counts."""

    __tablename__ = "declaration_obligation"
    __table_args__ = (
        Index("ix_declaration_obligation_group", "group_key"),
        # A provider's findings as of a day, most overdue first (covering: the walk
        # reads the index alone until it has enough rows known on the day).
        Index("ix_declaration_obligation_unmet", "provider_agb", "due", "known_from", "known_until",
              sqlite_where=text(UNMET), postgresql_where=text(UNMET)),
        Index("ix_declaration_obligation_met_late", "provider_agb", "days_late", "due", "known_from",
              "known_until", sqlite_where=text(MET_LATE), postgresql_where=text(MET_LATE)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_key: Mapped[str] = mapped_column(String(80))
    rule: Mapped[str] = mapped_column(String(24))
    provider_agb: Mapped[str] = mapped_column(String(8))
    municipality_code: Mapped[str] = mapped_column(String(4))
    subject: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(12))
    due: Mapped[date]
    done: Mapped[date | None]
    note: Mapped[str] = mapped_column(String(40), default="")
    lines: Mapped[int | None]
    rejected: Mapped[int | None]
    days_late: Mapped[int | None]
    known_from: Mapped[date]
    known_until: Mapped[date | None]


class CareSpan(Base):
    """The months of care one start line of an assignment implies (for REGIONAL_323),
    from its Begindatum's month to the month of its stop (or the assignment's end), for
    the span of days the store knew it so. Kept per assignment group so that a later
    message can take back what the group said before."""

    __tablename__ = "declaration_care_span"
    __table_args__ = (Index("ix_declaration_care_span_group", "group_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_key: Mapped[str] = mapped_column(String(80))
    provider_agb: Mapped[str] = mapped_column(String(8))
    municipality_code: Mapped[str] = mapped_column(String(4))
    # First days of the first and last month of care.
    first_month: Mapped[date]
    last_month: Mapped[date]
    known_from: Mapped[date]
    known_until: Mapped[date | None]


class CareMonthChange(Base):
    """How many start lines say a month of care was delivered by a provider in a
    municipality changes by `delta` on `day` (care spans summed): as of day D the month
    is one to declare when the changes up to D add up to more than zero."""

    __tablename__ = "declaration_care_month"
    __table_args__ = (UniqueConstraint("provider_agb", "municipality_code", "month", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_agb: Mapped[str] = mapped_column(String(8))
    municipality_code: Mapped[str] = mapped_column(String(4))
    month: Mapped[date]
    day: Mapped[date]
    delta: Mapped[int]


class DerivationState(Base):
    """How far the kept obligations are derived: every event with an id up to
    `event_id`, with the regional deadline settings they were derived with."""

    __tablename__ = "declaration_derivation"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(Integer, default=0)
    deadline_months: Mapped[int] = mapped_column(Integer, default=1)
    deadline_moved: Mapped[bool] = mapped_column(Boolean, default=True)
    # The findings per rule (`FindingTallyChange`) are counted: false in a store derived
    # before migration 0018, whose next refresh counts them from the kept rows.
    findings_by_rule: Mapped[bool] = mapped_column(Boolean, default=True)


class TallyChange(Base):
    """The KPI counts and finding counts the kept obligations add up to, as changes per
    day: as of day D a provider's count of `measure` for `month` is the sum of the
    changes dated up to D. Measures: "<kpi>:counted" and "<kpi>:on_time" (by the month
    of the due date), "findings" and "new" (findings that became one in the seven days
    up to D, for the weekly digest), and "answered", "lines" and "rejected" (declaration
    lines, by the month declared). Bounded by providers × months × days, whatever the
    number of messages."""

    __tablename__ = "declaration_tally"
    __table_args__ = (UniqueConstraint("provider_agb", "measure", "month", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_agb: Mapped[str] = mapped_column(String(8))
    measure: Mapped[str] = mapped_column(String(12))
    month: Mapped[str] = mapped_column(String(7))
    day: Mapped[date]
    delta: Mapped[int]


class FindingTallyChange(Base):
    """The tally's "findings" per rule (`TallyChange`), for one provider's answer — how
    many of each rule as of D, the sum of the changes dated up to D — apart from the
    tally, so that the overview and the digest, which read the whole tally, do not read
    these too (migration 0018)."""

    __tablename__ = "declaration_finding_tally"
    __table_args__ = (UniqueConstraint("provider_agb", "rule", "month", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_agb: Mapped[str] = mapped_column(String(8))
    rule: Mapped[str] = mapped_column(String(24))
    month: Mapped[str] = mapped_column(String(7))
    day: Mapped[date]
    delta: Mapped[int]
