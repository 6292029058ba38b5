"""The programme document importer, on the bundled Midden-Holland 2020 plan, on a noisy
PDF-to-text rendering of it made here, and on text that is no plan at all."""

from __future__ import annotations

import random
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

import storage
from storage.importers import ImportRefused
from storage.importers.programme_document import (
    import_programme_document,
    parse_programme_document,
    parse_timing,
)
from storage.models import Base
from tests.conftest import NOW

DOCUMENT = Path(storage.__file__).parent / "data" / "midden-holland-programma-sociaal-domein-2020.txt"
TEXT = DOCUMENT.read_text(encoding="utf-8")
LINES = TEXT.split("\n")


@pytest.fixture(scope="module")
def parsed():
    return parse_programme_document(TEXT, source="plan.txt")


@pytest.fixture(scope="module")
def region(parsed):
    data, _ = parsed
    assert len(data.regions) == 1
    return data.regions[0]


@pytest.fixture(scope="module")
def warnings(parsed):
    return parsed[1]


def programme(region, slug):
    return next(p for p in region.programmes if p.slug == slug)


def role_of(prog, kind, person=None):
    return [r for r in prog.roles if r.kind == kind and (person is None or r.person == person)]


def milestone(prog, title, label=None):
    found = [m for m in prog.milestones if m.title == title
             and (label is None or m.period_label == label)]
    assert found, f"no milestone {title!r} in {prog.slug}: {[m.title for m in prog.milestones]}"
    return found


# --------------------------------------------------------------------------- region


def test_it_reads_the_region_its_year_budget_and_municipalities(region):
    assert (region.slug, region.name, region.year) == ("midden-holland", "Midden-Holland", 2020)
    assert region.budget_amount == Decimal("40000")
    assert region.budget_text == "€40.000,-"
    inhabitants = {m.name: m.inhabitants for m in region.municipalities}
    assert inhabitants == {
        "Bodegraven-Reeuwijk": 33451, "Gouda": 71189, "Krimpenerwaard": 54653,
        "Waddinxveen": 26072, "Zuidplas": 40937,
    }
    assert sum(inhabitants.values()) == 226302
    assert {m.name: m.cbs_code for m in region.municipalities}["Gouda"] == "0513"


def test_it_reads_all_nine_programmes_and_projects(region):
    got = [(p.number, p.slug, p.kind) for p in region.programmes]
    assert got == [
        (1, "maatschappelijke-zorg", "programma"),
        (2, "gewoon-thuis-jeugd", "programma"),
        (3, "jeugdigen-beschermen", "programma"),
        (4, "geweld-hoort-nergens-thuis", "programma"),
        (5, "aansluiting-jeugdhulp-passend-onderwijs", "programma"),
        (6, "volumebeheersing-jeugd-sggz", "programma"),
        (None, "inzicht-in-kosten", "programma"),
        (None, "rechtmatigheid-en-kwaliteit", "project"),
        (9, "gedeelde-zorg", "project"),
    ]
    assert programme(region, "volumebeheersing-jeugd-sggz").name == "volumebeheersing jeugd SGGZ"


def test_it_derives_aliases_from_names_and_the_documents_own_abbreviations(region):
    def aliases(slug):
        return {a.lower() for a in programme(region, slug).aliases}

    assert "gtj" in aliases("gewoon-thuis-jeugd")
    assert "ghnt" in aliases("geweld-hoort-nergens-thuis")
    assert "sggz" in aliases("volumebeheersing-jeugd-sggz")
    assert "mz" in aliases("maatschappelijke-zorg")
    assert "passend onderwijs" in aliases("aansluiting-jeugdhulp-passend-onderwijs")
    # An abbreviation that names something else in the document is no alias: "PO" is in
    # "Samenwerkingsverband PO Midden-Holland" (primair onderwijs), "JB" in "JB West".
    assert "po" not in aliases("aansluiting-jeugdhulp-passend-onderwijs")
    assert "jb" not in aliases("jeugdigen-beschermen")
    every = [a.lower() for p in region.programmes for a in p.aliases]
    assert len(every) == len(set(every)), "an alias must point at one programme"


