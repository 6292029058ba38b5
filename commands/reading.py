"""Reading a question: what is asked, about which records, with which filters.

The stages, in order:
1. `words_of` — the question as words (folded, with what was typed kept for case);
2. `_periods`, `_amount`, `_meeting_selector` — dates, quarters, weeks, years, amounts
   and "de derde BOSD" are read first and their words set aside;
3. linking (commands.linking) — runs of words become records;
4. `_cues` — the words left say what is asked ("wie", "uur", "partners", "wanneer …
   af") and how to filter ("te laat", "mijn", "open");
5. `_unknown` — words left that look like a name the store does not hold, so that
   such a question is answered "dat ken ik niet" instead of with a neighbour's facts.

Nothing here reads the store except through the name index: answering is
commands.facts's work.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from commands.linking import PRONOUNS, Mention, NameIndex, Word, correct, link
from commands.parsing import MONTH_WORDS, month_bounds, parse_amount, parse_date, quarter_bounds
from storage.search import STOPWORDS, fold

# --- The lexicon: words that say what is asked. A trailing * matches any ending.
CUES: dict[str, tuple[str, ...]] = {
    "help": ("what can i ask", "wat kan ik vragen", "kan ik je vragen", "kan ik vragen", "kind of questions", "questions do you",
             "do you understand", "begrijp je", "snap je", "welke vragen", "vragen stellen", "what questions", "which questions",
             "hoe werkt deze bot", "how do i use", "use this bot", "wat kan deze bot",
             "what can this bot", "wat kun je", "wat kan je", "wat kunt u", "wat kun jij", "wat kan jij",
             "what can you do", "what can you", "what do you do", "hoe werk je", "hoe werkt dit",
             "hoe werkt regiobot", "how do you work", "how does this work", "help", "hulp",
             "helpen", "commando*", "commands", "opdrachten", "uitleg", "instructies",
             "handleiding"),
    "hours": ("how much time", "hoeveel tijd", "uur", "uren", "hours", "hour", "fte", "hrs"),
    "work": ("werk", "werkt", "werken", "works", "work", "working", "doet", "doen", "does",
             "rol", "rollen", "role", "roles", "functie", "function", "taak", "taken", "tasks",
             "involved", "betrokken"),
    "responsible": ("on the hook", "accountable", "aanspreekbaar", "verantwoordelijk*", "responsible", "trekt", "trekker", "trekken", "leidt",
                    "leads", "lead", "leading", "charge", "eigenaar", "owner", "owns", "owned",
                    "aanspreekpunt", "contactpersoon", "contact", "heads", "runs", "run"),
    "team": ("team", "teams", "projectteam", "teamleden", "members", "member", "bemensing",
             "medewerkers", "staff", "people", "mensen", "wie"),
    "partners": ("werkt samen", "werken samen", "works with", "work with", "samen", "together",
                 "partner*", "samenwerkingspartner*", "organisaties", "organisations",
                 "organizations", "externe", "external", "samenwerk*", "collaborat*",
                 "ketenpartner*"),
    "dependencies": ("afhankelijk*", "depend*", "afhangt", "afhangen"),
    "ambition": ("ambitie*", "ambition*", "aim", "aims", "visie", "vision", "streven",
                 "mission", "missie", "bereiken", "achieve", "willen"),
    "goals": ("doel", "doelen", "doelstelling*", "goal*", "objective*", "targets"),
    "projects": ("deelproject*", "projecten", "projects", "subproject*", "sub-projects",
                 "onderdelen", "parts"),
    "project_word": ("project", "deelproject"),
    "programme_word": ("programma", "programmas", "programme", "programmes", "program",
                       "programs"),
    "local": ("lokaal", "lokale", "locally", "local", "gemeentelijk*"),
    "description": ("omschrijving", "beschrijving", "description", "describe", "over",
                    "about", "inhoud", "houdt", "betekent", "means", "mean", "gaat"),
    "background": ("achtergrond", "background", "waarom", "why", "aanleiding", "reason"),
    "milestones": ("op te leveren", "leveren", "deliver", "mijlpaal", "mijlpalen", "milestone*",
                   "deadline*", "planning", "gepland",
                   "opgeleverd", "opleveren", "opgeleverd", "oplevering", "due", "gebeurt",
                   "gebeuren", "happens", "happen", "happening", "scheduled", "planned",
                   "loopt", "lopen", "running", "afgerond", "klaar", "gereed", "af", "finished",
                   "completed", "done", "open", "openstaand*", "resultaten", "results",
                   "deliverable*", "mijlpaaldatum", "uiterlijk", "ready", "delivered"),
    "when": ("wanneer", "when", "datum", "date", "dag", "day", "welke datum"),
    "time": ("hoe laat", "what time", "tijd", "time", "begint", "start", "starts"),
    "where": ("waar", "where", "locatie", "location", "plaats", "place"),
    "meeting": ("bosd", "vergader*", "meeting*", "meets", "bestuurlijk overleg",
                "governing body"),
    # Words that mean the BOSD only when nothing else is named ("morgen overleg").
    "meeting_weak": ("overleg", "overleggen", "meet", "bestuurders", "board"),
    "agenda": ("aan bod", "punten", "agenda*", "agendapunt*", "besproken", "bespreken", "discussed", "discuss",
               "items", "onderwerpen", "topics", "beslispunt*"),
    "budget": ("budget*", "begroting*", "begrotingsregel*", "budgetregel*", "budget line*", "begroot", "kost", "kosten", "geld", "financ*", "cost",
               "costs", "money", "funding", "funds", "bedrag*", "amount", "euro", "uitgeven",
               "spend", "spending", "middelen", "fonds", "fondsen", "geraamd", "worth",
               "gefinancierd", "financiering", "funded", "fund", "krijgt", "krijgen", "receive",
               "receives", "gets", "beschikbaar", "available"),
    "inhabitants": ("inwoner*", "inhabitant*", "residents", "population", "bevolking",
                    "bewoners", "people live", "wonen er", "live in", "lives in"),
    "percentage": ("percentage", "procent*", "percent", "aandeel", "share", "portion"),
    "split": ("verdeel", "verdelen", "verdeeld", "verdeling", "betaal*", "betaalt", "betalen",
              "pay", "pays", "paying", "bijdrage*", "bijdragen", "contribut*", "draagt",
              "split", "divide*", "divided", "per gemeente", "each municipality",
              "per municipality", "deel van", "rekening"),
    "key": ("verrekend", "verrekenen", "verrekening", "settled", "costs shared", "cost shared", "shared between", "verdeeld over", "verdeelsleutel",
            "verdeel sleutel", "distribution key", "allocation key",
            "cost allocation", "cost sharing", "cost-sharing", "kostenverdeling",
            "verdeelsystematiek", "sleutel"),
    "declarations": ("start message*", "stop message*", "startberichten", "stopberichten",
                     "declaratie", "declaraties", "declareren", "declareert", "declareerde",
                     "declareerden", "gedeclareerd", "declarations", "declaration", "declare",
                     "declaring", "declared", "tijdigheid", "stopbericht*", "startbericht*", "start- en stopbericht*",
                     "berichtenverkeer", "berichten", "messages", "tijdig*", "timeliness",
                     "ijw", "0-meting", "nulmeting", "aanlever*", "jw301", "jw305", "jw307",
                     "jw323", "jw325"),
    "providers": ("aanbieder*", "zorgaanbieder*", "providers", "provider", "care providers",
                  "jeugdhulpaanbieder*"),
    "count": ("hoeveel", "how many", "aantal", "number of", "hoe vaak", "how often",
              "how frequently", "count", "totaal"),
    "often": ("hoe vaak", "how often", "how frequently", "keer", "times", "vaak"),
    "who": ("wie", "who", "whom", "whose", "welke persoon", "which person"),
    "what": ("wat", "what", "welke", "welk", "which"),
    "done": ("gereed", "klaar", "afgerond", "done", "completed", "finished", "voltooid",
             "afgevinkt"),
    "open": ("open", "openstaand*", "nog niet", "outstanding", "pending", "lopende"),
    "late": ("te laat", "telaat", "overdue", "verlopen", "achterstallig", "vertraagd",
             "delayed", "behind", "late", "achterstand", "over tijd", "voorbij", "past due",
             "overschreden"),
    # "wat moet er af / klaar zijn": due, not the status done.
    "due": ("moet", "moeten", "must", "should", "need", "needs", "af", "opgeleverd", "opleveren",
            "deadline*", "due", "uiterlijk"),
    "greeting": ("hoi", "hallo", "hey", "hi", "hello", "goedemorgen", "goedemiddag",
                 "goedenavond", "morning", "yo", "hiya", "dag", "howdy", "heey", "hee"),
    "thanks": ("bedankt", "dank", "dankjewel", "dankjewel", "dankuwel", "thanks", "thank",
               "thx", "cheers", "merci", "top", "super", "mooi", "fijn", "great", "perfect",
               "nice", "prima", "oké", "oke", "ok", "okay"),
    "bye": ("doei", "tot ziens", "bye", "goodbye", "later", "dag dag", "fijne dag"),
    "how_are_you": ("hoe gaat het", "how are you", "alles goed", "how is it going"),
    "who_are_you": ("wie ben jij", "wie ben je", "who are you", "what are you", "wat ben jij",
                    "wat ben je"),
    "region_word": ("regio", "region", "regionaal", "regional"),
    "municipality_word": ("gemeente", "gemeenten", "gemeentes", "municipality",
                          "municipalities"),
    "search": ("anything on", "something on", "info on", "iets bekend over", "iets over",
               "something about", "anything about", "wat weten we over",
               "what do we know about", "wat staat er over", "informatie over", "info over",
               "what does the plan say", "wat zegt het plan", "staat er iets", "is there anything",
               "zoek", "zoeken", "search", "find", "vind", "look"),
    # What the store does not hold about anyone: asked for, it is "not known".
    "unheld": ("telefoon*", "phone*", "e-mail*", "email*", "mailadres*", "adres", "address*",
               "verjaardag", "birthday", "salaris", "salary", "leeftijd", "age", "geboren", "born",
               "kantoor", "office", "foto", "photo", "linkedin", "twitter", "mobiel", "mobile",
               "woonplaats", "woont", "lives", "hobby*", "voorzitter", "chair", "chairman",
               "chairwoman", "chairperson", "verdient", "verdienen", "earn", "earns", "loon",
               "inkomen", "wage", "kvk*", "iban", "btw", "bankrekening", "alderman", "aldermen",
               "burgemeester", "mayor", "wethouder*"),
}
# Words that ask nothing and name nothing ("graag", "eigenlijk").
FILLER = frozenset("""
graag eigenlijk precies allemaal between tussen iets anything something overzicht overview
plan say zegt says staat there total any kind type sort understand know weet weten we
bijeen vijf five eruit ziet uit look looks like soort jaarlijks yearly annual annually jaar per put spend
besteedt besteden besteed spends even nou eens alsjeblieft aub svp please exactly actually
really just kindly ongeveer about roughly nog steeds still zoal welke so also ook wel
soms misschien maybe perhaps dan then vandaag allemaal all alle every elke iedere
""".split())
# Role words and the role kind (Role.kind) each asks for.
ROLE_WORDS: dict[str, str] = {
    "programmamanager": "programmamanager", "programmamanagers": "programmamanager",
    "programma-manager": "programmamanager", "programma manager": "programmamanager",
    "programme manager": "programmamanager", "program manager": "programmamanager",
    "programme managers": "programmamanager", "prg manager": "programmamanager",
    "manager": "programmamanager", "managers": "programmamanager", "pm": "programmamanager",
    "opdrachtgever": "opdrachtgever", "opdrachtgevers": "opdrachtgever",
    "sponsor": "opdrachtgever", "sponsors": "opdrachtgever", "client": "opdrachtgever",
    "commissioner": "opdrachtgever", "principal": "opdrachtgever",
    "bestuurlijk opdrachtgever": "bestuurlijk opdrachtgever",
    "bestuurlijke opdrachtgever": "bestuurlijk opdrachtgever",
    "bestuurlijk": "bestuurlijk opdrachtgever", "bestuurlijke": "bestuurlijk opdrachtgever",
    "political sponsor": "bestuurlijk opdrachtgever",
    "bestuurder": "bestuurlijk opdrachtgever", "political": "bestuurlijk opdrachtgever",
    "executive sponsor": "bestuurlijk opdrachtgever", "governing sponsor": "bestuurlijk opdrachtgever",
    "administrative sponsor": "ambtelijk opdrachtgever", "administrative": "ambtelijk opdrachtgever",
    "ambtelijk opdrachtgever": "ambtelijk opdrachtgever",
    "ambtelijke opdrachtgever": "ambtelijk opdrachtgever",
    "ambtelijk": "ambtelijk opdrachtgever", "ambtelijke": "ambtelijk opdrachtgever",
    "official sponsor": "ambtelijk opdrachtgever", "civil service": "ambtelijk opdrachtgever",
    "official": "ambtelijk opdrachtgever",
    "projectleider": "projectleider", "projectleiders": "projectleider",
    "project leader": "projectleider", "project lead": "projectleider",
    "project manager": "projectleider", "projectmanager": "projectleider",
    "projectsecretaris": "projectsecretaris", "secretaris": "projectsecretaris",
    "secretary": "projectsecretaris", "project secretary": "projectsecretaris",
    "beleidsadviseur": "beleidsadviseur", "beleidsadviseurs": "beleidsadviseur",
    "policy advisor": "beleidsadviseur", "policy adviser": "beleidsadviseur",
    "policy advisors": "beleidsadviseur", "adviseur": "adviseur", "advisor": "adviseur",
    "jurist": "jurist", "lawyer": "jurist", "legal": "jurist",
    "business analist": "business analist", "business analyst": "business analist",
    "analist": "analist", "analyst": "analist", "data-analist": "data-analist",
    "financieel specialist": "financieel specialist", "communicatieadviseur": "communicatieadviseur",
    "coordinator": "coordinator", "coördinator": "coordinator",
}
ORDINALS = {
    "eerste": 1, "1e": 1, "1ste": 1, "first": 1, "1st": 1,
    "tweede": 2, "2e": 2, "2de": 2, "second": 2, "2nd": 2,
    "derde": 3, "3e": 3, "3de": 3, "third": 3, "3rd": 3,
    "vierde": 4, "4e": 4, "4de": 4, "fourth": 4, "4th": 4,
    "vijfde": 5, "5e": 5, "5de": 5, "fifth": 5, "5th": 5,
    "zesde": 6, "6e": 6, "6de": 6, "sixth": 6, "6th": 6,
    "zevende": 7, "7e": 7, "7de": 7, "seventh": 7, "7th": 7,
    "achtste": 8, "8e": 8, "8ste": 8, "eighth": 8, "8th": 8,
    "negende": 9, "9e": 9, "ninth": 9, "tiende": 10, "10e": 10, "tenth": 10,
    "elfde": 11, "eleventh": 11, "twaalfde": 12, "twelfth": 12, "dertiende": 13,
    "thirteenth": 13, "veertiende": 14, "fourteenth": 14, "vijftiende": 15, "fifteenth": 15,
    "zestiende": 16, "sixteenth": 16, "zeventiende": 17, "seventeenth": 17, "achttiende": 18,
    "eighteenth": 18, "negentiende": 19, "nineteenth": 19, "twintigste": 20, "twentieth": 20,
}
NUMBER_WORDS = {"een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6,
                "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
# Words that only English questions use, and words only Dutch ones do.
ENGLISH = frozenset("""
who what when which how much many where is are was were the a an of for at on in to do does
did tell show give me my i you can could would about with please thanks thank hi hello
next previous last first second third fourth this week quarter month year milestones
search find show list there total any kind type understand know date january february march
june july august october
milestone cost costs meetings goals ambition due overdue projects under
done inhabitants people share pay pays municipality municipalities programme programmes
program responsible lead leads owner has have many often there any
between before after until from hours work works working
""".split())
DUTCH = frozenset("""
wie wat wanneer welke welk hoeveel hoe waar is zijn was waren de het een van voor bij in
op aan er nog die dat mij me ik je jij u kun kan kunt geef vertel toon laat zien weet
heeft hebben doet over met om te volgende vorige eerste deze week kwartaal maand jaar
mijlpalen mijlpaal begroting kosten kost vergadering overleg doelen ambitie moet
af klaar gereed inwoners betaalt betalen gemeente gemeenten programma verantwoordelijk
uur werkt zitten staat staan gepland komt vergadert hoi bedankt dank wordt worden nu zijn
""".split())
# The words of a question: runs of letters and digits as names are written ("K3",
# "1Gezin1Plan", "jw305"), numbers with their separators ("100.000"), and € % #.
_LATIN = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+|[€%#]", re.UNICODE)


# The question being read, for showing names as they were typed.
_ORIGINAL: ContextVar[str] = ContextVar("question", default="")


@dataclass
class Period:
    start: date
    end: date
    label: str
    # "window": what runs in it (a quarter); "due": what falls due in it (a month, a week).
    kind: str = "due"


@dataclass
class MeetingSelector:
    number: int | None = None
    ordinal: int | None = None
    relative: str | None = None  # "next", "previous", "last"
    day: date | None = None
    month: int | None = None


@dataclass
class Question:
    text: str
    lang: str
    words: list[Word]
    mentions: list[Mention]
    cues: set[str] = field(default_factory=set)
    role: str | None = None
    period: Period | None = None
    year: int | None = None
    amount: Decimal | None = None
    meeting: MeetingSelector | None = None
    # "programma 12": a programme by its number; "mijlpaal 7": a milestone.
    programme_number: int | None = None
    milestone_number: int | None = None
    mine: bool = False
    unknown: list[str] = field(default_factory=list)
    # Whether every unknown name is a word some text of the store uses ("Wvggz").
    unknown_in_text: bool = False
    # Words left over that are neither cue, filter nor name: what a search looks for.
    rest: list[str] = field(default_factory=list)
    index: NameIndex | None = None
    # The left-over words that look like names (see `_looks_like_name`).
    rest_names: list[str] = field(default_factory=list)

    def entities(self, *kinds: str):
        return [e for m in self.mentions for e in m.entities if not kinds or e.kind in kinds]

    def has(self, *cues: str) -> bool:
        return any(c in self.cues for c in cues)


def words_of(text: str) -> list[Word]:
    found = []
    for match in _LATIN.finditer(text):
        value = match.group()
        if value.lower() in ("s", "t", "re", "ve", "ll", "d", "m") and match.start() > 0 and \
                text[match.start() - 1] in "'’":
            if value.lower() == "s" and found and found[-1].text[:1].isupper():
                found[-1].possessive = True  # "Amsterdam's": a name
            continue  # "what's", "Gouda's", "programma's": the word before is the word
        found.append(Word(value, fold(value), match.start(), match.end()))
    return found


def _matches(word: str, cue: str) -> bool:
    return word.startswith(cue[:-1]) if cue.endswith("*") else word == cue


def _phrase_positions(keys: list[str], phrase: str) -> list[int] | None:
    parts = phrase.split()
    for i in range(len(keys) - len(parts) + 1):
        if all(_matches(keys[i + j], p) for j, p in enumerate(parts)):
            return list(range(i, i + len(parts)))
    return None


class Lexicon(frozenset):
    """The interpreter's own words; a cue written "partner*" holds "partners" too."""

    prefixes: tuple[str, ...] = ()

    def __contains__(self, word: object) -> bool:
        return frozenset.__contains__(self, word) or (
            isinstance(word, str) and word.startswith(self.prefixes))


