"""Slack profiles and link requests: who a Slack user is (issue 12 points 2 and 8).

`SlackProfile` keeps what `users.info` said about a user — names, email, locale — so
that the bot can offer "Ben jij Anke van der Landen?" when the profile matches one person
in the store, and speak the user's language (the locale) in answers and DMs.
`LinkRequest` is a request to be linked to a person that the profile does not prove:
coordinators approve or reject it. These are the people who work on the programmes, by
their work accounts; nothing from iJw messages comes here.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.models import Base, Person

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
# Answers to the offer "Ben jij …?".
YES, NO = "yes", "no"
# In place of an answer: the first contact found nobody to offer. Answers then skip the
# matching until the profile's names or email change; the Home tab still looks.
NOTHING_TO_OFFER = "nothing"


class SlackProfile(Base):
    __tablename__ = "slack_profile"

    slack_user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    real_name: Mapped[str | None] = mapped_column(String(200))
    display_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    # Slack's locale ("nl-NL", "en-GB"), from users.info with include_locale.
    locale: Mapped[str | None] = mapped_column(String(16))
    fetched_at: Mapped[datetime]
    # The person offered with "Ben jij …?", and the answer (YES / NO) once given, or
    # NOTHING_TO_OFFER.
    offered_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"))
    offer_answer: Mapped[str | None] = mapped_column(String(8))


class LinkRequest(Base):
    __tablename__ = "link_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    slack_user_id: Mapped[str] = mapped_column(String(32), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12), default=PENDING)
    created_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None]


def fold_name(text: str | None) -> str:
    """'Anke van der Landen' and 'anke  VAN der landen' alike; accents do not count."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def profile_of(user: dict[str, Any]) -> dict[str, str | None]:
    """What storage.linking keeps of a users.info `user`."""
    profile = user.get("profile") or {}
    return {
        "real_name": user.get("real_name") or profile.get("real_name"),
        "display_name": profile.get("display_name") or user.get("name"),
        "email": profile.get("email"),
        "locale": user.get("locale"),
    }


def get_profile(session: Session, *, slack_user_id: str | None) -> SlackProfile | None:
    if not slack_user_id:
        return None
    return session.get(SlackProfile, slack_user_id)


def save_profile(session: Session, *, slack_user_id: str, real_name: str | None,
                 display_name: str | None, email: str | None, locale: str | None,
                 now: datetime) -> SlackProfile:
    profile = session.get(SlackProfile, slack_user_id)
    if profile is None:
        # Two answers to a user's first messages (or an answer and the scheduler) may
        # both fetch the profile: the row is made once, the later one updates it.
        try:
            with session.begin_nested():
                session.add(SlackProfile(slack_user_id=slack_user_id, fetched_at=now))
        except IntegrityError:
            pass
        profile = session.get(SlackProfile, slack_user_id, populate_existing=True)
        assert profile is not None
    identity = (profile.real_name, profile.display_name, profile.email)
    profile.real_name = (real_name or None) and real_name[:200]
    profile.display_name = (display_name or None) and display_name[:200]
    profile.email = (email or None) and email[:320]
    if (profile.offer_answer == NOTHING_TO_OFFER
            and identity != (profile.real_name, profile.display_name, profile.email)):
        profile.offer_answer = None
    profile.locale = (locale or None) and locale[:16]
    profile.fetched_at = now
    session.flush()
    return profile


def lang_of(session: Session, *, slack_user_id: str | None) -> str | None:
    """'en' or 'nl' from the user's Slack locale; None when unknown or another language."""
    return language_of(get_profile(session, slack_user_id=slack_user_id))


def language_of(profile: SlackProfile | None) -> str | None:
    """'en' or 'nl' from a kept profile's Slack locale (see lang_of)."""
    language = ((profile and profile.locale) or "").split("-")[0].lower()
    return language if language in ("nl", "en") else None


def matching_persons(session: Session, *, profile: SlackProfile) -> list[Person]:
    """The people whose name is the profile's real or display name, or whose email is
    the profile's email (case and accents aside)."""
    names = {fold_name(profile.real_name), fold_name(profile.display_name)} - {""}
    email = (profile.email or "").strip().casefold()
    # Names and emails only: folding them is the whole cost, not loading every Person.
    found = [
        person_id
        for person_id, name, person_email in session.execute(
            select(Person.id, Person.name, Person.email))
        if fold_name(name) in names
        or (email and (person_email or "").strip().casefold() == email)
    ]
    if not found:
        return []
    return list(session.scalars(
        select(Person).where(Person.id.in_(found)).order_by(Person.name, Person.id)))


def set_offer(session: Session, *, profile: SlackProfile, person_id: int | None,
              answer: str | None) -> None:
    profile.offered_person_id = person_id
    profile.offer_answer = answer
    session.flush()


def pending_request(session: Session, *, slack_user_id: str, person_id: int) -> LinkRequest | None:
    return session.scalar(
        select(LinkRequest).where(LinkRequest.slack_user_id == slack_user_id,
                                  LinkRequest.person_id == person_id,
                                  LinkRequest.status == PENDING))


def add_request(session: Session, *, slack_user_id: str, person_id: int,
                now: datetime) -> LinkRequest:
    request = LinkRequest(slack_user_id=slack_user_id, person_id=person_id, status=PENDING,
                          created_at=now)
    session.add(request)
    session.flush()
    return request


def get_request(session: Session, *, request_id: int) -> LinkRequest | None:
    return session.get(LinkRequest, request_id)


def decide_request(session: Session, *, request_id: int, status: str, by: str,
                   now: datetime) -> bool:
    """Decide a pending request; False when it was decided already (another coordinator)."""
    result = session.execute(
        update(LinkRequest)
        .where(LinkRequest.id == request_id, LinkRequest.status == PENDING)
        .values(status=status, decided_by=by, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    return result.rowcount == 1


def coordinator_slack_ids(session: Session) -> list[str]:
    return sorted(session.scalars(
        select(Person.slack_user_id).where(Person.is_coordinator.is_(True),
                                           Person.slack_user_id.is_not(None))))


def count_pending(session: Session) -> int:
    return session.scalar(
        select(func.count()).select_from(LinkRequest).where(LinkRequest.status == PENDING)) or 0
