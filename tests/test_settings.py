from pathlib import Path

import pytest
from pydantic import ValidationError

from regiobot.settings import Settings

ENV_EXAMPLE = Path(__file__).resolve().parents[1] / ".env.example"


def test_it_lists_every_setting_in_env_example_and_reads_it():
    names = {
        line.split("=", 1)[0].lstrip("# ").strip()
        for line in ENV_EXAMPLE.read_text().splitlines()
        if "=" in line
    }
    assert {field.upper() for field in Settings.model_fields} <= names
    settings = Settings(_env_file=ENV_EXAMPLE)
    assert settings.reminder_working_days == [10, 2]
    assert not settings.slack_enabled


@pytest.mark.parametrize(
    ("name", "value"),
    [("POST_TIME", "02:30"), ("REGIOBOT_LANG", "de"), ("PORT", "web"), ("REGIOBOT_TODAY", "gisteren")],
)
def test_it_fails_fast_on_nonsense(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings(_env_file=None)
