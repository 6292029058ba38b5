"""Free questions in Dutch and English, mapped onto the same subcommands.

"wie is de programmamanager van gewoon thuis?" → `wie programmamanager gewoon thuis`;
"wanneer is de volgende BOSD?" → `bosd volgende`; "wat is het budget van jeugdigen
beschermen?" → `budget jeugdigen beschermen`; "welke mijlpalen zijn te laat?" →
`mijlpalen te laat`. Keyword rules rather than a model: predictable, testable, and the
handlers answer "bedoel je …?" when the name part is off.
"""

from __future__ import annotations

import re

from commands.core import Context, Note, Reply, Text
from commands.i18n import escape, t
from commands.names import resolve
from commands.parsing import fold, parse_date

# Words that carry no name: removed before the rest is looked up as a name.
FILLER = {
    # Dutch
    "wie", "wat", "wanneer", "welke", "welk", "hoeveel", "hoe", "waar", "is", "zijn", "was",
    "de", "het", "een", "van", "voor", "bij", "in", "op", "aan", "er", "nog", "die", "dat",
    "mij", "me", "ik", "je", "jij", "u", "kun", "kan", "kunt", "geef", "vertel", "toon",
    "laat", "zien", "weet", "wil", "graag", "eens", "even", "heeft", "hebben", "doet",
    "over", "met", "om", "te", "regio", "regiobot", "alsjeblieft", "aub", "please", "hallo",
    "hoi", "hey", "beste", "staat", "staan", "gepland", "elke", "iedere", "komt", "komen",
    "gaat", "moet", "wordt", "zit", "zitten", "allemaal", "welkom",
    # English
    "who", "what", "when", "which", "how", "much", "many", "where", "are", "the", "a", "an",
    "of", "for", "at", "on", "to", "do", "does", "tell", "show", "give", "i", "you",
    "can", "could", "would", "about", "with", "hi", "hello", "each", "every", "its",
    "planned", "scheduled",
}
WHO = ("wie", "who", "programmamanager", "opdrachtgever", "eigenaar", "owner", "owns",
       "projectleider", "contactpersoon", "contact", "trekker", "team", "sponsor",
       "beleidsadviseur", "projectsecretaris")
MEETING = ("bosd", "overleg", "vergadering", "meeting", "bestuurlijk overleg")
BUDGET = ("budget", "begroting", "kost", "kosten", "geld", "financien", "financiering",
          "cost", "costs", "money", "funding", "transformatiefonds")
SPLIT = ("verdeel", "verdelen", "verdeling", "verdeelsleutel", "split", "share per",
         "per gemeente", "betaalt", "betalen", "pays")
MILESTONES = ("mijlpaal", "mijlpalen", "milestone", "milestones", "deadline", "deadlines",
              "te laat", "overdue", "late", "due")
HELP = ("help", "hulp", "wat kun je", "what can you do", "wat kan je", "commando", "commands")
PROJECT = ("project", "deelproject")
PROGRAMME = ("programma", "programme", "programmas", "programmes", "program")
TOPIC_WORDS = {
    "bosd", "overleg", "vergadering", "meeting", "volgende", "next", "eerstvolgende",
    "agenda", "budget", "begroting", "kost", "kosten", "geld", "financien", "cost", "costs",
    "money", "verdeel", "verdelen", "verdeling", "verdeelsleutel", "split", "betaalt",
    "betalen", "pays", "gemeente", "gemeenten", "per", "project", "deelproject", "programma",
    "programme", "program", "funding", "financiering", "bestuurlijk",
}


def _has(text: str, words: tuple[str, ...]) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(w)}", text) for w in words)


def _rest(text: str, *, keep: set[str] = frozenset()) -> str:
    words = re.findall(r"[\w€.,'+/-]+", text)
    kept = [
        w.strip(".,") for w in words
        if w in keep or (w not in FILLER and w not in TOPIC_WORDS)
    ]
    return " ".join(w for w in kept if w)


def understand(text: str, ctx: Context) -> tuple[str, str] | None:
    """(subcommand, its arguments) for a question, or None when it is not understood."""
    folded = fold(text).strip()
    folded = re.sub(r"[?!]+", " ", folded).strip()
    if not folded:
        return "help", ""
    if _has(folded, HELP) and len(folded.split()) <= 5:
        return "help", ""
    if _has(folded, SPLIT) and not _has(folded, MILESTONES):
        return "verdeel", _rest(folded)
    if one := re.search(r"\b(?:mijlpaal|milestone)\s+(?:nr\.?\s*|nummer\s+|number\s+)?#?(\d{1,9})\b",
                        folded):
        # A question about one milestone shows it; changing it takes the command.
        return "mijlpaal", one[1]
    if _has(folded, MILESTONES):
        return "mijlpalen", folded
    if _has(folded, MEETING):
        rest = _rest(folded)
        if not rest:
            return "bosd", "volgende"
        number = re.fullmatch(r"(?:nr|nummer|number)?\s*#?(\d{1,2})\.?", rest)
        if number:
            return "bosd", number[1]
        if parse_date(rest, today=ctx.today) is not None:
            return "bosd", rest
        return "bosd", "volgende"
    if _has(folded, BUDGET):
        return "budget", _rest(folded)
    if _has(folded, WHO):
        from commands.people import split_role

        kind, _ = split_role(folded)
        rest = _rest(folded, keep=set())
        for word in ("team", "contact", "contactpersoon"):
            rest = re.sub(rf"\b{word}\b", " ", rest)
        rest = re.sub(r"\s+", " ", rest).strip()
        # Role words ("programmamanager", "owns") stay in: `wie` reads them.
        return "wie", rest
    if _has(folded, PROJECT):
        return "project", _rest(folded)
    if _has(folded, PROGRAMME):
        return "programma", _rest(folded)
    # A bare name, or a name in a question without keywords ("GHNT", "wat doet Conny
    # Kelly?") — say what or who it is.
    for candidate in dict.fromkeys((folded, _rest(folded))):
        if not candidate:
            continue
        resolution = resolve(ctx.session, candidate)
        if resolution.match is not None:
            if resolution.match.kind == "programme":
                return "programma", candidate
            return "wie", candidate
    return None


def not_understood(text: str, ctx: Context) -> Reply:
    message = t("unknown", ctx.lang, text=escape(text.strip()[:200]))
    # Only close calls: a sentence that is no command should not "mean" a programme.
    resolution = resolve(ctx.session, text, suggest=80)
    parts = [Text(message)]
    if resolution.suggestions:
        options = ", ".join(f"*{escape(c.label)}*" for c in resolution.suggestions)
        parts.append(Text(t("did_you_mean", ctx.lang, options=options)))
    parts.append(Note(t("unknown.hint", ctx.lang)))
    return Reply(summary=message, parts=parts, ok=False)
