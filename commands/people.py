"""`/regio wie …` (who does what) and `/regio koppel @gebruiker <persoon>`."""

from __future__ import annotations

import re

from commands.core import Context, Header, Note, Reply, Text, subcommand
from commands.helpers import audit, find_one, usage_error
from commands.i18n import escape, join_words, t
from commands.parsing import fold, parse_user
from commands.permissions import COORDINATOR, require
from storage import queries
from storage.models import Person, Programme, Project, Role

# Words in a question that ask for one role; the value is matched against Role.kind.
ROLE_WORDS = {
    "programmamanager": "programmamanager",
    "programmamanagers": "programmamanager",
    "programma-manager": "programmamanager",
    "manager": "programmamanager",
    "programme manager": "programmamanager",
    "eigenaar": "programmamanager",
    "owner": "programmamanager",
    "owns": "programmamanager",
    "trekker": "programmamanager",
    "opdrachtgever": "opdrachtgever",
    "opdrachtgevers": "opdrachtgever",
    "sponsor": "opdrachtgever",
    "sponsors": "opdrachtgever",
    "bestuurlijk opdrachtgever": "bestuurlijk opdrachtgever",
    "ambtelijk opdrachtgever": "ambtelijk opdrachtgever",
    "bestuurder": "bestuurlijk opdrachtgever",
    "projectleider": "projectleider",
    "projectleiders": "projectleider",
    "project leader": "projectleider",
    "projectsecretaris": "projectsecretaris",
    "secretaris": "projectsecretaris",
    "beleidsadviseur": "beleidsadviseur",
    "beleidsadviseurs": "beleidsadviseur",
}
_ROLE_RE = re.compile(
    r"\b(" + "|".join(sorted((re.escape(w) for w in ROLE_WORDS), key=len, reverse=True)) + r")\b"
)


def split_role(text: str) -> tuple[str | None, str]:
    """('programmamanager', 'gewoon thuis') from 'programmamanager gewoon thuis'."""
    folded = fold(text)
    match = _ROLE_RE.search(folded)
    if not match:
        return None, text
    rest = (folded[: match.start()] + " " + folded[match.end() :]).strip()
    return ROLE_WORDS[match[1]], re.sub(r"\s+", " ", rest)


def _holder(role: Role) -> str:
    if role.person is not None and (not role.holder or role.person.name in role.holder):
        return role.holder or role.person.name
    return role.holder or (role.person.name if role.person else "—")


def _role_line(role: Role) -> str:
    if not role.holder and role.person is None:
        # An unfilled post ("Beleidsadviseurs: 64 uur"): just its hours.
        return f"*{escape(role.label)}*: {escape(role.hours_text or '—')}"
    line = f"*{escape(role.label)}*: {escape(_holder(role))}"
    if role.hours_text:
        line += f" — {escape(role.hours_text)}"
    return line


def _focus(kind: str, roles: list[Role], name: str, ctx: Context) -> Text:
    chosen = [r for r in roles if kind in r.kind]
    label = kind[0].upper() + kind[1:]
    if not chosen:
        return Text(t("who.focus_none", ctx.lang, kind=kind, programme=escape(name)))
    names = join_words([escape(_holder(r)) for r in chosen], ctx.lang)
    return Text(t("who.focus", ctx.lang, kind=label, programme=escape(name), names=names))


def who_programme(programme: Programme, ctx: Context, kind: str | None = None) -> Reply:
    lang = ctx.lang
    roles = queries.find_roles(ctx.session, programme_id=programme.id)
    parts: list = [Header(t("who.title", lang, name=programme.name))]
    if kind:
        parts.append(_focus(kind, roles, programme.name, ctx))
    sponsors = [r for r in roles if "opdrachtgever" in r.kind and r.project_id is None]
    team = [r for r in roles if r not in sponsors]
    if sponsors:
        parts.append(Text(f"*{t('who.sponsors', lang)}*\n"
                          + "\n".join(_role_line(r) for r in sponsors)))
    if team:
        lines = []
        for role in team:
            line = _role_line(role)
            if role.project is not None:
                line += f" _({escape(role.project.name)})_"
            lines.append(line)
        parts.append(Text(f"*{t('who.team', lang)}*\n" + "\n".join(lines)))
    if not roles:
        parts.append(Text(t("who.none", lang)))
    partners = [p.name for p in programme.partners]
    if partners:
        parts.append(Text(f"*{t('who.partners', lang)}*\n" + escape(", ".join(partners))))
    summary_names = [_holder(r) for r in roles if r.person is not None]
    summary = f"{programme.name}: {', '.join(summary_names)}" if summary_names else programme.name
    return Reply(summary=summary, parts=parts)


def who_project(project: Project, ctx: Context, kind: str | None = None) -> Reply:
    lang = ctx.lang
    roles = queries.find_roles(ctx.session, project_id=project.id)
    parts: list = [Header(t("who.title", lang, name=project.name[:120])),
                   Note(t("project.of", lang, programme=escape(project.programme.name)))]
    if kind:
        parts.append(_focus(kind, roles, project.name, ctx))
    if roles:
        parts.append(Text("\n".join(_role_line(r) for r in roles)))
    # Who answers for the project otherwise: its programme's people.
    programme_reply = who_programme(project.programme, ctx)
    parts += programme_reply.parts[1:]
    return Reply(summary=project.name, parts=parts)