def test_it_keeps_ambition_goals_dependencies_local_assignment_and_background(region):
    gtj = programme(region, "gewoon-thuis-jeugd")
    assert gtj.ambition.startswith("Zoveel mogelijk kinderen in de (t)huissituatie")
    assert len(gtj.goals) == 4
    assert "Jeugdigen Beter Beschermen" in gtj.dependencies
    assert gtj.local_assignment[1] == "Indien nodig casussen voordragen bij de experttafel."
    assert gtj.background.startswith("(Langdurig) verblijf in een grote instelling")
    # A dependency wrapped over two lines is one dependency.
    mz = programme(region, "maatschappelijke-zorg")
    assert "Doordecentralisatie middelen voor BW/nieuw verdeelmodel" in mz.dependencies
    # Two prose paragraphs stay two paragraphs.
    assert mz.background.count("\n\n") == 1


def test_it_reads_external_partners_rejoining_wrapped_lines(region):
    jb = programme(region, "jeugdigen-beschermen")
    assert jb.partners[-3:] == ["Jeugdzorgregio's Haaglanden", "Holland Rijnland",
                                "Zuid Holland Zuid"]
    assert "William Schrikker JBJR" in jb.partners
    # "Externe partners" as a dependency is not a heading.
    assert "Externe partners" in jb.dependencies
    assert "Enver" in programme(region, "gewoon-thuis-jeugd").partners
    # "Jeugd ggz aanbieders, zoals Curium": a kind of partner, then one of them.
    sggz = programme(region, "volumebeheersing-jeugd-sggz")
    assert sggz.partners[:2] == ["Curium", "Parnassia"]


# --------------------------------------------------------------------------- roles


def test_it_reads_opdrachtgevers_persons_and_bodies(region, warnings):
    gtj = programme(region, "gewoon-thuis-jeugd")
    assert [r.person for r in role_of(gtj, "bestuurlijk opdrachtgever")] == ["Corine Dijkstra"]
    assert [r.person for r in role_of(gtj, "ambtelijk opdrachtgever")] == ["Rik Scheele"]

    jb = programme(region, "jeugdigen-beschermen")
    assert [r.person for r in role_of(jb, "bestuurlijk opdrachtgever")] == [
        "Corine Dijkstra", "Jan Verbeek"]

    mz = programme(region, "maatschappelijke-zorg")
    (bosd,) = role_of(mz, "bestuurlijk opdrachtgever")
    assert (bosd.holder, bosd.person) == ("BOSD", None)
    (heads,) = role_of(mz, "ambtelijk opdrachtgever")
    assert (heads.holder, heads.person) == ("Afdelingshoofden MH", None)

    # "Corine Dijksta" is a misspelling of the person written three times elsewhere.
    ghnt = programme(region, "geweld-hoort-nergens-thuis")
    holders = [(r.holder, r.person) for r in role_of(ghnt, "bestuurlijk opdrachtgever")]
    assert holders == [("Corine Dijkstra", "Corine Dijkstra"), ("BO HG", None), ("BOSD", None),
                       ("PPG", None)]
    typo = [w for w in warnings if "Dijksta" in w.message]
    assert typo and "Corine Dijksta" in LINES[typo[0].line - 1]

    # "Bestuurlijk: Corine & Daan", "Ambtelijk: Rik (Esther)": first names only.
    shared = programme(region, "gedeelde-zorg")
    assert [(r.holder, r.person) for r in role_of(shared, "bestuurlijk opdrachtgever")] == [
        ("Corine Dijkstra", "Corine Dijkstra"), ("Daan", None)]
    assert [r.person for r in role_of(shared, "ambtelijk opdrachtgever")] == [
        "Rik Scheele", "Esther Vink"]
    first_names = [w for w in warnings if w.message.startswith("first name")]
    assert {w.line for w in first_names} == {LINES.index("Bestuurlijk: Corine & Daan") + 1,
                                             LINES.index("Ambtelijk: Rik (Esther)") + 1}


