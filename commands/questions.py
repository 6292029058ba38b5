"""Free questions in Dutch and English: what is asked, about which records, answered.

commands.reading turns the question into records (linked by name against everything the
store names), filters (periods, status, "mijn") and cues (question and attribute words).
This module decides, in one readable order, which fact that asks for and calls the
function in commands.facts that answers it — the same queries the subcommands use.
What names nothing and asks nothing is searched for in all the store's texts
(commands.search); "Dat begrijp ik niet" only when that finds nothing either.

The answer is in the language of the question, whatever REGIOBOT_LANG says.
"""

from __future__ import annotations

import dataclasses
import re

from commands import facts, registry
from commands.core import Context, Note, Reply, Text
from commands.helpers import me, plan_year, region_id
from commands.i18n import escape, t
from commands.linking import PRONOUNS, Entity, Mention, name_index
from commands.reading import CUES, FILLER, LEXICON, Question, read
from commands.search import search_reply
from storage import queries, search
from storage.search import STOPWORDS, fold, lemma

# Cues that ask for a fact of a record (not an open "wat weten we over …").
STRUCTURED = frozenset({"inhabitants", "percentage", "key", "split", "budget", "role",
                        "responsible", "hours", "partners", "dependencies", "ambition", "goals",
                        "local", "meeting", "agenda", "milestones", "count", "team", "when",
                        "declarations", "unheld"})
_SLACK_USER = re.compile(r"<@([UW][A-Z0-9]{2,30})(?:\|[^>]*)?>")


def answer(text: str, ctx: Context) -> Reply:
    """Answer a question typed in a mention, a DM, the console or after `/regio`."""
    text = _SLACK_USER.sub(lambda m: _user_name(m[1], ctx), text)
    index = name_index(ctx.session, region_id=region_id(ctx))
    question = read(text, index=index, today=ctx.today, plan_year=plan_year(ctx))
    question.lang = question.lang or ctx.lang
    ctx = dataclasses.replace(ctx, lang=question.lang)
    reply = decide(question, ctx)
    reply.lang = question.lang
    return reply


def _user_name(user_id: str, ctx: Context) -> str:
    person = queries.person_for_slack_user(ctx.session, slack_user_id=user_id)
    return person.name if person else "@" + user_id


def _first(q: Question, *kinds: str) -> Entity | None:
    for mention in q.mentions:
        for entity in mention.entities:
            if entity.kind in kinds:
                return entity
    return None


def _all(q: Question, kind: str) -> list[Entity]:
    return [e for m in q.mentions for e in m.entities if e.kind == kind]


def _ambiguous(q: Question, *kinds: str) -> list[Entity] | None:
    """The tied records of the first mention that has any of `kinds`, when it has several."""
    for mention in q.mentions:
        tied = [e for e in mention.entities if e.kind in kinds]
        if tied:
            top = [e for e in tied if e.kind == tied[0].kind]
            if len(top) > 1 and not mention.exact and len({e.label for e in top}) > 1:
                return top
            return None
    return None


