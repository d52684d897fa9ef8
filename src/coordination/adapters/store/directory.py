"""Agencies and their bearer tokens. Tokens are shown once and stored as a hash."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from coordination.adapters.store.database import Cursor, Database, Row
from coordination.adapters.timestamps import stamp
from coordination.domain.identity import Agency, AgencyKind, Principal, Role

TOKEN_PREFIX = "cst"  # noqa: S105 (a marker, not a secret)


@dataclass(frozen=True)
class IssuedToken:
    token_id: str
    token: str


class AgencyExists(ValueError):
    pass


class UnknownAgency(LookupError):
    pass


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# A statement, not a secret:
TOKEN_QUERY = (
    "SELECT t.role, t.label, t.secret_hash, t.revoked_at, a.* FROM {p}tokens t "  # noqa: S105
    "JOIN {p}agencies a ON a.agency_id = t.agency_id WHERE t.token_id = %s"
)


def parse_token(token: str) -> tuple[str, str] | None:
    """(token id, secret) of a token of ours; None for anything else."""
    prefix, _, rest = token.partition(".")
    token_id, _, secret = rest.partition(".")
    if prefix != TOKEN_PREFIX or not token_id or not secret:
        return None
    return token_id, secret


def principal(row: Row | None, token_id: str, secret: str) -> Principal | None:
    """Who the token's row (TOKEN_QUERY) stands for, if it is live and the secret matches."""
    if row is None or row["revoked_at"] is not None:
        return None
    if not hmac.compare_digest(row["secret_hash"], _hash(secret)):
        return None
    return Principal(_agency(row), Role(row["role"]), token_id, row["label"])


def _now() -> str:
    return stamp(datetime.now(UTC))


def _agency(row: Row) -> Agency:
    return Agency(
        row["agency_id"],
        row["name"],
        AgencyKind(row["kind"]),
        row["municipality"],
        row["controller"] or "",
    )


class Directory:
    def __init__(self, db: Database) -> None:
        self.db = db
        # Agencies are never changed or removed, so one found stays valid: a consent's
        # recipients are checked without a read each (tokens are read every time, so
        # that a revocation anywhere holds at the next request).
        self._agencies: dict[str, Agency] = {}

    def add_agency(self, agency: Agency) -> None:
        if self.get_agency(agency.agency_id) is not None:
            raise AgencyExists(agency.agency_id)
        self.db.execute(
            "INSERT INTO {p}agencies (agency_id, name, kind, municipality, created_at,"
            " controller) VALUES (%s, %s, %s, %s, %s, %s)",
            (agency.agency_id, agency.name, agency.kind.value, agency.municipality, _now(),
             agency.controller),
        )  # fmt: skip

    def get_agency(self, agency_id: str, cursor: Cursor | None = None) -> Agency | None:
        """Inside a transaction, pass its cursor: a second connection of the pool may not
        be free while the transaction holds one (a projection's batch)."""
        if (known := self._agencies.get(agency_id)) is not None:
            return known
        statement = "SELECT * FROM {p}agencies WHERE agency_id = %s"
        if cursor is None:
            row = self.db.fetch_one(statement, (agency_id,), alone=True)
        else:
            self.db.run(cursor, statement, (agency_id,))
            rows = cursor.fetchall()
            row = dict(rows[0]) if rows else None
        if row is None:
            return None
        return self._agencies.setdefault(agency_id, _agency(row))

    def exists(self, agency_id: str) -> bool:
        return self.get_agency(agency_id) is not None

    def controller_of(self, agency_id: str, cursor: Cursor | None = None) -> str | None:
        """The controller an agency's processing answers to; None for an unknown agency."""
        agency = self.get_agency(agency_id, cursor)
        return agency.controller if agency is not None else None

    def known(self, agency_id: str) -> bool:
        """Found before by this process: `exists` answers without reading the store."""
        return agency_id in self._agencies

    def list_agencies(self) -> list[Agency]:
        return [_agency(r) for r in self.db.fetch_all("SELECT * FROM {p}agencies ORDER BY 1")]

    def issue_token(self, agency_id: str, role: Role, label: str | None = None) -> IssuedToken:
        if not self.exists(agency_id):
            raise UnknownAgency(agency_id)
        token_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        self.db.execute(
            "INSERT INTO {p}tokens VALUES (%s, %s, %s, %s, %s, %s, NULL)",
            (token_id, agency_id, role.value, label or f"{role.value}-{token_id}",
             _hash(secret), _now()),
        )  # fmt: skip
        return IssuedToken(token_id, f"{TOKEN_PREFIX}.{token_id}.{secret}")

    def revoke_token(self, token_id: str) -> bool:
        row = self.db.fetch_one("SELECT revoked_at FROM {p}tokens WHERE token_id = %s", (token_id,))
        if row is None:
            return False
        self.db.execute(
            "UPDATE {p}tokens SET revoked_at = %s WHERE token_id = %s AND revoked_at IS NULL",
            (_now(), token_id),
        )
        return True

    def authenticate(self, token: str) -> Principal | None:
        if (offered := parse_token(token)) is None:
            return None
        return principal(self.db.fetch_one(TOKEN_QUERY, (offered[0],), alone=True), *offered)
