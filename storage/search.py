"""Ranked full-text search over everything the store says in words, kept in step with it.

Every text a person might look for — programme ambitions, goals, dependencies and local
assignments, project descriptions, milestone titles, budget lines and their notes,
partners, roles, agenda items, people — is one `SearchEntry` whose `terms` are the
text's lemmas ("werkt", "gewerkt" → "werken"; "mijlpalen" → "mijlpaal"), made with
simplemma so Dutch and English inflections meet. SQLite ranks with FTS5's bm25,
PostgreSQL with ts_rank over a GIN-indexed tsvector of the same terms; both are then
ordered by how many of the asked words an entry holds, so the engines agree.

Kept in step without the writers knowing: a flush that touches a searchable record
marks its source (the programme, project, milestone, person or meeting it belongs to),
and the commit rebuilds those sources' entries in the same transaction and bumps
`SearchState.revision`, which in-memory name indexes (commands.linking) watch. Writers
that bypass the ORM (the ×100 bench loader) call `rebuild` themselves.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import delete, event, func, insert, literal_column, or_, select, text, update
from sqlalchemy.orm import Session, selectinload

from storage.models import (
    AgendaItem,
    BudgetLine,
    Meeting,
    Milestone,
    Partner,
    Person,
    Programme,
    ProgrammePartner,
    Project,
    Role,
    SearchEntry,
    SearchState,
)
from storage.text import fold

# Words that carry no topic in either language; neither indexed nor searched for.
STOPWORDS = frozenset("""
de het een en of van voor in op aan met bij naar om te tot uit over door als dan dat die
dit deze er is zijn was waren wordt worden werd kan kunnen moet moeten zal zullen heeft
hebben had ook nog niet wel al meer veel zo zoals wat wie waar wanneer welke welk hoe
hoeveel ik je jij u we wij ze zij hij mij me mijn jouw onze ons hun hen zich iets iemand
geen alle alles ieder iedere elk elke ea eo o.a. oa etc nbsp the a an and or of for in on at
to from by with as is are was were be been being it its this that these those what who
whom which when where how many much do does did can could will would should have has had i you he she
we they my your our their me us them not no yes s t re ve ll d m am den der ter whats whos
hows wheres whens thats theres wats
""".split())

# Letters and digits; an apostrophe ends a word ("programma's", "Gouda's", "what's").
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """The dictionary form of a folded word, Dutch first, then English."""
    import simplemma

    if len(word) < 3 or word.isdigit():
        return word
    found = fold(simplemma.lemmatize(word, lang=("nl", "en")))
    return found if found else word


def words(value: str) -> list[str]:
    """The folded words of a text, in order."""
    return _WORD.findall(fold(value))


def terms(value: str) -> list[str]:
    """The lemmas of a text's topic words: what is indexed, and what is searched for."""
    return [lemma(w) for w in words(value) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]


# --- Building entries: one source record gives the entries of everything it holds.


@dataclass(frozen=True)
class _Entry:
    region_id: int | None
    kind: str
    ref_id: int
    field: str
    title: str
    body: str


def _programme_entries(programme: Programme) -> Iterator[_Entry]:
    rid = programme.region_id

    def entry(kind: str, ref_id: int, field: str, title: str, body: str | None) -> Iterator[_Entry]:
        if body and body.strip():
            yield _Entry(rid, kind, ref_id, field, title, body.strip())

    yield from entry("programme", programme.id, "name", programme.name,
                     " ".join([programme.name, *programme.aliases]))
    yield from entry("programme", programme.id, "ambition", programme.name, programme.ambition)
    for field, items in (("goal", programme.goals), ("dependency", programme.dependencies),
                         ("local", programme.local_assignment)):
        for item in items:
            yield from entry("programme", programme.id, field, programme.name, item)
    yield from entry("programme", programme.id, "background", programme.name, programme.background)
    for line in programme.budget_lines:
        yield from entry("budget_line", line.id, "budget", line.label,
                         " ".join(x for x in (line.label, line.text, line.note or "") if x))
    for link in programme.partner_links:
        yield from entry("partner", link.partner.id, "partner", link.partner.name, link.partner.name)
    for role in programme.roles:
        if role.project_id is None:
            body = " ".join(x for x in (role.label, role.holder or "", role.hours_text or "") if x)
            yield from entry("role", role.id, "role", role.label, body)


def _project_entries(project: Project) -> Iterator[_Entry]:
    rid = project.programme.region_id
    yield _Entry(rid, "project", project.id, "name", project.name, project.name)
    if project.description and project.description.strip():
        yield _Entry(rid, "project", project.id, "description", project.name,
                     project.description.strip())
    for role in project.roles:
        body = " ".join(x for x in (role.label, role.holder or "", role.hours_text or "") if x)
        yield _Entry(rid, "role", role.id, "role", role.label, body)


