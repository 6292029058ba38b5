"""Who may change what, declared once.

A changing subcommand names its level (`@subcommand("volg", may=COORDINATOR)`);
`/regio help` says who may from that declaration (the level's words in the catalogue),
and `require` is the one check, the same for a command, a button and a modal: the
change functions call it just before they change anything.

- COORDINATOR — admins and coordinators: BOSD agenda items, `koppel`, `volg`/`ontvolg`
  and the decision on a link request. They change what everybody sees and where the bot
  posts.
- MILESTONE — also the milestone's owner, its programme's programmamanager and
  opdrachtgevers, and the projectleider of its project: `gereed`, `heropen`,
  `verplaats`, `eigenaar` and the buttons and forms of a milestone card.

Admins are the Slack user ids in REGIOBOT_ADMINS; a coordinator is the person linked to
the Slack user with `is_coordinator` set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from commands.core import Context, Declined, Reply
from commands.helpers import me
from commands.i18n import escape, t
from storage import queries
from storage.models import Milestone


def is_coordinator(ctx: Context) -> bool:
    if ctx.is_admin:
        return True
    person = me(ctx)
    return bool(person and person.is_coordinator)


def can_change_milestone(ctx: Context, milestone: Milestone) -> bool:
    if is_coordinator(ctx):
        return True
    person = me(ctx)
    if person is None:
        return False
    if milestone.owner_id == person.id:
        return True
    answerable = queries.persons_answerable_for(ctx.session, programme_id=milestone.programme_id)
    if any(p.id == person.id for p in answerable):
        return True
    if milestone.project_id is not None:
        leads = queries.project_leads(ctx.session, project_id=milestone.project_id)
        return any(p.id == person.id for p in leads)
    return False


@dataclass(frozen=True)
class Level:
    """A level of rights: `allows(ctx, subject)` is the rule; the catalogue has its words
    as `may.<name>` (who, for the help text) and `refused.<name>` (why not)."""

    name: str
    allows: Callable[[Context, Any], bool]

    def who(self, lang: str) -> str:
        return t(f"may.{self.name}", lang)

    def why_not(self, ctx: Context, subject: Any = None) -> str:
        programme = escape(subject.programme.name) if isinstance(subject, Milestone) else ""
        return t(f"refused.{self.name}", ctx.lang, programme=programme)


COORDINATOR = Level("coordinator", lambda ctx, _subject: is_coordinator(ctx))
MILESTONE = Level("milestone", lambda ctx, milestone: can_change_milestone(ctx, milestone))
LEVELS = (COORDINATOR, MILESTONE)


class Refused(Declined):
    """A change refused for lack of rights; its reply says who may. Nothing was changed."""

    def __init__(self, reply: Reply, level: Level) -> None:
        super().__init__(reply)
        self.level = level


def refusal(ctx: Context, why: str) -> Reply:
    reply = Reply.error(t("refused", ctx.lang, why=why), hint=t("refused.hint", ctx.lang))
    reply.refused = True
    return reply


def require(ctx: Context, level: Level, subject: Any = None) -> None:
    """Go on only if `ctx`'s user may make a change of `level` (to `subject`, e.g. a
    milestone); else raise Refused, which the caller answers with its reply."""
    if not level.allows(ctx, subject):
        raise Refused(refusal(ctx, level.why_not(ctx, subject)), level)
