"""Scoring a reading of the plan against the reading of its clean text, per kind — the
measure of issue 14: values right (in %), wrong, invented and missing.

A value is *right* when the reading has it exactly as the clean text gives it. A value
of the reading that is not right but stands for one of the clean text's (the same
programme and the same key: a milestone's title, a budget line's label and year, a
project's number, a meeting's uid) is *wrong*; one that stands for none is *invented*;
a value of the clean text that the reading has no counterpart of is *missing*.

    .venv/bin/python -m tests.storage.score            # every rendering, seeds 1–5
    .venv/bin/python -m tests.storage.score --seeds 1 2 --verbose
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from storage.importers import ImportRefused
from storage.schema import StoreData
from tests.storage.compare import values

# The kinds of the target, then the others the comparison also holds.
TARGET_KINDS = ("people", "partners", "budget lines", "projects", "milestones", "meetings")
OTHER_KINDS = ("roles", "municipalities")


def _words(text: str | None) -> str:
    return " ".join(re.findall(r"\w+", (text or "").lower()))


# What makes two values stand for the same thing: (same group, similar enough names).
KEYS: dict[str, Callable[[tuple], tuple[tuple, str]]] = {
    "people": lambda v: ((), v),
    "partners": lambda v: ((v[0],), v[1]),
    "budget lines": lambda v: ((v[0], v[3]), v[1]),
    "projects": lambda v: ((v[0], v[1]), v[2]),
    "milestones": lambda v: ((v[0],), v[1]),
    "meetings": lambda v: ((v[0],), ""),
    "roles": lambda v: ((v[0], v[1]), f"{v[2]} {v[4]}"),
    "municipalities": lambda v: ((), v[0]),
}
SIMILAR = 80  # rapidfuzz ratio of the names above which two values stand for one thing


@dataclass
class Score:
    expected: int
    right: int
    wrong: list[tuple[tuple, tuple]] = field(default_factory=list)  # (clean, read)
    invented: list[tuple] = field(default_factory=list)
    missing: list[tuple] = field(default_factory=list)

    @property
    def percent(self) -> float:
        return 100.0 * self.right / self.expected if self.expected else 100.0


def score_kind(kind: str, clean: set, read: set) -> Score:
    key = KEYS[kind]
    missing = sorted(clean - read, key=str)
    extra = sorted(read - clean, key=str)
    result = Score(expected=len(clean), right=len(clean & read))
    # Pair the closest first, so that a wrong value is paired with what it stands for.
    pairs = []
    for i, a in enumerate(missing):
        group_a, name_a = key(a)
        for j, b in enumerate(extra):
            group_b, name_b = key(b)
            if group_a != group_b:
                continue
            similarity = fuzz.ratio(_words(name_a), _words(name_b)) if name_a else 100
            if similarity >= SIMILAR:
                pairs.append((-similarity, i, j))
    used_a: set[int] = set()
    used_b: set[int] = set()
    for _, i, j in sorted(pairs):
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        result.wrong.append((missing[i], extra[j]))
    result.missing = [a for i, a in enumerate(missing) if i not in used_a]
    result.invented = [b for j, b in enumerate(extra) if j not in used_b]
    return result


def score(clean: StoreData, read: StoreData,
          kinds: Iterable[str] = TARGET_KINDS + OTHER_KINDS) -> dict[str, Score]:
    a, b = values(clean), values(read)
    return {kind: score_kind(kind, a[kind], b[kind]) for kind in kinds}


def meets_target(scores: dict[str, Score]) -> bool:
    """The issue's target: ≥ 98 % right and none invented, per kind."""
    return all(scores[k].percent >= 98.0 and not scores[k].invented for k in TARGET_KINDS)


def table(name: str, scores: dict[str, Score] | str) -> str:
    if isinstance(scores, str):
        return f"{name:<34} {scores}"
    cells = [f"{k[:10]:>10} {s.percent:5.1f}% {len(s.wrong)}/{len(s.invented)}/{len(s.missing)}"
             for k, s in scores.items()]
    return f"{name:<34} " + " ".join(cells)


def details(scores: dict[str, Score]) -> str:
    out = []
    for kind, s in scores.items():
        out += [f"  {kind} wrong: {a}\n        read as {b}" for a, b in s.wrong]
        out += [f"  {kind} invented: {b}" for b in s.invented]
        out += [f"  {kind} missing: {a}" for a in s.missing]
    return "\n".join(out)


# --------------------------------------------------------------------------- command


def _readings(seeds: list[int]):
    """(name, function giving the text) for every rendering the tests know."""
    from pathlib import Path
    from tempfile import TemporaryDirectory

    from storage.importers.programme.read import read_document
    from tests.storage import other_renderings as other
    from tests.storage.renderings import make_docx, make_pdf, pdf_text_rendering
    from tests.storage.test_programme_formats import TEXT

    yield "test rendering (seed 14)", lambda: pdf_text_rendering(TEXT)
    for seed in seeds:
        yield f"test rendering seed {seed}", lambda s=seed: pdf_text_rendering(TEXT, seed=s)
        yield (f"test rendering seed {seed}, single gaps",
               lambda s=seed: pdf_text_rendering(TEXT, seed=s, uniform_gaps=True))
    for seed in seeds:
        for style in other.STYLES:
            yield (f"other {style} seed {seed}",
                   lambda s=seed, st=style: other.render(TEXT, seed=s, style=st))
    yield "clean text, no blank lines", lambda: "\n".join(
        line for line in TEXT.split("\n") if line.strip())
    with TemporaryDirectory() as tmp:
        docx_path, pdf_path = Path(tmp) / "plan.docx", Path(tmp) / "plan.pdf"
        one_column = Path(tmp) / "plan-1.pdf"
        make_docx(TEXT, docx_path)
        make_pdf(TEXT, pdf_path)
        make_pdf(TEXT, one_column, columns=1)
        yield ".docx (our reader)", lambda: read_document(docx_path, source="plan.docx")
        yield ".pdf (our reader)", lambda: read_document(pdf_path, source="plan.pdf")
        for name, extract in other.PDF_TOOLS.items():
            yield f".pdf via {name}", lambda e=extract: e(pdf_path)
        for name, extract in other.PDF_TOOLS.items():
            yield f".pdf 1 column via {name}", lambda e=extract: e(one_column)


def main(argv: list[str] | None = None) -> int:
    from storage.importers.programme import parse_programme_document
    from tests.storage.test_programme_formats import TEXT

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="*", default=[1, 2, 3, 4, 5])
    parser.add_argument("--verbose", action="store_true", help="list every difference")
    parser.add_argument("--only", help="only readings whose name contains this")
    args = parser.parse_args(argv)
    clean, _ = parse_programme_document(TEXT, source="plan.txt")
    print("per kind: right % wrong/invented/missing; kinds:", ", ".join(
        TARGET_KINDS + OTHER_KINDS))
    failed = 0
    for name, make in _readings(args.seeds):
        if args.only and args.only not in name:
            continue
        try:
            data, _ = parse_programme_document(make(), source=name)
        except ImportRefused as refused:
            first = str(refused).splitlines()[1:2] or [""]
            print(table(name, f"REFUSED ({first[0].strip()[:90]})"))
            continue
        scores = score(clean, data)
        print(table(name, scores) + ("" if meets_target(scores) else "  << below target"))
        failed += not meets_target(scores)
        if args.verbose:
            print(details(scores) or "  no differences")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
