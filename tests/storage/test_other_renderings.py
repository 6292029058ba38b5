"""Renderings made a second, independent way (tests/storage/other_renderings.py), scored
per kind against the clean text (tests/storage/score.py): each is either read to the
issue's target — ≥ 98 % of values right and none invented, per kind — or refused with a
reason. Never applied with wrong values."""

from __future__ import annotations

import random
import re

import pytest

from storage.importers import ImportRefused
from storage.importers.programme import parse_programme_document
from tests.storage import other_renderings
from tests.storage.compare import differences, report
from tests.storage.score import details, meets_target, score
from tests.storage.test_programme_formats import TEXT
from tests.storage.test_programme_import import BROKEN


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


# Seed 9, single: page breaks after a list item that reads like a title ("Afhankelijk-
# heden:" / "Programma Maatschappelijke Zorg"), after a short item before a repeated box,
# after an item before "Bovenregionaal project:"; seed 8, single: after an item before a
# numbered deelproject heading ("1.Samenwerking in de JB-keten"); seed 2, single: after
# a sentence before one ("1.Jeugdhulp op School (JOS)"); seed 14, single: a numbered
# list, then "1. Veilig Thuis" on the next page; seed 42, single: a projects part's
# title at the foot of a page, its "1.Werkgroep …" on the next; seed 46, single: a
# sentence that fills its line before the break, its paragraph going on after it; seed
# 81, single: an item wrapped over two lines ("… situaties" / "van onveiligheid") at the
# foot of a page, "1.Samenwerking in de JB-keten" on the next; seed 75, double: a
# projects part's title glued to itself and wrapped over three lines ("…: proje-" /
# "cten …:" / "projecten"), below its first deelproject; seed 43, single: a deelproject's
# heading at the foot of a page, its text on the next ("1. Veilig Thuis" / "Bij de
# inrichting …"); seed 49, single: a sheet's title without "Programma" heading a page
# ("(Gouda)" / "Rechtmatigheid en kwaliteit" / "Ambitie"); seed 128, single: a
# deelproject's heading at the foot of a page, the projects part's title on the next,
# wrapped ("…Passend Onderwijs: proje-" / "cten"); seed 159, single: a name wrapped at
# a page break before a sheet's box ("… Zuid Holland" / page / "Zuid" / "Externe
# partners:") is one name, not a title; seed 4, single: a numbered milestone wrapped at
# a page break ("3. Samenwerkingsafspraken VT - lokale teams" / page / "Hollands Midden
# (zie 12)") is one milestone; seed 196, single: a milestone's wrapped rest, indented
# under its bullet, starts with a capital on the next page ("- Evaluatie declaratiegedrag
# (na Q1 2020)" / page / "  Uitkomst is 0-meting …") and is still that milestone; seed
# 210, single: a sheet's title rendered after its first boxes heads a page, above its
# deelprojecten ("… handhavingsbeleid" / page / "Rechtmatigheid en kwaliteit" /
# "Deelprojecten:") — refused before, the programme merged into the one above; seed
# 238, single: narrow lines under a wider running head on every page, a deelproject's
# heading at the foot of a page ("2.Vrouwenopvang" / page / "VO Kwintes pakt …"), and a
# numbered item wrapped before the break ("5. Implementeren … VT – Lokale" / "teams" /
# page / "1. Veilig Thuis") — refused before: the projects part was not found; seeds 36
# and 80, single: a milestone list's box rendered twice, a page break in the first copy
# after an item that ends a sentence ("… verbeterplannen." / page / "Zicht op …"), the
# second copy without one — the gap there is the second copy's, and the item after the
# break still a milestone (one milestone short before).
@pytest.mark.parametrize(("seed", "style"), [(1, "single"), (1, "double"), (5, "double"),
                                             (2, "single"), (8, "single"), (9, "single"),
                                             (14, "single"), (42, "single"), (46, "single"),
                                             (81, "single"), (75, "double"), (43, "single"),
                                             (49, "single"), (128, "single"),
                                             (159, "single"), (4, "single"), (196, "single"),
                                             (210, "single"), (238, "single"), (36, "single"),
                                             (80, "single")])
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


