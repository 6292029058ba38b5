"""Accuracy and time per question of the question interpreter (issue 11).

    python -m bench.questions                       # accuracy on both corpora, SQLite
    python -m bench.questions --database URL        # … on another (empty) store
    python -m bench.questions --timing URL          # + time per question on a ×100 store
    python -m bench.questions --failures            # print every answer that is not right

The corpora (`tests/questions/corpus.yaml`, `holdout.yaml`) were written from the
programme document by someone who had not read the interpreter. Each question says what
its answer must contain, must not contain, and whether the right answer is "not known".
A question counts as right when every condition holds and the answer is in the
question's language; a "not known" question answered with facts is a *wrong fact*.

The baseline of the timing figure is none: it is an absolute time per question,
measured in one run over every corpus question, against a store built by
`bench.scale_data --factor 100` (its default region is generated, so the answers there
are not checked — only their cost).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as dtime
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CORPORA = tuple(ROOT / "tests" / "questions" / f"{name}.yaml" for name in ("corpus", "holdout", "blind", "blind2", "final"))
DEFAULT_TODAY = date(2020, 3, 1)


@dataclass
class Verdict:
    entry: dict
    text: str
    right: bool
    wrong_fact: bool
    why: str


def load(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _norm(value: str) -> str:
    from storage.search import fold

    return re.sub(r"\s+", " ", fold(value)).strip()


def judge(entry: dict, reply) -> Verdict:
    from commands.render import to_text

    text = to_text(reply)
    folded = _norm(text)
    problems = []
    for needed in entry.get("must") or []:
        if _norm(str(needed)) not in folded:
            problems.append(f"missing {needed!r}")
    for group in entry.get("any") or []:
        if not any(_norm(str(option)) in folded for option in group):
            problems.append(f"none of {group!r}")
    wrong = [str(x) for x in entry.get("must_not") or [] if _norm(str(x)) in folded]
    for item in wrong:
        problems.append(f"has {item!r}")
    not_known = bool(entry.get("not_known"))
    if not_known and reply.ok:
        problems.append("answered with facts instead of 'not known'")
    lang = entry.get("lang")
    if lang and (reply.lang or "nl") != lang:
        problems.append(f"answered in {reply.lang or 'nl'}")
    return Verdict(entry, text, not problems, not_known and (reply.ok or bool(wrong)),
                   "; ".join(problems))


def link_askers(session, corpora: list[list[dict]]) -> dict[str, str]:
    """Slack user ids for the people questions are asked as."""
    from sqlalchemy import select

    from storage.models import Person

    names = sorted({e["as"] for corpus in corpora for e in corpus if e.get("as")})
    ids = {}
    for number, name in enumerate(names):
        person = session.scalar(select(Person).where(Person.name == name))
        if person is None:
            continue
        person.slack_user_id = ids[name] = f"UBENCH{number:03d}"
    session.commit()
    return ids


def ask(session, entry: dict, users: dict[str, str], *, lang: str = "nl"):
    from commands.core import Context
    from commands.dispatch import handle

    today = entry.get("today") or DEFAULT_TODAY
    if isinstance(today, str):
        today = date.fromisoformat(today)
    now = datetime.combine(today, dtime(9, 0), tzinfo=UTC)
    ctx = Context(session=session, today=today, now=now, user_id=users.get(entry.get("as"), "UASKER1"),
                  lang=lang)
    return handle(entry["q"], ctx)


def build_store(url: str | None) -> str:
    """The store `regiobot start` makes: the bundled programme and a small iJw year."""
    from regiobot_cli.store import prepare_store

    if url is None:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='regiobot-questions-')}/store.db"
    prepare_store(url)
    return url


def run(url: str, corpora: dict[str, list[dict]]) -> dict[str, list[Verdict]]:
    from storage.db import make_engine, make_sessionmaker

    engine = make_engine(url)
    verdicts: dict[str, list[Verdict]] = {}
    with make_sessionmaker(engine)() as session:
        users = link_askers(session, list(corpora.values()))
        for name, corpus in corpora.items():
            verdicts[name] = [judge(entry, ask(session, entry, users)) for entry in corpus]
            session.rollback()
    engine.dispose()
    return verdicts


def report(verdicts: dict[str, list[Verdict]], *, failures: bool) -> bool:
    met = True
    for name, found in verdicts.items():
        per_kind: dict[str, list[bool]] = defaultdict(list)
        for verdict in found:
            per_kind[verdict.entry.get("kind", "?")].append(verdict.right)
        right = sum(v.right for v in found)
        wrong_facts = sum(v.wrong_fact for v in found)
        not_known = sum(bool(v.entry.get("not_known")) for v in found)
        print(f"\n{name}: {right}/{len(found)} right ({100 * right / max(len(found), 1):.1f} %), "
              f"wrong facts among 'not known': {wrong_facts}/{not_known}")
        for kind in sorted(per_kind):
            values = per_kind[kind]
            print(f"  {kind:22} {sum(values):3}/{len(values):3}  {100 * sum(values) / len(values):5.1f} %")
        if failures:
            for verdict in found:
                if not verdict.right:
                    print(f"\n  ✗ [{verdict.entry.get('kind')}] {verdict.entry['q']}\n    {verdict.why}")
                    print("    " + verdict.text[:400].replace("\n", "\n    "))
        met = met and right >= 0.97 * len(found) and wrong_facts == 0
    return met


def timing(url: str, questions: list[dict]) -> None:
    """Time every question once, warm, on the store at `url` (its default region); the
    declarations questions are timed apart, since their answer is issue 15's report."""
    from commands.core import Context
    from commands.dispatch import handle
    from storage.db import make_engine, make_sessionmaker

    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        ctx = Context(session=session, today=DEFAULT_TODAY,
                      now=datetime(2020, 3, 1, 9, tzinfo=UTC), user_id="UASKER1")
        handle("wie is de programmamanager van gewoon thuis jeugd?", ctx)  # warm the index
        times = []
        declarations = []
        slow = []
        for entry in questions:
            if entry.get("kind") == "declarations" and declarations:
                continue  # one is enough: that answer is issue 15's report, timed there
            started = time.perf_counter()
            handle(entry["q"], ctx)
            took = (time.perf_counter() - started) * 1000
            (declarations if entry.get("kind") == "declarations" else times).append(took)
            if took > 100 and entry.get("kind") != "declarations":
                slow.append((took, entry["q"]))
            session.rollback()
    engine.dispose()
    times.sort()
    print(f"\ntime per question on {engine.url.render_as_string(hide_password=True)}: "
          f"p50 {statistics.median(times):.1f} ms, p95 {times[int(len(times) * 0.95)]:.1f} ms, "
          f"mean {statistics.fmean(times):.1f} ms, max {times[-1]:.1f} ms ({len(times)} questions)")
    if declarations:
        print(f"  a declarations question apart (the report of issue 15): "
              f"{declarations[0]:.0f} ms")
    for took, question in sorted(slow, reverse=True)[:5]:
        print(f"  slow: {took:.0f} ms  {question}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="an empty store to load the programme into")
    parser.add_argument("--timing", action="append", default=[],
                        help="a ×100 store to time every question on (repeatable)")
    parser.add_argument("--failures", action="store_true", help="print every miss")
    args = parser.parse_args(argv)
    corpora = {path.stem: load(path) for path in CORPORA if path.exists()}
    url = build_store(args.database)
    met = report(run(url, corpora), failures=args.failures)
    all_questions = [e for corpus in corpora.values() for e in corpus]
    timing(url, all_questions)
    for scale_url in args.timing:
        timing(scale_url, all_questions)
    print("\ntarget ≥ 97 % right with 0 wrong facts among 'not known':", "met" if met else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
