"""One plan, four forms: the clean text, a PDF-to-text rendering with every trait of
issue 14, a .docx and a two-column .pdf, all made here from the clean text, must give
the same store — compared value by value (tests/storage/compare.py); any difference is
reported in full."""

from __future__ import annotations

from pathlib import Path

import pytest

import storage
from storage.importers import ImportRefused
from storage.importers.programme import parse_programme_document
from storage.importers.programme.read import read_document
from tests.storage.compare import differences, report
from tests.storage.renderings import make_docx, make_pdf, pdf_text_rendering
from tests.storage.score import details, meets_target, score
from tests.storage.test_programme_document import _facts

DOCUMENT = Path(storage.__file__).parent / "data" / "midden-holland-programma-sociaal-domein-2020.txt"
TEXT = DOCUMENT.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def clean():
    data, _ = parse_programme_document(TEXT, source="plan.txt")
    return data


def test_it_reads_a_pdf_to_text_rendering_with_every_trait_to_the_same_store(clean):
    rendering = pdf_text_rendering(TEXT)
    # The traits are there.
    assert "\n\n1.Programma\n\n" in rendering.replace("\n\n\n\n", "\n\n")
    assert "Programma Gewoon Thuis Jeugd: projecten Programma Gewoon Thuis Jeugd: projecten" \
        in rendering.replace("\n\n", " ")
    assert "-Start nieuwe vormen" in rendering and "2.Verkenning" in rendering
    assert rendering.count("Ambtelijk: Afdelingshoofden MH") >= 2 * TEXT.count(
        "Ambtelijk: Afdelingshoofden MH")
    assert rendering.index("Opdrachtgever:") < rendering.index("Maatschappelijke zorg\n")
    data, _ = parse_programme_document(rendering, source="plan.pdf.txt")
    # A plain list line wrapped before a capital ("… methodische samenwerking" /
    # "Kwintes VO en Lokale teams") is rejoined by the words the document writes as
    # one run elsewhere: no difference at all.
    assert differences(clean, data) == {}, report(differences(clean, data))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_it_reads_other_renderings_of_the_same_traits_to_the_same_store(clean, seed):
    data, _ = parse_programme_document(pdf_text_rendering(TEXT, seed=seed), source="p.txt")
    assert differences(clean, data) == {}, report(differences(clean, data))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_it_reads_a_rendering_whose_paragraph_gaps_are_one_blank_line_like_every_line(
        clean, seed):
    # The blank lines say nothing of paragraphs: they are told line by line (headings,
    # numbering, titles, the wrap width, boxes rendered twice).
    rendering = pdf_text_rendering(TEXT, seed=seed, uniform_gaps=True)
    data, _ = parse_programme_document(rendering, source="p.txt")
    scores = score(clean, data)
    assert meets_target(scores), details(scores)


def test_it_reads_a_word_file_to_the_same_store(clean, tmp_path):
    path = tmp_path / "plan.docx"
    make_docx(TEXT, path)
    data, _ = parse_programme_document(read_document(path, source=str(path)), source=str(path))
    assert differences(clean, data) == {}, report(differences(clean, data))
    # Field by field, prose and aliases included.
    assert _facts(data.regions[0]) == _facts(clean.regions[0])


def test_it_reads_a_two_column_pdf_to_the_same_store(clean, tmp_path):
    path = tmp_path / "plan.pdf"
    make_pdf(TEXT, path)
    text = read_document(path, source=str(path))
    # Set in two columns: the left column's text comes before the right's.
    assert text.index("Opdrachtgever:") < text.index("Externe partners:")
    data, _ = parse_programme_document(text, source=str(path))
    assert differences(clean, data) == {}, report(differences(clean, data))
    # Field by field, prose and aliases included (dependencies as words: one plain list
    # line the column wrapped before a capital reads as two).
    assert _facts(data.regions[0]) == _facts(clean.regions[0])


def test_it_refuses_files_it_cannot_read_naming_them(tmp_path):
    for name, content in [("plan.docx", b"PK\x03\x04 not a zip"), ("plan.pdf", b"%PDF-1.4 junk"),
                          ("plan.txt", "Programma €".encode("cp1252") + b"\n\xff")]:
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(ImportRefused) as refused:
            read_document(path, source=str(path))
        assert str(refused.value).startswith(str(path))