@pytest.mark.parametrize("style", ["uniform", "tight"])
# Seed 6, uniform: the opdrachtgever box again right after the partners, whose last line
# ("Jeugdhulpaanbieders") is no sheet title; seed 21: a title without "Programma" after
# the sheet's ambition, above "Deelprojecten:" ("Rechtmatigheid en kwaliteit"); seeds
# 37 and 46: a projects part's title wrapped over two lines and rendered twice in a row
# ("…Passend Onderwijs:" / "projecten" / the same), below its first deelproject; seed
# 135: a projects part's title glued to itself, wrapped at a page break ("X: projecten
# X:" / page / "projecten"), twice — read with 9 deelprojecten invented before.
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6, 21, 37, 46, 135])
def test_it_reads_renderings_whose_blank_lines_say_nothing_of_paragraphs_to_the_target(
        clean, seed, style):
    # "uniform": a blank line after every line and between paragraphs alike; "tight": no
    # blank lines at all. Both with pages, boxes twice, titles moved, lines wrapped.
    rendering = other_renderings.render(TEXT, seed=seed, style=style)
    data, _ = parse_programme_document(rendering, source="r.txt")
    scores = score(clean, data)
    assert meets_target(scores), details(scores)


def _ragged(text: str, seed: int, width: int, gap: str) -> str:
    """The clean text wrapped unevenly, as a proportional font fills its lines (each line
    86–100 % of `width`), table rows with wide gaps between cells, HTML cells a line per
    paragraph, and `gap` after every line: a third way, besides the two generators."""
    rng = random.Random(seed)
    out: list[str] = []
    for raw in text.split("\n"):
        if not raw.strip():
            continue
        if "<p" in raw:
            out += [p for p in (re.sub(r"<[^>]*>", "", p).strip()
                                for cell in raw.split("\t") for p in cell.split("</p>")) if p]
            continue
        if "\t" in raw:
            out.append("   ".join(cell.strip() for cell in raw.split("\t")))
            continue
        line = ""
        for word in raw.split(" "):
            if line and len(line) + 1 + len(word) > int(width * rng.uniform(0.86, 1.0)):
                out.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        out.append(line)
    return gap.join(out)


@pytest.mark.parametrize(("seed", "width", "gap"), [
    (2, 90, "\n\n"), (4, 70, "\n"), (6, 70, "\n"), (6, 90, "\n\n"), (7, 110, "\n")])
def test_it_reads_unevenly_wrapped_text_without_paragraph_gaps_to_the_target(
        clean, seed, width, gap):
    data, _ = parse_programme_document(_ragged(TEXT, seed, width, gap), source="r.txt")
    scores = score(clean, data)
    assert meets_target(scores), details(scores)


def test_it_reads_the_clean_text_without_its_blank_lines_to_the_target(clean):
    text = "\n".join(line for line in TEXT.split("\n") if line.strip())
    data, _ = parse_programme_document(text, source="r.txt")
    scores = score(clean, data)
    assert meets_target(scores), details(scores)


@pytest.mark.parametrize("style", ["uniform", "tight"])
@pytest.mark.parametrize("seed", [2, 251])
def test_it_keeps_a_sub_teams_members_apart_from_the_bodies_below_it_without_paragraph_gaps(
        clean, seed, style):
    # "Projectteam Samen in de Buurt:" / its members / "Stuurgroep 'Gedeelde Zorg'" /
    # "Koppelwerkgroep": the bodies belong to the programme's team, not to the sub-team,
    # also where no blank line says where the sub-team's lines end.
    data, _ = parse_programme_document(other_renderings.render(TEXT, seed=seed, style=style),
                                       source="r.txt")
    found = differences(clean, data)
    assert "roles" not in found, report(found)


