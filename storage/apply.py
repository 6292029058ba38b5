"""Write a `StoreData` into the store: insert what is new, update what changed, and
leave what is the same untouched — so applying the same data twice changes nothing.

Natural keys: region slug; municipality, person and partner names; programme, project
and body slugs; milestone key; meeting uid; agenda item position. Status changed from
Slack (a milestone marked done, an owner set) survives a re-import of the document,
because the document's data says nothing about them (None = keep).

A milestone's timing is the one thing both the document and Slack change. For a
document import (`from_document`) it is merged three ways, against the timing the
document gave at its last import (`Milestone.imported_*`): the document unchanged → the
store keeps its timing (a move from Slack stays); the document changed and the store
not → the document's timing; both changed → the Slack change is kept and the import
says so, unless `overwrite_slack_changes` (then the document's, with an audit entry).
An export (YAML) is the store itself and is applied as it stands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.importers import ImportReport
from storage.models import (
    AgendaItem,
    BudgetLine,
    GoverningBody,
    Meeting,
    Milestone,
    Municipality,
    Partner,
    Person,
    Programme,
    ProgrammePartner,
    Project,
    Region,
    Role,
    Subscription,
)
from storage.queries import add_audit
from storage.schema import (
    GoverningBodyData,
    MeetingData,
    MilestoneData,
    ProgrammeData,
    RegionData,
    StoreData,
    SubscriptionData,
)


@dataclass
class ChangeReport(ImportReport):
    """An `ImportReport` that also names what was added, changed and cancelled (for
    `--dry-run`) and says where the document and Slack disagreed."""

    details: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    # What the source held, per programme (filled by the programme document importer).
    summary: list[Any] = field(default_factory=list)

    def lines(self, *, details: bool = False) -> list[str]:
        out = super().lines()
        out[1:1] = [f"  {n}" for n in self.notices]
        if details:
            out[1:1] = [f"  {d}" for d in self.details]
        return out


def _record(report: ImportReport, what: str, name: str | None = None) -> None:
    report.count(what)
    if name and isinstance(report, ChangeReport):
        kind, _, change = what.rpartition(" ")
        report.details.append(f"{change}: {kind} {name}")


@dataclass(frozen=True)
class MergeOptions:
    """How a source's milestone timing meets changes made from Slack."""

    from_document: bool = False
    overwrite_slack_changes: bool = False
    actor: str = "import"


def apply_store_data(
    session: Session, data: StoreData, *, now: datetime, report: ImportReport,
    options: MergeOptions = MergeOptions(),  # frozen, shared safely
) -> None:
    """Bring the store in line with `data` (within the caller's transaction)."""
    people = {p.name: p for p in session.scalars(select(Person))}
    for person_data in data.people:
        person = people.get(person_data.name)
        if person is None:
            person = Person(name=person_data.name, is_coordinator=False)
            session.add(person)
            people[person.name] = person
            _record(report, "people added", person.name)
        changes = {
            k: v
            for k, v in person_data.model_dump(exclude={"name"}).items()
            if v is not None
        }
        if _assign(person, changes):
            _record(report, "people updated", person.name)
    session.flush()
    for region_data in data.regions:
        _apply_region(session, region_data, people=people, now=now, report=report,
                      options=options)
    for subscription in data.subscriptions:
        _apply_subscription(session, subscription, now=now, report=report)


def _assign(obj: Any, values: dict[str, Any]) -> bool:
    """Set attributes that differ; True when anything changed."""
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def _apply_region(session, data: RegionData, *, people, now, report, options) -> None:
    region = session.scalar(select(Region).where(Region.slug == data.slug))
    if region is None:
        region = Region(slug=data.slug, name=data.name, year=data.year)
        session.add(region)
        _record(report, "regions added", data.name)
    _assign(
        region,
        {
            "name": data.name,
            "year": data.year,
            "budget_amount": data.budget_amount,
            "budget_text": data.budget_text,
        },
    )
    session.flush()

    by_name = {m.name: m for m in region.municipalities}
    for m in data.municipalities:
        existing = by_name.get(m.name)
        if existing is None:
            region.municipalities.append(Municipality(**m.model_dump()))
            _record(report, "municipalities added", m.name)
        elif _assign(existing, m.model_dump(exclude={"name"})):
            _record(report, "municipalities updated", m.name)

    programmes = {p.slug: p for p in region.programmes}
    for position, programme_data in enumerate(data.programmes):
        programme = programmes.get(programme_data.slug)
        if programme is None:
            programme = Programme(slug=programme_data.slug, name=programme_data.name)
            region.programmes.append(programme)
            _record(report, "programmes added", programme_data.name)
        _apply_programme(
            session, programme, programme_data, position=position, people=people, now=now,
            report=report, options=options,
        )

    bodies = {b.slug: b for b in region.bodies}
    for body_data in data.bodies:
        body = bodies.get(body_data.slug)
        if body is None:
            body = GoverningBody(slug=body_data.slug, name=body_data.name)
            region.bodies.append(body)
            _record(report, "governing bodies added", body_data.name)
        apply_governing_body(session, body, body_data, now=now, report=report)
    session.flush()