def test_it_reads_team_roles_with_hours_as_written(region):
    gtj = programme(region, "gewoon-thuis-jeugd")
    (anke,) = role_of(gtj, "programmamanager")
    assert (anke.label, anke.holder, anke.person, anke.hours_text, anke.hours) == (
        "Programmamanager", "Anke van der Landen", "Anke van der Landen", "16 uur",
        Decimal("16"))
    (secretary,) = role_of(gtj, "projectsecretaris")
    assert (secretary.person, secretary.hours_text) == ("Corline Bijkerk", "16 uur")

    ghnt = programme(region, "geweld-hoort-nergens-thuis")
    assert [r.person for r in role_of(ghnt, "programmamanager")] == ["Irma Haxe"]

    mz = programme(region, "maatschappelijke-zorg")
    (adviser,) = role_of(mz, "beleidsadviseur")
    assert (adviser.person, adviser.hours_text) == (None, "32 uur")
    (lead,) = role_of(mz, "projectleider")
    assert (lead.label, lead.person, lead.hours) == (
        "Projectleider beschut wonen", "Carima Verhagen", Decimal("32"))

    costs = programme(region, "inzicht-in-kosten")
    (conny,) = role_of(costs, "programmamanager")
    assert (conny.person, conny.hours_text) == ("Conny Kelly", "36 uur")
    assert role_of(costs, "jurist", "Alex Verhoeve")[0].hours_text == "20 uur"

    rk = programme(region, "rechtmatigheid-en-kwaliteit")
    (zaat,) = role_of(rk, "projectleider")
    assert (zaat.person, zaat.hours_text, zaat.hours) == ("Liesbeth Zaat", "fulltime", None)
    assert role_of(rk, "externe adviseur")[0].hours_text == "208 uur"

    po = programme(region, "aansluiting-jeugdhulp-passend-onderwijs")
    local = {r.holder: r.hours_text for r in role_of(po, "beleidsadviseur")}
    assert local["Krimpenerwaard"] == "12 uur"
    assert local["Gouda"] == "7,5 uur"

    sggz = programme(region, "volumebeheersing-jeugd-sggz")
    assert [r.hours_text for r in sggz.roles if r.hours_text and "fte" in r.hours_text] == [
        "0,2 fte"]
    # "Capaciteit" / "Samenwerkingsverbanden (SWV'en)": capacity those organisations supply.
    (capacity,) = role_of(po, "capaciteit")
    assert (capacity.label, capacity.holder, capacity.person) == (
        "Capaciteit", "Samenwerkingsverbanden (SWV'en)", None)

    # "Projectteam Samen in de Buurt:" belongs to that deelproject; the bodies after it
    # to the project as a whole.
    shared = programme(region, "gedeelde-zorg")
    members = [r for r in shared.roles if r.kind == "teamlid"]
    assert {r.project for r in members} == {"samen-in-de-buurt"}
    assert "Laura van Werven" in [r.person for r in members]
    (link,) = [r for r in shared.roles if r.holder == "Koppelwerkgroep"]
    assert (link.kind, link.project) == ("overleg", None)


def test_it_lists_each_person_once(parsed):
    data, _ = parsed
    names = [p.name for p in data.people]
    assert len(names) == len(set(names))
    assert "Corine Dijksta" not in names and "Stephanie Noorlandt" not in names
    assert {"Corine Dijkstra", "Anke van der Landen", "Irma Haxe"} <= set(names)


# --------------------------------------------------------------------------- budget


def budget(prog, label):
    return [b for b in prog.budget_lines if b.label == label]


