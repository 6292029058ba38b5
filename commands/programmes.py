"""`/regio programma [naam]` and `/regio project <naam>`."""

from __future__ import annotations

from commands.core import Context, Fields, Header, Note, Reply, Text, subcommand
from commands.helpers import (
    find_one,
    milestone_line,
    programme_label,
    region_id,
    usage_error,
)
from commands.i18n import escape, t
from storage import queries
from storage.models import Programme, Project

MAX_GOALS = 8


def _bullets(items: list[str]) -> str:
    return "\n".join(f"• {escape(item)}" for item in items)


def programme_reply(programme: Programme, ctx: Context) -> Reply:
    lang = ctx.lang
    parts: list = [Header(programme_label(programme))]
    if programme.aliases:
        parts.append(Note(t("programme.aliases", lang, aliases=", ".join(programme.aliases))))
    if programme.ambition:
        parts.append(Text(f"*{t('programme.ambition', lang)}*\n{escape(programme.ambition)}"))
    if programme.goals:
        parts.append(Text(f"*{t('programme.goals', lang)}*\n{_bullets(programme.goals[:MAX_GOALS])}"))
    projects = queries.find_projects(ctx.session, programme_id=programme.id)
    if projects:
        parts.append(Text(f"*{t('programme.projects', lang)}*\n"
                          + _bullets([p.name for p in projects])))
    counts = queries.milestone_counts(ctx.session, programme_id=programme.id, today=ctx.today)
    parts.append(Text(t("programme.milestones", lang, **{k: counts[k] for k in ("open", "done", "late")})))
    short = programme.aliases[0] if programme.aliases else programme.name
    parts.append(Note(t("programme.more", lang, name=escape(short))))
    return Reply(summary=programme_label(programme), parts=parts)


def project_reply(project: Project, ctx: Context) -> Reply:
    lang = ctx.lang
    parts: list = [Header(project.name[:150])]
    parts.append(Note(t("project.of", lang, programme=escape(project.programme.name))))
    if project.description:
        parts.append(Text(escape(project.description)))
    roles = queries.find_roles(ctx.session, project_id=project.id)
    if roles:
        parts.append(Fields(tuple(
            f"*{escape(r.label)}*\n{escape(r.holder or (r.person.name if r.person else '—'))}"
            + (f" ({escape(r.hours_text)})" if r.hours_text else "")
            for r in roles
        )))
    milestones = queries.find_milestones(ctx.session, project_id=project.id)
    if milestones:
        parts.append(Text(f"*{t('milestones.title', lang)}*\n" + "\n".join(
            milestone_line(m, ctx, with_programme=False) for m in milestones)))
    else:
        parts.append(Note(t("project.none", lang)))
    return Reply(summary=project.name, parts=parts)


@subcommand("programma", "programmas", "programma's", "programme", "programmes", "program")
def programma(args: str, ctx: Context) -> Reply:
    """`/regio programma [naam]` — alle programma's, of één programma: ambitie, doelen, deelprojecten.

    Namen mogen kort of met een tikfout: `/regio programma GHNT`, `/regio programma gewoon thuis`.
    """
    lang = ctx.lang
    if not args.strip():
        rid = region_id(ctx)
        if rid is None:
            return Reply.error(t("no_data", lang))
        region = queries.get_region(ctx.session, region_id=rid)
        programmes = queries.find_programmes(ctx.session, region_id=rid)
        if not programmes:
            return Reply.error(t("programmes.empty", lang))
        lines = []
        for p in programmes:
            line = f"*{escape(programme_label(p))}*"
            if p.aliases:
                line += f" ({escape(', '.join(p.aliases))})"
            if p.kind == "project":
                line += f" — _{t('programme.kind.project', lang)}_"
            lines.append(line)
        title = t("programmes.title", lang, region=f"{region.name} {region.year}")
        return Reply(summary=title, parts=[Header(title), Text("\n".join(lines))])
    found = find_one(ctx, args, ("programme",), "programme")
    return programme_reply(found.obj, ctx)


@subcommand("project", "deelproject", "projecten")
def project(args: str, ctx: Context) -> Reply:
    """`/regio project <naam>` — een deelproject: omschrijving, team en mijlpalen.

    Voorbeeld: `/regio project experttafel`.
    """
    if not args.strip():
        return usage_error(ctx, "/regio project <naam>")
    found = find_one(ctx, args, ("project", "programme"), "project")
    if found.kind == "programme":
        return programme_reply(found.obj, ctx)
    return project_reply(found.obj, ctx)
