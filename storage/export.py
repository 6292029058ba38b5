"""Read the whole store back out as a `StoreData` (the YAML export)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from storage.models import (
    GoverningBody,
    Meeting,
    Person,
    Programme,
    ProgrammePartner,
    Region,
    Subscription,
)
from storage.schema import (
    AgendaItemData,
    BudgetLineData,
    GoverningBodyData,
    MeetingData,
    MilestoneData,
    MunicipalityData,
    PersonData,
    ProgrammeData,
    ProjectData,
    RegionData,
    RoleData,
    StoreData,
    SubscriptionData,
)


def export_store_data(session: Session) -> StoreData:
    people = [
        PersonData(
            name=p.name,
            slack_user_id=p.slack_user_id,
            email=p.email,
            is_coordinator=p.is_coordinator,
        )
        for p in session.scalars(select(Person).order_by(Person.name))
    ]
    regions = [
        _region(region)
        for region in session.scalars(
            select(Region)
            .order_by(Region.slug)
            .options(
                selectinload(Region.municipalities),
                selectinload(Region.programmes).selectinload(Programme.roles),
                selectinload(Region.programmes).selectinload(Programme.projects),
                selectinload(Region.programmes).selectinload(Programme.milestones),
                selectinload(Region.programmes).selectinload(Programme.budget_lines),
                selectinload(Region.programmes)
                .selectinload(Programme.partner_links)
                .selectinload(ProgrammePartner.partner),
                selectinload(Region.bodies)
                .selectinload(GoverningBody.meetings)
                .selectinload(Meeting.agenda_items),
            )
        )
    ]
    subscriptions = [
        SubscriptionData(
            channel_id=s.channel_id,
            topic=s.topic,
            region=s.programme.region.slug if s.programme else None,
            programme=s.programme.slug if s.programme else None,
            created_by=s.created_by,
        )
        for s in session.scalars(
            select(Subscription).order_by(Subscription.channel_id, Subscription.topic,
                                          Subscription.programme_id_key)
        )
    ]
    return StoreData(people=people, regions=regions, subscriptions=subscriptions)


def _region(region: Region) -> RegionData:
    return RegionData(
        slug=region.slug,
        name=region.name,
        year=region.year,
        budget_amount=region.budget_amount,
        budget_text=region.budget_text,
        municipalities=[
            MunicipalityData(name=m.name, inhabitants=m.inhabitants, cbs_code=m.cbs_code)
            for m in region.municipalities
        ],
        programmes=[_programme(p) for p in region.programmes],
        bodies=[
            GoverningBodyData(
                slug=b.slug,
                name=b.name,
                abbreviation=b.abbreviation,
                meetings=[_meeting(m) for m in b.meetings],
            )
            for b in sorted(region.bodies, key=lambda b: b.slug)
        ],
    )


def _programme(programme: Programme) -> ProgrammeData:
    project_slug = {p.id: p.slug for p in programme.projects}
    return ProgrammeData(
        slug=programme.slug,
        number=programme.number,
        name=programme.name,
        kind=programme.kind,
        aliases=list(programme.aliases or []),
        ambition=programme.ambition,
        goals=list(programme.goals or []),
        dependencies=list(programme.dependencies or []),
        local_assignment=list(programme.local_assignment or []),
        background=programme.background,
        partners=[link.partner.name for link in programme.partner_links],
        roles=[
            RoleData(
                kind=r.kind,
                label=r.label,
                holder=r.holder,
                person=r.person.name if r.person else None,
                hours_text=r.hours_text,
                hours=r.hours,
                project=project_slug.get(r.project_id) if r.project_id else None,
            )
            for r in programme.roles
        ],
        projects=[
            ProjectData(slug=p.slug, number=p.number, name=p.name, description=p.description)
            for p in programme.projects
        ],
        milestones=[
            MilestoneData(
                key=m.key,
                title=m.title,
                due_date=m.due_date,
                period_start=m.period_start,
                period_label=m.period_label,
                project=project_slug.get(m.project_id) if m.project_id else None,
                status=m.status,
                done_at=m.done_at,
                owner=m.owner.name if m.owner else None,
                source_line=m.source_line,
                imported_due_date=m.imported_due_date,
                imported_period_start=m.imported_period_start,
                sequence=m.sequence,
                created_at=m.created_at,
                updated_at=m.updated_at,
            )
            for m in programme.milestones
        ],
        budget_lines=[
            BudgetLineData(
                label=b.label, amount=b.amount, year=b.year, text=b.text, note=b.note
            )
            for b in programme.budget_lines
        ],
    )


def _meeting(meeting: Meeting) -> MeetingData:
    return MeetingData(
        uid=meeting.uid,
        number=meeting.number,
        date=meeting.date,
        start_time=meeting.start_time,
        end_time=meeting.end_time,
        location=meeting.location,
        status=meeting.status,
        sequence=meeting.sequence,
        created_at=meeting.created_at,
        updated_at=meeting.updated_at,
        agenda=[
            AgendaItemData(
                position=i.position, title=i.title, kind=i.kind, prepared_by=i.prepared_by
            )
            for i in meeting.agenda_items
        ],
    )
