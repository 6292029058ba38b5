"""One typed settings object, read from the environment (and `.env`), failing fast."""

from __future__ import annotations

from datetime import date
from datetime import time as dt_time
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # The store. Default: a SQLite file in the working directory.
    database_url: str = "sqlite:///regiobot.db"

    # Pin "today" (Europe/Amsterdam) so the 2020 programme can be run as of a 2020 date.
    regiobot_today: date | None = None

    # Language of replies: Dutch by default.
    regiobot_lang: Literal["nl", "en"] = "nl"

    # Slack user ids that may change anything.
    regiobot_admins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # Slack. With no bot token Regiobot runs its console instead.
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_base_url: str = "https://slack.com/api/"

    # The web process.
    port: int = 3000
    public_base_url: str = "http://localhost:3000"
    # Worker processes computing answers after the ack (0: in the web process's own
    # threads; unset: one per CPU the process may use). See bot/answers.py.
    answer_processes: int | None = Field(default=None, ge=0, le=32)

    @field_validator("regiobot_admins", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("slack_api_base_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token)


    # --- The scheduler (issue 4). Posting times are Europe/Amsterdam wall-clock times
    # on working days; never between 02:00 and 03:00, which DST skips or repeats.
    # Milestone reminders this many working days before the due date ("10,2").
    reminder_working_days: Annotated[list[int], NoDecode] = Field(default_factory=lambda: [10, 2])
    # The weekly digest of late milestones: weekday (0 = Monday) and time.
    digest_weekday: int = Field(default=0, ge=0, le=6)
    digest_time: dt_time = dt_time(9, 0)
    # BOSD: the call for agenda items and the agenda, working days before the meeting.
    bosd_call_working_days: int = Field(default=10, ge=1, le=60)
    bosd_agenda_working_days: int = Field(default=5, ge=1, le=60)
    # When reminders and BOSD posts go out.
    post_time: dt_time = dt_time(9, 0)
    # /healthz calls the scheduler stale when its last tick is older than this.
    heartbeat_stale_seconds: int = Field(default=180, ge=10)

    @field_validator("reminder_working_days", mode="before")
    @classmethod
    def _split_days(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(part) for part in value.split(",") if part.strip()]
        return value

    @field_validator("reminder_working_days")
    @classmethod
    def _positive_days(cls, value: list[int]) -> list[int]:
        if any(day < 1 or day > 60 for day in value):
            raise ValueError("reminder working days must be between 1 and 60")
        return sorted(set(value), reverse=True)

    @field_validator("digest_time", "post_time")
    @classmethod
    def _not_in_dst_gap(cls, value: dt_time) -> dt_time:
        if value.hour == 2:
            raise ValueError("02:00-03:00 does not exist or happens twice on DST days")
        return value

    # --- The console (issue 3): whom a person at the terminal acts as. That user is
    # treated as an admin there, since whoever runs the console already holds the store.
    regiobot_console_user: str = "console"

    # --- Declarations (issue 5). Slack user ids of the regional contract managers: they
    # (and admins) see assignment numbers in `/regio declaraties` ("U1,U2").
    regiobot_contract_managers: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # The regional deadline for declaring a month (323): the end of the month this many
    # months later (1: the end of the following month). The standard sets none (OP354).
    regiobot_declaration_deadline_months: int = Field(default=1, ge=0, le=12)
    # Whether that deadline moves to the next working day when it falls on a Saturday,
    # Sunday or algemeen erkende feestdag, as the Algemene termijnenwet moves deadlines.
    regiobot_declaration_deadline_moved: bool = True

    @field_validator("regiobot_contract_managers", mode="before")
    @classmethod
    def _split_manager_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings_cache() -> None:
    """Forget the cached settings (the CLI and tests change the environment)."""
    get_settings.cache_clear()
