"""Comparing two readings of a programme document value by value, per kind — the
measure of issue 14 (people, partners, budget lines, projects, milestones with their
timing, meetings), plus roles, municipalities and the words of the prose."""

from __future__ import annotations

import re

from storage.schema import StoreData

KINDS = ("people", "roles", "partners", "budget lines", "projects", "milestones", "meetings",
         "municipalities", "prose")


def values(data: StoreData) -> dict[str, set]:
    (region,) = data.regions
    out: dict[str, set] = {kind: set() for kind in KINDS}
    out["people"] = {p.name for p in data.people}
    out["municipalities"] = {(m.name, m.inhabitants) for m in region.municipalities}
    out["meetings"] = {(m.uid, m.date, tuple(a.title for a in m.agenda))
                       for b in region.bodies for m in b.meetings}
    for p in region.programmes:
        out["roles"] |= {(p.slug, r.kind, r.holder, r.person, r.hours_text, r.project)
                         for r in p.roles}
        out["partners"] |= {(p.slug, name) for name in p.partners}
        out["budget lines"] |= {(p.slug, b.label, b.amount, b.year, b.text, b.note)
                                for b in p.budget_lines}
        out["projects"] |= {(p.slug, j.number, j.name) for j in p.projects}
        out["milestones"] |= {(p.slug, m.title, m.period_start, m.due_date, m.period_label,
                               m.project) for m in p.milestones}
        prose = [p.ambition or "", p.background or "", *p.goals, *p.dependencies,
                 *p.local_assignment, *(j.description or "" for j in p.projects)]
        out["prose"].add((p.slug, tuple(re.findall(r"\w+", " ".join(prose)))))
    return out


def differences(expected: StoreData, got: StoreData) -> dict[str, dict[str, set]]:
    """{kind: {"missing": …, "invented": …}} for every kind that differs."""
    a, b = values(expected), values(got)
    return {kind: {"missing": a[kind] - b[kind], "invented": b[kind] - a[kind]}
            for kind in KINDS if a[kind] != b[kind]}


def report(found: dict[str, dict[str, set]]) -> str:
    lines = []
    for kind, sides in found.items():
        for side, items in sides.items():
            lines += [f"{kind} {side}: {item}" for item in sorted(items, key=str)]
    return "\n".join(lines) or "no differences"
