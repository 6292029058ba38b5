"""Stage 4: the parsed builders → a `StoreData`."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from storage.schema import (
    MilestoneData,
    PersonData,
    ProgrammeData,
    ProjectData,
    RegionData,
    RoleData,
    StoreData,
)

from .parse import DocumentParser, Item, ProgrammeBuilder, ProjectBuilder, _add_unique
from .values import STOPWORDS, parse_timing, slugify

KNOWN_ALIASES = {
    "geweld-hoort-nergens-thuis": ["huiselijk geweld"],
    "jeugdigen-beschermen": ["jeugdbescherming", "Jeugdigen Beter Beschermen"],
    "aansluiting-jeugdhulp-passend-onderwijs": ["passend onderwijs"],
    "volumebeheersing-jeugd-sggz": ["jeugd GGZ"],
    "rechtmatigheid-en-kwaliteit": ["R&K"],
}


class Assembler:
    """The parsed document → a `StoreData`: people's names resolved, listed and detailed
    deelprojecten merged, milestones keyed, aliases derived."""

    def __init__(self, doc: DocumentParser):
        self.doc = doc

    def build(self) -> StoreData:
        people = self._people()
        programmes = [self._programme_data(p, people) for p in self.doc.programmes]
        self._aliases(programmes)
        names = []
        for programme in programmes:
            for role in programme.roles:
                if role.person and role.person not in names:
                    names.append(role.person)
        bodies = []
        if self.doc.body is not None:
            bodies.append(self.doc.body.model_copy(update={"meetings": self.doc.meetings}))
        elif self.doc.meetings:
            self.doc.warn(None, "meetings found without a governing body heading")
        region = RegionData(
            slug=slugify(self.doc.region_name or "regio"), name=self.doc.region_name or "Regio",
            year=self.doc.year, budget_amount=self.doc.budget_amount, budget_text=self.doc.budget_text,
            municipalities=self.doc.municipalities, programmes=programmes, bodies=bodies,
        )
        return StoreData(people=[PersonData(name=n) for n in names], regions=[region])

    def _people(self) -> dict[str, str]:
        """Names as written → canonical person names. A misspelling close to a name
        written more often (or earlier) maps to it; a lone first name maps to the one
        known person with that first name."""
        counts: dict[str, int] = {}
        first_seen: dict[str, int] = {}
        for name, no in self.doc.role_names:
            if len(name.split()) < 2:
                continue
            counts[name] = counts.get(name, 0) + 1
            first_seen.setdefault(name, no)
        canonical: dict[str, str] = {}
        ordered = sorted(counts, key=lambda n: (-counts[n], first_seen[n]))
        for name in ordered:
            match = next((c for c in ordered if c in canonical.values() and c != name
                          and fuzz.ratio(c.lower(), name.lower()) >= 88), None)
            canonical[name] = match or name
            if match:
                self.doc.warn(first_seen[name], f"{name!r} read as {match!r} (near match of a "
                                            "name written elsewhere)")
        full_names = sorted(set(canonical.values()))
        for name, no in self.doc.role_names:
            if len(name.split()) == 1 and name not in canonical:
                matches = [n for n in full_names if n.split()[0] == name]
                if len(matches) == 1:
                    canonical[name] = matches[0]
                    self.doc.warn(no, f"first name {name!r} read as {matches[0]!r}")
                else:
                    canonical[name] = ""
                    self.doc.warn(no, f"first name {name!r} matches no single known person; kept "
                                  "as written without a person")
        return canonical

    def _programme_data(self, p: ProgrammeBuilder, people: dict[str, str]) -> ProgrammeData:
        projects = self._merge_projects(p)
        project_models = []
        for builder, slug in projects:
            project_models.append(ProjectData(
                slug=slug, number=builder.number, name=builder.name,
                description="\n\n".join(builder.description) or None,
            ))
        by_number = {b.number: s for b, s in projects if b.number is not None}
        by_name = {b.name: s for b, s in projects}
        milestones: list[MilestoneData] = []
        keys: dict[str, MilestoneData] = {}

        def add(item: Item, scope: str, project: str | None) -> None:
            for timing in parse_timing(item.text, self.doc.year):
                if not timing.title:
                    continue
                key = f"{scope}/{slugify(timing.title)}/{slugify(timing.label, 40)}"
                data = MilestoneData(
                    key=key, title=timing.title, due_date=timing.due,
                    period_start=timing.start, period_label=timing.label, project=project,
                    source_line=item.no,
                )
                if key in keys:
                    if keys[key].title == data.title and keys[key].due_date == data.due_date:
                        continue  # the same line again (a repeated block)
                    n = 2
                    while f"{key}-{n}" in keys:
                        n += 1
                    data = data.model_copy(update={"key": f"{key}-{n}"})
                keys[data.key] = data
                milestones.append(data)

        for item, refer in p.milestones:
            add(item, "programma", by_number.get(refer) if refer is not None else None)
        for builder, slug in projects:
            for item, _ in builder.milestones:
                add(item, slug, slug)

        roles = []
        for role in p.roles:
            person = role["person"]
            holder = role["holder"]
            if person is not None:
                resolved = people.get(person, person)
                if resolved:
                    holder = holder.replace(person, resolved, 1) if holder else resolved
                    person = resolved
                else:
                    person = None
            project = None
            if role["project_name"]:
                project = by_name.get(role["project_name"])
                if project is None:
                    best = max(projects, key=lambda bs: fuzz.token_set_ratio(
                        bs[0].name.lower(), role["project_name"].lower()), default=None)
                    if best and fuzz.token_set_ratio(best[0].name.lower(),
                                                     role["project_name"].lower()) >= 85:
                        project = best[1]
            roles.append(RoleData(kind=role["kind"], label=role["label"], holder=holder,
                                  person=person, hours_text=role["hours_text"],
                                  hours=role["hours"], project=project))
        return ProgrammeData(
            slug=p.slug, number=p.number, name=p.name, kind=p.kind,
            ambition="\n\n".join(p.ambition) or None, goals=p.goals,
            dependencies=p.dependencies, local_assignment=p.local,
            background="\n\n".join(p.background) or None, partners=p.partners,
            roles=roles, projects=project_models, milestones=milestones,
            budget_lines=p.budget,
        )

    def _merge_projects(self, p: ProgrammeBuilder) -> list[tuple[ProjectBuilder, str]]:
        """Deelprojecten named in a list and described in a detail part are one project:
        matched by equal numbers, then by name, then by position with a similar name."""
        detailed = list(p.detailed)
        listed = list(p.listed)
        pairs: dict[int, ProjectBuilder] = {}  # id(detail) -> listed
        used: set[int] = set()

        def score(a: str, b: str) -> float:
            return max(fuzz.token_set_ratio(a.lower(), b.lower()),
                       fuzz.ratio(a.lower(), b.lower()))

        for d in detailed:
            for item in listed:
                if item.explicit_number and item.number == d.number and id(item) not in used:
                    pairs[id(d)] = item
                    used.add(id(item))
                    break
        candidates = sorted(
            ((score(d.name, item.name), i, j) for i, d in enumerate(detailed)
             for j, item in enumerate(listed)),
            reverse=True,
        )
        for s, i, j in candidates:
            d, item = detailed[i], listed[j]
            if id(d) in pairs or id(item) in used:
                continue
            positional = not item.explicit_number and j + 1 == d.number
            if s >= 80 or (positional and s >= 50):
                pairs[id(d)] = item
                used.add(id(item))
        out: list[ProjectBuilder] = []
        for d in detailed:
            item = pairs.get(id(d))
            if item is not None:
                if score(d.name, item.name) < 50 and not _abbreviates(item.name, d.name):
                    p.doubtful.append((item.no, item.name))
                if score(d.name, item.name) < 90:
                    self.doc.warn(item.no, f"deelproject {item.name!r} taken to be "
                                       f"'{d.number}. {d.name}' (line {d.no})")
                for text in item.description:
                    _add_unique(d.description, text)
            out.append(d)
        leftovers = [item for item in listed if id(item) not in used]
        for item in leftovers:
            if detailed and not item.mentioned:
                p.doubtful.append((item.no, item.name))
                self.doc.warn(item.no, f"deelproject {item.name!r} has no section of its own; "
                                   "kept as a project without description")
            out.append(item)
        # Listed-only projects go where the list put them; detailed ones in their order.
        slugs: list[tuple[ProjectBuilder, str]] = []
        seen: set[str] = set()
        for builder in out:
            slug = slugify(builder.name, 120)
            n = 2
            while slug in seen:
                slug = f"{slugify(builder.name, 110)}-{n}"
                n += 1
            seen.add(slug)
            slugs.append((builder, slug))
        return slugs

    def _aliases(self, programmes: list[ProgrammeData]) -> None:
        full = "\n".join(ln.text for ln in self.doc.lines)
        proposals: dict[str, list[str]] = {}
        for data, builder in zip(programmes, self.doc.programmes, strict=True):
            found: list[str] = []
            for name in [data.name, *builder.variants]:
                for segment in [name, *re.split(r"-(?=[A-Z])|\s*/\s*", name)]:
                    words = re.split(r"[\s-]+", segment.strip())
                    sig = [w for w in words if w and w.lower() not in STOPWORDS]
                    if len(sig) >= 2 and not any(w.isupper() and len(w) > 1 for w in sig):
                        found.append("".join(w[0] for w in sig).upper())
                    if segment != name and len(words) >= 2:
                        found.append(segment.strip())
                    found += [w for w in words if w.isupper() and len(w) >= 2]
                found.append(name)
                # Abbreviations the document writes next to the name: "… (GHNT)".
                for m in re.finditer(re.escape(name) + r"\s*'?\s*\(([A-Z][A-Za-z&/]{1,9})\)",
                                     full, re.I):
                    found.append(m[1])
            found += KNOWN_ALIASES.get(data.slug, [])
            proposals[data.slug] = found
        owners: dict[str, set[str]] = {}
        for slug, found in proposals.items():
            for alias in found:
                owners.setdefault(alias.lower(), set()).add(slug)
        # Names of other things in the document — organisations, and the people, bodies
        # and projects of other programmes: an abbreviation found in one ("PO" in
        # "Samenwerkingsverband PO Midden-Holland", "JB" in "JB West") names that, not
        # the programme.
        def names_besides(data: ProgrammeData) -> list[str]:
            return [name for p in programmes for name in [
                *p.partners, *((r.holder or "" for r in p.roles) if p is not data else ()),
                *((j.name for j in p.projects) if p is not data else ())]]

        for data in programmes:
            others = names_besides(data)
            aliases: list[str] = []
            for alias in proposals[data.slug]:
                low = alias.lower()
                if low == data.name.lower() or len(owners[low]) > 1:
                    continue
                if alias.isupper() and any(
                        re.search(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", name)
                        for name in others):
                    continue
                if all(a.lower() != low for a in aliases):
                    aliases.append(alias)
            data.aliases = aliases


def _abbreviates(short: str, name: str) -> bool:
    """Is `short` made of the initials of `name`'s words ("RvdK", "Raad voor de
    Kinderbescherming")?"""
    initials = "".join(w[0] for w in re.findall(r"\w+", name))
    return len(short) >= 2 and short.replace(".", "").lower() == initials.lower()