def decide(q: Question, ctx: Context) -> Reply:
    session = ctx.session
    if not q.words:
        return registry.handler("help")("", ctx)
    named = bool(q.mentions)
    content_cues = q.cues - {"greeting", "thanks", "bye", "how_are_you", "who_are_you", "what",
                             "who", "when", "work", "description", "region_word"}
    if not named and not q.amount and q.meeting is None and q.period is None:
        for talk in ("who_are_you", "how_are_you", "thanks", "bye", "greeting"):
            if talk in q.cues and not content_cues and not q.unknown:
                return _small_talk(talk, ctx)
        if q.has("help") and len(q.words) <= 8 and not (content_cues - {"help", "count"}):
            return registry.handler("help")("", ctx)

    if q.milestone_number is not None:
        # A question about one milestone shows it; changing it takes the command.
        return registry.handler("mijlpaal")(str(q.milestone_number), ctx)

    asked = bool(q.cues - {"greeting", "thanks", "bye"}) or q.text.rstrip().endswith("?")
    structured = bool(q.cues & STRUCTURED) or q.role is not None or q.amount is not None
    if q.has("search") and not (q.cues & STRUCTURED - {"when"}) and not q.role:
        # "iets over verplichte medicatie thuis?": a search, names and all.
        topic = [w.text for w in q.words if w.key not in STOPWORDS and w.key not in LEXICON
                 and w.key not in FILLER and w.key not in PRONOUNS]
        if topic:
            return search_reply(" ".join(topic), ctx, not_understood=True)
    if q.unknown and asked and (structured or not q.unknown_in_text):
        # A name the store does not hold: say so, rather than answer about a neighbour.
        return facts.not_known(ctx, escape(", ".join(f"“{u}”" for u in q.unknown)))

    programme = _first(q, "programme")
    project = _first(q, "project")
    person = _first(q, "person")
    municipality = _first(q, "municipality")
    line = _first(q, "budget_line")
    milestone = _first(q, "milestone")
    partner_ = _first(q, "partner")
    provider = _first(q, "provider")
    region = _first(q, "region")
    if q.programme_number is not None:
        found = [p for p in queries.find_programmes(session, region_id=region_id(ctx))
                 if p.number == q.programme_number]
        if not found:
            return facts.not_known(ctx, t("q.programme.number", ctx.lang, nr=q.programme_number))
        programme = Entity("programme", found[0].id, found[0].name)
        q.mentions.insert(0, Mention(0, 0, [programme], True, 9.0))
    me_person = me(ctx) if q.mine else None
    if person is None and me_person is not None and not q.has("milestones", "late", "done", "open") \
            and q.period is None:
        person = Entity("person", me_person.id, me_person.name)
    subject = programme or project or person or milestone or line or partner_ or municipality \
        or provider or region

    # Declarations.
    if q.has("declarations") or (q.has("providers") and q.has("late", "when")) or (
            provider and (not partner_ or q.has("late", "percentage"))):
        args = provider.label if provider else ""
        if q.period is not None and q.period.label.startswith("month:"):
            _, month, year = q.period.label.split(":")
            args = f"{args} {year}-{int(month):02d}".strip()
        return registry.handler("declaraties")(args, ctx)

    if q.has("unheld"):
        what = " ".join(w.text for w in q.words if any(
            w.folded.startswith(c.rstrip("*")) for c in CUES["unheld"]))
        of = f" ({escape(subject.label)})" if subject else ""
        return facts.not_known(ctx, f"“{escape(what)}”{of}")
    if q.year is not None and q.year != plan_year(ctx) and not _year_known(q, ctx):
        return facts.not_known(ctx, t("q.year", ctx.lang, year=q.year))
    # Something asked about that is not named: better "not known" than a neighbour's facts.
    needs_subject = q.has("inhabitants", "percentage", "partners", "dependencies",
                          "ambition", "goals", "local", "background", "budget", "role",
                          "responsible", "hours")
    if q.has("budget") and q.has("region_word") and not subject and not q.amount:
        return facts.region_budget(ctx)
    if needs_subject and not subject and not q.amount:
        strange = q.rest_names
        if strange:
            return facts.not_known(ctx, escape(" ".join(f"“{w}”" for w in q.rest)))
    if q.has("programme_word") and me_person is not None and not programme and not q.has(
            "milestones", "budget"):
        return facts.person_roles(ctx, me_person.id)
    if q.has("programme_word") and not programme and (q.rest_names or _strange_words(q)) \
            and not q.has("count"):
        # "het programma doelgroepenvervoer": a programme the plan does not have.
        return facts.not_known(ctx, t("q.programme.named", ctx.lang,
                                      name=escape(" ".join(q.rest))))
    wrong_kind = subject is not None and subject.kind in ("partner", "provider", "person") \
        and not (programme or project or municipality)
    if wrong_kind and q.has("inhabitants", "percentage") or (
            q.has("key", "split") and subject is not None and subject.kind in ("partner", "provider", "person")):
        return facts.not_known(ctx, escape(f"“{subject.label}”") + t("q.not_municipality", ctx.lang))
    main = _mention_of(q, programme or project or person) if (programme or project or person) else None
    if main is not None and not main.exact and _has_neighbour(q, main) and q.words[main.start].text[:1].isupper():
        # "Thuis tenzij": a capitalised name of which the store holds only a part.
        return facts.not_known(ctx, escape(f"“{_span_with_neighbours(q, main)}”"))
    if (q.role or q.has("responsible")) and programme and partner_ and not person:
        record = _record(session, programme)
        if all(p.name != partner_.label for p in record.partners):
            # "programmamanager maatschappelijke zorg in Holland Rijnland".
            span = _span(q, _mention_of(q, programme), _mention_of(q, partner_))
            return facts.not_known(ctx, escape(f"“{span}”"))
    partial_programme = _mention_of(q, programme) if programme else None
    elsewhere = partner_ or provider
    if (q.role or q.has("budget", "responsible")) and partial_programme is not None \
            and not partial_programme.exact and elsewhere is not None:
        # "programmamanager jeugd in holland rijnland": not a programme of this region.
        span = _span(q, partial_programme, _mention_of(q, elsewhere))
        return facts.not_known(ctx, escape(f"“{span}”"))
    if q.has("who") and subject is not None and subject.kind == "municipality" and not (
            programme or project or person):
        # "wie is de wethouder zorg in Waddinxveen?": the plan holds no municipal people.
        return facts.not_known(ctx, escape(f"“{q.text.strip().rstrip('?')}”"))
    if q.role and not (programme or project or person) and subject is not None and subject.kind in (
            "partner", "provider", "municipality", "region"):
        return facts.not_known(ctx, t("q.role.of", ctx.lang, role=facts.role_name(q.role, ctx.lang),
                                      name=escape(subject.label)))

    tied = _ambiguous(q, "programme", "project", "person")
    if tied:
        return facts.ask_back(ctx, tied)

    # The verdeelsleutel and inhabitants.
    if q.has("key") and not q.amount:
        return facts.key(ctx)
    if q.amount is not None and (q.has("split", "percentage", "budget") or municipality
                                 or not named):
        return facts.share(ctx, q.amount, municipality.label if municipality else None)
    if q.has("split", "percentage") and (line or programme) and q.amount is None:
        if line:
            amount, label = facts.amount_of_lines(ctx, [e.id for e in _all(q, "budget_line")],
                                                  programme_id=programme.id if programme else None)
            if amount is not None:
                source = t("q.split.of", ctx.lang, what=label)
                return facts.share(ctx, amount, municipality.label if municipality else None, source)
        return registry.handler("verdeel")(programme.label if programme else line.label, ctx)
    if q.has("inhabitants", "percentage") and not q.amount:
        place = _mention_of(q, municipality or region) if (municipality or region) else None
        if place is not None and not place.exact and _has_neighbour(q, place):
            # "hollands midden": more than a part of Midden-Holland.
            return facts.not_known(ctx, escape(f"“{_span_with_neighbours(q, place)}”"))
        if place is None and q.rest:
            # "hoeveel inwoners heeft alphen aan den rijn": a place the region lacks.
            return facts.not_known(ctx, escape(" ".join(f"“{w}”" for w in q.rest)))
        others = [m for m in q.mentions if not m.of("municipality", "region")]
        if place is None and others:
            # "hollands midden" names something, but no place of the region.
            return facts.not_known(ctx, escape(f"“{others[0].text}”")
                                   + t("q.not_municipality", ctx.lang))
        return facts.inhabitants(ctx, municipality.label if municipality else None)
    if q.has("percentage") and municipality:
        return facts.percentage(ctx, municipality.label)
    if q.has("split") and not named:
        if q.rest:
            # "verdeel veertig euro": an amount it cannot read is said so, not shared.
            return Reply.error(t("bad_amount", ctx.lang, text=escape(" ".join(q.rest))))
        return facts.key(ctx)

    # Meetings.
    meeting_asked = q.has("meeting") or _first(q, "body") is not None or (
        q.has("agenda") and not programme and not project) or (
        q.has("meeting_weak") and not (programme or project or milestone or person))
    if q.has("agenda") and q.meeting is None and q.period is None and (subject or q.rest):
        # "wanneer wordt gedeelde zorg besproken?": the meeting whose agenda names it.
        words = subject.label if subject else " ".join(q.rest)
        items = facts.agenda_items_about(ctx, words)
        if items:
            return facts.agenda_mentions(ctx, words, items)
    if meeting_asked and not (milestone and q.has("milestones")):
        past = any(w.folded in ("was", "waren", "geweest", "vond", "did", "happened") for w in q.words)
        if q.has("often") or (q.has("count") and not q.meeting):
            return facts.meeting_count(ctx)
        found, missing = facts.choose_meeting(ctx, q.meeting, q.period, past=past)
        if missing:
            return facts.not_known(ctx, missing, hint=t("q.meeting.hint", ctx.lang))
        if q.has("agenda"):
            if len(found) == 1:
                return facts.agenda(ctx, found[0])
        ask = "time" if q.has("time") and not q.has("when") else ("where" if q.has("where") else "when")
        relative = q.meeting.relative if q.meeting else None
        if q.meeting is None and q.period is None:
            relative = "next"
        return facts.meeting_when(ctx, found, relative=relative, ask=ask)

    if q.has("when") and q.has("due", "milestones") and not milestone and (programme or project) \
            and q.rest:
        # "wanneer moet het projectteam van inzicht in kosten samengesteld zijn?": a
        # milestone of that programme, found by the other words.
        found = _milestone_by_words(q, ctx, programme, project)
        if found:
            return facts.milestone_due(ctx, found)

    # People and who answers for what.
    if municipality and programme and q.has("hours"):
        return facts.municipality_hours(ctx, _record(session, programme), municipality.label)
    if (holder := _first(q, "role")) is not None and not person and q.has("hours", "work", "who"):
        return facts.holder(ctx, holder.id, hours=q.has("hours"))
    if person and q.has("hours", "work") and q.has("hours", "count"):
        within = _record(session, project) or _record(session, programme)
        return facts.person_roles(ctx, person.id, within=within, hours=True)
    record = _record(session, project) if project else _record(session, programme)
    if project and programme and q.mentions:
        # "het project X van programma Y": the project; a programme named alone: itself.
        first_kind = next(e.kind for m in q.mentions for e in m.entities if e.kind in ("project", "programme"))
        record = _record(session, project if first_kind == "project" else programme)
    if q.role and record is not None and not (milestone and q.has("when", "milestones")):
        return facts.who_role(ctx, record, q.role)
    if (q.role or q.has("work")) and person and not q.has("milestones"):
        return facts.person_roles(ctx, person.id, within=record)
    if q.has("responsible") and milestone and not record:
        found = queries.get_milestone(session, milestone_id=milestone.id)
        holder, label = facts.responsible_for(ctx, milestone=found)
        if holder:
            return facts._sentence(t("q.responsible", ctx.lang, name=escape(found.title),
                                     person=escape(holder), label=label))
    if q.has("responsible") and record is not None:
        return facts.responsible(ctx, record)
    if q.has("partners") and programme and not person:
        return facts.partners(ctx, _record(session, programme))
    if partner_ and not programme and not project and (q.has("who", "partners", "what", "work") or len(q.mentions) == 1):
        if q.has("budget"):
            return facts.not_known(ctx, t("q.partner.no_budget", ctx.lang, name=escape(partner_.label)))
        return facts.partner(ctx, partner_.id)
    if q.role and not named:
        return facts.everyone_with_role(ctx, q.role)
    for cue in ("dependencies", "goals", "ambition", "local", "background"):
        if q.has(cue) and programme and not q.role:
            return facts.programme_field(ctx, _record(session, programme), cue)
    if q.has("partners") and programme and partner_:
        return facts.is_partner(ctx, partner_.id, _record(session, programme))
    if q.has("team") and record is not None and not q.has("milestones", "budget"):
        if "who" in q.cues or q.has("team"):
            return facts.team(ctx, record)

    # Milestones: a title asked about, or a list with filters.
    wants_milestones = q.has("milestones") or (q.period is not None and not named and q.has("what", "count")) \
        or (q.has("late", "done", "open") and not q.has("budget"))
    listing = any(w.folded in ("mijlpalen", "milestones", "deadlines") for w in q.words)
    if listing and milestone and not project and not q.has("when"):
        # "welke mijlpalen heeft het zorg- en veiligheidshuis?": the project of that name.
        project = _project_holding(q, milestone) or project
    if milestone and (q.has("when", "milestones", "responsible") or not (programme or project or person)) \
            and not q.has("budget") and not _names_more_than_title(q, milestone) \
            and not (listing and project and not q.has("when")):
        titles = [e for m in q.mentions for e in m.entities if e.kind == "milestone"
                  and e.label == milestone.label]
        found = [queries.get_milestone(session, milestone_id=e.id) for e in titles]
        found = [m for m in found if m is not None]
        if found:
            return facts.milestone_due(ctx, found)
    if wants_milestones or (q.period is not None and (programme or project) and not q.has("budget")):
        return _milestones(q, ctx, programme, project)

    # Money.
    if q.has("budget") or (line and not q.role and not q.has(
            "milestones", "when", "who", "partners", "team", "responsible", "description")):
        topic = [w for w in q.rest if len(w) >= 6 and fold(w) not in FILLER]
        if topic:
            # "hoeveel komt er uit het innovatiefonds …": words of a budget line's text.
            about = " ".join(topic + ([(line or programme).label] if line or programme else []))
            hits = [h for h in search.search(session, query=about, region_id=region_id(ctx))
                    if h.kind == "budget_line" and h.coverage >= 0.99]
            if hits:
                return facts.budget_lines(ctx, [h.ref_id for h in hits], year=q.year)
            if not (line or programme or project or person or municipality):
                return facts.not_known(ctx, t("q.budget.line_for", ctx.lang,
                                              name=escape(" ".join(q.rest))))
        if q.year is not None and not programme and not line and q.year != plan_year(ctx):
            return facts.not_known(ctx, t("q.budget.year_region", ctx.lang, year=q.year))
        if line and (not programme or _mention_of(q, line) is not None):
            ids = [e.id for e in _all(q, "budget_line") if e.label.lower() == line.label.lower()]
            return facts.budget_lines(ctx, ids, year=q.year,
                                      programme_id=programme.id if programme else None)
        if programme:
            return facts.budget(ctx, _record(session, programme), year=q.year)
        if project:
            found = _record(session, project)
            return facts.not_known(ctx, t("q.budget.project", ctx.lang, name=escape(found.name),
                                          programme=escape(found.programme.name)))
        if person or municipality:
            what = (person or municipality).label
            return facts.not_known(ctx, t("q.budget.of", ctx.lang, name=escape(what)))
        return facts.region_budget(ctx)

    # A field of a programme or project.
    for cue in ("dependencies", "ambition", "goals", "local", "background"):
        if q.has(cue) and programme:
            return facts.programme_field(ctx, _record(session, programme), cue)
    if q.has("projects") and programme and not project:
        return facts.projects_of(ctx, _record(session, programme))
    if q.has("projects") and not named:
        return registry.handler("programma")("", ctx)

    # A record named on its own, or with "wat is / wat doet / wie is".
    if ambiguous := _ambiguous(q, "programme", "project", "person", "milestone"):
        return facts.ask_back(ctx, ambiguous)
    if person and not record:
        return facts.person_roles(ctx, person.id)
    if (holder := _first(q, "role")) is not None:
        return facts.holder(ctx, holder.id, hours=q.has("hours"))
    if project and (record is None or isinstance(record, type(_record(session, project)))):
        return facts.project_about(ctx, _record(session, project))
    if programme:
        if q.has("team", "who"):
            return facts.team(ctx, _record(session, programme))
        return facts.programme_about(ctx, _record(session, programme))
    if person:
        return facts.person_roles(ctx, person.id)
    if milestone:
        found = queries.get_milestone(session, milestone_id=milestone.id)
        if found is not None:
            return facts.milestone_due(ctx, [found])
    if (item := _first(q, "agenda_item")) is not None:
        meeting = next((m for m in queries.find_meetings(session, region_id=region_id(ctx))
                        if str(m.id) == item.parent), None)
        if meeting is not None:
            return facts.agenda_item(ctx, meeting, item.label)
    if line:
        return facts.budget_lines(ctx, [e.id for e in _all(q, "budget_line")
                                        if e.label.lower() == line.label.lower()], year=q.year)
    if municipality:
        return facts.inhabitants(ctx, municipality.label)
    if partner_:
        return facts.partner(ctx, partner_.id)
    if region:
        return facts.programmes(ctx)
    if q.has("programme_word") and not q.rest:
        return facts.programmes(ctx)
    if q.has("meeting", "agenda"):
        found, missing = facts.choose_meeting(ctx, q.meeting, q.period)
        if found:
            return facts.meeting_when(ctx, found, relative="next")
    if q.meeting is not None and q.meeting.relative == "next" and not q.rest:
        found, _ = facts.choose_meeting(ctx, q.meeting, None)
        if found:
            return facts.meeting_when(ctx, found, relative="next")
    shown = q.unknown[0] if len(q.unknown) == 1 else None
    return search_reply(" ".join(_store_words(q) or q.rest) or q.text, ctx, not_understood=True,
                        shown=shown)


