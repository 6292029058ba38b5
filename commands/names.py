"""Finding the programme, project or person someone means, from what they typed.

In order: an exact abbreviation or alias (GHNT, JBJR, SGGZ, MZ — also a budget line's
label such as JBJR points to its programme), an exact name (with or without the word
"programma"/"project"), a name that contains all typed words, and finally a fuzzy match
(rapidfuzz) that must be clearly best. Anything less becomes "bedoel je …?"
suggestions, so a typo never turns into a wrong answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Literal

from rapidfuzz import fuzz, process
from sqlalchemy.orm import Session

from commands.parsing import fold
from storage import queries
from storage.models import Person, Programme, Project

Kind = Literal["programme", "project", "person"]

# Words that say what kind of thing is meant rather than which one.
_NOISE = re.compile(
    r"\b(het |de |the )?(programma|programme|program|project|deelproject|prg)\b", re.I
)
ACCEPT = 80  # a fuzzy score this high, clearly ahead of the next, is taken as meant
SUGGEST = 60  # below this a name is not even worth suggesting
CLEAR_LEAD = 10


@dataclass
class Candidate:
    kind: Kind
    # The thing, or a loader for it: people are matched by name and loaded only when
    # chosen, since a store may hold thousands of them.
    ref: Programme | Project | Person | Callable[[], Person | None]
    names: list[str]  # folded forms to match against
    label: str  # how to show it

    @property
    def obj(self) -> Programme | Project | Person:
        if callable(self.ref):
            self.ref = self.ref()
        return self.ref

    @property
    def rank(self) -> int:
        # Programmes win ties over their projects, projects over people: the
        # broader thing is more often what a short name means.
        return {"programme": 0, "project": 1, "person": 2}[self.kind]


@dataclass
class Resolution:
    match: Candidate | None = None
    suggestions: list[Candidate] = field(default_factory=list)


# Names repeat across requests; cleaning thousands of them per question was most of
# the cost of `/regio wie …` in a big store.
@lru_cache(maxsize=65_536)
def _clean(text: str) -> str:
    text = fold(text)
    text = _NOISE.sub(" ", text)
    text = re.sub(r"[^\w&+/ -]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def candidates(session: Session, kinds: tuple[Kind, ...], *, region_id: int | None) -> list[Candidate]:
    out: list[Candidate] = []
    if "programme" in kinds:
        lines_by_programme: dict[int, list[str]] = {}
        for line in queries.find_budget_lines(session, region_id=region_id):
            # Short labels like "JBJR" or "CIT" name what the money is for.
            if len(line.label) <= 8:
                lines_by_programme.setdefault(line.programme_id, []).append(line.label)
        for programme in queries.find_programmes(session, region_id=region_id):
            names = [programme.name, programme.slug.replace("-", " "), *programme.aliases]
            names += lines_by_programme.get(programme.id, [])
            out.append(Candidate("programme", programme, [_clean(n) for n in names if n],
                                 programme.name))
    if "project" in kinds:
        for project in queries.find_projects(session, region_id=region_id):
            out.append(Candidate("project", project, [_clean(project.name)], project.name))
    if "person" in kinds:
        for person_id, name in queries.person_names(session):
            out.append(Candidate("person", partial(queries.get_person, session, person_id=person_id),
                                 [_clean(name)], name))
    return out


def resolve(
    session: Session,
    text: str,
    kinds: tuple[Kind, ...] = ("programme", "project", "person"),
    *,
    region_id: int | None = None,
    suggest: int = SUGGEST,
) -> Resolution:
    wanted = _clean(text)
    if not wanted:
        return Resolution()
    pool = candidates(session, kinds, region_id=region_id)
    if not pool:
        return Resolution()

    def best(found: list[Candidate]) -> Candidate | None:
        if not found:
            return None
        found = sorted(found, key=lambda c: c.rank)
        top = [c for c in found if c.rank == found[0].rank]
        return top[0] if len(top) == 1 else None

    exact = [c for c in pool if wanted in c.names]
    if exact:
        chosen = best(exact)
        return Resolution(chosen) if chosen else Resolution(suggestions=exact[:5])

    words = wanted.split()
    containing = [
        c for c in pool
        if any(all(re.search(rf"\b{re.escape(w)}", name) for w in words) for name in c.names)
    ]
    if len(containing) == 1:
        return Resolution(containing[0])
    if containing:
        # "gewoon thuis": the programme Gewoon Thuis Jeugd over the project
        # "Doorontwikkeling Gewoon thuis"; otherwise the shortest, closest name.
        chosen = best(containing)
        if chosen is not None:
            return Resolution(chosen)

    scored: list[tuple[float, Candidate]] = []
    for candidate in pool:
        result = process.extractOne(wanted, candidate.names, scorer=fuzz.WRatio)
        if result is not None:
            scored.append((result[1], candidate))
    scored.sort(key=lambda pair: (-pair[0], pair[1].rank))
    if containing:
        return Resolution(suggestions=sorted(containing, key=lambda c: c.rank)[:5])
    if scored and scored[0][0] >= ACCEPT and (
        len(scored) == 1 or scored[0][0] - scored[1][0] >= CLEAR_LEAD
    ):
        return Resolution(scored[0][1])
    return Resolution(suggestions=[c for score, c in scored if score >= suggest][:3])