_PREFIXES = tuple(sorted({cue.rstrip("*") for cues in CUES.values() for cue in cues
                          if cue.endswith("*") and " " not in cue}))
LEXICON = frozenset(
    w.rstrip("*") for cues in CUES.values() for cue in cues for w in cue.split()
) | frozenset(w for role in ROLE_WORDS for w in role.split()) | frozenset(ORDINALS) | frozenset(
    MONTH_WORDS
) | frozenset("""
search find show list kwartaal quarter week weken weeks maand month jaar year vandaag today morgen tomorrow
nu now momenteel currently volgende next vorige previous komende coming eerstvolgende
laatste last deze this dit huidige current regiobot bot slack euro eur nummer number nr
dependencies dependency afhankelijkheden financiering financien verantwoordelijke
samenwerkingspartners deelprojecten inwoners inhabitants agendapunten milestones deadlines
vergadering vergaderingen zorgaanbieders aanbieders telefoonnummer mailadres budgetten
declaraties programmamanager projectleider opdrachtgever percentage verdeelsleutel
""".split())
LEXICON = Lexicon(LEXICON)
LEXICON.prefixes = _PREFIXES


def detect_language(words: list[Word], mentions: list[Mention]) -> str:
    """'en' or 'nl' by the words outside names — question and function words first,
    then words only one language's dictionary knows; '' when nothing tells."""
    import simplemma

    inside = {i for m in mentions for i in range(m.start, m.end)}
    function = {"en": 0, "nl": 0}
    dictionary = {"en": 0, "nl": 0}
    for i, word in enumerate(words):
        if i in inside:
            continue
        value = word.folded
        if value in ENGLISH and value not in DUTCH:
            function["en"] += 1
        elif value in DUTCH and value not in ENGLISH:
            function["nl"] += 1
        elif len(value) > 3 and not value.isdigit():
            known_en = simplemma.is_known(value, lang="en")
            known_nl = simplemma.is_known(value, lang="nl")
            if known_en != known_nl:
                dictionary["en" if known_en else "nl"] += 1
    if function["en"] != function["nl"]:
        lead = max(function, key=function.get)
        other = "nl" if lead == "en" else "en"
        if function[lead] + dictionary[lead] / 2 > function[other] + dictionary[other] / 2:
            return lead
    if abs(dictionary["en"] - dictionary["nl"]) >= 2:
        return max(dictionary, key=dictionary.get)
    return ""