def test_it_reads_budget_lines_with_amount_and_text_as_written(region):
    (bw,) = budget(programme(region, "maatschappelijke-zorg"), "Beschermd Wonen")
    assert (bw.amount, bw.year, bw.text) == (Decimal("19000000"), 2020, "19 miljoen euro")

    (fund,) = budget(programme(region, "gewoon-thuis-jeugd"), "Transformatiefonds")
    assert fund.amount == Decimal("825000")
    assert fund.note == "incl. €300.000 uit het innovatiefonds beschermd wonen"

    jb = programme(region, "jeugdigen-beschermen")
    (jbjr,) = budget(jb, "JBJR")
    assert jbjr.amount == Decimal("5063585")
    assert jbjr.text == "€ 5.063.585 (2019-indexering 2020 nog niet meegenomen)"
    (tf,) = budget(jb, "Transformatiefonds")
    assert (tf.amount, tf.text) == (Decimal("239500"), "€ 239.500,- (+ € 55.000,- GHNT)")
    assert budget(jb, "CIT")[0].amount == Decimal("354000")

    rk = budget(programme(region, "rechtmatigheid-en-kwaliteit"), "Beschermd Wonen")
    assert [(b.year, b.amount, b.text) for b in rk] == [
        (2020, Decimal("150000"), "150.000 per jaar"),
        (2021, Decimal("150000"), "150.000 per jaar"),
    ]

    (sources,) = programme(region, "volumebeheersing-jeugd-sggz").budget_lines
    assert (sources.amount, sources.text) == (None, "Inzet maatwerk Jeugd GGZ")
    ghnt = programme(region, "geweld-hoort-nergens-thuis")
    assert budget(ghnt, "Doeluitkering Vrouwenopvang (DU VO)")[0].amount is None
    # A remark in sentences is labelled by its heading, not by its own first words.
    (remark,) = programme(region, "aansluiting-jeugdhulp-passend-onderwijs").budget_lines
    assert remark.label == "Financiën 2020" and remark.text.startswith("Iedere gemeente")


# --------------------------------------------------------------------------- milestones


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wervingsactie pleegzorg (K2)",
         [("Wervingsactie pleegzorg", "K2", date(2020, 4, 1), date(2020, 6, 30))]),
        ("Start nieuwe vormen (K1 en K3)",
         [("Start nieuwe vormen", "K1", date(2020, 1, 1), date(2020, 3, 31)),
          ("Start nieuwe vormen", "K3", date(2020, 7, 1), date(2020, 9, 30))]),
        ("Start coördinatie verblijfszorg (K2/K3)",
         [("Start coördinatie verblijfszorg", "K2/K3", date(2020, 4, 1), date(2020, 9, 30))]),
        ("Wervingsactie pleegzorg (K2) en twee andere experimenten pleegzorg (K3/4)",
         [("Wervingsactie pleegzorg", "K2", date(2020, 4, 1), date(2020, 6, 30)),
          ("twee andere experimenten pleegzorg", "K3/4", date(2020, 7, 1),
           date(2020, 12, 31))]),
        ("30 jan 2020 – BOSD voortgangsrapportage",
         [("BOSD voortgangsrapportage", "30 jan 2020", None, date(2020, 1, 30))]),
        ("Oplevering Zorg- en Veiligheidshuis per 1-1-2021",
         [("Oplevering Zorg- en Veiligheidshuis", "per 1-1-2021", None, date(2021, 1, 1))]),
        ("Samenstelling projectteam, start per 1/4/2020",
         [("Samenstelling projectteam", "start per 1/4/2020", None, date(2020, 4, 1))]),
        ("Evaluatie beschikbaar Q1",
         [("Evaluatie beschikbaar", "Q1", date(2020, 1, 1), date(2020, 3, 31))]),
        ("Fase 2 vanaf januari 2020 - ontwikkelen en uitvoering wijkplannen.",
         [("Fase 2 - ontwikkelen en uitvoering wijkplannen", "vanaf januari 2020",
           date(2020, 1, 1), date(2020, 12, 31))]),
        ("Fase 1 november 2019 tot januari 2020 - 2 wijken aanwijzen",
         [("Fase 1 - 2 wijken aanwijzen", "november 2019 tot januari 2020",
           date(2019, 11, 1), date(2020, 1, 31))]),
        # After Q1: from 1 April, by the end of the plan year — not within Q1.
        ("Evaluatie declaratiegedrag (na Q1 2020)",
         [("Evaluatie declaratiegedrag", "na Q1 2020", date(2020, 4, 1), date(2020, 12, 31))]),
        ("Afstemmingstafels Q2 t/m Q4 2020",
         [("Afstemmingstafels", "Q2 t/m Q4 2020", date(2020, 4, 1), date(2020, 12, 31))]),
        ("Oplevering plan (maart 2020)",
         [("Oplevering plan", "maart 2020", date(2020, 3, 1), date(2020, 3, 31))]),
        ("Inventarisatie zorglandschap",
         [("Inventarisatie zorglandschap", "in 2020", None, date(2020, 12, 31))]),
        # Not a date: no timing from it, so the plan year's end.
        ("Besluit per 31-2-2020",
         [("Besluit per 31-2-2020", "in 2020", None, date(2020, 12, 31))]),
    ],
)
def test_it_applies_the_timing_rules_of_the_design(text, expected):
    got = [(t.title, t.label, t.start, t.due) for t in parse_timing(text, 2020)]
    assert got == expected


