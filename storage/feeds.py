"""Queries for calendar feeds: feed tokens, the records in each feed, and writing
meetings read from an .ics file.

Feed tokens: the token itself (≥ 256 random bits) is shown to its owner once and never
stored; the store keeps its SHA-256. Generating and hashing live here, not in
`calendars`, because `commands` (which hands out tokens from Slack) may import only
`storage`; `calendars.tokens` re-exports them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Column, MetaData, String, Table, func, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, selectinload

from storage.apply import apply_governing_body
from storage.importers import ImportReport
from storage.models import (
    FEED_SCOPES,
    FeedToken,
    GoverningBody,
    Meeting,
    Milestone,
    Person,
    Programme,
    Region,
    Role,
    UTCDateTime,
)
from storage.responsible import responsible_is
from storage.schema import GoverningBodyData, MeetingData

TOKEN_BYTES = 32  # 256 bits
# Role kinds whose holder answers for a programme's (or project's) milestones that
# have no owner of their own: the document names owners per programme, not per line.
MANAGER_KINDS = ("programmamanager", "projectleider")
DEFAULT_BODY_SLUG = "bosd"


# --- Tokens -------------------------------------------------------------------------


def new_token() -> str:
    """A fresh feed token: 32 random bytes, URL-safe base64 (43 characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_feed_token(
    session: Session,
    *,
    scope: str,
    now: datetime,
    programme_id: int | None = None,
    person_id: int | None = None,
    owner_slack_id: str | None = None,
) -> str:
    """Store a new token for one feed; return the token itself (its only appearance)."""
    if scope not in FEED_SCOPES:
        raise ValueError(f"unknown feed scope {scope!r}")
    if (scope == "programme") != (programme_id is not None):
        raise ValueError("a programme feed needs a programme, and only it")
    if (scope == "person") != (person_id is not None):
        raise ValueError("a person feed needs a person, and only it")
    token = new_token()
    session.add(
        FeedToken(
            token_hash=hash_token(token),
            scope=scope,
            programme_id=programme_id,
            person_id=person_id,
            owner_slack_id=owner_slack_id,
            created_at=now,
        )
    )
    session.flush()
    return token


def find_feed_token(session: Session, *, token: str) -> FeedToken | None:
    """The live (not revoked) token row for `token`, or None.

    The lookup goes through the unique index on the hash; the hashes are then compared
    in constant time as well, so nothing about a stored hash leaks through timing.
    """
    wanted = hash_token(token)
    row = session.scalar(
        select(FeedToken).where(FeedToken.token_hash == wanted, FeedToken.revoked_at.is_(None))
    )
    if row is None or not hmac.compare_digest(row.token_hash, wanted):
        return None
    return row


def revoke_feed_tokens(session: Session, *, owner_slack_id: str, now: datetime) -> int:
    """Revoke every live token of a Slack user; return how many."""
    rows = session.scalars(
        select(FeedToken).where(
            FeedToken.owner_slack_id == owner_slack_id, FeedToken.revoked_at.is_(None)
        )
    ).all()
    for row in rows:
        row.revoked_at = now
    session.flush()
    return len(rows)


def revoke_feed_token(session: Session, *, token: str, now: datetime) -> bool:
    row = find_feed_token(session, token=token)
    if row is None:
        return False
    row.revoked_at = now
    session.flush()
    return True


# --- Records per feed -----------------------------------------------------------------


def feed_revision(session: Session) -> int | None:
    """A marker that changes with every write to a table a feed reads (kept by triggers,
    migration 0005), or None before the first such write. Equal markers mean equal
    records, so a feed built under one marker needs no rebuilding while it holds.

    Read it before the records: records loaded afterwards are then never older than
    the marker says (a write committing in between only makes them newer)."""
    return session.scalar(text("SELECT marker FROM feed_revision WHERE id = 1"))


def feed_key(token: FeedToken) -> str:
    """Which feed a token is for: tokens of the same feed share its validators."""
    if token.scope == "programme":
        return f"programme:{token.programme_id}"
    if token.scope == "person":
        return f"person:{token.person_id}"
    return token.scope


# The scope markers (migration 0008) a feed's records depend on: everything a person's
# or the meetings feed shows is covered by its own scopes plus `structure`.
_SCOPE_MARKERS = {
    "programme": "scope IN ('structure', :programme)",
    "person": (
        "scope IN ('structure', :person) OR scope IN (SELECT 'programme:' || programme_id "
        "FROM role WHERE person_id = :person_id AND kind IN "
        + "(" + ", ".join(f"'{kind}'" for kind in MANAGER_KINDS) + "))"
    ),
    "meetings": (
        "scope = 'structure' OR scope IN (SELECT 'body:' || id FROM governing_body "
        "WHERE slug = :body_slug ORDER BY id LIMIT 1)"
    ),
}


def feed_scope_revision(session: Session, *, token: FeedToken,
                        body_slug: str = DEFAULT_BODY_SLUG) -> str | None:
    """A fingerprint of the markers the token's feed depends on, changed by every write
    that touches that feed and by no other (kept by triggers, migrations 0005 and
    0008); None when there is none yet. One query. Read it before the records, as
    `feed_revision`."""
    if token.scope == "region":
        marker = feed_revision(session)
        parts = None if marker is None else [f"all={marker}"]
    else:
        rows = session.execute(
            text(f"SELECT scope, marker FROM feed_scope_revision WHERE {_SCOPE_MARKERS[token.scope]}"),
            {"programme": f"programme:{token.programme_id}", "person": f"person:{token.person_id}",
             "person_id": token.person_id, "body_slug": body_slug},
        ).all()
        parts = sorted(f"{scope}={marker}" for scope, marker in rows) or None
    if parts is None:
        return None
    return hashlib.sha256(";".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class Validators:
    """A built feed's ETag, Last-Modified and when those stop holding (a cancelled
    item's retention ends), under the revision it was built at."""

    etag: str
    last_modified: datetime | None
    expires: datetime | None


# Written by migration 0008; not in the models, as nothing but the feed endpoint uses it.
_validator = Table(
    "feed_validator",
    MetaData(),
    Column("feed", String(40), primary_key=True),
    Column("revision", String(400), nullable=False),
    Column("etag", String(80), nullable=False),
    Column("last_modified", UTCDateTime, nullable=True),
    Column("expires", UTCDateTime, nullable=True),
)


def remembered_validators(session: Session, *, feed: str, revision: str,
                          now: datetime) -> Validators | None:
    """The validators stored for `feed` when built under `revision` and not expired."""
    row = session.execute(select(_validator).where(_validator.c.feed == feed)).first()
    if row is None or row.revision != revision:
        return None
    if row.expires is not None and now >= row.expires:
        return None
    return Validators(etag=row.etag, last_modified=row.last_modified, expires=row.expires)


def remember_validators(session: Session, *, feed: str, revision: str,
                        validators: Validators) -> None:
    """Store what `remembered_validators` gives back, for every web process."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    values = {"revision": revision, "etag": validators.etag,
              "last_modified": validators.last_modified, "expires": validators.expires}
    session.execute(
        insert(_validator)
        .values(feed=feed, **values)
        .on_conflict_do_update(index_elements=[_validator.c.feed], set_=values)
    )


@dataclass
class FeedContent:
    """The records of one feed, loaded with everything the feed builder reads."""

    scope: str
    regions: list[Region] = field(default_factory=list)
    programme: Programme | None = None
    person: Person | None = None
    body: GoverningBody | None = None
    milestones: list[Milestone] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    # programme id → name of the programme's manager, for unowned milestones.
    managers: dict[int, str] = field(default_factory=dict)
    # project id → name of the project leader.
    project_leaders: dict[int, str] = field(default_factory=dict)


def _milestone_options():
    return (
        selectinload(Milestone.programme).selectinload(Programme.region),
        selectinload(Milestone.project),
        selectinload(Milestone.owner),
    )


def _meeting_options():
    return (
        selectinload(Meeting.body).selectinload(GoverningBody.region),
        selectinload(Meeting.agenda_items),
    )


def feed_records(
    session: Session,
    *,
    scope: str,
    programme_id: int | None = None,
    person_id: int | None = None,
    body_slug: str = DEFAULT_BODY_SLUG,
) -> FeedContent | None:
    """Load the records of one feed (one query per kind); None when its subject is gone.

    region:    every milestone and every meeting of every governing body
    programme: the milestones of one programme (its projects' included)
    person:    milestones the person owns, and unowned ones of the programmes and
               projects they manage (programmamanager, projectleider)
    meetings:  the meetings of the governing body `body_slug` (the BOSD)
    """
    content = FeedContent(scope=scope)
    milestone_query = select(Milestone).options(*_milestone_options())
    if scope == "region":
        content.regions = list(session.scalars(select(Region).order_by(Region.id)))
        content.milestones = list(session.scalars(milestone_query))
        content.meetings = list(session.scalars(select(Meeting).options(*_meeting_options())))
    elif scope == "programme":
        content.programme = session.get(Programme, programme_id) if programme_id else None
        if content.programme is None:
            return None
        content.milestones = list(
            session.scalars(milestone_query.where(Milestone.programme_id == programme_id))
        )
    elif scope == "person":
        content.person = session.get(Person, person_id) if person_id else None
        if content.person is None:
            return None
        # Who answers for a milestone: storage.responsible, as every other reader.
        content.milestones = list(
            session.scalars(milestone_query.where(responsible_is(person_id)))
        )
    elif scope == "meetings":
        content.body = session.scalars(
            select(GoverningBody).where(GoverningBody.slug == body_slug).order_by(GoverningBody.id)
        ).first()
        if content.body is not None:
            content.meetings = list(
                session.scalars(
                    select(Meeting)
                    .where(Meeting.body_id == content.body.id)
                    .options(*_meeting_options())
                )
            )
    else:
        raise ValueError(f"unknown feed scope {scope!r}")

    programme_ids = {m.programme_id for m in content.milestones}
    if programme_ids:
        roles = session.execute(
            select(Role.programme_id, Role.project_id, Role.kind, Person.name)
            .join(Person, Role.person_id == Person.id)
            .where(Role.programme_id.in_(programme_ids), Role.kind.in_(MANAGER_KINDS))
            .order_by(Role.position, Role.id)
        ).all()
        for programme, project, kind, name in roles:
            if project is None and kind == "programmamanager":
                content.managers.setdefault(programme, name)
            elif project is not None and kind == "projectleider":
                content.project_leaders.setdefault(project, name)
    return content


def feed_content_for_token(session: Session, *, token: FeedToken) -> FeedContent | None:
    return feed_records(
        session, scope=token.scope, programme_id=token.programme_id, person_id=token.person_id
    )


# --- Simple name lookups (until the command layer's fuzzy matching is used) -----------


def find_programme(session: Session, *, name: str) -> list[Programme]:
    """Programmes whose slug, number, alias or name matches `name`; exact first."""
    wanted = name.strip().lower()
    if not wanted:
        return []
    programmes = list(session.scalars(select(Programme).order_by(Programme.position)))
    exact = [
        p
        for p in programmes
        if wanted in {p.slug, p.name.lower(), str(p.number or "")}
        or wanted in {a.lower() for a in (p.aliases or [])}
    ]
    if exact:
        return exact
    return [p for p in programmes if wanted in p.name.lower() or wanted in p.slug]


def find_person(session: Session, *, name: str) -> list[Person]:
    wanted = name.strip()
    if not wanted:
        return []
    exact = list(session.scalars(select(Person).where(func.lower(Person.name) == wanted.lower())))
    if exact:
        return exact
    pattern = "%" + wanted.replace("\\", "").replace("%", "").replace("_", "") + "%"
    return list(
        session.scalars(select(Person).where(Person.name.ilike(pattern)).order_by(Person.name))
    )


# --- Meetings from .ics ---------------------------------------------------------------


def find_body(
    session: Session, *, body_slug: str, region_slug: str | None = None
) -> tuple[Region | None, GoverningBody | None]:
    """The region to file meetings under and its body `body_slug` (None if it has none).

    Without `region_slug` the store must hold exactly one region.
    """
    query = select(Region).order_by(Region.id)
    if region_slug:
        query = query.where(Region.slug == region_slug)
    regions = list(session.scalars(query))
    if len(regions) != 1:
        return None, None
    region = regions[0]
    body = session.scalar(
        select(GoverningBody).where(
            GoverningBody.region_id == region.id, GoverningBody.slug == body_slug
        )
    )
    return region, body


def count_regions(session: Session, *, region_slug: str | None = None) -> int:
    query = select(func.count(Region.id))
    if region_slug:
        query = query.where(Region.slug == region_slug)
    return session.scalar(query) or 0


def upsert_meetings(
    session: Session,
    *,
    region: Region,
    body_slug: str,
    meetings: list[MeetingData],
    now: datetime,
    report: ImportReport,
    body_name: str = "Bestuurlijk Overleg Sociaal Domein",
    body_abbreviation: str | None = "BOSD",
) -> None:
    """Add or update `meetings` under the region's body `body_slug` (created with
    `body_name` if missing), idempotently by meeting uid; a change bumps SEQUENCE."""
    body = session.scalar(
        select(GoverningBody).where(
            GoverningBody.region_id == region.id, GoverningBody.slug == body_slug
        )
    )
    if body is None:
        body = GoverningBody(slug=body_slug, name=body_name, abbreviation=body_abbreviation)
        region.bodies.append(body)
        report.count("governing bodies added")
        session.flush()
    # Keep the body's own name: `apply_governing_body` sets it from the data.
    data = GoverningBodyData(
        slug=body.slug, name=body.name, abbreviation=body.abbreviation, meetings=meetings
    )
    # The same code as the YAML and document imports, so all agree on what a change is.
    apply_governing_body(session, body, data, now=now, report=report)
    session.flush()