def read(text: str, *, index: NameIndex, today: date, plan_year: int) -> Question:
    text = _translate(text)
    _ORIGINAL.set(text)
    words = words_of(text)
    used: set[int] = set()
    english = _looks_english(words)
    amount = _amount(text, words, used, english=english)
    day = _numeric_date(text, words, used, plan_year=plan_year)
    correct(words, index, LEXICON)
    keys = [w.key for w in words]
    period, year = _periods(keys, used, today=today, plan_year=plan_year)
    if day is not None and period is None:
        period = Period(day, day, "day", "due")
    programme_number = _programme_number(keys, used)
    milestone_number = _milestone_number(keys, used)
    meeting = _meeting_selector(keys, used, today=today)
    mentions = link(words, index, lexicon=LEXICON, blocked=used)
    inside = {i for m in mentions for i in range(m.start, m.end)} | used
    cues, role, cue_positions = _cues(keys, inside)
    question = Question(text=text, lang="nl", words=words, mentions=mentions, cues=cues,
                        role=role, period=period, year=year, amount=amount, meeting=meeting,
                        programme_number=programme_number, milestone_number=milestone_number,
                        index=index)
    question.lang = detect_language(words, mentions)
    question.mine = any(keys[i] in PRONOUNS for i in range(len(keys)) if i not in inside
                        and not (words[i].text == "IK"))
    leftover = [i for i in range(len(words)) if i not in inside and i not in cue_positions]
    question.rest = [words[i].text for i in leftover if keys[i] not in STOPWORDS
                     and keys[i] not in PRONOUNS and keys[i] not in FILLER
                     and (keys[i] not in LEXICON or i in _unclaimed_cues(keys, leftover))
                     and re.search(r"[^\W_]", keys[i])]
    question.rest_names = [words[i].text for i in leftover
                           if words[i].text in question.rest and _looks_like_name(words, i, keys, index)]
    question.unknown, question.unknown_in_text = _unknown(words, mentions, keys, index,
                                                          used | cue_positions)
    return question