def test_it_reads_programme_and_project_milestones(region):
    gtj = programme(region, "gewoon-thuis-jeugd")
    (recruit,) = milestone(gtj, "Wervingsactie pleegzorg", "K2")
    assert (recruit.due_date, recruit.project) == (date(2020, 6, 30), None)
    assert LINES[recruit.source_line - 1].startswith("- Wervingsactie pleegzorg (K2)")
    both = milestone(gtj, "Start nieuwe vormen van ambulante intensieve ondersteuning")
    assert [m.period_label for m in both] == ["K1", "K3"]
    (start,) = milestone(gtj, "Start coördinatie verblijfszorg")
    assert (start.period_start, start.due_date, start.period_label) == (
        date(2020, 4, 1), date(2020, 9, 30), "K2/K3")
    assert start.project == "zorglogistiek-en-wachtlijstbeheer"
    (later,) = milestone(gtj, "twee andere experimenten pleegzorg")
    assert (later.period_label, later.due_date) == ("K3/4", date(2020, 12, 31))
    (plain,) = milestone(gtj, "Onderzoek naar InVerbinding")
    assert (plain.period_label, plain.due_date) == ("in 2020", date(2020, 12, 31))

    shared = programme(region, "gedeelde-zorg")
    (report,) = milestone(shared, "BOSD voortgangsrapportage")
    assert (report.due_date, report.period_label) == (date(2020, 1, 30), "30 jan 2020")

    ghnt = programme(region, "geweld-hoort-nergens-thuis")
    (route,) = milestone(ghnt, "VT: Aanpassing route Politiemeldingen")
    assert route.project == "veilig-thuis"  # "Ad 1." refers to project 1
    (house,) = milestone(ghnt, "Oplevering Zorg- en Veiligheidshuis", "per 1-1-2021")
    assert house.due_date == date(2021, 1, 1)

    # "Is afhankelijk van werkgroep …": a note on the project's milestones, not one.
    costs = programme(region, "inzicht-in-kosten")
    assert not [m for m in costs.milestones if "afhankelijk" in m.title.lower()]
    projects = {p.slug: p for p in costs.projects}
    assert "Is afhankelijk van werkgroep analyse declaratiegedrag" in projects[
        "werkgroep-gegevensuitwisseling"].description
    (evaluation,) = [m for m in costs.milestones if m.title.startswith("Evaluatie declaratiegedrag")]
    assert (evaluation.period_start, evaluation.due_date) == (date(2020, 4, 1),
                                                             date(2020, 12, 31))

    rk = programme(region, "rechtmatigheid-en-kwaliteit")
    titles = [m.title for m in rk.milestones]
    assert titles[:4] == ["Integraal advies voor handhavingsbeleid", "Aanstellen toezichthouder",
                          "Ontwikkeling preventie instrumenten", "Toetsingskader"]

    for prog in region.programmes:
        keys = [m.key for m in prog.milestones]
        assert len(keys) == len(set(keys))