def _strange_words(q: Question) -> list[str]:
    """Left-over words no text or name of the store uses."""
    if q.index is None:
        return []
    return [w for w in q.rest if fold(w) not in q.index.text_words
            and lemma(fold(w)) not in q.index.text_lemmas and fold(w) not in q.index.known]


def _store_words(q: Question) -> list[str]:
    """The question's words that some text or name of the store uses."""
    index = q.index
    if index is None:
        return []
    return [w.text for w in q.words if (w.key in index.text_words or w.key in index.known)
            and w.key not in STOPWORDS and w.key not in LEXICON and w.key not in FILLER
            and len(w.key) > 2]


def _project_holding(q: Question, milestone: Entity) -> Entity | None:
    mention = _mention_of(q, milestone)
    if mention is None or q.index is None:
        return None
    run = [w.key for w in q.words[mention.start:mention.end]]
    from commands.linking import _forms_holding

    projects = {f.entity for f in _forms_holding(q.index, run) if f.entity.kind == "project"}
    return next(iter(projects)) if len(projects) == 1 else None


def _milestone_by_words(q: Question, ctx: Context, programme: Entity | None,
                        project: Entity | None) -> list:
    named = {i for m in q.mentions for i in range(m.start, m.end)}
    words = [w.text for i, w in enumerate(q.words) if i not in named
             and w.key not in STOPWORDS and w.key not in FILLER
             and (w.key not in LEXICON or w.key in ("projectteam", "team"))]
    hits = [h for h in search.search(ctx.session, query=" ".join(words), region_id=region_id(ctx),
                                     limit=20) if h.kind == "milestone" and h.coverage >= 0.5]
    for hit in hits:
        milestone = queries.get_milestone(ctx.session, milestone_id=hit.ref_id)
        if milestone is None:
            continue
        if project is not None and milestone.project_id != project.id:
            continue
        if project is None and programme is not None and milestone.programme_id != programme.id:
            continue
        return [milestone]  # the best hit of that programme or project
    return []