# A small glossary: English names of things the plan names in Dutch.
GLOSSARY = {
    "transformation fund": "transformatiefonds", "innovation fund": "innovatiefonds",
    "sheltered housing": "beschermd wonen", "protected housing": "beschermd wonen",
    "protected living": "beschermd wonen", "supported housing": "beschermd wonen",
    "women's shelter": "vrouwenopvang", "womens shelter": "vrouwenopvang",
    "domestic violence": "huiselijk geweld", "foster care": "pleegzorg",
    "social care": "maatschappelijke zorg", "expert table": "experttafel",
    "cost insight": "inzicht in kosten", "insight into costs": "inzicht in kosten",
    "legality and quality": "rechtmatigheid en kwaliteit", "shared care": "gedeelde zorg",
    "protecting young people": "jeugdigen beschermen", "youth protection": "jeugdbescherming",
    "safe at home": "veilig thuis", "dyslexia": "dyslexie",
}
_GLOSSARY = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(GLOSSARY, key=len, reverse=True)) + r")\b", re.I)


def _translate(text: str) -> str:
    return _GLOSSARY.sub(lambda m: GLOSSARY[m[1].lower()], text)


def _looks_english(words: list[Word]) -> bool:
    english = sum(w.folded in ENGLISH and w.folded not in DUTCH for w in words)
    dutch = sum(w.folded in DUTCH and w.folded not in ENGLISH for w in words)
    return english > dutch


