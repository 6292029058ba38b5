"""Finding the programme, project or person someone means, from what they typed.

In order: an exact abbreviation or alias (GHNT, JBJR, SGGZ, MZ — also a budget line's
label such as JBJR points to its programme), an exact name (with or without the word
"programma"/"project"), a name that contains all typed words, and finally a fuzzy match
(rapidfuzz) that must be clearly best. Anything less becomes "bedoel je …?"
suggestions, so a typo never turns into a wrong answer.
"""

from __future__ import annotations

import re
from bisect import bisect_left
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


@dataclass(frozen=True)
class _Named:
    kind: Kind
    id: int
    names: tuple[str, ...]  # cleaned
    label: str


@dataclass
class _Pool:
    """Every name of a region, indexed once per store revision: exact names in a dict,
    name words in a sorted list for prefix look-ups, all names flat for one fuzzy pass.
    A question then costs look-ups, not a pass over every person."""

    entries: list[_Named]
    exact: dict[str, list[_Named]]
    words: list[str]
    by_word: dict[str, list[_Named]]
    flat: list[str]
    flat_owner: list[_Named]

    @classmethod
    def build(cls, session: Session, *, region_id: int | None) -> _Pool:
        entries: list[_Named] = []
        lines_by_programme: dict[int, list[str]] = {}
        for line in queries.find_budget_lines(session, region_id=region_id):
            # Short labels like "JBJR" or "CIT" name what the money is for.
            if len(line.label) <= 8:
                lines_by_programme.setdefault(line.programme_id, []).append(line.label)
        for programme in queries.find_programmes(session, region_id=region_id):
            names = [programme.name, programme.slug.replace("-", " "), *programme.aliases]
            names += lines_by_programme.get(programme.id, [])
            entries.append(_Named("programme", programme.id,
                                  tuple(dict.fromkeys(_clean(n) for n in names if n)),
                                  programme.name))
        for project in queries.find_projects(session, region_id=region_id):
            entries.append(_Named("project", project.id, (_clean(project.name),), project.name))
        for person_id, name in queries.person_names(session):
            entries.append(_Named("person", person_id, (_clean(name),), name))
        exact: dict[str, list[_Named]] = {}
        by_word: dict[str, list[_Named]] = {}
        flat: list[str] = []
        owner: list[_Named] = []
        for entry in entries:
            for name in entry.names:
                exact.setdefault(name, []).append(entry)
                flat.append(name)
                owner.append(entry)
                for word in set(re.findall(r"\w+", name)):
                    by_word.setdefault(word, []).append(entry)
        return cls(entries, exact, sorted(by_word), by_word, flat, owner)

    def holding_all(self, words: list[str]) -> list[_Named]:
        """Entries with, for every word, a name word that starts with it."""
        found: set[int] | None = None
        keep: dict[int, _Named] = {}
        for word in words:
            here: set[int] = set()
            start = bisect_left(self.words, word)
            for name_word in self.words[start:]:
                if not name_word.startswith(word):
                    break
                for entry in self.by_word[name_word]:
                    here.add(id(entry))
                    keep[id(entry)] = entry
            found = here if found is None else found & here
            if not found:
                return []
        return [keep[i] for i in found or ()]


_POOLS: dict[tuple[str, int | None], tuple[int, _Pool]] = {}


def _pool(session: Session, *, region_id: int | None) -> _Pool:
    from storage.search import revision

    key = (str(session.get_bind().url), region_id)
    current = revision(session)
    cached = _POOLS.get(key)
    if cached is None or cached[0] != current:
        cached = (current, _Pool.build(session, region_id=region_id))
        _POOLS[key] = cached
    return cached[1]


_LOADERS = {
    "programme": lambda session, i: queries.get_programme(session, programme_id=i),
    "project": lambda session, i: queries.get_project(session, project_id=i),
    "person": lambda session, i: queries.get_person(session, person_id=i),
}


def _candidate(session: Session, entry: _Named) -> Candidate:
    return Candidate(entry.kind, partial(_LOADERS[entry.kind], session, entry.id),
                     list(entry.names), entry.label)


def candidates(session: Session, kinds: tuple[Kind, ...], *, region_id: int | None) -> list[Candidate]:
    return [_candidate(session, e) for e in _pool(session, region_id=region_id).entries
            if e.kind in kinds]


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
    pool = _pool(session, region_id=region_id)
    if not any(e.kind in kinds for e in pool.entries):
        return Resolution()

    def wrap(entries) -> list[Candidate]:
        return [_candidate(session, e) for e in entries if e.kind in kinds]

    def best(found: list[Candidate]) -> Candidate | None:
        if not found:
            return None
        found = sorted(found, key=lambda c: c.rank)
        top = [c for c in found if c.rank == found[0].rank]
        return top[0] if len(top) == 1 else None

    exact = wrap(pool.exact.get(wanted, ()))
    if exact:
        chosen = best(exact)
        return Resolution(chosen) if chosen else Resolution(suggestions=exact[:5])

    containing = wrap(pool.holding_all(re.findall(r"\w+", wanted)))
    if len(containing) == 1:
        return Resolution(containing[0])
    if containing:
        # "gewoon thuis": the programme Gewoon Thuis Jeugd over the project
        # "Doorontwikkeling Gewoon thuis"; otherwise the shortest, closest name.
        chosen = best(containing)
        if chosen is not None:
            return Resolution(chosen)
        return Resolution(suggestions=sorted(containing, key=lambda c: c.rank)[:5])

    # One fuzzy pass over every name, in C; the best score per record counts.
    scores: dict[int, tuple[float, _Named]] = {}
    for _name, score, index in process.extract(wanted, pool.flat, scorer=fuzz.WRatio,
                                                limit=50, score_cutoff=min(suggest, ACCEPT)):
        entry = pool.flat_owner[index]
        if entry.kind in kinds and score > scores.get(id(entry), (0.0, entry))[0]:
            scores[id(entry)] = (score, entry)
    scored = sorted(((score, _candidate(session, e)) for score, e in scores.values()),
                    key=lambda pair: (-pair[0], pair[1].rank))
    if scored and scored[0][0] >= ACCEPT and (
        len(scored) == 1 or scored[0][0] - scored[1][0] >= CLEAR_LEAD
    ):
        return Resolution(scored[0][1])
    return Resolution(suggestions=[c for score, c in scored if score >= suggest][:3])