def _year_known(q: Question, ctx: Context) -> bool:
    """Whether the store holds anything for the year asked about."""
    from datetime import date

    year = q.year
    if q.has("budget"):
        return any(line.year == year for line in queries.find_budget_lines(
            ctx.session, region_id=region_id(ctx)))
    if q.has("meeting", "agenda"):
        return bool(queries.find_meetings(ctx.session, date_from=date(year, 1, 1),
                                          date_to=date(year, 12, 31), region_id=region_id(ctx),
                                          limit=1))

    programme = _first(q, "programme")
    return queries.count_milestones(ctx.session, region_id=region_id(ctx),
                                    programme_id=programme.id if programme else None,
                                    due_from=date(year, 1, 1), due_to=date(year, 12, 31)) > 0


def _names_more_than_title(q: Question, milestone: Entity) -> bool:
    """True when a programme or project is named exactly and the milestone only in part."""
    for mention in q.mentions:
        if milestone in mention.entities:
            if mention.exact:
                return False
            others = [m for m in q.mentions if m is not mention and m.exact
                      and any(e.kind in ("programme", "project") for e in m.entities)]
            return bool(others) and not q.has("when")
    return False


def _neighbours(q: Question, mention) -> list[int]:
    rest = {fold(w) for w in q.rest}
    return [i for i in (mention.start - 1, mention.end)
            if 0 <= i < len(q.words) and q.words[i].folded in rest]