def _unclaimed_cues(keys: list[str], leftover: list[int]) -> set[int]:
    """Lexicon words left over because they did not count as cues ("huishoudelijke
    hulp")."""
    return {i for i in leftover if keys[i] in ("hulp", "help") and i > 0}


def _cue_index() -> tuple[dict[str, list[tuple[str, str]]], list[tuple[str, str]]]:
    """Cues by their first word, and the cues whose first word is a prefix ("partner*")."""
    by_first: dict[str, list[tuple[str, str]]] = {}
    by_prefix: list[tuple[str, str]] = []
    for name, cues in CUES.items():
        for cue in cues:
            first = cue.split()[0]
            if first.endswith("*"):
                by_prefix.append((name, cue))
            else:
                by_first.setdefault(first, []).append((name, cue))
    return by_first, by_prefix


_CUES_BY_FIRST, _CUES_BY_PREFIX = _cue_index()
_ROLE_PHRASES = sorted(ROLE_WORDS, key=lambda p: -len(p.split()))


def _cues(keys: list[str], inside: set[int]) -> tuple[set[str], str | None, set[int]]:
    found: set[str] = set()
    positions: set[int] = set()
    masked = [k if i not in inside else "\x00" for i, k in enumerate(keys)]
    present = set(masked)
    role = None
    # "bestuurlijk overleg" is the meeting, not a role word.
    for phrase in ("bestuurlijk overleg", "bestuurlijke overleg"):
        at = _phrase_positions(masked, phrase)
        if at:
            found.add("meeting")
            positions.update(at)
            for i in at:
                masked[i] = "\x00"
    # Role words, longest first.
    for phrase in _ROLE_PHRASES:
        if phrase.split()[0] not in present:
            continue
        at = _phrase_positions(masked, phrase)
        if at and not set(at) & positions:
            role = role or ROLE_WORDS[phrase]
            positions.update(at)
            for i in at:
                masked[i] = "\x00"
            found.add("role")
    # Only the cues whose first word the question has, longest first per kind.
    candidates: dict[str, list[str]] = {}
    for word in present:
        for name, cue in _CUES_BY_FIRST.get(word, ()):
            candidates.setdefault(name, []).append(cue)
    for name, cue in _CUES_BY_PREFIX:
        stem = cue.split()[0][:-1]
        if any(word.startswith(stem) for word in present):
            candidates.setdefault(name, []).append(cue)
    for name in CUES:
        for cue in sorted(candidates.get(name, ()), key=lambda c: -len(c.split())):
            at = _phrase_positions(masked, cue)
            if at and cue in ("hulp", "help") and at[0] > 0:
                continue  # "huishoudelijke hulp": a thing, not a call for help
            if at:
                found.add(name)
                positions.update(at)
                break
    return found, role, positions


