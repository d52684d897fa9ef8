"""Tables of the service besides the event store. Append-only where it matters."""

from datetime import UTC, datetime, timedelta

from eventsourcing.persistence import OperationalError, ProgrammingError

from coordination.adapters.store.database import Database
from coordination.adapters.timestamps import stamp

# What a token issued before tokens expired is given at `migrate` (ADR 0055).
LEGACY_TOKEN_DAYS = 365
LEGACY_TOKEN_GRACE = timedelta(days=90)

_TABLES = [
    """CREATE TABLE IF NOT EXISTS {p}agencies (
        agency_id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,
        municipality TEXT NOT NULL, created_at TEXT NOT NULL, controller TEXT,
        offers TEXT NOT NULL DEFAULT '[]', contact_email TEXT, contact_phone TEXT)""",
    """CREATE TABLE IF NOT EXISTS {p}tokens (
        token_id TEXT PRIMARY KEY, agency_id TEXT NOT NULL REFERENCES {p}agencies,
        role TEXT NOT NULL, label TEXT NOT NULL, secret_hash TEXT NOT NULL,
        created_at TEXT NOT NULL, revoked_at TEXT, expires_at TEXT, last_used_at TEXT)""",
    # An agency's tokens, listed and counted when one is issued (ADR 0055).
    "CREATE INDEX IF NOT EXISTS tokens_agency ON {p}tokens (agency_id, role)",
    # A result commits with the events it recorded, so a key never maps to a lost
    # or a doubled event. (Claims of keys in flight live in memory: idempotency.py.)
    """CREATE TABLE IF NOT EXISTS {p}idempotency_results (
        agency_id TEXT NOT NULL, idem_key TEXT NOT NULL, request_hash TEXT NOT NULL,
        case_id TEXT NOT NULL, version INTEGER NOT NULL, status_code INTEGER NOT NULL,
        created_at TEXT NOT NULL, PRIMARY KEY (agency_id, idem_key))""",
    """CREATE TABLE IF NOT EXISTS {p}access_log (
        entry_id {serial}, at TEXT NOT NULL, agency_id TEXT NOT NULL,
        token_label TEXT NOT NULL, role TEXT NOT NULL, request_id TEXT NOT NULL,
        case_id TEXT, action TEXT NOT NULL, categories TEXT NOT NULL,
        basis TEXT NOT NULL, reason TEXT, purpose TEXT)""",
    "CREATE INDEX IF NOT EXISTS access_log_case ON {p}access_log (case_id, entry_id)",
    # A DPO's search of the log: the entries of the controller's agencies, newest first.
    "CREATE INDEX IF NOT EXISTS access_log_agency ON {p}access_log (agency_id, entry_id)",
    # The parts erased on cases that go on (ADR 0042), committed with their CaseErased:
    # a caseload leaves out the cases its agency's controller erased its part of.
    """CREATE TABLE IF NOT EXISTS {p}erased_parts (
        case_id TEXT NOT NULL, controller TEXT NOT NULL, PRIMARY KEY (case_id, controller))""",
    # Staff accounts of the web app (adapters/store/accounts.py). Secrets are kept as
    # hashes: passwords Argon2id, links and sessions SHA-256 of a random token.
    """CREATE TABLE IF NOT EXISTS {p}users (
        user_id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE,
        agency_id TEXT NOT NULL REFERENCES {p}agencies, roles TEXT NOT NULL,
        display_name TEXT NOT NULL, password_hash TEXT, totp_secret TEXT,
        totp_pending TEXT, totp_last_step BIGINT, created_at TEXT NOT NULL,
        disabled_at TEXT)""",
    """CREATE TABLE IF NOT EXISTS {p}password_links (
        link_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES {p}users,
        expires_at TEXT NOT NULL, used_at TEXT)""",
    """CREATE TABLE IF NOT EXISTS {p}web_sessions (
        session_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES {p}users,
        role TEXT NOT NULL, csrf_token TEXT NOT NULL, created_at TEXT NOT NULL,
        seen_at TEXT NOT NULL, ended_at TEXT, pending TEXT)""",
    "CREATE INDEX IF NOT EXISTS web_sessions_user ON {p}web_sessions (user_id)",
    # Erasures waiting for a second person's approval (adapters/store/erasure_requests.py).
    """CREATE TABLE IF NOT EXISTS {p}erasure_requests (
        request_id TEXT PRIMARY KEY, case_id TEXT NOT NULL, controller TEXT NOT NULL,
        reason TEXT NOT NULL, legal_basis TEXT NOT NULL, requested_by TEXT NOT NULL,
        requested_agency TEXT NOT NULL, requested_at TEXT NOT NULL, decided_by TEXT,
        decided_at TEXT, outcome TEXT)""",
    "CREATE INDEX IF NOT EXISTS erasure_requests_case ON {p}erasure_requests (case_id)",
    # Agencies' webhooks and each entry of their feed to deliver (adapters/store/webhooks.py).
    """CREATE TABLE IF NOT EXISTS {p}webhooks (
        webhook_id TEXT PRIMARY KEY, agency_id TEXT NOT NULL REFERENCES {p}agencies,
        url TEXT NOT NULL, event_types TEXT NOT NULL, secret TEXT NOT NULL,
        created_at TEXT NOT NULL, created_by TEXT NOT NULL, retired_at TEXT,
        cursor BIGINT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS {p}webhook_deliveries (
        webhook_id TEXT NOT NULL REFERENCES {p}webhooks, number BIGINT NOT NULL,
        case_id TEXT NOT NULL, version INTEGER NOT NULL, event_type TEXT NOT NULL,
        status TEXT NOT NULL, attempts INTEGER NOT NULL, first_tried_at TEXT,
        next_attempt_at TEXT NOT NULL, last_status INTEGER, last_error TEXT,
        delivered_at TEXT, PRIMARY KEY (webhook_id, number))""",
    """CREATE INDEX IF NOT EXISTS webhook_deliveries_due
        ON {p}webhook_deliveries (status, next_attempt_at)""",
    # Possible duplicates found when a case was opened (adapters/store/duplicates.py).
    """CREATE TABLE IF NOT EXISTS {p}possible_duplicates (
        case_id TEXT NOT NULL, earlier_case_id TEXT NOT NULL, opened_by TEXT NOT NULL,
        lead_agency TEXT NOT NULL, found_at TEXT NOT NULL, similarity REAL NOT NULL,
        PRIMARY KEY (case_id, earlier_case_id))""",
    """CREATE INDEX IF NOT EXISTS possible_duplicates_lead
        ON {p}possible_duplicates (lead_agency, found_at)""",
    """CREATE INDEX IF NOT EXISTS possible_duplicates_earlier
        ON {p}possible_duplicates (earlier_case_id)""",
    # Failed sign-ins, per account and per address (both hashed), for throttling.
    "CREATE TABLE IF NOT EXISTS {p}sign_in_failures (subject TEXT NOT NULL, at TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS sign_in_failures_subject ON {p}sign_in_failures (subject, at)",
]

