"""Whatever is typed, a question gets an answer or a clear refusal — never an exception —
and asking never changes the store."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.questions import CORPORA, load
from commands.core import Context, Reply
from commands.questions import answer
from regiobot_cli.store import prepare_store
from storage.db import make_engine, make_sessionmaker
from storage.export import export_store_data
from tests.conftest import NOW

QUESTIONS = [e["q"] for path in CORPORA if path.exists() for e in load(path)]
WORDS = sorted({w for q in QUESTIONS for w in q.split()})


def _snapshot(session) -> str:
    return yaml.safe_dump(export_store_data(session).model_dump(mode="json"), sort_keys=True)


@pytest.fixture
def asked(store):
    prepare_store(store.url)
    engine = make_engine(store.url)
    session = make_sessionmaker(engine)()
    before = _snapshot(session)
    yield session
    session.rollback()
    assert _snapshot(session) == before
    session.close()
    engine.dispose()


text = st.one_of(
    st.text(max_size=120),
    st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join),
    st.sampled_from(QUESTIONS).flatmap(
        lambda q: st.integers(0, max(len(q) - 1, 0)).map(lambda i: q[:i] + q[i + 1:])),
    st.tuples(st.sampled_from(QUESTIONS), st.text(max_size=20)).map(" ".join),
)


@settings(max_examples=250, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(typed=text, lang=st.sampled_from(["nl", "en"]), user=st.sampled_from([None, "UNOBODY"]))
def test_it_answers_any_text_without_an_exception_or_a_change(asked, typed, lang, user):
    ctx = Context(session=asked, today=NOW.date(), now=NOW, user_id=user, lang=lang)
    reply = answer(typed, ctx)
    assert isinstance(reply, Reply)
    assert reply.summary.strip()
    assert not reply.changed
    assert not asked.new and not asked.dirty and not asked.deleted
