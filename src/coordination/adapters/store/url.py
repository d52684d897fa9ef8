"""Turn COORDINATION_DATABASE_URL into eventsourcing's environment."""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class DatabaseUrlError(ValueError):
    pass


@dataclass(frozen=True)
class StoreConfig:
    dialect: Literal["sqlite", "postgres"]
    env: dict[str, str]
    schema: str = "public"
    dsn: str | None = None  # for LISTEN on PostgreSQL, without our own query options


def parse_database_url(url: str) -> StoreConfig:
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return _sqlite(url.removeprefix("sqlite:///"))
    if parts.scheme in ("postgresql", "postgres"):
        return _postgres(url)
    msg = "COORDINATION_DATABASE_URL must start with sqlite:/// or postgresql://"
    raise DatabaseUrlError(msg)


def _sqlite(path: str) -> StoreConfig:
    if not path:
        msg = "sqlite URL needs a path: sqlite:///./var/coordination.db"
        raise DatabaseUrlError(msg)
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": path}
    return StoreConfig("sqlite", env)


def _postgres(url: str) -> StoreConfig:
    parts = urlsplit(url)
    schema = parse_qs(parts.query).get("schema", ["public"])[0]
    if not SCHEMA_NAME.fullmatch(schema):
        msg = f"schema '{schema}' is not a plain lower-case identifier"
        raise DatabaseUrlError(msg)
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": parts.path.lstrip("/") or "postgres",
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_SCHEMA": schema,
        "POSTGRES_CONNECT_TIMEOUT": "5",
        "POSTGRES_POOL_SIZE": "10",
        "POSTGRES_MAX_OVERFLOW": "10",
        # No pre-ping: with it, psycopg_pool made every request wait its full timeout
        # (5 s) for replacements after the server dropped its connections. Without
        # it, each dead pooled connection fails one request at once (503) and is
        # replaced: measured recovery in tests/faults/test_outage_and_workers.py.
        "POSTGRES_PRE_PING": "n",
    }
    return StoreConfig("postgres", env, schema, url.split("?", 1)[0])