def _milestone_entries(milestone: Milestone) -> Iterator[_Entry]:
    if milestone.status != "cancelled":
        yield _Entry(milestone.programme.region_id, "milestone", milestone.id, "title",
                     milestone.title, milestone.title)


def _person_entries(person: Person) -> Iterator[_Entry]:
    labels = sorted({r.label for r in person.roles})
    yield _Entry(None, "person", person.id, "name", person.name, " ".join([person.name, *labels]))


def _meeting_entries(meeting: Meeting) -> Iterator[_Entry]:
    rid = meeting.body.region_id
    label = f"{meeting.body.abbreviation or meeting.body.name} {meeting.number or ''}".strip()
    yield _Entry(rid, "meeting", meeting.id, "meeting", label,
                 " ".join(x for x in (label, meeting.body.name, meeting.location or "") if x))
    for item in meeting.agenda_items:
        yield _Entry(rid, "agenda_item", item.id, "agenda", item.title,
                     " ".join(x for x in (item.title, item.kind or "", item.prepared_by or "") if x))


_SOURCES = {
    "programme": (Programme, _programme_entries, (
        selectinload(Programme.budget_lines),
        selectinload(Programme.partner_links).selectinload(ProgrammePartner.partner),
        selectinload(Programme.roles),
    )),
    "project": (Project, _project_entries, (selectinload(Project.programme),
                                            selectinload(Project.roles))),
    "milestone": (Milestone, _milestone_entries, (selectinload(Milestone.programme),)),
    "person": (Person, _person_entries, (selectinload(Person.roles),)),
    "meeting": (Meeting, _meeting_entries, (selectinload(Meeting.body),
                                            selectinload(Meeting.agenda_items))),
}


def rebuild(session: Session, sources: Iterable[tuple[str, int]] | None = None) -> int:
    """Rebuild the entries of `sources` ((kind, id) pairs), or of the whole store; bump
    the search revision. Returns the number of entries written."""
    if sources is None:
        session.execute(delete(SearchEntry))
        wanted: dict[str, list[int] | None] = dict.fromkeys(_SOURCES)
    else:
        wanted = {}
        for kind, source_id in sources:
            wanted.setdefault(kind, []).append(source_id)
    written = 0
    for kind, ids in wanted.items():
        model, build, options = _SOURCES[kind]
        if ids is not None:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                session.execute(delete(SearchEntry).where(
                    SearchEntry.source_kind == kind, SearchEntry.source_id.in_(chunk)))
        query = select(model).options(*options).execution_options(populate_existing=True)
        id_lists = [None] if ids is None else [ids[s : s + 500] for s in range(0, len(ids), 500)]
        for chunk in id_lists:
            chunk_query = query if chunk is None else query.where(model.id.in_(chunk))
            rows = []
            for record in session.scalars(chunk_query):
                for found in build(record):
                    rows.append({
                        "source_kind": kind, "source_id": record.id,
                        "region_id": found.region_id, "kind": found.kind,
                        "ref_id": found.ref_id, "field": found.field,
                        "title": found.title[:2000], "body": found.body[:20000],
                        "terms": " ".join(terms(f"{found.title} {found.body}")),
                    })
            for start in range(0, len(rows), 1000):
                session.execute(insert(SearchEntry), rows[start : start + 1000])
            written += len(rows)
    bump_revision(session)
    return written


def bump_revision(session: Session) -> None:
    """Move the revision the in-memory name indexes watch. `rebuild` does; so does a
    writer of names they read but search does not index (a provider that a
    declarations import adds or renames), so a running process knows the name at its
    next question."""
    changed = session.execute(
        update(SearchState).where(SearchState.id == 1)
        .values(revision=SearchState.revision + 1)
    ).rowcount
    if not changed:
        # A random start, so a store emptied and filled again (a test's TRUNCATE, a
        # restore) never repeats a revision that an index in memory was built under.
        session.execute(insert(SearchState).values(id=1, revision=secrets.randbelow(2**30) + 1))


def texts(session: Session, *, region_id: int | None) -> list[str]:
    """Every indexed text of the region (and of people), as written."""
    rows = session.execute(
        select(SearchEntry.body).where(
            or_(SearchEntry.region_id == region_id, SearchEntry.region_id.is_(None)))
    ).scalars()
    return list(rows)


def revision(session: Session) -> int:
    """Moves whenever a searchable record changed; 0 before anything was indexed."""
    return session.scalar(select(SearchState.revision).where(SearchState.id == 1)) or 0


