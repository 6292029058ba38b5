"""Renderings made a second, independent way (tests/storage/other_renderings.py), scored
per kind against the clean text (tests/storage/score.py): each is either read to the
issue's target — ≥ 98 % of values right and none invented, per kind — or refused with a
reason. Never applied with wrong values."""

from __future__ import annotations

import pytest

from storage.importers import ImportRefused
from storage.importers.programme import parse_programme_document
from tests.storage import other_renderings
from tests.storage.compare import differences, report
from tests.storage.score import details, meets_target, score
from tests.storage.test_programme_formats import TEXT


@pytest.fixture(scope="module")
def clean():
    data, _ = parse_programme_document(TEXT, source="plan.txt")
    return data


@pytest.mark.parametrize("style", other_renderings.STYLES)
@pytest.mark.parametrize("seed", [1, 3, 5])
def test_it_reads_a_rendering_to_the_target_or_refuses_it(clean, seed, style):
    rendering = other_renderings.render(TEXT, seed=seed, style=style)
    try:
        data, _ = parse_programme_document(rendering, source="r.txt")
    except ImportRefused as refused:
        assert "refused" in str(refused).splitlines()[0]
        return
    scores = score(clean, data)
    assert meets_target(scores), details(scores)


@pytest.mark.parametrize(("seed", "style"), [(1, "single"), (1, "double"), (5, "double")])
def test_it_reads_renderings_with_every_trait_and_readable_gaps_to_the_same_store(
        clean, seed, style):
    rendering = other_renderings.render(TEXT, seed=seed, style=style)
    # The traits are there: pages, a title over two lines, boxes twice, "-Text" or "•".
    assert rendering.count("Opdrachtgever:") > TEXT.count("Opdrachtgever:")
    assert "\u00a0" in rendering or "\u2019" in rendering
    data, _ = parse_programme_document(rendering, source="r.txt")
    found = differences(clean, data)
    target = {k: v for k, v in found.items() if k not in ("roles", "prose")}
    assert target == {}, report(found)


def test_it_refuses_text_that_a_pdf_tool_ran_together_across_columns(tmp_path):
    from tests.storage.renderings import make_pdf

    path = tmp_path / "plan.pdf"
    make_pdf(TEXT, path)
    text = other_renderings.PDF_TOOLS["pdfplumber extract_text"](path)
    with pytest.raises(ImportRefused):
        parse_programme_document(text, source=str(path))
