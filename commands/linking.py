"""Linking the words of a question to the records the store names.

Every name the store holds — programmes and their aliases, projects, people, external
partners, budget-line labels, milestone titles, municipalities, care providers, the
region — is a *form*: its folded words. A question's words are matched against them:

- a run of words equal to a whole form is an exact mention ("inzicht in kosten");
- a run of a form's distinctive words is a partial mention ("gewoon thuis" of Gewoon
  Thuis Jeugd, "wervingsactie pleegzorg" of a longer title), scored by how much of the
  name it covers, weighed by how rare each word is;
- a word the store and the interpreter do not know is first corrected to the closest
  word they do know ("jeud" → "jeugd"), so typos link too.

Longest non-overlapping runs win; the records tied on one run are all kept, so the
interpreter can choose by what is asked or ask back. Pronouns ("ik", "mij", "my") never
link, and short forms that are also words ("OM", "IK") link only when typed in capitals.

The index is built once per store revision (storage.search.revision), so a question in
a large store costs dictionary look-ups, not a pass over every name.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein
from sqlalchemy.orm import Session

from storage import queries, search
from storage.search import STOPWORDS

# Words that mean the asker; never the start of a name.
PRONOUNS = frozenset({"ik", "mij", "me", "mijn", "mijne", "i", "my", "mine", "myself"})

# How sure a partial mention must be to count: the share of the name's weight covered.
MIN_COVERAGE = 0.34
# Kinds in the order a tie is settled when nothing else decides: the broader thing is
# more often what a short name means.
KIND_ORDER = ("programme", "budget_line", "project", "municipality", "region", "person",
              "role", "partner", "provider", "milestone", "agenda_item", "body")


@dataclass(frozen=True)
class Entity:
    kind: str
    id: int
    label: str
    # The programme a project, milestone or budget line belongs to, for display.
    parent: str | None = None

    @property
    def order(self) -> int:
        return KIND_ORDER.index(self.kind)


@dataclass(frozen=True)
class Form:
    words: tuple[str, ...]
    entity: Entity
    # A short form that is also a word links only when typed like this ("OM", "IK").
    case: str | None = None


@dataclass
class Mention:
    start: int
    end: int  # exclusive, in question words
    entities: list[Entity]
    exact: bool
    score: float
    text: str = ""

    def of(self, *kinds: str) -> list[Entity]:
        return [e for e in self.entities if e.kind in kinds]


@dataclass
class Word:
    text: str  # as typed
    folded: str
    start: int  # character offsets in the question
    end: int
    corrected: str | None = None
    possessive: bool = False

    @property
    def key(self) -> str:
        return self.corrected or self.folded


@dataclass
class NameIndex:
    forms_by_first: dict[str, list[Form]] = field(default_factory=lambda: defaultdict(list))
    forms_with: dict[str, list[Form]] = field(default_factory=lambda: defaultdict(list))
    weight: dict[str, float] = field(default_factory=dict)
    vocabulary: list[str] = field(default_factory=list)
    known: set[str] = field(default_factory=set)
    # Every word the store's texts use (goals, notes, descriptions): not names, but
    # not unknown either — a search finds them.
    text_words: set[str] = field(default_factory=set)
    text_lemmas: set[str] = field(default_factory=set)
    entities: list[Entity] = field(default_factory=list)

    def word_weight(self, word: str) -> float:
        return self.weight.get(word, 0.0)


def _form_words(name: str) -> tuple[str, ...]:
    return tuple(search.words(name))


def _short_word(word: str) -> bool:
    """A short form that is also an ordinary word ("om", "po", "ik")."""
    import simplemma

    return word in STOPWORDS or word in PRONOUNS or (
        len(word) <= 3 and (simplemma.is_known(word, lang="nl") or simplemma.is_known(word, lang="en"))
    )


def build_index(session: Session, *, region_id: int | None) -> NameIndex:
    """Every name of the region (and all people and providers), as forms."""
    index = NameIndex()
    named: list[tuple[Entity, list[str], set[str]]] = []  # entity, names, names needing case

    def add(entity: Entity, names: list[str], cased: set[str] = frozenset()) -> None:
        named.append((entity, [n for n in names if n and n.strip()], set(cased)))

    programmes = queries.find_programmes(session, region_id=region_id) if region_id else []
    by_id = {p.id: p for p in programmes}
    for programme in programmes:
        add(Entity("programme", programme.id, programme.name),
            [programme.name, programme.slug.replace("-", " "), *programme.aliases],
            set(programme.aliases))
    if region_id is not None:
        region = queries.get_region(session, region_id=region_id)
        if region is not None:
            add(Entity("region", region.id, region.name), [region.name])
        for line in queries.find_budget_lines(session, region_id=region_id):
            parent = by_id.get(line.programme_id)
            add(Entity("budget_line", line.id, line.label, parent.name if parent else None),
                [line.label], {line.label})
        for project in queries.find_projects(session, region_id=region_id):
            parent = by_id.get(project.programme_id)
            add(Entity("project", project.id, project.name, parent.name if parent else None),
                [project.name], {project.name})
        for milestone_id, title, programme_id in queries.milestone_titles(session, region_id=region_id):
            parent = by_id.get(programme_id)
            add(Entity("milestone", milestone_id, title, parent.name if parent else None), [title])
        for municipality in queries.find_municipalities(session, region_id=region_id):
            add(Entity("municipality", municipality.id, municipality.name), [municipality.name])
        for partner_id, name in queries.partner_names(session, region_id=region_id):
            add(Entity("partner", partner_id, name), [name], {name})
        for meeting in queries.find_meetings(session):
            for item in meeting.agenda_items:
                add(Entity("agenda_item", item.id, item.title, str(meeting.id)), [item.title])
    for person_id, name in queries.person_names(session):
        add(Entity("person", person_id, name), [name])
    if region_id is not None:
        # People the plan names in a role without being a person of the store
        # ("Externe adviseur Jack van Velzen: 208 uur").
        for role_id, holder, programme_id in queries.unlinked_holders(session, region_id=region_id):
            if len(_form_words(holder)) < 2:
                continue  # "BOSD", "PM": a body or a placeholder, not someone's name
            parent = by_id.get(programme_id)
            add(Entity("role", role_id, holder, parent.name if parent else None), [holder])
    for provider_id, name in queries.provider_names(session):
        add(Entity("provider", provider_id, name), [name], {name})

    document_frequency: Counter[str] = Counter()
    for entity, names, cased in named:
        # "Jeugdhulp op School (JOS)", "Dyslexie (EED)": the abbreviation names it too.
        for name in list(names):
            for short in re.findall(r"\(([A-Z][A-Za-z0-9&+ ]{1,9})\)", name):
                names.append(short)
                cased.add(short)
        index.entities.append(entity)
        seen: set[str] = set()
        for name in names:
            words = _form_words(name)
            if not words:
                continue
            case = name.strip() if name in cased and len(words) == 1 and _short_word(words[0]) else None
            form = Form(words, entity, case)
            index.forms_by_first[words[0]].append(form)
            for word in set(words):
                index.forms_with[word].append(form)
            seen.update(words)
        document_frequency.update(seen)
    total = max(len(named), 1)
    for word, count in document_frequency.items():
        index.weight[word] = 0.0 if word in STOPWORDS else math.log(1 + total / count)
    index.vocabulary = sorted(document_frequency)
    index.known = set(document_frequency)
    for body in search.texts(session, region_id=region_id):
        index.text_words.update(search.words(body))
    index.text_lemmas = {search.lemma(w) for w in index.text_words}
    if region_id is not None:
        for body in queries.governing_bodies(session, region_id=region_id):
            add_body = Entity("body", body.id, body.abbreviation or body.name)
            for name in {body.name, body.abbreviation or body.name}:
                words = _form_words(name)
                if words and len(words) > 1:
                    form = Form(words, add_body)
                    index.forms_by_first[words[0]].append(form)
                    for word in set(words):
                        index.forms_with[word].append(form)
    return index


_CACHE: dict[tuple[str, int | None], tuple[int, NameIndex]] = {}
_LOCK = threading.Lock()


def name_index(session: Session, *, region_id: int | None) -> NameIndex:
    """The region's index, rebuilt when the store's search revision has moved."""
    bind = session.get_bind()
    key = (str(bind.url), region_id)
    current = search.revision(session)
    cached = _CACHE.get(key)
    if cached is not None and cached[0] == current:
        return cached[1]
    index = build_index(session, region_id=region_id)
    with _LOCK:
        _CACHE[key] = (current, index)
    return index


def correct(words: list[Word], index: NameIndex, lexicon: frozenset[str]) -> None:
    """Replace a word nobody knows by the closest word of a name or of the lexicon."""
    import simplemma

    choices: list[str] | None = None
    for word in words:
        value = word.folded
        if (len(value) < 4 or value.isdigit() or value in index.known or value in lexicon
                or value in STOPWORDS or value in PRONOUNS):
            continue
        if simplemma.is_known(value, lang="nl") or simplemma.is_known(value, lang="en"):
            continue
        if choices is None:
            choices = index.vocabulary + sorted(lexicon) + sorted(index.text_words - index.known)
        # A capitalised word inside the sentence is a name: corrected to a name only.
        pool = index.vocabulary if word.text[:1].isupper() and word.start > 0 else choices
        # One slip (a letter missing, added, changed or two swapped) in a short word, a
        # little more in a long one.
        cutoff = 0.75 if len(value) <= 5 else 0.8
        found = process.extractOne(value, pool, scorer=DamerauLevenshtein.normalized_similarity,
                                   score_cutoff=cutoff)
        if found is not None and (found[0] not in STOPWORDS or found[0] in lexicon) \
                and found[0] not in PRONOUNS:
            word.corrected = found[0]


def link(words: list[Word], index: NameIndex, *, lexicon: frozenset[str],
         blocked: set[int] = frozenset()) -> list[Mention]:
    """The mentions in `words`: longest runs first, never overlapping, never a pronoun."""
    keys = [w.key for w in words]
    usable = [i not in blocked and keys[i] not in PRONOUNS for i in range(len(words))]
    candidates: list[Mention] = []

    # Whole forms.
    for i, key in enumerate(keys):
        if not usable[i]:
            continue
        for form in index.forms_by_first.get(key, ()):
            end = i + len(form.words)
            if tuple(keys[i:end]) != form.words or not all(usable[i:end]):
                continue
            if form.case is not None and words[i].text != form.case and words[i].text != form.case.upper():
                continue
            if len(form.words) == 1 and key in lexicon and not words[i].text[:1].isupper():
                continue  # "regionaal budget": the word, not the budget line "Regionaal"
            candidates.append(Mention(i, end, [form.entity], True, 2.0 + len(form.words)))

    # Runs of a form's distinctive words.
    for i in range(len(words)):
        if not usable[i] or keys[i] in STOPWORDS:
            continue
        for end in range(i + 1, min(len(words), i + 8) + 1):
            if not usable[end - 1]:
                break
            run = keys[i:end]
            if run[-1] in STOPWORDS:
                continue
            content = [w for w in run if w not in STOPWORDS]
            if len(content) == 1 and len(content[0]) < 3:
                continue  # "k" of "R&K", "3" of "K3": too little to mean a name
            if all(w in lexicon for w in content):
                continue  # "kosten", "agenda": what is asked, not which record
            if sum(index.word_weight(w) for w in content) < 1.0:
                continue
            forms = _forms_holding(index, run)
            if not forms:
                if end > i + 1:
                    break
                continue
            best: dict[Entity, float] = {}
            # A word only one or two names use ("kwartiermaker") points at them however
            # long they are.
            rare = any(len(w) >= 5 and len({f.entity for f in index.forms_with.get(w, ())}) <= 2
                       and w not in lexicon for w in content)
            # So does a phrase of two words or more that only one or two names hold.
            rare = rare or (len(content) >= 2 and len({f.entity for f in forms}) <= 2)
            for form in forms:
                if form.case is not None:
                    continue
                total = sum(index.word_weight(w) for w in form.words) or 1.0
                coverage = sum(index.word_weight(w) for w in content) / total
                if coverage >= MIN_COVERAGE or rare:
                    best[form.entity] = max(best.get(form.entity, 0.0), coverage)
            if len(content) == 1 and len(content[0]) >= 4 and any(
                    e.kind == "programme" for e in best):
                # "jeugd" is also the start of "Jeugdigen beschermen": both are meant.
                score = max(c for e, c in best.items() if e.kind == "programme")
                for word in _words_starting(index, content[0]):
                    for form in index.forms_with.get(word, ()):
                        if form.entity.kind == "programme" and form.entity not in best:
                            best[form.entity] = score
            for entity, coverage in best.items():
                candidates.append(Mention(i, end, [entity], False, coverage))

    chosen: list[Mention] = []
    taken: set[int] = set()

    def weight(mention: Mention) -> int:
        # Words of the interpreter's own ("regio") do not make a partial run longer than
        # the exact name inside it ("de regio Midden-Holland").
        if mention.exact:
            return mention.end - mention.start
        return sum(1 for k in keys[mention.start:mention.end]
                   if k not in lexicon and k not in STOPWORDS)

    candidates.sort(key=lambda m: (-weight(m), not m.exact, -(m.end - m.start), -m.score))
    for mention in candidates:
        span = set(range(mention.start, mention.end))
        if span & taken:
            same = next((c for c in chosen if (c.start, c.end) == (mention.start, mention.end)
                         and c.exact == mention.exact and abs(c.score - mention.score) < 0.05), None)
            if same is not None and mention.entities[0] not in same.entities:
                same.entities.append(mention.entities[0])
            continue
        taken |= span
        chosen.append(mention)
    for mention in chosen:
        mention.entities.sort(key=lambda e: (e.order, len(e.label)))
        mention.text = " ".join(w.text for w in words[mention.start : mention.end])
    chosen.sort(key=lambda m: m.start)
    return chosen


def _words_starting(index: NameIndex, prefix: str) -> list[str]:
    from bisect import bisect_left

    start = bisect_left(index.vocabulary, prefix)
    found = []
    for word in index.vocabulary[start:]:
        if not word.startswith(prefix):
            break
        if word != prefix:
            found.append(word)
    return found


def _forms_holding(index: NameIndex, run: list[str]) -> list[Form]:
    """Forms that hold `run` as consecutive words."""
    content = [w for w in run if w not in STOPWORDS] or run
    rarest = min(content, key=lambda w: len(index.forms_with.get(w, ())))
    found = []
    for form in index.forms_with.get(rarest, ()):
        words = form.words
        for start in range(len(words) - len(run) + 1):
            if list(words[start : start + len(run)]) == run:
                found.append(form)
                break
    return found