def who_person(person: Person, ctx: Context) -> Reply:
    lang = ctx.lang
    parts: list = [Header(t("who.title", lang, name=person.name))]
    roles = queries.find_roles(ctx.session, person_id=person.id)
    if roles:
        lines = []
        for role in roles:
            where = role.programme.name + (f" › {role.project.name}" if role.project else "")
            line = f"*{escape(role.label)}* — {escape(where)}"
            if role.hours_text:
                line += f" ({escape(role.hours_text)})"
            lines.append(line)
        parts.append(Text(f"*{t('who.person_roles', lang)}*\n" + "\n".join(lines)))
    else:
        parts.append(Text(t("who.none", lang)))
    owned = queries.find_milestones(ctx.session, owner_id=person.id, statuses=("open",))
    if owned:
        parts.append(Note(t("who.milestones", lang, n=len(owned))))
    if person.is_coordinator:
        parts.append(Note(t("who.coordinator", lang)))
    if person.slack_user_id:
        parts.append(Note(t("who.person_slack", lang, user=person.slack_user_id)))
    else:
        parts.append(Note(t("who.person_unlinked", lang)))
    summary = f"{person.name}: " + "; ".join(
        f"{r.label} {r.programme.name}" for r in roles
    ) if roles else person.name
    return Reply(summary=summary, parts=parts)


@subcommand("wie", "who")
def wie(args: str, ctx: Context) -> Reply:
    """`/regio wie <programma | project | persoon>` — opdrachtgevers, team met uren en partners; of alle rollen van een persoon.

    Ook met een rol erbij: `/regio wie programmamanager gewoon thuis`,
    `/regio wie opdrachtgever JBJR`, `/regio wie Anke van der Landen`.
    """
    kind, name = split_role(args)
    if not name.strip():
        return usage_error(ctx, "/regio wie <programma | project | persoon>")
    found = find_one(ctx, name, ("programme", "project", "person"), "name")
    if found.kind == "programme":
        return who_programme(found.obj, ctx, kind)
    if found.kind == "project":
        return who_project(found.obj, ctx, kind)
    return who_person(found.obj, ctx)


_CONSOLE_USER = re.compile(r"^@([\w.-]{1,30})$")


def person_user(word: str, ctx: Context) -> str | None:
    """The Slack user a word names: a mention (`<@U123|anke>`) or a bare id; at the
    console, where there is no Slack, `@anke` names the console user "anke" (who can
    then ask as `regiobot ask --as anke …`)."""
    user = parse_user(word)
    if user is None and ctx.console and (match := _CONSOLE_USER.match(word.strip())):
        user = match[1].lower()
    return user


def _link(ctx: Context, person: Person, user: str, *, action: str) -> tuple[Person | None, str | None]:
    """Link `user` to `person`, audited; (the person the user was linked to before, the
    user the person was linked to before)."""
    before = person.slack_user_id
    previous = queries.link_person(ctx.session, person=person, slack_user_id=user)
    audit(ctx, action, "person", person.id, slack_user_id=user,
          previous_slack_user_id=before,
          previous_person=previous.name if previous else None)
    return previous, before


@subcommand("koppel", "link", may=COORDINATOR)
def koppel(args: str, ctx: Context) -> Reply:
    """`/regio koppel @gebruiker <persoon>` — koppel een Slack-gebruiker aan een persoon uit het programma.

    Dan weet ik wiens mijlpalen op de Home-tab en bij `/regio mijlpalen mijn` horen, en
    wie de persoonlijke herinneringen krijgt. Voorbeeld: `/regio koppel @anke Anke van der Landen`. Aan de console is
    `@anke` een console-gebruiker (`regiobot ask --as anke …`).
    """
    lang = ctx.lang
    first, _, rest = args.strip().partition(" ")
    user = person_user(first, ctx) if first else None
    if user is None or not rest.strip():
        if ctx.console:
            return Reply.error(t("link.usage", lang), hint=t("console.not_person", lang))
        return Reply.error(t("link.usage", lang))
    require(ctx, COORDINATOR)
    found = find_one(ctx, rest, ("person",), "person")
    person: Person = found.obj
    if person.slack_user_id == user:
        message = t("link.same", lang, user=user, person=escape(person.name))
        return Reply(summary=message, parts=[Text(message)])
    previous, _ = _link(ctx, person, user, action="person.link")
    message = t("link.done", lang, user=user, person=escape(person.name))
    parts: list = [Text(message)]
    if previous is not None:
        parts.append(Note(t("link.moved", lang, user=user, previous=escape(previous.name))))
    return Reply(summary=message, parts=parts, changed=True)


@subcommand("ik", "iam")
def ik_ben(args: str, ctx: Context) -> Reply:
    """`/regio ik ben <naam>` — zeg wie je bent, zodat `mijn`, de Home-tab en de herinneringen over jou gaan.

    Aan de console koppel ik je meteen. In Slack koppel ik je zelf als je Slack-naam of
    e-mailadres bij die persoon past en niemand anders al aan die persoon gekoppeld is;
    anders vraag ik de coördinatoren om goedkeuring (een DM met Goedkeuren/Afwijzen).
    """
    lang = ctx.lang
    words = args.strip().split(maxsplit=1)
    if ctx.user_id is None or not words or fold(words[0]) not in ("ben", "am") or len(words) < 2:
        return Reply.error(t("iam.usage", lang))
    found = find_one(ctx, words[1], ("person",), "person")
    person: Person = found.obj
    if person.slack_user_id == ctx.user_id:
        message = t("iam.same", lang, person=escape(person.name))
        return Reply(summary=message, parts=[Text(message)])
    if not ctx.console and not COORDINATOR.allows(ctx, None):
        from commands.identity import link_self  # Slack only

        return link_self(person, ctx)
    previous, _ = _link(ctx, person, ctx.user_id, action="person.link_self")
    message = t("iam.done", lang, person=escape(person.name))
    parts: list = [Text(message)]
    if previous is not None:
        parts.append(Note(t("link.moved", lang, user=ctx.user_id,
                            previous=escape(previous.name))))
    return Reply(summary=message, parts=parts, changed=True)