def _known_word(key: str, index: NameIndex) -> bool:
    """A word of a dictionary, of the store's texts, or a compound of two such words."""
    import simplemma

    from storage.search import lemma

    def known(part: str) -> bool:
        return (part in index.text_words or part in index.known
                or simplemma.is_known(part, lang="nl") or simplemma.is_known(part, lang="en")
                or lemma(part) in index.text_words)

    if known(key):
        return True
    for cut in range(4, len(key) - 3):
        head, tail = key[:cut], key[cut:]
        if known(head) and (known(tail) or (tail.startswith("s") and known(tail[1:]))):
            return True
    return False


def _looks_like_name(words: list[Word], i: int, keys: list[str], index: NameIndex) -> bool:
    word = words[i]
    if i > 0 and word.text[:1].isupper() and word.text != "I":
        return True
    return word.corrected is None and not _known_word(keys[i], index)


# Small words inside names ("Marieke de Boer", "Alphen aan den Rijn").
PARTICLES = frozenset({"de", "van", "der", "den", "het", "aan", "ter", "te", "en", "op", "in",
                       "'t", "of", "the", "and", "du", "la", "le"})


def _unknown(words: list[Word], mentions: list[Mention], keys: list[str], index: NameIndex,
             inside_filters: set[int]) -> tuple[list[str], bool]:
    """Runs of words that look like a name the store does not hold: capitalised inside
    the sentence, or a word no dictionary and no text of the store knows. A run counts
    when part of it names nothing, or when it is pieced together from several names."""
    mention_at = {i: m for m in mentions for i in range(m.start, m.end)}

    def name_like(i: int) -> bool:
        word, key = words[i], keys[i]
        if i in inside_filters or key in PRONOUNS or key.isdigit() or key in STOPWORDS \
                or key in FILLER:
            return False
        if not re.search(r"[^\W\d_]", key):
            return False
        if key in LEXICON and i not in mention_at:
            return False
        capital = (i > 0 or word.possessive) and word.text[:1].isupper() and word.text != "I"
        if capital:
            # An abbreviation the texts use ("ZVH") is context beside a named record.
            abbreviation = word.text.isupper() and len(word.text) <= 6
            return not (abbreviation and mentions and word.folded in index.text_words)
        if i in mention_at or key in index.text_words:
            return False
        return word.corrected is None and not _known_word(key, index)

    runs: list[list[int]] = []
    i = 0
    while i < len(words):
        starts_name = (keys[i] in PARTICLES and i > 0 and words[i].text[:1].isupper()
                       and i + 1 < len(words) and name_like(i + 1))  # "Den Haag"
        if not name_like(i) and not starts_name:
            i += 1
            continue
        run = [i]
        j = i + 1
        while j < len(words):
            if name_like(j) or (words[j].text[:1].isupper() and keys[j] in LEXICON
                                and keys[j] not in PRONOUNS and len(keys[j]) > 1):
                run.append(j)  # "Vroeg Erop Af": a capitalised word of ours inside a name
                j += 1
            elif keys[j] in PARTICLES and j + 1 < len(words) and (
                    name_like(j + 1) or (keys[j + 1] in PARTICLES and j + 2 < len(words)
                                         and name_like(j + 2))):
                run.append(j)
                j += 1
            else:
                break
        runs.append(run)
        i = j
    def foreign(k: int) -> bool:
        """A plain word the store never uses: part of the name beside it ("piet janssen")."""
        key = keys[k]
        return (k not in mention_at and k not in inside_filters and key not in STOPWORDS
                and key not in LEXICON and key not in PRONOUNS and not key.isdigit()
                and key not in index.text_words and key not in index.known
                and len(key) > 2)

    found = []
    in_text = True
    for run in runs:
        content = [k for k in run if keys[k] not in PARTICLES]
        covering = {id(mention_at[k]) for k in content if k in mention_at}
        loose = [k for k in content if k not in mention_at]
        partial = any(not mention_at[k].exact for k in content if k in mention_at)
        if loose or (len(covering) > 1 and partial):
            in_text = in_text and bool(loose) and all(keys[k] in index.text_words for k in loose)
            # Shown with the plain words around it that the store never uses ("piet").
            while run[0] > 0 and foreign(run[0] - 1):
                run.insert(0, run[0] - 1)
            # … and through small words: "alphen aan den rijn".
            left = run[0] - 1
            while left > 0 and keys[left] in PARTICLES:
                left -= 1
            if left >= 0 and left < run[0] - 1 and foreign(left):
                run[:0] = list(range(left, run[0]))
            while run[-1] + 1 < len(words) and foreign(run[-1] + 1):
                run.append(run[-1] + 1)
            found.append(text_of_run(words, run))
    return found, in_text and bool(found)


