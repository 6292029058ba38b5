"""Who is responsible for a milestone (docs/architecture.md §3): one rule, one place.

The milestone's owner if one is set (from Slack or an import); else the projectleider
of its project; else the programmamanager of its programme. A post without a person
(a "vacature") does not count: the next in line answers. When a role is held by more
than one person the first one as the document lists them (role position) answers.

Every reader uses this module: milestone cards, the Home tab, `mijlpalen mijn`, the
scheduler's reminders, digests and "Jouw week", and the person's calendar feed. The rule
is written once, as SQL (`responsible_person_id()`), so it can both filter ("the
milestones of person X") and be read for a set of milestones (`responsible_for`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session, aliased

from storage.models import Milestone, Person, Role

OWNER = "owner"
PROJECTLEIDER = "projectleider"
PROGRAMMAMANAGER = "programmamanager"
BASES = (OWNER, PROJECTLEIDER, PROGRAMMAMANAGER)


def _first_holder(milestone, *, kind: str, of_project: bool):
    role = aliased(Role)
    query = select(role.person_id).where(role.kind == kind, role.person_id.is_not(None))
    if of_project:
        query = query.where(role.project_id == milestone.project_id)
    else:
        query = query.where(role.programme_id == milestone.programme_id,
                            role.project_id.is_(None))
    return query.order_by(role.position, role.id).limit(1).scalar_subquery()


def responsible_columns(milestone=Milestone):
    """(person id, basis) of the responsible person of `milestone` (a Milestone entity or
    alias) as SQL expressions; both NULL when nobody is."""
    lead = _first_holder(milestone, kind=PROJECTLEIDER, of_project=True)
    manager = _first_holder(milestone, kind=PROGRAMMAMANAGER, of_project=False)
    person_id = func.coalesce(milestone.owner_id, lead, manager)
    basis = case(
        (milestone.owner_id.is_not(None), literal(OWNER)),
        (lead.is_not(None), literal(PROJECTLEIDER)),
        (manager.is_not(None), literal(PROGRAMMAMANAGER)),
        else_=None,
    )
    return person_id, basis


def responsible_person_id(milestone=Milestone):
    """The responsible person's id as an SQL expression (for WHERE … = :person_id)."""
    return responsible_columns(milestone)[0]


def responsible_is(person_id: int, milestone=Milestone):
    """An SQL condition: `person_id` is responsible for the milestone."""
    return responsible_person_id(milestone) == person_id


@dataclass(frozen=True)
class Responsible:
    person_id: int
    name: str
    slack_user_id: str | None
    # OWNER, PROJECTLEIDER or PROGRAMMAMANAGER: why this person answers for it.
    basis: str


def responsible_for(session: Session, *, milestone_ids: Iterable[int]) -> dict[int, Responsible]:
    """{milestone id: who is responsible}, for the milestones that have someone."""
    ids = sorted(set(milestone_ids))
    out: dict[int, Responsible] = {}
    person_id, basis = responsible_columns()
    for start in range(0, len(ids), 500):
        inner = (
            select(Milestone.id.label("milestone_id"), person_id.label("person_id"),
                   basis.label("basis"))
            .where(Milestone.id.in_(ids[start:start + 500]))
            .subquery()
        )
        rows = session.execute(
            select(inner.c.milestone_id, inner.c.basis, Person.id, Person.name,
                   Person.slack_user_id)
            .join(Person, Person.id == inner.c.person_id)
        )
        for row in rows:
            out[row.milestone_id] = Responsible(row.id, row.name, row.slack_user_id, row.basis)
    return out


def set_owner(session: Session, *, milestone: Milestone, person: Person | None, now) -> None:
    """Make `person` the milestone's owner (None: no owner, the roles answer again)."""
    milestone.owner = person
    milestone.owner_id = person.id if person is not None else None
    milestone.updated_at = now
    milestone.sequence = (milestone.sequence or 0) + 1
    session.flush()


def responsible_of(session: Session, *, milestone_id: int) -> Responsible | None:
    return responsible_for(session, milestone_ids=[milestone_id]).get(milestone_id)


__all__ = [
    "BASES",
    "OWNER",
    "PROGRAMMAMANAGER",
    "PROJECTLEIDER",
    "Responsible",
    "responsible_columns",
    "responsible_for",
    "responsible_is",
    "responsible_of",
    "responsible_person_id",
    "set_owner",
]