def test_it_merges_deelprojecten_lists_with_their_own_sections(region, warnings):
    gtj = programme(region, "gewoon-thuis-jeugd")
    assert [(p.number, p.slug) for p in gtj.projects][:3] == [
        (1, "intensieve-ambulante-zorg-thuis"), (2, "experttafel"),
        (3, "zorglogistiek-en-wachtlijstbeheer")]
    assert len(gtj.projects) == 7
    assert any("Zorg coördinatie en wachtlijstbeheer verblijfszorg" in w.message
               and "Zorglogistiek" in w.message for w in warnings)
    assert [p.number for p in programme(region, "jeugdigen-beschermen").projects] == list(
        range(1, 10))
    assert [p.number for p in programme(region, "geweld-hoort-nergens-thuis").projects] == list(
        range(1, 13))
    mz = programme(region, "maatschappelijke-zorg")
    assert mz.projects[0].description.startswith("Sinds de decentralisatie in 2015")
    assert len(mz.projects) == 10
    # A listed deelproject without a section of its own is kept and reported.
    sggz = programme(region, "volumebeheersing-jeugd-sggz")
    assert "sturen-op-verwijzingen-toewijzingen-sggz" in [p.slug for p in sggz.projects]
    assert any("Sturen op verwijzingen" in w.message for w in warnings)


# --------------------------------------------------------------------------- BOSD


def test_it_reads_the_bosd_meetings_of_bijlage_1(region):
    (body,) = region.bodies
    assert (body.slug, body.name, body.abbreviation) == (
        "bosd", "Bestuurlijk Overleg Sociaal Domein", "BOSD")
    assert [(m.uid, m.number, m.date, m.start_time) for m in body.meetings] == [
        (f"midden-holland-2020-bosd-{n}", n, d, None)
        for n, d in enumerate(
            [date(2020, 1, 30), date(2020, 3, 12), date(2020, 4, 16), date(2020, 6, 18),
             date(2020, 7, 16), date(2020, 9, 24), date(2020, 11, 5), date(2020, 12, 10)],
            start=1,
        )
    ]
    assert [(a.position, a.title) for a in body.meetings[0].agenda] == [
        (1, "Programma's en projecten 2020"), (2, "Verkenning zorglandschap"),
        (3, "Gedeelde zorg")]
    assert all(not m.agenda for m in body.meetings[1:])


# --------------------------------------------------------------------------- warnings


def test_it_reports_what_it_cannot_place_with_line_numbers(warnings):
    assert warnings
    numbered = [w for w in warnings if w.line is not None]
    assert len(numbered) == len(warnings)
    for w in numbered:
        assert w.source == "plan.txt"
        assert 1 <= w.line <= len(LINES)
    result = [w for w in warnings if "Resultaat:" in w.message]
    assert result and LINES[result[0].line - 1].startswith("Resultaat:")
    assert any("Bijlage 3" in w.message for w in warnings)


# --------------------------------------------------------------------------- noise


def _wrap(line: str, width: int) -> list[str]:
    if len(line) <= width:
        return [line]
    out, current = [], ""
    for word in line.split(" "):
        if current and len(current) + 1 + len(word) > width:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    return [*out, current]


