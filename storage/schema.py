"""The store as plain data: what importers produce and what the YAML export holds.

Every importer (programme document, YAML) produces a `StoreData`; `storage.apply`
writes one into the store idempotently; `storage.export` reads one back out. So the
YAML round trip and "importing the same source twice changes nothing" follow from one
piece of code.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SCHEMA_VERSION = 1


class Data(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PersonData(Data):
    name: str = Field(min_length=1, max_length=200)
    # None leaves what the store has (the document never names Slack users).
    slack_user_id: str | None = Field(default=None, pattern=r"^[UW][A-Z0-9]{2,30}$")
    email: str | None = None
    is_coordinator: bool | None = None


class MunicipalityData(Data):
    name: str = Field(min_length=1)
    inhabitants: int = Field(ge=0)
    cbs_code: str | None = Field(default=None, pattern=r"^\d{4}$")


class RoleData(Data):
    kind: str = Field(min_length=1)
    label: str = Field(min_length=1)
    holder: str | None = None
    # Name of a person in `StoreData.people` when the holder is a person.
    person: str | None = None
    hours_text: str | None = None
    hours: Decimal | None = Field(default=None, ge=0, max_digits=8, decimal_places=2)
    # Slug of one of the programme's projects, for a project role.
    project: str | None = None


class BudgetLineData(Data):
    label: str = Field(min_length=1)
    amount: Decimal | None = Field(default=None, max_digits=14, decimal_places=2)
    year: int = Field(ge=1990, le=2100)
    text: str = Field(min_length=1)
    note: str | None = None


class MilestoneData(Data):
    key: str = Field(min_length=1, max_length=300)
    title: str = Field(min_length=1)
    due_date: date
    period_start: date | None = None
    period_label: str = Field(min_length=1)
    project: str | None = None
    status: Literal["open", "done", "cancelled"] = "open"
    done_at: datetime | None = None
    owner: str | None = None
    source_line: int | None = None
    # The timing the programme document last gave it (exports carry it, so that a store
    # rebuilt from an export still tells Slack's moves from the document's changes).
    imported_due_date: date | None = None
    imported_period_start: date | None = None
    # Present in exports; when absent the store keeps (or starts) its own.
    sequence: int | None = Field(default=None, ge=0)
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @model_validator(mode="after")
    def _window_in_order(self) -> MilestoneData:
        if self.period_start and self.period_start > self.due_date:
            raise ValueError("period_start is after due_date")
        return self


class ProjectData(Data):
    slug: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9-]*$")
    number: int | None = None
    name: str = Field(min_length=1)
    description: str | None = None


class ProgrammeData(Data):
    slug: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9-]*$")
    number: int | None = None
    name: str = Field(min_length=1)
    kind: Literal["programma", "project"] = "programma"
    aliases: list[str] = Field(default_factory=list)
    ambition: str | None = None
    goals: list[str] = Field(default_factory=list)
    dependencies: list[str] = Field(default_factory=list)
    local_assignment: list[str] = Field(default_factory=list)
    background: str | None = None
    partners: list[str] = Field(default_factory=list)
    roles: list[RoleData] = Field(default_factory=list)
    projects: list[ProjectData] = Field(default_factory=list)
    milestones: list[MilestoneData] = Field(default_factory=list)
    budget_lines: list[BudgetLineData] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references_resolve(self) -> ProgrammeData:
        slugs = [p.slug for p in self.projects]
        if len(set(slugs)) != len(slugs):
            raise ValueError("two projects share a slug")
        keys = [m.key for m in self.milestones]
        if len(set(keys)) != len(keys):
            raise ValueError("two milestones share a key")
        for item in [*self.roles, *self.milestones]:
            if item.project is not None and item.project not in slugs:
                raise ValueError(f"unknown project {item.project!r}")
        return self


class AgendaItemData(Data):
    position: int = Field(ge=1)
    title: str = Field(min_length=1)
    kind: str | None = None
    prepared_by: str | None = None


class MeetingData(Data):
    uid: str = Field(min_length=1, max_length=300)
    number: int | None = None
    date: date
    start_time: time | None = None
    end_time: time | None = None
    location: str | None = None
    status: Literal["scheduled", "cancelled"] = "scheduled"
    agenda: list[AgendaItemData] = Field(default_factory=list)
    sequence: int | None = Field(default=None, ge=0)
    created_at: datetime | None = None
    updated_at: datetime | None = None


class GoverningBodyData(Data):
    slug: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=1)
    abbreviation: str | None = None
    meetings: list[MeetingData] = Field(default_factory=list)


class RegionData(Data):
    slug: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=1)
    year: int = Field(ge=1990, le=2100)
    budget_amount: Decimal | None = Field(default=None, max_digits=14, decimal_places=2)
    budget_text: str | None = None
    municipalities: list[MunicipalityData] = Field(default_factory=list)
    programmes: list[ProgrammeData] = Field(default_factory=list)
    bodies: list[GoverningBodyData] = Field(default_factory=list)


class SubscriptionData(Data):
    channel_id: str = Field(pattern=r"^[CDG][A-Z0-9]{2,30}$")
    topic: Literal["programme", "bosd", "declaraties"]
    region: str | None = None
    programme: str | None = None
    created_by: str | None = None

    @field_validator("programme")
    @classmethod
    def _programme_slug(cls, value: str | None) -> str | None:
        return value.lower() if value else value


class StoreData(Data):
    version: Literal[1] = SCHEMA_VERSION
    people: list[PersonData] = Field(default_factory=list)
    regions: list[RegionData] = Field(default_factory=list)
    subscriptions: list[SubscriptionData] = Field(default_factory=list)

    @model_validator(mode="after")
    def _people_resolve(self) -> StoreData:
        names = {p.name for p in self.people}
        for region in self.regions:
            for programme in region.programmes:
                for role in programme.roles:
                    if role.person is not None and role.person not in names:
                        raise ValueError(f"role names unknown person {role.person!r}")
                for milestone in programme.milestones:
                    if milestone.owner is not None and milestone.owner not in names:
                        raise ValueError(f"milestone owner {milestone.owner!r} is not a person")
        return self
