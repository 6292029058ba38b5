from datetime import date
from decimal import Decimal

import pytest
import yaml
from sqlalchemy import func, select

from storage.apply import apply_store_data
from storage.importers import ImportRefused, ImportReport
from storage.importers.yaml_store import dump_store, import_store_yaml
from storage.models import AgendaItem, Base, Milestone, Person, Programme
from storage.schema import StoreData
from tests.conftest import NOW

SMALL_REGION = {
    "people": [{"name": "Anke van der Landen"}, {"name": "Corine Dijkstra"}],
    "regions": [
        {
            "slug": "midden-holland",
            "name": "Midden-Holland",
            "year": 2020,
            "budget_amount": "40000",
            "budget_text": "€40.000,-",
            "municipalities": [
                {"name": "Gouda", "inhabitants": 71189},
                {"name": "Zuidplas", "inhabitants": 40937},
            ],
            "programmes": [
                {
                    "slug": "gewoon-thuis-jeugd",
                    "number": 2,
                    "name": "Gewoon Thuis Jeugd",
                    "aliases": ["GTJ"],
                    "partners": ["Enver", "Youz"],
                    "roles": [
                        {
                            "kind": "programmamanager",
                            "label": "Programmamanager",
                            "holder": "Anke van der Landen",
                            "person": "Anke van der Landen",
                            "hours_text": "16 uur",
                            "hours": "16",
                        }
                    ],
                    "projects": [{"slug": "versterking-pleegzorg", "number": 4,
                                  "name": "Versterking Pleegzorg"}],
                    "milestones": [
                        {
                            "key": "programma/wervingsactie-pleegzorg/k2",
                            "title": "Wervingsactie pleegzorg",
                            "due_date": "2020-06-30",
                            "period_start": "2020-04-01",
                            "period_label": "K2",
                        },
                        {
                            "key": "versterking-pleegzorg/2x-andere-experimenten/in-2020",
                            "title": "2x andere experimenten pleegzorg",
                            "due_date": "2020-12-31",
                            "period_label": "in 2020",
                            "project": "versterking-pleegzorg",
                        },
                    ],
                    "budget_lines": [
                        {
                            "label": "Transformatiefonds",
                            "amount": "825000",
                            "year": 2020,
                            "text": "Transformatiefonds €825.000",
                            "note": "(incl. €300.000 uit het innovatiefonds beschermd wonen)",
                        }
                    ],
                }
            ],
            "bodies": [
                {
                    "slug": "bosd",
                    "name": "Bestuurlijk Overleg Sociaal Domein",
                    "abbreviation": "BOSD",
                    "meetings": [
                        {
                            "uid": "midden-holland-2020-bosd-1",
                            "number": 1,
                            "date": "2020-01-30",
                            "agenda": [{"position": 1, "title": "Programma's en projecten 2020"}],
                        }
                    ],
                }
            ],
        }
    ],
}