def noisy_rendering(text: str, seed: int = 7) -> str:
    """What the same plan looks like after PDF-to-text: a page printed twice, page
    headers and numbers, lines wrapped at 60 characters mid-sentence, other bullets and
    curly quotes, more blank lines, CRLF line ends."""
    rng = random.Random(seed)
    lines = text.split("\n")
    start = lines.index("2. Programma Gewoon Thuis Jeugd")
    end = lines.index("Programma Gewoon Thuis Jeugd: projecten")
    lines = lines[:end] + lines[start:end] + lines[end:]
    out: list[str] = []
    opening = True
    for n, line in enumerate(lines):
        m = re.match(r"^(\s*)- (.*)$", line)
        if m:
            line = f"o {m[2]}" if m[1] else rng.choice(["• ", "– ", "* ", "· "]) + m[2]

        def curly(_match):
            nonlocal opening
            opening = not opening
            return "”" if opening else "“"

        line = re.sub(r'"', curly, line)
        line = re.sub(r"(?<=\w)'(?=\w)", "’", line)
        line = re.sub(r"(?<!\w)'(?=\w)", "‘", line)
        out += _wrap(line, 60)
        if n % 97 == 0:
            out += ["", "Dynamisch Programma Sociaal Domein Midden Holland 2020",
                    f"- {n // 97 + 1} -", ""]
    return re.sub(r"\n\n", "\n\n\n", "\n".join(out)).replace("\n", "\r\n")


def _facts(region):
    """What the bot answers from, without source lines (which differ by design)."""
    out = region.model_dump(exclude={"programmes"})
    out["programmes"] = []
    for prog in region.programmes:
        dumped = prog.model_dump(exclude={"milestones", "dependencies"})
        dumped["milestones"] = [m.model_dump(exclude={"source_line"}) for m in prog.milestones]
        # A plain list line wrapped before a capitalised word cannot be told from two
        # items; the words are the same either way.
        dumped["dependencies"] = " ".join(prog.dependencies).split()
        out["programmes"].append(dumped)
    return out


def test_it_reads_a_noisy_pdf_rendering_to_the_same_facts(parsed):
    noisy = noisy_rendering(TEXT)
    assert "\r\n" in noisy and "•" in noisy and "“" in noisy
    data, warnings = parse_programme_document(noisy, source="plan.pdf.txt")
    original, _ = parsed
    assert _facts(data.regions[0]) == _facts(original.regions[0])
    assert [p.name for p in data.people] == [p.name for p in original.people]
    noisy_lines = noisy.split("\r\n")
    typo = [w for w in warnings if "Dijksta" in w.message]
    assert typo and "Dijksta" in noisy_lines[typo[0].line - 1]
    assert any("repeated" in w.message for w in warnings)


# --------------------------------------------------------------------------- refusal


def test_it_refuses_text_that_is_not_a_programme_document():
    rng = random.Random(3)
    words = ["lorem", "ipsum", "dolor", "sit", "amet", "fiets", "kaas", "regen", "Gouda"]
    text = "\n\n" + "\n".join(
        " ".join(rng.choice(words) for _ in range(rng.randint(3, 12))) for _ in range(40))
    with pytest.raises(ImportRefused) as refused:
        parse_programme_document(text, source="random.txt")
    (problem,) = refused.value.problems
    assert problem.line == 3
    assert str(problem).startswith("random.txt:3: not a programme document")


# --------------------------------------------------------------------------- store


def _row_counts(session) -> dict[str, int]:
    return {
        table.name: session.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


def test_it_imports_into_the_store_and_a_second_import_adds_nothing(store):
    with store.session() as session, session.begin():
        first = import_programme_document(session, DOCUMENT, now=NOW)
    assert first.counts["programmes added"] == 9
    assert first.counts["meetings added"] == 8
    assert first.warnings and all(w.line for w in first.warnings)
    with store.session() as session:
        before = _row_counts(session)
    assert before["programme"] == 9 and before["municipality"] == 5

    with store.session() as session, session.begin():
        second = import_programme_document(session, DOCUMENT, now=NOW)
    assert {k: v for k, v in second.counts.items() if v} == {}
    assert second.lines()[0].endswith("nothing changed")
    with store.session() as session:
        assert _row_counts(session) == before