def ensure_built(url: str) -> None:
    """Index a store that has records but was never indexed (migrated with data in it)."""
    from storage.db import make_engine, make_sessionmaker, transaction

    engine = make_engine(url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            if session.scalar(select(SearchState.id).where(SearchState.id == 1)) is None:
                rebuild(session)
    finally:
        engine.dispose()


# --- Keeping in step: flushes mark sources, commits rebuild them.

_MARKS = "search.sources"


def _sources_of(obj: object) -> Iterator[tuple[str, int | None]]:
    if isinstance(obj, Programme):
        yield "programme", obj.id
    elif isinstance(obj, BudgetLine | ProgrammePartner):
        yield "programme", obj.programme_id
    elif isinstance(obj, Role):
        yield "programme", obj.programme_id
        if obj.project_id is not None:
            yield "project", obj.project_id
        if obj.person_id is not None:
            yield "person", obj.person_id
    elif isinstance(obj, Project):
        yield "project", obj.id
    elif isinstance(obj, Milestone):
        yield "milestone", obj.id
    elif isinstance(obj, Person):
        yield "person", obj.id
    elif isinstance(obj, Meeting):
        yield "meeting", obj.id
    elif isinstance(obj, AgendaItem):
        yield "meeting", obj.meeting_id
    elif isinstance(obj, Partner):
        yield "partner", obj.id


@event.listens_for(Session, "after_flush")
def _mark(session: Session, _context) -> None:
    marks = session.info.setdefault(_MARKS, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        for kind, source_id in _sources_of(obj):
            if source_id is not None:
                marks.add((kind, source_id))


@event.listens_for(Session, "before_commit")
def _reindex(session: Session) -> None:
    if not session.info.get(_MARKS):
        return
    session.flush()
    marks = session.info.pop(_MARKS, set())
    partners = [source_id for kind, source_id in marks if kind == "partner"]
    sources = {(kind, source_id) for kind, source_id in marks if kind != "partner"}
    if partners:
        # A renamed partner shows in every programme that works with it.
        sources |= {("programme", pid) for pid in session.scalars(
            select(ProgrammePartner.programme_id).where(ProgrammePartner.partner_id.in_(partners)))}
    if sources:
        rebuild(session, sources)
        session.info.pop(_MARKS, None)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_MARKS, None)


# --- Searching.


@dataclass(frozen=True)
class Hit:
    kind: str
    ref_id: int
    field: str
    title: str
    body: str
    # Share of the asked words the entry holds (0–1), then the engine's own rank.
    coverage: float
    rank: float


def search(session: Session, *, query: str, region_id: int | None, limit: int = 5) -> list[Hit]:
    """The entries that best match the words of `query`, in the region (and people)."""
    wanted = list(dict.fromkeys(terms(query)))
    if not wanted:
        return []
    # A prefix search finds compounds and plurals the lemmatiser does not know.
    where_region = or_(SearchEntry.region_id == region_id, SearchEntry.region_id.is_(None))
    columns = (SearchEntry.kind, SearchEntry.ref_id, SearchEntry.field, SearchEntry.title,
               SearchEntry.body, SearchEntry.terms)
    if session.get_bind().dialect.name == "sqlite":
        match = " OR ".join(f'"{w}"*' if len(w) >= 4 else f'"{w}"' for w in wanted)
        rows = session.execute(
            text(
                "SELECT e.kind, e.ref_id, e.field, e.title, e.body, e.terms, "
                "bm25(search_fts) AS rank FROM search_fts "
                "JOIN search_entry e ON e.id = search_fts.rowid "
                "WHERE search_fts MATCH :match "
                "AND (e.region_id = :region OR e.region_id IS NULL) "
                "ORDER BY rank LIMIT 200"
            ),
            {"match": match, "region": region_id},
        ).all()
        ranked = [(row, -float(row.rank)) for row in rows]
    else:
        tsquery = " | ".join(
            f"{_pg_lexeme(w)}:*" if len(w) >= 4 else _pg_lexeme(w) for w in wanted
        )
        simple = literal_column("'simple'")
        vector = func.to_tsvector(simple, SearchEntry.terms)
        query_ = func.to_tsquery(simple, tsquery)
        rank = func.ts_rank(vector, query_)
        rows = session.execute(
            select(*columns, rank.label("rank"))
            .where(vector.op("@@")(query_), where_region)
            .order_by(rank.desc())
            .limit(200)
        ).all()
        ranked = [(row, float(row.rank)) for row in rows]
    hits = []
    for row, engine_rank in ranked:
        held = row.terms.split()
        found = sum(
            1 for w in wanted
            if any(t == w or (len(w) >= 4 and t.startswith(w)) for t in held)
        )
        hits.append(Hit(row.kind, row.ref_id, row.field, row.title, row.body,
                        found / len(wanted), engine_rank))
    hits.sort(key=lambda h: (-h.coverage, -h.rank, h.kind, h.ref_id))
    return hits[:limit]


def _pg_lexeme(word: str) -> str:
    return "'" + word.replace("'", "''").replace("\\", "") + "'"