def text_of_run(words: list[Word], run: list[int]) -> str:
    """The words as typed, with what stood between them ("Wmo-vervoer")."""
    first, last = words[run[0]], words[run[-1]]
    return first.text if first is last else _ORIGINAL.get()[first.start:last.end]


# --- Filters read before linking.

_QUARTER_WORDS = {"eerste": 1, "tweede": 2, "derde": 3, "vierde": 4, "laatste": 4, "first": 1,
                  "second": 2, "third": 3, "fourth": 4, "last": 4, "1e": 1, "2e": 2, "3e": 3,
                  "4e": 4}


def _periods(keys: list[str], used: set[int], *, today: date, plan_year: int
             ) -> tuple[Period | None, int | None]:
    period: Period | None = None
    year: int | None = None
    n = len(keys)

    def take(*positions: int) -> None:
        used.update(positions)

    for i, key in enumerate(keys):
        if re.fullmatch(r"(19|20|21)\d\d", key) and not (i > 0 and keys[i - 1] in MONTH_WORDS
                                                         and i > 1 and keys[i - 2].isdigit()):
            year = int(key)
            take(i)
    the_year = year or plan_year
    monday = today - timedelta(days=today.weekday())

    def week(offset: int, label: str) -> Period:
        start = monday + timedelta(weeks=offset)
        return Period(start, start + timedelta(days=6), label, "due")

    for i, key in enumerate(keys):
        nxt = keys[i + 1] if i + 1 < n else ""
        after = keys[i + 2] if i + 2 < n else ""
        if period is not None:
            break
        if m := re.fullmatch(r"[kq]([1-4])", key):
            start, end = quarter_bounds(the_year, int(m[1]))
            period = Period(start, end, f"K{m[1]} {the_year}", "window")
            take(i)
        elif key in _QUARTER_WORDS and nxt in ("kwartaal", "quarter"):
            q = _QUARTER_WORDS[key]
            start, end = quarter_bounds(the_year, q)
            period = Period(start, end, f"K{q} {the_year}", "window")
            take(i, i + 1)
        elif key in ("deze", "this", "huidige", "current") and nxt in ("week",):
            period = week(0, "week")
            take(i, i + 1)
        elif key in ("volgende", "komende", "next", "coming") and nxt in ("week",):
            period = week(1, "next_week")
            take(i, i + 1)
        elif key in ("vorige", "afgelopen", "last", "previous") and nxt in ("week",):
            period = week(-1, "last_week")
            take(i, i + 1)
        elif key in ("over", "in") and (nxt.isdigit() or nxt in NUMBER_WORDS) and after in (
                "weken", "weeks", "week"):
            count = int(nxt) if nxt.isdigit() else NUMBER_WORDS[nxt]
            if 0 < count < 60:
                period = week(count, f"in_weeks:{count}")
                take(i, i + 1, i + 2)
        elif key in ("binnen", "within", "komende", "next", "coming") and (
                nxt.isdigit() or nxt in NUMBER_WORDS) and after in ("weken", "weeks", "dagen", "days"):
            count = int(nxt) if nxt.isdigit() else NUMBER_WORDS[nxt]
            days = count * (7 if after.startswith("we") else 1)
            if 0 < days < 400:
                period = Period(today, today + timedelta(days=days), f"within:{days}", "due")
                take(i, i + 1, i + 2)
        elif key in ("deze", "this", "huidige", "current") and nxt in ("maand", "month"):
            start, end = month_bounds(today.year, today.month)
            period = Period(start, end, f"month:{today.month}:{today.year}", "due")
            take(i, i + 1)
        elif key in ("volgende", "komende", "next", "coming") and nxt in ("maand", "month"):
            first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
            start, end = month_bounds(first.year, first.month)
            period = Period(start, end, f"month:{first.month}:{first.year}", "due")
            take(i, i + 1)
        elif key in ("nu", "now", "momenteel", "currently", "tegenwoordig") or (
                key in ("op", "at") and nxt in ("dit", "the") and after in ("moment",)):
            period = Period(today, today, "now", "window")
            take(i)
        elif key in ("vandaag", "today"):
            period = Period(today, today, "today", "due")
            take(i)
        elif key in ("morgen", "tomorrow"):
            period = Period(today + timedelta(days=1), today + timedelta(days=1), "tomorrow", "due")
            take(i)
        elif key in ("dit", "this") and nxt in ("jaar", "year"):
            year = year or plan_year
            take(i, i + 1)
    if period is None:
        # A date ("16 april", "30-6-2020") or a month on its own ("in juni").
        for i, key in enumerate(keys):
            if i in used:
                continue
            nxt = keys[i + 1] if i + 1 < n else ""
            if key.isdigit() and nxt in MONTH_WORDS:
                third = keys[i + 2] if i + 2 < n and re.fullmatch(r"\d{4}", keys[i + 2]) else ""
                day = parse_date(f"{key} {nxt} {third}".strip(), today=date(the_year, 1, 1))
                if day is not None:
                    period = Period(day, day, "day", "due")
                    take(i, i + 1, *( [i + 2] if third else []))
                    if third:
                        year = int(third)
                    break
            if key in MONTH_WORDS and len(key) >= 3 and key not in ("mar", "may", "dec") or key in (
                    "mei", "maart", "may"):
                if key == "may" and nxt not in ("", "2020") and i + 1 < n:
                    continue
                month = MONTH_WORDS[key]
                start, end = month_bounds(the_year, month)
                period = Period(start, end, f"month:{month}:{the_year}", "due")
                take(i)
                break
    return period, year


