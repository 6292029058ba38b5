"""The shapes every handler shares: who asks (Context), what comes back (Reply), the one
place where a failed answer becomes an answer (`answer_safely`), and the registry of
subcommands, whose docstrings are their help text."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

from commands.i18n import t
from regiobot.settings import Settings, get_settings
from storage.on_first_use import StoreNotReady

if TYPE_CHECKING:
    from commands.permissions import Level

log = logging.getLogger(__name__)

Lang = Literal["nl", "en"]


@dataclass(frozen=True)
class Context:
    """Who asks, when, and in which language. `session` is the store to read and write."""

    session: Session
    today: date
    now: datetime
    user_id: str | None = None
    lang: Lang = "nl"
    # Slack user ids with every right (settings.regiobot_admins).
    admins: frozenset[str] = frozenset()
    channel_id: str | None = None
    # True at the console (and `regiobot ask`): no Slack, so "@anke" names a console user.
    console: bool = False
    # The settings the handlers read (feed URLs, contract managers, deadlines): given by
    # whoever makes the context; the process's settings when not given.
    settings: Settings = field(default_factory=get_settings)

    @property
    def is_admin(self) -> bool:
        return self.user_id is not None and self.user_id in self.admins


# --- Reply data: structure, not Block Kit. `commands.render` turns it into blocks or text.


@dataclass(frozen=True)
class Header:
    text: str


@dataclass(frozen=True)
class Text:
    """A paragraph in Slack mrkdwn (`*bold*`, `_italic_`, `<url|label>`)."""

    text: str


@dataclass(frozen=True)
class Fields:
    """Short label/value pairs shown side by side (Slack allows 10 per section)."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Note:
    """Small grey print under a block: periods, owners, sources."""

    text: str


@dataclass(frozen=True)
class Divider:
    pass


@dataclass(frozen=True)
class Button:
    label: str
    action_id: str
    value: str
    style: Literal["primary", "danger"] | None = None


@dataclass(frozen=True)
class DatePicker:
    """Slack's datepicker in a row of buttons: the chosen day arrives as `selected_date`
    with the row's block_id (which names the object, e.g. "milestone-12")."""

    action_id: str
    placeholder: str
    initial: date | None = None


@dataclass(frozen=True)
class Actions:
    buttons: tuple[Button | DatePicker, ...]
    block_id: str | None = None


Part = Header | Text | Fields | Note | Divider | Actions


@dataclass(frozen=True)
class Attachment:
    """A file that goes with a reply (a chart): uploaded to Slack beside the message
    (files_upload_v2), written to a file at the console. `render` makes its bytes only
    when something is going to show it."""

    filename: str
    title: str
    render: Callable[[], bytes] = field(compare=False, repr=False)


@dataclass
class Reply:
    """What a handler answers.

    `summary` is the one-line plain text Slack shows in notifications (the `text`
    fallback); `ephemeral` is True for read answers unless the user asked to share;
    `ok` is False for refusals and errors; `changed` says the store was changed.
    """

    summary: str
    parts: list[Part] = field(default_factory=list)
    ephemeral: bool = True
    ok: bool = True
    changed: bool = False
    # Files to show with the message (charts); empty for most replies.
    files: list[Attachment] = field(default_factory=list)
    # The language the reply is written in, when it is not the asker's default (a
    # question is answered in the language it was asked in).
    lang: Lang | None = None
    # A change refused for lack of rights (not a misunderstanding): said as it is.
    refused: bool = False

    @classmethod
    def error(cls, message: str, *, hint: str | None = None) -> Reply:
        parts: list[Part] = [Text(message)]
        if hint:
            parts.append(Note(hint))
        return cls(summary=message, parts=parts, ok=False)


class Declined(Exception):
    """Ends an answer early with `reply` — a name not found, a change refused — having
    changed nothing. `answer_safely` (and the dispatcher) answer with the reply."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.summary)
        self.reply = reply


def apology(lang: str) -> Reply:
    """What the person gets when answering failed unexpectedly."""
    return Reply.error(t("error.unexpected", lang))


def answer_safely(run: Callable[[Context], Reply], ctx: Context, *, what: str = "") -> Reply:
    """Run one handler for `ctx`; never raises. The one place where a failure becomes an
    answer: Declined gives its reply; any other exception is logged and apologised for
    in the user's language. Either way the session is rolled back, so nothing half-done
    is kept. Committing what went well is the caller's: it owns the transaction."""
    try:
        return run(ctx)
    except StoreNotReady:
        raise  # not the answer's fault: `regiobot ask` tells how to make the store
    except Declined as declined:
        _rollback(ctx)
        return declined.reply
    except Exception:
        log.exception("answering %s failed", what or "a request")
        _rollback(ctx)
        return apology(ctx.lang)


def _rollback(ctx: Context) -> None:
    try:
        ctx.session.rollback()
    except Exception:
        log.exception("rollback failed")


# --- Forms: what a modal asks (commands.render.to_modal_view makes the Slack view).


@dataclass(frozen=True)
class Field:
    """One input of a form. `kind`: date, text, multiline, user (a Slack user picker) or
    choice (`options`: (value, label) pairs). Its answer arrives under `block_id`."""

    block_id: str
    label: str
    kind: Literal["date", "text", "multiline", "user", "choice"]
    initial: str | None = None
    options: tuple[tuple[str, str], ...] = ()
    optional: bool = False
    hint: str | None = None
    max_length: int | None = None


@dataclass(frozen=True)
class Form:
    """A modal: `callback_id` says which handler takes the answers, `private` what it is
    about (e.g. a milestone id and the message the form was opened from)."""

    callback_id: str
    title: str
    submit: str
    fields: tuple[Field, ...]
    private: str = ""
    intro: str | None = None


@dataclass
class FormResult:
    """The answer to a submitted form: `errors` per field (the modal stays open and shows
    them; nothing changed), or the reply of the change that was made."""

    errors: dict[str, str] | None = None
    reply: Reply | None = None


# --- The subcommand registry.

Handler = Callable[[str, Context], Reply]


@dataclass(frozen=True)
class Subcommand:
    name: str
    handler: Handler
    aliases: tuple[str, ...] = ()
    # Who may make the changes it makes (commands.permissions); None: it only reads.
    may: Level | None = None

    @property
    def help(self) -> str:
        """The handler's docstring, which is its help text."""
        return inspect.cleandoc(self.handler.__doc__ or "")

    def help_text(self, lang: str) -> str:
        """The help text with who may change, as the subcommand declares it."""
        if self.may is None:
            return self.help
        return f"{self.help}\n\n{t('help.may', lang, who=self.may.who(lang))}"

    @property
    def usage(self) -> str:
        return self.help.splitlines()[0] if self.help else self.name


SUBCOMMANDS: dict[str, Subcommand] = {}


def subcommand(name: str, *aliases: str, may: Level | None = None) -> Callable[[Handler], Handler]:
    """Register a handler as `/regio <name>` (and its aliases); `may`: who may make the
    changes it makes, checked by `commands.permissions.require` where it changes."""

    def decorate(handler: Handler) -> Handler:
        entry = Subcommand(name=name, handler=handler, aliases=aliases, may=may)
        for word in (name, *aliases):
            if word in SUBCOMMANDS and SUBCOMMANDS[word].handler is not handler:
                raise ValueError(f"subcommand {word!r} registered twice")
            SUBCOMMANDS[word] = entry
        return handler

    return decorate
