"""One typed settings object, read from the environment (and `.env`), failing fast."""

from __future__ import annotations

from datetime import date
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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings_cache() -> None:
    """Forget the cached settings (the CLI and tests change the environment)."""
    get_settings.cache_clear()