# pdfplumber's layout text keeps a blank line only where the page has a wider gap: most
# headings have none above them, so its blank lines are no paragraph gaps.
@pytest.mark.parametrize("tool", ["pdfplumber extract_text", "pdfplumber layout"])
def test_it_reads_another_tools_plain_text_of_a_one_column_pdf_to_the_target(
        clean, tmp_path, tool):
    from tests.storage.renderings import make_pdf

    path = tmp_path / "plan.pdf"
    make_pdf(TEXT, path, columns=1)
    text = other_renderings.PDF_TOOLS[tool](path)
    if tool == "pdfplumber extract_text":
        assert "\n\n" not in text.strip()  # no blank lines: paragraphs are to be told
    data, _ = parse_programme_document(text, source=str(path))
    scores = score(clean, data)
    assert meets_target(scores), details(scores)


@pytest.mark.parametrize("style", ["uniform", "tight"])
@pytest.mark.parametrize("case", sorted(BROKEN))
def test_it_refuses_renderings_broken_beyond_repair_also_without_paragraph_gaps(case, style):
    text = BROKEN[case][0](TEXT)
    lines = [line for line in text.split("\n") if line.strip()]
    text = ("\n\n" if style == "uniform" else "\n").join(lines)
    with pytest.raises(ImportRefused):
        parse_programme_document(text, source="r.txt")


@pytest.mark.parametrize("tool", ["pdfplumber extract_text", "pdfplumber layout"])
def test_it_refuses_text_that_a_pdf_tool_ran_together_across_columns_and_says_so_first(
        tmp_path, tool):
    from tests.storage.renderings import make_pdf

    path = tmp_path / "plan.pdf"
    make_pdf(TEXT, path)
    text = other_renderings.PDF_TOOLS[tool](path)
    with pytest.raises(ImportRefused) as refused:
        parse_programme_document(text, source="plan.txt")
    first_reason = refused.value.problems[1]
    assert "ran them together" in first_reason.message
    assert "import the .pdf itself" in first_reason.message
    # It names a line of the file where a column's heading follows the other's text.
    line = text.split("\n")[first_reason.line - 1]
    assert any(heading in line for heading in ("Doelen:", "Afhankelijkheden:", "Opdrachtgever:"))


def test_it_reads_the_wrap_width_of_narrow_text_under_a_wider_running_head():
    # 80 pages of text wrapped at about 50 characters, each page headed by a running head
    # of 74: the head is page furniture, not a wrapped line, so a deelproject's heading
    # at the foot of a page still stands apart from the text at the top of the next.
    from storage.importers.programme.normalise import normalise

    rng = random.Random(5)
    words = ("de", "regio", "gemeenten", "werken", "samen", "aan", "zorg", "voor",
             "jeugdigen", "en", "hun", "ouders", "met", "aanbieders", "in", "wijken")
    head = "Dynamisch Programma Sociaal Domein Midden Holland 2020 | concept december"
    pages = []
    for number in range(1, 81):
        lines = []
        while len(lines) < 8:
            line = ""
            while len(line) < 44:
                line = f"{line} {rng.choice(words)}".strip()
            lines.append(line)
        lines[0] = lines[0].capitalize()
        lines[-1] += "."
        pages.append("\n".join([head, "", *lines, "", f"{number} / 80", "", ""]))
    pages[40] = pages[40].replace("\n\n41 / 80", "\n\n2. Vrouwenopvang\n\n41 / 80")
    pages[41] = pages[41].replace(f"{head}\n\n", f"{head}\n\nVO Kwintes pakt huiselijk geweld aan, niet alleen\n", 1)
    texts = [(line.text, line.blank) for line in normalise("\n".join(pages))]
    at = texts.index(("2. Vrouwenopvang", False))
    assert texts[at + 1] == ("", True), texts[at - 2 : at + 3]
    assert texts[at + 2][0].startswith("VO Kwintes pakt")
    assert [text for text, _ in texts].count(head) == 1  # the first page's: the title
