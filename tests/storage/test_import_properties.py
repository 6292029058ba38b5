"""The YAML export and .ics meeting importers, by property: random and mutated files
(from an export, our own BOSD feed and a secretariat's calendar) never end in a
traceback, and a refused import leaves `regiobot export` byte-for-byte as it was.

Each file goes through the CLI's own path (`import_sources` in `transaction`), so a
refusal is rolled back exactly as `regiobot import` rolls it back; an accepted file is
undone after the check, so every example starts from the same store.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regiobot_cli.store import import_sources
from storage.db import transaction
from storage.importers import ImportRefused
from storage.importers.yaml_store import dump_store
from tests.calendars.conftest import build, load
from tests.calendars.test_ics_import import APRIL, DECEMBER, MARCH, OCTOBER, ics


class _Undo(Exception):
    """Raised after an accepted import to roll it back."""


@pytest.fixture
def seeded(store):
    load(store)
    with store.factory() as session:
        export = dump_store(session)
    seeds = {
        ".yaml": [export.encode("utf-8")],
        ".ics": [build(store, "meetings").body, ics(MARCH, APRIL, OCTOBER, DECEMBER)],
    }
    return store, export, seeds


@st.composite
def mutations(draw, seed: bytes) -> bytes:
    """`seed` with a few edits of the kinds people and tools make: lines dropped,
    doubled, swapped or cut short, text typed in, bytes flipped, the file truncated."""
    lines = seed.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        j = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(
            ["drop", "double", "swap", "cut", "type", "flip", "truncate", "value"]
        ))
        if edit == "drop":
            del lines[i]
        elif edit == "double":
            lines.insert(i, lines[i])
        elif edit == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif edit == "cut":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        elif edit == "type":
            at = draw(st.integers(0, len(lines[i])))
            typed = draw(st.text(max_size=12)).encode("utf-8")
            lines[i] = lines[i][:at] + typed + lines[i][at:]
        elif edit == "flip" and lines[i]:
            at = draw(st.integers(0, len(lines[i]) - 1))
            lines[i] = lines[i][:at] + bytes([draw(st.integers(0, 255))]) + lines[i][at + 1:]
        elif edit == "truncate":
            lines = lines[:i]
        elif edit == "value":
            # A value after the first ':' (a YAML value, an iCalendar property value).
            head, colon, _rest = lines[i].partition(b":")
            if colon:
                value = draw(st.sampled_from(
                    [b"", b" -1", b" 99999999999999999999", b" null", b" [", b" {a: 1}",
                     b" '2020-02-30'", b" *x", b" &x y", b"19700101T000000Z", b"\xff"]
                ) | st.binary(max_size=10))
                lines[i] = head + colon + value + b"\n"
    return b"".join(lines)


def files(seeds: dict[str, list[bytes]]):
    def one(suffix: str):
        return st.tuples(
            st.just(suffix),
            st.sampled_from(seeds[suffix]).flatmap(mutations) | st.binary(max_size=300),
        )

    return st.sampled_from(sorted(seeds)).flatmap(one)


BOUNDED = settings(max_examples=100, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.function_scoped_fixture,
                                          HealthCheck.too_slow, HealthCheck.data_too_large])


def test_it_refuses_random_and_mutated_files_cleanly_and_changes_nothing(seeded, tmp_path):
    store, export, seeds = seeded
    outcomes = {"refused": 0, "accepted": 0}

    @BOUNDED
    @given(files(seeds))
    def importing(file) -> None:
        suffix, data = file
        path = tmp_path / f"source{suffix}"
        path.write_bytes(data)
        try:
            with transaction(store.factory) as session:
                import_sources(session, [str(path)])
                raise _Undo
        except ImportRefused as refused:
            outcomes["refused"] += 1
            assert refused.problems
            for problem in refused.problems:
                shown = str(problem)
                assert shown.startswith(str(path)), shown
                assert "Traceback" not in shown
        except _Undo:
            outcomes["accepted"] += 1
        with store.factory() as session:
            assert dump_store(session) == export

    importing()
    assert outcomes["refused"] and outcomes["accepted"], outcomes
