"""Configuration from the environment (COORDINATION_*)."""

from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from coordination.domain.identity import Role
from coordination.domain.retention import Retention

DEFAULT_DATABASE_URL = "sqlite:///./var/coordination.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COORDINATION_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    max_body_bytes: int = 256 * 1024
    log_level: str = "INFO"
    idempotency_hours: int = 24
    # A claim older than this belongs to a request that died; its key is free again.
    idempotency_in_flight_seconds: float = 30.0
    # The projections run in threads of the API's process. `coordination serve` runs them
    # in a process of their own instead, which it supervises.
    run_projections: bool = True
    # /readyz answers 503 while a projection is not kept (no runner beating, or one
    # failing). Off with `serve --no-projections`: the views are kept elsewhere.
    projections_required: bool = True
    # `serve` sets it: the started process's objects are frozen (adapters/runtime/heap.py).
    freeze_heap: bool = False
    projection_poll_seconds: float = 0.2
    # Under load a projection takes at most one batch in this time, so that the writes
    # of the moment share it; after a quiet spell it reads a write at once.
    projection_gather_seconds: float = 0.2
    projection_batch_size: int = 500  # events per transaction when catching up
    read_your_writes_seconds: float = 5.0
    # Below this age a person's consent is given by a parent or guardian (ADR 0039).
    consent_age: int = Field(default=16, ge=1, le=18)
    # How long an emergency access (break-glass) lasts unless ended before (ADR 0040).
    emergency_access_hours: int = Field(default=24, ge=1, le=72)
    # The retention rules that apply to this deployment, by id, comma-separated: an
    # erasure keeps, restricted, the part of a controller they name (ADR 0043).
    retention_rules: Annotated[list[str], NoDecode] = []

    # Where agencies' webhooks may point (ADR 0057), comma-separated: host names, which
    # allow HTTPS to that host (`*.example.de`: its subdomains), or an origin with its
    # scheme (`http://127.0.0.1:9000`), allowed exactly. Empty: no webhook can be added.
    webhook_hosts: Annotated[list[str], NoDecode] = []

    @field_validator("retention_rules", "require_2fa_for", "webhook_hosts", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [r.strip() for r in value.split(",") if r.strip()]
        return value

    @field_validator("retention_rules")
    @classmethod
    def _known_rules(cls, value: list[str]) -> list[str]:
        Retention.named(value)  # raises ValueError naming the unknown ones
        return value

    # Four eyes: a DPO's erasure waits for a second person of the same controller to
    # approve it (ADR 0052). Off: the DPO who confirms it erases at once.
    erasure_needs_approval: bool = False

    # Web app sessions: ended after this long without a request, and this long after
    # the sign-in whatever happens (BSI IT-Grundschutz ORP.4, APP.3.1).
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    session_hours: int = Field(default=10, ge=1, le=24)
    # The roles whose people must sign in with a second factor (TOTP), comma-separated;
    # they set it up at their first sign-in. Empty: a second factor is optional for all.
    require_2fa_for: Annotated[list[Role], NoDecode] = [Role.DPO, Role.ADMIN]
    # Where people reach the web app: one-time password links start with it, and over
    # https the session cookie is `Secure` and `__Host-`.
    public_url: str = "http://127.0.0.1:8000"
    # Sign-in through the agency's identity provider (OpenID Connect, ADR 0048): its
    # issuer address, this service's client id and secret there, and the provider's
    # name on the sign-in button. Without an issuer, people sign in with a password.
    oidc_issuer: str | None = None
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_name: str = "Single Sign-on"

    # How long a bearer token issued from now on lasts, in days; more than two years is
    # refused at start (ADR 0055).
    token_days: int = Field(default=365, ge=1, le=730)

    # Per bearer token, per worker process (ADR 0016): requests a minute on average,
    # and how many may come at once. 0 requests a minute: no limit.
    rate_limit_per_minute: int = 600
    rate_limit_burst: int = 100
    # The key that wraps every case's data key: base64 of 32 bytes. Without it the
    # key file is used, and created owner-only if absent (the embedded default).
    master_key: str | None = None
    master_key_file: Path = Path("var/master.key")
    # Signs checkpoints and audit bundles (Ed25519): base64 of the raw 32-byte private
    # key. Without it the key file is used, and created owner-only if absent.
    signing_key: str | None = None
    signing_key_file: Path = Path("var/signing.key")
    # Public keys (base64) of retired signing keys: checkpoints they signed still verify.
    signing_retired_public_keys: list[str] = []
