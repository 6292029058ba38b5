from __future__ import annotations

import pytest

from regiobot.settings import reset_settings_cache
from regiobot_cli import main


@pytest.fixture
def cli_env(monkeypatch, store):
    if not store.url.startswith("sqlite"):
        pytest.skip("one backend is enough for the command line")
    monkeypatch.setenv("DATABASE_URL", store.url)
    # Set through monkeypatch first so that what --today writes is undone afterwards.
    monkeypatch.setenv("REGIOBOT_TODAY", "2021-03-01")
    reset_settings_cache()
    yield
    reset_settings_cache()


def test_it_writes_demo_data_imports_it_and_prints_the_report(cli_env, tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo-data", "declarations", "--messages", "60", "--out", str(out), "--seed", "3"]) == 0
    assert (out / "declaraties.csv").exists() and (out / "aanbieders.csv").exists()
    assert list((out / "xml").rglob("JW301-*.xml"))
    assert main(["declarations", "import", str(out / "xml"), str(out / "aanbieders.csv")]) == 0
    capsys.readouterr()
    assert main(["--today", "2021-03-01", "declarations", "report", "--month", "2020-06"]) == 0
    report = capsys.readouterr().out
    assert "% 305 op tijd" in report and "REGIO" in report and "2020-06" in report
    assert main(["declarations", "findings", "--provider", "Enver"]) == 0
    assert "findings as of 2021-03-01" in capsys.readouterr().out


def test_it_refuses_a_bad_month_and_an_invalid_import(cli_env, capsys):
    assert main(["declarations", "report", "--month", "2020-13"]) == 2
    assert "--month" in capsys.readouterr().err
    from pathlib import Path

    examples = Path("/work/shared/istandaarden/ijw-3.2/voorbeelden/JW315.xml")
    if examples.exists():
        assert main(["declarations", "import", str(examples)]) == 2
        err = capsys.readouterr().err
        assert "JW315.xml:44: ToewijzingEinddatum" in err and "2027-06-31" not in err


def test_it_writes_the_report_and_findings_as_json(cli_env, tmp_path, capsys, monkeypatch):
    import json

    out = tmp_path / "demo"
    assert main(["demo-data", "declarations", "--messages", "200", "--out", str(out), "--seed", "3",
                 "--format", "csv"]) == 0
    assert main(["declarations", "import", str(out / "declaraties.csv"), str(out / "aanbieders.csv")]) == 0
    capsys.readouterr()
    assert main(["declarations", "report", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["as_of"] == "2021-03-01" and report["month"] is None
    assert report["deadline"] == {"deadline_months": 1, "deadline_moved": True}
    row = report["rows"][0]
    assert set(row) == {"month", "provider", "kpis", "lines"}
    assert set(row["kpis"]) == {"305", "307", "315", "325"}
    assert set(row["kpis"]["305"]) == {"on_time", "counted", "percentage"}
    assert row["provider"]["name"] in {"Enver", "Youz", "Curium", "Kwintes", "Horizon", "Impegno"}
    assert all(r["provider"] is None for r in report["region"])
    # The same counts as the text table's region line, for the busiest month.
    last = max(report["region"], key=lambda r: r["kpis"]["305"]["counted"])
    assert main(["declarations", "report", "--month", last["month"]]) == 0
    text = capsys.readouterr().out
    region_line = next(line for line in text.splitlines() if line.split()[1:2] == ["REGIO"])
    on_time, counted = last["kpis"]["305"]["on_time"], last["kpis"]["305"]["counted"]
    assert f"{on_time}/{counted}" in region_line.replace(" ", "")
    assert main(["declarations", "findings", "--json", "--rule", "op271"]) == 0
    findings = json.loads(capsys.readouterr().out)
    assert findings["rule"] == "OP271" and findings["findings"]
    first = findings["findings"][0]
    assert {f["rule"] for f in findings["findings"]} == {"OP271"}
    assert set(first) == {"rule", "description", "provider", "municipality_code", "kind", "subject",
                          "due", "done", "missing", "working_days", "days", "early", "note"}


def test_it_heads_the_report_in_the_bots_language(cli_env, tmp_path, capsys, monkeypatch):
    out = tmp_path / "demo"
    assert main(["demo-data", "declarations", "--messages", "60", "--out", str(out), "--seed", "3",
                 "--format", "csv"]) == 0
    assert main(["declarations", "import", str(out / "declaraties.csv")]) == 0
    capsys.readouterr()
    assert main(["declarations", "report"]) == 0
    dutch = capsys.readouterr().out
    assert "% 305 op tijd" in dutch and dutch.startswith("Declaraties: KPI's op 2021-03-01\n")
    monkeypatch.setenv("REGIOBOT_LANG", "en")
    reset_settings_cache()
    assert main(["declarations", "report"]) == 0
    english = capsys.readouterr().out
    assert "% 305 on time" in english and english.startswith("Declarations KPIs as of 2021-03-01\n")


def test_it_says_a_path_to_import_does_not_exist(cli_env, tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo-data", "declarations", "--messages", "20", "--out", str(out), "--format", "csv"]) == 0
    assert main(["declarations", "import", str(out / "declaraties.csv"), str(tmp_path / "gone"),
                 str(tmp_path / "gone.xml")]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'gone'}: no such file or folder" in err
    assert f"{tmp_path / 'gone.xml'}: no such file or folder" in err
    assert main(["declarations", "report", "--json"]) == 0
    assert '"rows": []' in capsys.readouterr().out  # nothing of the file that does exist


def test_it_refuses_a_rule_it_does_not_know_and_reads_one_in_any_case(cli_env, tmp_path, capsys):
    import json

    assert main(["declarations", "findings", "--rule", "OP999"]) == 2
    err = capsys.readouterr().err
    assert "no rule 'OP999'" in err and "OP271" in err
    assert main(["declarations", "findings", "--rule", "op090X4", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rule"] == "OP090x4"


def test_it_takes_the_day_after_the_action_too_and_says_a_wrong_one_once(cli_env, tmp_path, capsys):
    assert main(["declarations", "findings", "--today", "2020-05-01"]) == 0
    assert "findings as of 2020-05-01" in capsys.readouterr().out
    for argv in (["--today", "2020-02-30", "declarations", "report"],
                 ["declarations", "report", "--today", "2020-02-30"]):
        with pytest.raises(SystemExit):
            main(argv)
        err = capsys.readouterr().err
        assert err.count("not a date (YYYY-MM-DD): '2020-02-30'") == 1 and err.count("usage:") == 1, argv
