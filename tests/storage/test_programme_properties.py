"""Properties of the programme document importer (issue 13): random and mutated
documents — text, renderings, .docx and .pdf files — never give a traceback (an import
either succeeds or is refused with problems naming the file), and a refused import
leaves `regiobot export` byte-for-byte as it was."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import storage
from regiobot_cli.store import import_sources
from storage.importers import ImportRefused
from storage.importers.programme import parse_programme_document
from storage.importers.programme.read import read_document
from storage.importers.yaml_store import dump_store
from tests.storage.renderings import make_docx, make_pdf, pdf_text_rendering

DOCUMENT = Path(storage.__file__).parent / "data" / "midden-holland-programma-sociaal-domein-2020.txt"
TEXT = DOCUMENT.read_text(encoding="utf-8")
LINES = TEXT.split("\n")
RENDERED = pdf_text_rendering(TEXT).split("\n")

# Pieces of programme documents to splice in: headings, timings, table rows, bullets.
PIECES = [
    "1. Programma", "Opdrachtgever:", "Bestuurlijk: BOSD", "Ambtelijk:", "Projectteam 2020",
    "Mijlpalen 2020:", "- Start (K1 en K3)", "(K2/K3)", "Financiën 2020 en 2021:",
    "Transformatiefonds €825.000", "(incl.", "nr\tDatum\tAgendapunt", "8.\t31 februari",
    "1\t30\tjanuari", "Gouda\t71.189\t31%", "Totaal inwoners\t0\t100%", "X: projecten X: projecten",
    "-Text", "2.Verkenning", "<p><u>1. A</u></p>\t<p>", "Bijlage 7:", "*", "**", "\f",
    "Programma", "(", ")", "per 31-2-2020", "na Q4 2020", "Ad 99. iets", "\t\t", "9999.",
    "- Evaluatie\x00 (K2)\x1b", "Gouda\x7f",
]


@st.composite
def mutated(draw, lines: list[str]) -> str:
    out = list(lines)
    for _ in range(draw(st.integers(1, 12))):
        if not out:
            out = [""]
        i = draw(st.integers(0, len(out) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "replace",
                                   "truncate", "glue", "chars"]))
        if op == "delete":
            del out[i:i + draw(st.integers(1, 40))]
        elif op == "duplicate":
            out[i:i] = out[i:i + draw(st.integers(1, 40))]
        elif op == "swap":
            j = draw(st.integers(0, len(out) - 1))
            out[i], out[j] = out[j], out[i]
        elif op == "insert":
            out.insert(i, draw(st.sampled_from(PIECES) | st.text(max_size=40)))
        elif op == "replace":
            out[i] = draw(st.sampled_from(PIECES) | st.text(max_size=80))
        elif op == "truncate":
            out = out[:i]
        elif op == "glue":
            out[i:i + 2] = [" ".join(out[i:i + 2])]
        else:
            text = out[i]
            k = draw(st.integers(0, len(text)))
            out[i] = text[:k] + draw(st.text(max_size=5)) + text[k:]
    return "\n".join(out)


def _read_or_refuse(text: str) -> None:
    try:
        data, problems = parse_programme_document(text, source="plan.txt")
    except ImportRefused as refused:
        assert refused.problems
        assert all(str(p).startswith("plan.txt") for p in refused.problems)
        return
    assert data.regions and all(str(p).startswith("plan.txt") for p in problems)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=3000) | st.lists(st.sampled_from(PIECES) | st.text(max_size=60),
                                         max_size=80).map("\n".join))
def test_it_never_fails_on_random_text(text):
    _read_or_refuse(text)


@settings(max_examples=40, deadline=None)
@given(mutated(LINES))
def test_it_never_fails_on_a_mutated_document(text):
    _read_or_refuse(text)


@settings(max_examples=25, deadline=None)
@given(mutated(RENDERED))
def test_it_never_fails_on_a_mutated_rendering(text):
    _read_or_refuse(text)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("formats")
    make_docx(TEXT, folder / "plan.docx")
    make_pdf(TEXT, folder / "plan.pdf")
    return {suffix: (folder / f"plan{suffix}").read_bytes() for suffix in (".docx", ".pdf")}


@st.composite
def damaged(draw, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 20))):
        i = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["flip", "cut", "insert"]))
        if op == "flip":
            data[i] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[i:i + draw(st.integers(1, 2000))]
        else:
            data[i:i] = draw(st.binary(max_size=50))
        if not data:
            data = bytearray(b"\0")
    return bytes(data)


def _docx_with_mutated_text(original: bytes, text: str) -> bytes:
    """The Word file with its document.xml's text replaced: a file that is valid as a
    zip but holds odd XML."""
    source = zipfile.ZipFile(io.BytesIO(original))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            payload = source.read(item)
            if item.filename == "word/document.xml":
                payload = payload[: len(payload) // 2] + text.encode("utf-8", "replace")
            target.writestr(item, payload)
    return out.getvalue()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_it_never_fails_on_damaged_word_and_pdf_files(files, tmp_path, data):
    suffix = data.draw(st.sampled_from([".docx", ".pdf", ".docx-xml", ".random"]))
    if suffix == ".docx-xml":
        content = _docx_with_mutated_text(files[".docx"], data.draw(st.text(max_size=200)))
        suffix = ".docx"
    elif suffix == ".random":
        content = data.draw(st.binary(max_size=4000))
        suffix = data.draw(st.sampled_from([".docx", ".pdf", ".txt"]))
    else:
        content = data.draw(damaged(files[suffix]))
    path = tmp_path / f"plan{suffix}"
    path.write_bytes(content)
    try:
        text = read_document(path, source=str(path))
    except ImportRefused as refused:
        assert str(refused).startswith(str(path))
        return
    try:
        parse_programme_document(text, source=str(path))
    except ImportRefused as refused:
        assert refused.problems


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=mutated(LINES), force=st.booleans())
def test_it_leaves_the_export_byte_for_byte_as_it_was_when_it_refuses(store, tmp_path, text,
                                                                       force):
    with store.session() as session, session.begin():
        import_sources(session, [str(DOCUMENT)])
    with store.session() as session:
        before = dump_store(session)
    path = tmp_path / "plan.txt"
    path.write_text(text, encoding="utf-8")
    try:
        with store.session() as session, session.begin():
            import_sources(session, [str(path)], options={"force": force})
    except ImportRefused:
        with store.session() as session:
            assert dump_store(session) == before


def test_it_imports_a_document_with_control_characters_without_them(store, tmp_path):
    """Found by the property test above on PostgreSQL: a NUL byte in a milestone line
    ended in a DataError (text columns cannot hold NUL)."""
    from sqlalchemy import select

    from storage.models import Milestone

    path = tmp_path / "plan.txt"
    path.write_text(TEXT.replace("- Evaluatie en doorontwikkeling experttafel",
                                 "- Evaluatie en doorontwikkeling\x00 experttafel\x1b"),
                    encoding="utf-8")
    with store.session() as session, session.begin():
        import_sources(session, [str(path)])
    with store.session() as session:
        titles = session.scalars(select(Milestone.title)).all()
    assert "Evaluatie en doorontwikkeling experttafel" in titles
    assert not [t for t in titles if any(ord(c) < 32 for c in t)]
