"""Settings: one object, read once at the entry points and passed down.

Every setting comes from an ``ADVISOR_*`` environment variable (or a ``.env`` file in the working
directory). This is the only module of the core that reads ``os.environ``; the Slack bot's own
settings live in ``bots/slack/config.py``. ``ADVISOR_DATA_DIR`` moves all state: the vector store,
conversations, feedback, exported ONNX model and reports.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from advisor.errors import ConfigError

PACKAGE_DIR = Path(__file__).resolve().parent


def bundled_knowledge_dir() -> Path:
    """The knowledge base shipped with the project (a checkout's ``knowledge/`` or the wheel's copy)."""
    for candidate in (PACKAGE_DIR.parent / "knowledge", PACKAGE_DIR / "_knowledge"):
        if candidate.is_dir():
            return candidate
    return PACKAGE_DIR.parent / "knowledge"


class Settings(BaseSettings):
    """Effective configuration. Field names map to ``ADVISOR_<NAME>`` variables."""

    model_config = SettingsConfigDict(
        env_prefix="ADVISOR_", env_file=".env", extra="ignore", populate_by_name=True
    )

    data_dir: Path = Field(default_factory=lambda: Path(user_data_dir("alliance-advisor")))
    knowledge_dir: Path = Field(default_factory=bundled_knowledge_dir)
    collection: str = "alliance"
    chroma_url: str | None = None
    # Conversations, answer records, votes, dedupe claims and rate windows: SQLite in data_dir unless
    # this names a PostgreSQL database (postgresql://user:password@host/db), shared by replicas.
    database_url: SecretStr | None = None
    database_pool: int = Field(default=10, ge=1, le=100)
    retention_days: float | None = Field(default=None, gt=0)  # prune older conversations at start-up

    embedder: str = "minilm"
    engine: str = "extractive"
    top_k: int = Field(default=5, ge=1, le=50)
    retrieval: str = "hybrid"
    # Scope decision (advisor/scope.py), calibrated on the eval dev split with MiniLM by
    # `python -m evals.quality.calibrate`: refuse when P(in scope) < 1 - scope_threshold or when no chunk
    # comes closer than scope_floor (cosine). tests/test_scope.py checks these equal its output.
    scope_threshold: float = Field(default=0.9, ge=0.0, le=1.0)
    scope_floor: float = Field(default=0.14, ge=-1.0, le=1.0)
    max_question_chars: int = Field(default=4000, ge=10)
    max_file_mb: float = Field(default=20.0, gt=0)
    history_turns: int = Field(default=6, ge=0)

    llm_model: str | None = None
    llm_model_path: Path | None = None
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout: float = Field(default=60.0, gt=0)
    llm_max_tokens: int = Field(default=400, ge=16)
    llm_threads: int = Field(default_factory=lambda: max(1, os.cpu_count() or 1))

    log_level: str = "WARNING"
    plugins: str = ""  # comma-separated importable modules that register engines or embedders

    @field_validator("collection")
    @classmethod
    def _collection_name(cls, value: str) -> str:
        return validate_collection_name(value)

    @field_validator("data_dir", "knowledge_dir", mode="after")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    def masked(self) -> dict[str, Any]:
        """The settings as plain values, secrets shown as ``****`` (or unset)."""
        out: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = "****" if value.get_secret_value() else ""
            elif isinstance(value, Path):
                value = str(value)
            out[name] = value
        return out

    @property
    def plugin_modules(self) -> list[str]:
        return [name.strip() for name in self.plugins.split(",") if name.strip()]

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"


def validate_collection_name(name: str) -> str:
    """Chroma allows 3-512 chars of [a-zA-Z0-9._-]; we keep room for a build suffix."""
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
    if not 3 <= len(name) <= 200 or not set(name) <= allowed or "__" in name:
        raise ValueError(
            f"collection name {name!r} must be 3-200 characters of letters, digits, '.', '_' or '-'"
            " (and no '__')"
        )
    return name


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment, turning validation errors into one ConfigError."""
    from pydantic import ValidationError

    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise invalid_settings(exc) from None


def invalid_settings(exc: Any, prefix: str = "") -> ConfigError:
    """One ConfigError naming every invalid field of a pydantic ValidationError (``prefix`` + field)."""
    problems = "; ".join(
        f"{prefix}{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}" for err in exc.errors()
    )
    return ConfigError(f"invalid settings: {problems}")
