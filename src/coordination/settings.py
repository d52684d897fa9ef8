"""Configuration from the environment (COORDINATION_*)."""

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