def _apply_programme(
    session, programme: Programme, data: ProgrammeData, *, position, people, now, report,
    options,
) -> None:
    scalar_fields = data.model_dump(
        include={
            "number", "name", "kind", "aliases", "ambition", "goals", "dependencies",
            "local_assignment", "background",
        }
    )
    scalar_fields["position"] = position
    if _assign(programme, scalar_fields) and programme.id is not None:
        _record(report, "programmes updated", data.name)
    session.flush()

    projects = {p.slug: p for p in programme.projects}
    for index, project_data in enumerate(data.projects):
        project = projects.get(project_data.slug)
        values = {**project_data.model_dump(exclude={"slug"}), "position": index}
        if project is None:
            project = Project(slug=project_data.slug, **values)
            programme.projects.append(project)
            projects[project.slug] = project
            _record(report, "projects added", f"{project_data.name} ({data.name})")
        elif _assign(project, values):
            _record(report, "projects updated", f"{project_data.name} ({data.name})")
    session.flush()

    # Partners, roles and budget lines have no identity of their own beyond their
    # place in the list: they are compared as a whole and replaced when different.
    partner_names = [link.partner.name for link in programme.partner_links]
    if partner_names != data.partners:
        programme.partner_links.clear()
        session.flush()
        for index, name in enumerate(data.partners):
            partner = session.scalar(select(Partner).where(Partner.name == name))
            if partner is None:
                partner = Partner(name=name)
                session.add(partner)
            programme.partner_links.append(ProgrammePartner(partner=partner, position=index))
        _record(report, "partner lists set", data.name)

    wanted_roles = [
        {
            "kind": r.kind,
            "label": r.label,
            "holder": r.holder,
            "person_id": people[r.person].id if r.person else None,
            "hours_text": r.hours_text,
            "hours": r.hours,
            "project_id": projects[r.project].id if r.project else None,
        }
        for r in data.roles
    ]
    current_roles = [
        {key: getattr(role, key) for key in wanted_roles[0]} if wanted_roles else {}
        for role in programme.roles
    ]
    if current_roles != wanted_roles:
        programme.roles.clear()
        session.flush()
        for index, values in enumerate(wanted_roles):
            programme.roles.append(Role(position=index, **values))
        _record(report, "role lists set", data.name)

    wanted_lines = [line.model_dump() for line in data.budget_lines]
    current_lines = [
        {key: getattr(line, key) for key in ("label", "amount", "year", "text", "note")}
        for line in programme.budget_lines
    ]
    if current_lines != wanted_lines:
        programme.budget_lines.clear()
        session.flush()
        for index, values in enumerate(wanted_lines):
            programme.budget_lines.append(BudgetLine(position=index, **values))
        _record(report, "budget lists set", data.name)

    milestones = {m.key: m for m in programme.milestones}
    if options.from_document:
        _rekey_retimed(milestones, data.milestones)
    for index, milestone_data in enumerate(data.milestones):
        _apply_milestone(
            session, programme, milestones.get(milestone_data.key), milestone_data,
            position=index, projects=projects, people=people, now=now, report=report,
            options=options,
        )
    # A milestone that left the source is cancelled, not deleted: calendar clients
    # must see it go (docs/architecture.md §8.7), and its history stays.
    wanted_keys = {m.key for m in data.milestones}
    for key, milestone in milestones.items():
        if key not in wanted_keys and milestone.status != "cancelled":
            milestone.status = "cancelled"
            milestone.updated_at = now
            milestone.sequence += 1
            _record(report, "milestones cancelled", f"{milestone.title!r} ({key})")
    session.flush()