_SERIAL = {
    "sqlite": "INTEGER PRIMARY KEY AUTOINCREMENT",
    "postgres": "BIGSERIAL PRIMARY KEY",
}


# Columns added to tables a store may hold already: (table, column, the statement).
_ADDED_COLUMNS = [
    # The purpose a read was made under, where the reader named one.
    ("access_log", "purpose", "ALTER TABLE {p}access_log ADD COLUMN purpose TEXT"),
    # Whose part a case's first key seals besides the opening (adapters/store/keys.py).
    ("case_keys", "owner", "ALTER TABLE {p}case_keys ADD COLUMN owner TEXT"),
    # The controller an agency's processing answers to; NULL: its municipality.
    ("agencies", "controller", "ALTER TABLE {p}agencies ADD COLUMN controller TEXT"),
    # The person who acted through the web app (pseudonymous id; § 76 BDSG).
    ("access_log", "user_id", "ALTER TABLE {p}access_log ADD COLUMN user_id TEXT"),
    # The identity at the agency's identity provider an account is bound to: its issuer
    # and `sub` (ADR 0048); NULL until the first sign-in through the provider.
    ("users", "oidc_subject", "ALTER TABLE {p}users ADD COLUMN oidc_subject TEXT"),
    # The agency directory (ADR 0054): what an agency offers (a JSON list of short texts)
    # and its office's functional mailbox and phone; none of them for agencies before.
    ("agencies", "offers", "ALTER TABLE {p}agencies ADD COLUMN offers TEXT NOT NULL DEFAULT '[]'"),
    ("agencies", "contact_email", "ALTER TABLE {p}agencies ADD COLUMN contact_email TEXT"),
    ("agencies", "contact_phone", "ALTER TABLE {p}agencies ADD COLUMN contact_phone TEXT"),
    # A token's end and its last use (ADR 0055); tokens from before are given an end by
    # `_end_tokens_without_one` below.
    ("tokens", "expires_at", "ALTER TABLE {p}tokens ADD COLUMN expires_at TEXT"),
    ("tokens", "last_used_at", "ALTER TABLE {p}tokens ADD COLUMN last_used_at TEXT"),
]


def create_tables(db: Database) -> None:
    with db.transaction() as cursor:
        for statement in _TABLES:
            db.run(cursor, statement.replace("{serial}", _SERIAL[db.dialect]))
    for table, column, statement in _ADDED_COLUMNS:
        if _has_column(db, table, column):
            continue
        try:
            db.execute(statement)
        except (OperationalError, ProgrammingError):
            # Another `migrate` added it between the look and the change (SQLite takes
            # no lock for migrating; PostgreSQL's is advisory).
            if not _has_column(db, table, column):
                raise
    _end_tokens_without_one(db)


def _end_tokens_without_one(db: Database) -> None:
    """Tokens issued before tokens expired end `LEGACY_TOKEN_DAYS` after their issue, but
    never sooner than `LEGACY_TOKEN_GRACE` after this migration: no agency is locked out
    by the upgrade itself (ADR 0055). Runs at every `migrate`; finds no row after the first."""
    now = datetime.now(UTC)
    found = db.fetch_all("SELECT token_id, created_at FROM {p}tokens WHERE expires_at IS NULL")
    for row in found:
        issued = datetime.fromisoformat(row["created_at"])
        ends = max(issued + timedelta(days=LEGACY_TOKEN_DAYS), now + LEGACY_TOKEN_GRACE)
        db.execute(
            "UPDATE {p}tokens SET expires_at = %s WHERE token_id = %s AND expires_at IS NULL",
            (stamp(ends), row["token_id"]),
        )


def _has_column(db: Database, table: str, column: str) -> bool:
    if db.dialect == "sqlite":
        rows = db.fetch_all("SELECT name FROM pragma_table_info(%s)", (table,))
        return any(r["name"] == column for r in rows)
    row = db.fetch_one(
        "SELECT 1 AS found FROM information_schema.columns"
        " WHERE table_schema || '.' = %s AND table_name = %s AND column_name = %s",
        (db.prefix, table, column),
    )
    return row is not None


def created(db: Database) -> bool:
    """Whether `migrate` made the service's tables in this store."""
    if db.dialect == "sqlite":
        found = db.fetch_one("SELECT name FROM sqlite_master WHERE name = 'agencies'")
        return found is not None
    row = db.fetch_one("SELECT to_regclass(%s) AS found", (f"{db.prefix}agencies",))
    return row is not None and row["found"] is not None