def row_counts(session) -> dict[str, int]:
    return {
        table.name: session.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


def load(store, data: dict) -> ImportReport:
    report = ImportReport(source="test")
    with store.factory() as session, session.begin():
        apply_store_data(session, StoreData.model_validate(data), now=NOW, report=report)
    return report


def write(tmp_path, text: str, name: str = "store.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_it_round_trips_import_export_import_to_the_same_store(store, tmp_path):
    load(store, SMALL_REGION)
    with store.factory() as session:
        first = dump_store(session)

    other = tmp_path / "other.db"
    from storage.db import make_engine, make_sessionmaker
    from storage.migrate import upgrade

    upgrade(f"sqlite:///{other}")
    factory = make_sessionmaker(make_engine(f"sqlite:///{other}"))
    with factory() as session, session.begin():
        import_store_yaml(session, write(tmp_path, first), now=NOW)
    with factory() as session:
        second = dump_store(session)
    assert second == first
    assert "Anke van der Landen" in first and "'825000.00'" in first


def test_it_changes_nothing_when_the_same_source_is_imported_twice(store, tmp_path):
    load(store, SMALL_REGION)
    with store.factory() as session:
        before, text = row_counts(session), dump_store(session)
    with store.factory() as session, session.begin():
        report = import_store_yaml(session, write(tmp_path, text), now=NOW)
    with store.factory() as session:
        assert row_counts(session) == before
        assert dump_store(session) == text
    assert report.lines() == [f"{tmp_path / 'store.yaml'}: nothing changed"]


def test_it_refuses_a_bad_value_naming_its_line_and_field_and_changes_nothing(store, tmp_path):
    load(store, SMALL_REGION)
    with store.factory() as session:
        text, before = dump_store(session), row_counts(session)
    lines = text.splitlines()
    bad_line = next(i for i, line in enumerate(lines) if "due_date: '2020-06-30'" in line)
    lines[bad_line] = lines[bad_line].replace("2020-06-30", "2020-06-31")
    lines = [line.replace("Wervingsactie pleegzorg", "Wervingsactie 2") for line in lines]
    path = write(tmp_path, "\n".join(lines))

    with pytest.raises(ImportRefused) as refused, store.factory() as session, session.begin():
        import_store_yaml(session, path, now=NOW)

    (problem,) = refused.value.problems
    assert problem.line == bad_line + 1
    assert problem.field.endswith("milestones.0.due_date")
    assert f"{path}:{bad_line + 1}:" in str(problem)
    with store.factory() as session:
        assert row_counts(session) == before
        titles = session.scalars(select(Milestone.title)).all()
    assert "Wervingsactie 2" not in titles


def test_it_names_every_problem_and_unknown_fields(tmp_path, store):
    data = yaml.safe_dump(SMALL_REGION, allow_unicode=True, sort_keys=False)
    data = data.replace("inhabitants: 71189", "inhabitants: -5").replace(
        "number: 2\n", "number: 2\n    colour: red\n", 1
    )
    path = write(tmp_path, data)
    with pytest.raises(ImportRefused) as refused, store.factory() as session, session.begin():
        import_store_yaml(session, path, now=NOW)
    fields = {p.field.rsplit(".", 1)[-1]: p for p in refused.value.problems}
    assert set(fields) == {"inhabitants", "colour"}
    assert all(p.line and p.line > 1 for p in refused.value.problems)
    assert "-5" in fields["inhabitants"].message


def test_it_refuses_broken_yaml_with_its_line(tmp_path, store):
    path = write(tmp_path, "people:\n  - name: Anke\n regions: [\n")
    with pytest.raises(ImportRefused) as refused, store.factory() as session, session.begin():
        import_store_yaml(session, path, now=NOW)
    assert refused.value.problems[0].line == 3


def test_it_keeps_what_was_changed_from_slack_when_the_source_is_imported_again(store):
    load(store, SMALL_REGION)
    with store.factory() as session, session.begin():
        milestone = session.scalars(select(Milestone).order_by(Milestone.id)).first()
        milestone.status = "done"
        session.scalars(select(Person)).first().slack_user_id = "U123ANKE"
    report = load(store, SMALL_REGION)  # a source that says nothing about status
    assert report.counts == {}
    with store.factory() as session:
        assert session.scalars(select(Milestone).order_by(Milestone.id)).first().status == "done"
        assert session.scalar(select(Person.slack_user_id).where(Person.slack_user_id.is_not(None)))


def test_it_cancels_a_milestone_that_left_the_source_and_bumps_its_sequence(store):
    load(store, SMALL_REGION)
    smaller = yaml.safe_load(yaml.safe_dump(SMALL_REGION))
    smaller["regions"][0]["programmes"][0]["milestones"].pop()
    report = load(store, smaller)
    assert report.counts == {"milestones cancelled": 1}
    with store.factory() as session:
        gone = session.scalar(select(Milestone).where(Milestone.period_label == "in 2020"))
    assert gone.status == "cancelled" and gone.sequence == 1


def test_it_bumps_sequence_when_a_due_date_moves(store):
    load(store, SMALL_REGION)
    moved = yaml.safe_load(yaml.safe_dump(SMALL_REGION))
    moved["regions"][0]["programmes"][0]["milestones"][0]["due_date"] = "2020-06-15"
    assert load(store, moved).counts == {"milestones updated": 1}
    with store.factory() as session:
        milestone = session.scalar(select(Milestone).where(Milestone.period_label == "K2"))
        amounts = [line.amount for line in session.scalar(select(Programme)).budget_lines]
        items = session.scalars(select(AgendaItem)).all()
    assert (milestone.due_date, milestone.sequence) == (date(2020, 6, 15), 1)
    assert amounts == [Decimal("825000.00")]
    assert [i.title for i in items] == ["Programma's en projecten 2020"]


def _refused(store, path) -> ImportRefused:
    with pytest.raises(ImportRefused) as refused, store.factory() as session, session.begin():
        import_store_yaml(session, path, now=NOW)
    return refused.value


def _with_person_flag(text: str) -> str:
    """An export where the first person says is_coordinator twice, and the region year."""
    lines = text.splitlines()
    person = next(i for i, line in enumerate(lines) if line.startswith("- name: "))
    lines.insert(person + 1, "  is_coordinator: false")
    lines.insert(person + 2, "  is_coordinator: true")
    year = next(i for i, line in enumerate(lines) if line.strip() == "year: 2020")
    lines.insert(year + 1, lines[year].replace("2020", "2021"))
    return "\n".join(lines) + "\n"


def test_it_refuses_duplicate_keys_naming_file_line_and_key(store, tmp_path):
    load(store, SMALL_REGION)
    with store.factory() as session:
        text, before = dump_store(session), row_counts(session)
    doubled = _with_person_flag(text)
    path = write(tmp_path, doubled)
    refused = _refused(store, path)
    lines = doubled.splitlines()
    flag = next(i for i, line in enumerate(lines) if "is_coordinator: true" in line) + 1
    year = next(i for i, line in enumerate(lines) if line.strip() == "year: 2021") + 1
    shown = [str(p) for p in refused.problems]
    assert any(s.startswith(f"{path}:{flag}:") and "is_coordinator" in s for s in shown), shown
    assert any(s.startswith(f"{path}:{year}:") and "year" in s for s in shown), shown
    with store.factory() as session:
        assert dump_store(session) == text
        assert row_counts(session) == before


def test_it_refuses_a_yaml_alias_bomb_at_once(store, tmp_path):
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x]"]
    for n in range(1, 10):
        levels.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 8) + "]")
    text = "anchors:\n" + "\n".join("  " + line for line in levels) + "\npeople: []\n"
    text += "regions:\n  - slug: x\n    name: X\n    year: 2020\n    programmes:\n"
    text += "      - slug: p\n        number: 1\n        name: P\n        goals: *a9\n"
    path = write(tmp_path, text)
    refused = _refused(store, path)
    (problem, *_) = refused.problems
    assert problem.line == 3  # the first alias
    assert "alias" in problem.message