def _numeric_date(text: str, words: list[Word], used: set[int], *, plan_year: int) -> date | None:
    """'30-6-2020', '12/3', '2020-03-12' as typed (the tokeniser splits them)."""
    for match in re.finditer(r"\b\d{1,4}[-/]\d{1,2}(?:[-/]\d{2,4})?\b", text):
        day = parse_date(match.group(), today=date(plan_year, 1, 1))
        if day is None:
            continue
        for i, word in enumerate(words):
            if word.start >= match.start() and word.end <= match.end():
                used.add(i)
        return day
    return None


_AMOUNT = re.compile(
    r"(?:€|\beur(?:o)?\b)\s*\d[\d.,]*(?:\s*(?:k|mln|miljoen|million|duizend|thousand|ton|mld|miljard)\b)?(?:,-)?"
    r"|\b\d[\d.,]*\s*(?:k|mln|miljoen|million|duizend|thousand|ton|mld|miljard)\b(?:\s*(?:euros?|eur)\b)?"
    r"|\b\d[\d.,]*\s*(?:euros?|eur)\b",
    re.I,
)


def _amount(text: str, words: list[Word], used: set[int], *, english: bool) -> Decimal | None:
    for match in _AMOUNT.finditer(text):
        written = match.group().replace(",-", "")
        if english and re.search(r"\d,\d{3}(?!\d)", written) and "." not in written:
            written = written.replace(",", "")  # "€100,000": English thousands
        value = parse_amount(written)
        if value is None:
            value = parse_amount(re.sub(r"\s*(euros?|eur)\b", "", written, flags=re.I))
        if value is None:
            continue
        for i, word in enumerate(words):
            if word.start >= match.start() and word.end <= match.end():
                used.add(i)
        return value
    # A bare number of four or more digits that is not a year ("verdeel 40000").
    for i, word in enumerate(words):
        if i in used:
            continue
        if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+(?:,\d{1,2})?|\d{4,}", word.text) and not re.fullmatch(
                r"(19|20|21)\d\d", word.text):
            written = word.text.replace(",", "") if english and "." not in word.text else word.text
            value = parse_amount(written)
            if value is not None:
                used.add(i)
                return value
    return None


def _programme_number(keys: list[str], used: set[int]) -> int | None:
    for i, key in enumerate(keys[:-1]):
        if key in ("programma", "programme", "program") and re.fullmatch(r"\d{1,3}", keys[i + 1]):
            used.update((i, i + 1))
            return int(keys[i + 1])
    return None


def _milestone_number(keys: list[str], used: set[int]) -> int | None:
    for i, key in enumerate(keys[:-1]):
        if key in ("mijlpaal", "milestone") and re.fullmatch(r"\d{1,9}", keys[i + 1]):
            used.add(i + 1)
            return int(keys[i + 1])
        if key in ("mijlpaal", "milestone") and keys[i + 1] in ("nr", "nummer", "number") and \
                i + 2 < len(keys) and re.fullmatch(r"\d{1,9}", keys[i + 2]):
            used.update((i + 1, i + 2))
            return int(keys[i + 2])
    return None


def _meeting_selector(keys: list[str], used: set[int], *, today: date) -> MeetingSelector | None:
    selector = MeetingSelector()
    found = False
    for i, key in enumerate(keys):
        if i in used:
            continue
        nxt = keys[i + 1] if i + 1 < len(keys) else ""
        if key in ("bosd", "overleg", "vergadering", "meeting", "bo") and re.fullmatch(r"\d{1,2}", nxt) \
                and i + 1 not in used:
            selector.number = int(nxt)
            used.add(i + 1)
            found = True
        elif key in ("nr", "nummer", "number", "#") and re.fullmatch(r"\d{1,2}", nxt) \
                and i + 1 not in used:
            selector.number = int(nxt)
            used.update((i, i + 1))
            found = True
        elif key in ORDINALS and nxt not in ("kwartaal", "quarter", "week"):
            selector.ordinal = ORDINALS[key]
            used.add(i)
            found = True
        elif (m := re.fullmatch(r"(\d{1,2})(?:e|de|ste|st|nd|rd|th)", key)) and nxt not in (
                "kwartaal", "quarter", "week"):
            selector.ordinal = int(m[1])
            used.add(i)
            found = True
        elif key in ("volgende", "eerstvolgende", "next", "komende", "upcoming") and nxt not in (
                "week", "maand", "month", "kwartaal", "quarter", "jaar", "year"):
            selector.relative = "next"
            used.add(i)
            found = True
        elif key in ("vorige", "previous", "afgelopen", "recentste", "recent", "recente",
                     "jongste") and nxt not in (
                "week", "maand", "month", "kwartaal", "quarter", "jaar", "year"):
            selector.relative = "previous"
            used.add(i)
            found = True
        elif key in ("laatste", "last", "final", "slot") and nxt not in (
                "week", "maand", "month", "kwartaal", "quarter", "jaar", "year"):
            selector.relative = "last"
            used.add(i)
            found = True
    return selector if found else None
