"""All configuration, from the environment and `.env` (see .env.example)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from storage.database import POSTGRESQL_COMPLETE, POSTGRESQL_NOT_COMPLETE, is_postgresql_url
from storage.models import Shards


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NEWSDESK_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        env_ignore_empty=True,
    )

    discord_token: SecretStr | None = Field(default=None, validation_alias="DISCORD_TOKEN")
    database: Path = Path("newsdesk.db")
    discord_api_url: str = "https://discord.com/api/v10"
    discord_gateway_url: str = "wss://gateway.discord.gg/"
    dev_guild_id: int | None = None
    min_interval_seconds: int = Field(default=300, ge=1)
    default_interval_seconds: int = Field(default=900, ge=1)
    allow_private_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    llm_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    log_level: str = "INFO"
    max_sources_per_guild: int = Field(default=100, ge=1)
    max_follows_per_member: int = Field(default=20, ge=1)
    shard_count: int | None = Field(default=None, ge=1)
    shard_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)

    @field_validator("allow_private_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(part) for part in value.split(",") if part.strip()]
        return value

    @field_validator("database", mode="before")
    @classmethod
    def _supported_database(cls, value: object) -> object:
        if is_postgresql_url(value) and not POSTGRESQL_COMPLETE:
            raise ValueError(POSTGRESQL_NOT_COMPLETE)
        return value

    @field_validator("discord_api_url", "llm_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/") if value else value

    @field_validator("discord_gateway_url")
    @classmethod
    def _ws_url(cls, value: str) -> str:
        if not value.startswith(("ws://", "wss://")):
            raise ValueError("must be a ws:// or wss:// URL")
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @property
    def shards(self) -> Shards | None:
        """The shards this process alone serves; None when it runs them all."""
        ids = tuple(sorted(set(self.shard_ids)))
        if not ids or self.shard_count is None or len(ids) == self.shard_count:
            return None
        return Shards(self.shard_count, ids)

    @model_validator(mode="after")
    def _shards_in_range(self) -> Settings:
        if self.shard_ids and self.shard_count is None:
            raise ValueError("NEWSDESK_SHARD_IDS needs NEWSDESK_SHARD_COUNT")
        if self.shard_count is not None and any(
            not 0 <= i < self.shard_count for i in self.shard_ids
        ):
            raise ValueError(f"shard ids must be between 0 and {self.shard_count - 1}")
        if self.shards is not None and not is_postgresql_url(self.database):
            raise ValueError(
                "NEWSDESK_SHARD_IDS names only some shards, so other processes serve the "
                "rest: they must share a PostgreSQL database (NEWSDESK_DATABASE=postgresql://...)"
            )
        return self

    @model_validator(mode="after")
    def _default_not_below_floor(self) -> Settings:
        self.default_interval_seconds = max(
            self.default_interval_seconds, self.min_interval_seconds
        )
        return self

    def token(self) -> str | None:
        return self.discord_token.get_secret_value() if self.discord_token else None
