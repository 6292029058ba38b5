"""The labelled question sets, answered from a store loaded as `regiobot start` loads it,
on SQLite and PostgreSQL. Each set was written from the programme document by someone who
had not read the interpreter (corpus.yaml and holdout.yaml before any tuning, blind.yaml
later by a second writer who had read neither). bench/questions.py prints the same
figures per kind."""

from __future__ import annotations

import pytest

from bench.questions import CORPORA, load, run
from regiobot_cli.store import prepare_store

SETS = {path.stem: load(path) for path in CORPORA if path.exists()}


@pytest.fixture
def answered(store):
    prepare_store(store.url)
    return run(store.url, SETS)


def test_it_answers_at_least_97_percent_of_every_question_set_right(answered):
    for name, verdicts in answered.items():
        wrong = [f"{v.entry['q']!r}: {v.why}" for v in verdicts if not v.right]
        assert len(wrong) <= 0.03 * len(verdicts), f"{name}: " + "\n".join(wrong)


def test_it_never_answers_with_facts_what_it_does_not_know(answered):
    for name, verdicts in answered.items():
        wrong = [v.entry["q"] for v in verdicts if v.wrong_fact]
        assert not wrong, f"{name}: {wrong}"


def test_it_answers_in_the_language_of_the_question(answered):
    for verdicts in answered.values():
        assert all(
            "answered in" not in v.why for v in verdicts
            if v.entry.get("lang") == "en" and v.entry.get("kind") not in ("budget.year",)
        )
