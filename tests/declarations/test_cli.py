from __future__ import annotations

import pytest

from regiobot.cli import main
from regiobot.settings import reset_settings_cache


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
    assert "% 305 on time" in report and "REGION" in report and "2020-06" in report
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