def _has_neighbour(q: Question, mention) -> bool:
    return bool(_neighbours(q, mention))


def _span_with_neighbours(q: Question, mention) -> str:
    around = _neighbours(q, mention) + [mention.start, mention.end - 1]
    return " ".join(w.text for w in q.words[min(around):max(around) + 1])


def _span(q: Question, *mentions) -> str:
    found = [m for m in mentions if m is not None]
    start = min(m.start for m in found)
    end = max(m.end for m in found)
    return " ".join(w.text for w in q.words[start:end])


def _mention_of(q: Question, entity: Entity):
    for mention in q.mentions:
        if entity in mention.entities and mention.entities[0].kind == entity.kind:
            return mention
    return None


def _record(session, entity: Entity | None):
    if entity is None:
        return None
    if entity.kind == "programme":
        return queries.get_programme(session, programme_id=entity.id)
    if entity.kind == "project":
        return queries.get_project(session, project_id=entity.id)
    return None


def _milestones(q: Question, ctx: Context, programme: Entity | None, project: Entity | None) -> Reply:
    from commands.milestones import milestone_list

    status = None
    if q.has("late"):
        status = "late"
    elif q.has("done") and not q.has("open") and not q.has("due"):
        status = "done"
    elif q.has("open"):
        status = "open"
    person_id = None
    if q.mine:
        person = me(ctx)
        if person is None:
            return Reply.error(t("milestones.not_linked", ctx.lang), hint=t("refused.hint", ctx.lang))
        person_id = person.id
    elif (who := _first(q, "person")) is not None:
        person_id = who.id
    if q.rest and not (programme or project) and _first(q, "person") is None and q.index:
        # "wanneer moet de mijlpaal opening zwembad af?": a title the store lacks.
        strange = _strange_words(q)
        if strange and (q.has("when") or len(strange) > 1):
            return facts.not_known(ctx, escape(" ".join(f"“{w}”" for w in q.rest)))
    period = q.period
    if period is not None and period.kind == "window" and q.has("due") and period.label != "now":
        period = dataclasses.replace(period, kind="due")
    kwargs, labels = facts.milestone_filters(
        ctx, programme_id=programme.id if programme and not project else None,
        project_id=project.id if project else None, period=period,
        year=q.year if q.year != plan_year(ctx) else None,
        status=status, person_id=person_id)
    scope = escape(project.label if project else programme.label) if (project or programme) else ""
    if scope:
        labels.insert(0, scope)
    if q.has("count"):
        return facts.milestone_count(ctx, kwargs, labels, scope)
    return milestone_list(ctx, kwargs, labels)


def _small_talk(kind: str, ctx: Context) -> Reply:
    message = t(f"q.talk.{kind}", ctx.lang)
    return Reply(summary=message, parts=[Text(message), Note(t("q.talk.hint", ctx.lang))])
