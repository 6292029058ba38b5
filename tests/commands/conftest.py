"""Fixtures for the handler tests (the region itself is in `support`)."""

from __future__ import annotations

import pytest

from tests.commands.support import Bot, load_region


@pytest.fixture
def bot(store):
    with store.session() as session:
        load_region(session)
        yield Bot(session)


@pytest.fixture
def empty_bot(store):
    with store.session() as session:
        yield Bot(session)
