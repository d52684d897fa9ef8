"""Configuration from the environment (COORDINATION_*)."""

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./var/coordination.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COORDINATION_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    max_body_bytes: int = 256 * 1024
    log_level: str = "INFO"
    idempotency_hours: int = 24
    run_projections: bool = True  # False when `coordination projections run` does it
    projection_poll_seconds: float = 0.2
    read_your_writes_seconds: float = 5.0
    # The key that wraps every case's data key: base64 of 32 bytes. Without it the
    # key file is used, and created owner-only if absent (the embedded default).
    master_key: str | None = None
    master_key_file: Path = Path("var/master.key")