def _rekey_retimed(milestones: dict[str, Milestone], wanted: list[MilestoneData]) -> None:
    """A milestone whose timing the document changed has a new key (its label is part of
    it: "…/k3" → "…/k4"): when exactly one milestone of that scope and title left the
    document and exactly one came in, they are the same milestone, updated rather than
    cancelled and added — so a move from Slack meets the document's change, and calendar
    clients see one event move."""
    wanted_keys = {m.key for m in wanted}

    def stem(key: str) -> str:
        return key.rsplit("/", 1)[0]

    gone: dict[str, list[Milestone]] = {}
    for key, milestone in milestones.items():
        if key not in wanted_keys and milestone.status != "cancelled":
            gone.setdefault(stem(key), []).append(milestone)
    came: dict[str, list[str]] = {}
    for m in wanted:
        if m.key not in milestones:
            came.setdefault(stem(m.key), []).append(m.key)
    for s, keys in came.items():
        if len(keys) == 1 and len(gone.get(s, [])) == 1:
            milestone = gone[s][0]
            del milestones[milestone.key]
            milestone.key = keys[0]
            milestones[keys[0]] = milestone


def _apply_milestone(
    session, programme, milestone: Milestone | None, data: MilestoneData, *, position,
    projects, people, now, report, options: MergeOptions,
) -> None:
    values: dict[str, Any] = {
        "title": data.title,
        "due_date": data.due_date,
        "period_start": data.period_start,
        "period_label": data.period_label,
        "project_id": projects[data.project].id if data.project else None,
        "position": position,
    }
    # The document does not say who owns a milestone or whether it is done: only a
    # source that says so (an export) overrides what was set from Slack.
    if data.owner is not None:
        values["owner_id"] = people[data.owner].id
    if "status" in data.model_fields_set:
        values["status"] = data.status
        values["done_at"] = data.done_at
    source_timing = (
        (data.due_date, data.period_start) if options.from_document
        else (data.imported_due_date, data.imported_period_start)
    )
    if milestone is None:
        imported_due, imported_start = source_timing
        if not options.from_document and imported_due is None:
            imported_due, imported_start = data.due_date, data.period_start
        milestone = Milestone(
            key=data.key,
            created_at=data.created_at or now,
            updated_at=data.updated_at or now,
            sequence=data.sequence or 0,
            source_line=data.source_line,
            imported_due_date=imported_due,
            imported_period_start=imported_start,
            **{"status": "open", **values},
        )
        programme.milestones.append(milestone)
        _record(report, "milestones added", f"{data.title!r} ({data.period_label})")
        return
    # Where the line stands in the source is bookkeeping, not a change a calendar or a
    # reminder should react to (the PDF rendering of the same document moves every line).
    milestone.source_line = data.source_line
    if options.from_document:
        _merge_timing(session, milestone, data, values, now=now, report=report,
                      options=options)
    elif data.imported_due_date is not None:
        milestone.imported_due_date = data.imported_due_date
        milestone.imported_period_start = data.imported_period_start
    before = {k: getattr(milestone, k) for k in values}
    if _assign(milestone, values):
        milestone.updated_at = data.updated_at or now
        milestone.sequence = (
            data.sequence if data.sequence is not None else milestone.sequence + 1
        )
        changed = ", ".join(
            f"{k} {_show(before[k])} → {_show(v)}" for k, v in values.items()
            if before[k] != v and k != "position")
        _record(report, "milestones updated", f"{milestone.title!r}: {changed or 'order'}")
    elif data.sequence is not None and data.sequence != milestone.sequence:
        milestone.sequence = data.sequence
        milestone.updated_at = data.updated_at or milestone.updated_at