def test_it_names_line_and_column_of_bytes_that_are_not_utf8(store, tmp_path):
    load(store, SMALL_REGION)
    with store.factory() as session:
        text = dump_store(session)
    data = text.encode("utf-8")
    at = data.index(b"Corine")
    path = tmp_path / "store.yaml"
    path.write_bytes(data[:at] + b"\xff" + data[at:])
    (problem,) = _refused(store, path).problems
    line = data[:at].count(b"\n") + 1
    column = at - data[:at].rindex(b"\n")
    assert str(problem).startswith(f"{path}:{line}:{column}: not UTF-8"), str(problem)


def test_it_names_the_path_as_given(store, tmp_path, monkeypatch):
    for folder in ("a", "b"):
        (tmp_path / "amb" / folder).mkdir(parents=True)
    write(tmp_path / "amb" / "a", "people: []\nregions: []\n")
    write(tmp_path / "amb" / "b", "people: [\n")
    monkeypatch.chdir(tmp_path)
    from pathlib import Path

    (problem,) = _refused(store, Path("amb/b/store.yaml")).problems
    assert str(problem).startswith("amb/b/store.yaml:"), str(problem)


def test_it_names_line_and_column_of_a_character_yaml_does_not_allow(store, tmp_path):
    path = write(tmp_path, "people:\n  - name: An\x08ke\nregions: []\n")
    (problem,) = _refused(store, path).problems
    assert str(problem).startswith(f"{path}:2:13: not valid YAML: character"), str(problem)
