"""The one entry point for text: `/regio …`, a mention, a DM or a console line → a Reply.

`handle` never raises: it answers through `commands.core.answer_safely`, where an
unexpected error is logged, the transaction rolled back, and the person gets a short
apology instead of a stack trace. It does not commit: the caller owns the transaction.
"""

from __future__ import annotations

import dataclasses
import logging
import re

from commands import registry
from commands.core import Context, Declined, Reply, answer_safely
from commands.i18n import unescape

log = logging.getLogger(__name__)

# "deel" / "share" at the end of a read command posts the answer for the channel.
SHARE_WORDS = {"deel", "delen", "share", "--deel", "--share"}
_LEADING_COMMAND = re.compile(r"^\s*/regio\b", re.I)
_LEADING_MENTION = re.compile(r"^\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>[\s,:]*")


_FREE_TEXT_TAIL = re.compile(r"^agenda\s+\S+\s+(toevoegen|add)\b", re.I)


def split_share(text: str) -> tuple[str, bool]:
    if _FREE_TEXT_TAIL.match(text):
        # An agenda item's title is free text: "… kosten deel" is part of it.
        return text, False
    words = text.split()
    if words and words[-1].lower().strip(".!") in SHARE_WORDS:
        return " ".join(words[:-1]), True
    return text, False


def handle(text: str, ctx: Context) -> Reply:
    """Answer `text` — a subcommand with its arguments, or a free question — for `ctx`."""
    return answer_safely(lambda ctx: _handle(text, ctx), ctx, what=repr(text))


def _handle(text: str, ctx: Context) -> Reply:
    # Slack escapes &, < and > in what people type ("R&amp;K"); mentions and
    # links stay as <…> control sequences, which parse_user reads.
    text = unescape(_LEADING_MENTION.sub("", text or ""))
    text = _LEADING_COMMAND.sub("", text).strip()
    text, share = split_share(text)
    reply = _answer(text, ctx)
    if share and reply.ok and not reply.changed:
        reply.ephemeral = False
    return reply


# Read subcommands whose first word also starts everyday questions ("wie is …?",
# "budget van …?"): a sentence after them goes to the interpreter.
_QUESTION_FIRST = {"wie", "who", "budget", "begroting", "kosten", "project", "projecten",
                   "programma", "programme", "bosd", "overleg", "meeting", "agenda",
                   "mijlpalen", "milestones", "deadlines", "verdeel", "verdeelsleutel", "split",
                   "help", "hulp", "zoek", "search", "declaraties", "declarations"}
_QUESTION_WORDS = re.compile(
    r"(\?\s*$)|\b(wie|wat|wanneer|welke|welk|hoeveel|hoe|waar|waarom|is|zijn|was|heeft|hebben|"
    r"moet|who|what|when|which|how|where|why|are|does|do|has|have|can)\b", re.I)


def _answer(text: str, ctx: Context) -> Reply:
    if not text:
        return registry.handler("help")("", ctx)
    first, _, rest = text.partition(" ")
    entry = registry.find(first.lower())
    if entry is not None and first.lower() == "ik" and not re.match(r"\s*ben\b", rest, re.I):
        entry = None  # "ik heb morgen overleg …": a question, not `/regio ik ben <naam>`
    if entry is not None:
        read_command = first.lower() in _QUESTION_FIRST
        if read_command and _is_sentence(first, rest):
            return _question(text, ctx)
        ctx = in_language_of(text, ctx)
        try:
            reply = entry.handler(rest.strip(), ctx)
        except Declined as declined:
            # Not found or refused: nothing changed; a question may still understand it.
            ctx.session.rollback()
            reply = declined.reply
        reply.lang = reply.lang or ctx.lang
        if read_command and not reply.ok and not reply.refused and entry.name != "help" and (
                rest.strip() or first.lower() == "verdeelsleutel") and not _CHANGE.search(rest):
            # "verdeel 50.000 euro over de gemeenten", "agenda van de bosd van 30 jan":
            # what the command cannot read, a question may.
            understood = _question(text, ctx)
            if understood.ok:
                return understood
        return reply
    return _question(text, ctx)


def _question(text: str, ctx: Context) -> Reply:
    # The question reader (and the name index and lexicon it loads) only when asked.
    from commands import questions

    return questions.answer(text, ctx)


# English names of subcommands: typing one is asking in English. (The Dutch names are
# the ones everybody types, so they do not switch an English reader to Dutch.)
ENGLISH_COMMANDS = frozenset({"who", "milestones", "milestone", "deadlines", "programme",
                              "programmes", "program", "split", "search", "find", "meeting",
                              "link", "follow", "unfollow", "following", "subscriptions",
                              "declarations", "calendar"})


def in_language_of(text: str, ctx: Context) -> Context:
    """`ctx` in the language of a command: English for an English subcommand name or
    English words after it ("budget of …")."""
    first, _, rest = text.strip().partition(" ")
    if first.lower() in ENGLISH_COMMANDS:
        return dataclasses.replace(ctx, lang="en")
    if not rest.strip():
        return ctx
    from commands.reading import ENGLISH, detect_language, words_of

    words = words_of(rest)
    if any(w.folded in ENGLISH for w in words) and detect_language(words, []) == "en":
        return dataclasses.replace(ctx, lang="en")
    return ctx


_CHANGE = re.compile(r"\b(toevoegen|add|gereed|heropen|verplaats|intrekken)\b", re.I)


def _is_sentence(first: str, rest: str) -> bool:
    """'wie is de programmamanager van …?' rather than 'wie gewoon thuis jeugd'."""
    if first.lower() == "agenda" and re.match(r"\s*#?\d+\s+(toevoegen|add)\b", rest, re.I):
        return False
    # A year the command does not read ("budget jbjr 2018") is a question's filter.
    return bool(_QUESTION_WORDS.search(rest)
                or re.search(r"(?<![-/.\d])(19|20|21)\d\d(?![-/.\d])", rest))