def _show(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else repr(value)


def _merge_timing(session, milestone: Milestone, data: MilestoneData, values: dict, *, now,
                  report, options: MergeOptions) -> None:
    """The three-way merge of a milestone's timing (see the module's docstring). Takes
    the timing out of `values` where the store's is to stay."""
    store = (milestone.due_date, milestone.period_start)
    document = (data.due_date, data.period_start)
    base = (milestone.imported_due_date, milestone.imported_period_start)
    if base[0] is None:
        base = store  # never imported from a document: nothing to tell apart
    document_changed = document != base
    slack_changed = store != base
    if not document_changed or (slack_changed and store != document
                                 and not options.overwrite_slack_changes):
        values.pop("due_date")
        values.pop("period_start")
    if document_changed and slack_changed and store != document:
        nr = milestone.id
        said = f"the document moves it from {base[0].isoformat()} to {document[0].isoformat()}"
        if options.overwrite_slack_changes:
            add_audit(session, at=now, actor=options.actor, action="milestone.import_overwrite",
                      object_type="milestone", object_id=nr,
                      detail={"title": milestone.title, "slack_due_date": store[0].isoformat(),
                              "document_due_date": document[0].isoformat(),
                              "source": report.source})
            report.count("Slack changes overwritten")
            _notice(report, f"milestone {nr} {milestone.title!r}: {said}; it had been moved "
                            f"from Slack to {store[0].isoformat()} — the document's date "
                            "taken (--overwrite-slack-changes), audited")
        else:
            report.count("Slack changes kept")
            _notice(report, f"milestone {nr} {milestone.title!r}: {said}, but it was moved "
                            f"from Slack to {store[0].isoformat()}; the Slack change is kept "
                            "(--overwrite-slack-changes takes the document's)")
            return  # the document's timing stays pending: the base is not moved
    milestone.imported_due_date, milestone.imported_period_start = document


def _notice(report: ImportReport, text: str) -> None:
    if isinstance(report, ChangeReport):
        report.notices.append(text)


def apply_governing_body(
    session, body: GoverningBody, data: GoverningBodyData, *, now, report
) -> None:
    """Bring one governing body and its meetings in line with `data` (meetings by uid)."""
    _assign(body, {"name": data.name, "abbreviation": data.abbreviation})
    session.flush()
    for meeting_data in data.meetings:
        meeting = session.scalar(select(Meeting).where(Meeting.uid == meeting_data.uid))
        _apply_meeting(body, meeting, meeting_data, now=now, report=report)


def _apply_meeting(body, meeting: Meeting | None, data: MeetingData, *, now, report) -> None:
    values = data.model_dump(
        include={"number", "date", "start_time", "end_time", "location", "status"}
    )
    if meeting is None:
        meeting = Meeting(
            uid=data.uid,
            created_at=data.created_at or now,
            updated_at=data.updated_at or now,
            sequence=data.sequence or 0,
            **values,
        )
        body.meetings.append(meeting)
        _record(report, "meetings added", f"{data.uid} ({data.date})")
        changed = False
    else:
        if meeting.body is not body:
            meeting.body = body
        changed = _assign(meeting, values)
    items = {item.position: item for item in meeting.agenda_items}
    for item_data in data.agenda:
        item = items.get(item_data.position)
        item_values = item_data.model_dump(exclude={"position"})
        if item is None:
            meeting.agenda_items.append(
                AgendaItem(position=item_data.position, created_at=now, updated_at=now,
                           **item_values)
            )
            _record(report, "agenda items added", f"{item_data.title!r} ({data.uid})")
            changed = True
        elif _assign(item, item_values):
            item.updated_at = now
            _record(report, "agenda items updated", f"{item_data.title!r} ({data.uid})")
            changed = True
    if changed and meeting.id is not None:
        meeting.updated_at = data.updated_at or now
        meeting.sequence = data.sequence if data.sequence is not None else meeting.sequence + 1
        _record(report, "meetings updated", f"{data.uid} ({data.date})")


def _apply_subscription(session, data: SubscriptionData, *, now, report) -> None:
    programme_id = None
    if data.programme:
        query = select(Programme).where(Programme.slug == data.programme)
        if data.region:
            query = query.join(Region).where(Region.slug == data.region)
        programme = session.scalars(query).first()
        if programme is None:
            raise ValueError(f"subscription to unknown programme {data.programme!r}")
        programme_id = programme.id
    exists = session.scalar(
        select(Subscription).where(
            Subscription.channel_id == data.channel_id,
            Subscription.topic == data.topic,
            Subscription.programme_id_key == (programme_id or 0),
        )
    )
    if exists is None:
        session.add(
            Subscription(
                channel_id=data.channel_id,
                topic=data.topic,
                programme_id=programme_id,
                programme_id_key=programme_id or 0,
                created_by=data.created_by,
                created_at=now,
            )
        )
        _record(report, "subscriptions added", f"{data.channel_id} {data.topic}")
