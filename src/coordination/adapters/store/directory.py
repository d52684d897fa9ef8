"""Agencies, what the directory shows of them, and their bearer tokens. Tokens are shown
once and stored as a hash; each ends on a day set when it is issued (ADR 0055)."""

import hashlib
import hmac
import json
import secrets
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from coordination.adapters.store.database import Cursor, Database, Row
from coordination.adapters.store.recorders import RowWrite
from coordination.adapters.timestamps import stamp
from coordination.domain.identity import Agency, AgencyKind, Principal, Role

TOKEN_PREFIX = "cst"  # noqa: S105 (a marker, not a secret)
DEFAULT_TOKEN_DAYS = 365
# A token's last use is written at most this often, per token and process (ADR 0055).
LAST_USE_EVERY = timedelta(minutes=1)
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class IssuedToken:
    token_id: str
    token: str
    expires_at: datetime | None = None


@dataclass(frozen=True)
class Listing:
    """What the agency directory shows of an agency beyond who it is (ADR 0054): what it
    offers, in a few short texts, and how its office is reached: a functional mailbox and
    a phone number, never a person."""

    offers: tuple[str, ...] = ()
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class DirectoryEntry:
    agency: Agency
    listing: Listing


@dataclass(frozen=True)
class TokenRecord:
    """A token as its agency's admin sees it: never its secret."""

    token_id: str
    agency_id: str
    role: Role
    label: str
    issued_at: datetime
    expires_at: datetime | None  # None only for a token from before expiry, until `migrate`
    revoked_at: datetime | None
    last_used_at: datetime | None  # up to LAST_USE_EVERY behind


class AgencyExists(ValueError):
    pass


class UnknownAgency(LookupError):
    pass


class TokenExpired(Exception):
    """A token that was valid, and whose secret matched, has passed its end."""

    def __init__(self, expired_at: datetime) -> None:
        self.expired_at = expired_at
        # As the API writes instants elsewhere: 2027-09-01T09:00:00Z.
        self.shown = expired_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
        super().__init__(
            f"the token expired at {self.shown}; an admin of the agency issues a new one"
        )


class TooManyTokens(Exception):
    def __init__(self, agency_id: str, role: Role, most: int) -> None:
        super().__init__(
            f"{agency_id} holds {most} active {role.value} tokens already; revoke one"
            " before issuing another"
        )


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# A statement, not a secret:
TOKEN_QUERY = (
    "SELECT t.role, t.label, t.secret_hash, t.revoked_at, t.expires_at, t.last_used_at,"  # noqa: S105
    " a.* FROM {p}tokens t JOIN {p}agencies a ON a.agency_id = t.agency_id"
    " WHERE t.token_id = %s"
)
MARK_USED = "UPDATE {p}tokens SET last_used_at = %s WHERE token_id = %s"
# Inserts the token unless its agency holds `most` live tokens of the role already.
_ISSUE = (
    "INSERT INTO {p}tokens (token_id, agency_id, role, label, secret_hash, created_at,"
    " expires_at) SELECT %(token_id)s, %(agency_id)s, %(role)s, %(label)s, %(hash)s,"
    " %(now)s, %(expires)s WHERE CAST(%(most)s AS BIGINT) IS NULL OR (SELECT COUNT(*)"
    " FROM {p}tokens WHERE agency_id = %(agency_id)s AND role = %(role)s"
    " AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > %(now)s)) < %(most)s"
    " RETURNING token_id"
)
# PostgreSQL: issues for one agency take turns, so two at once cannot both pass the count.
_LOCK_AGENCY = "SELECT agency_id FROM {p}agencies WHERE agency_id = %s FOR UPDATE"
_REVOKE = (
    "UPDATE {p}tokens SET revoked_at = %s WHERE token_id = %s AND revoked_at IS NULL"
    " RETURNING token_id"
)
_TOKENS_OF = "SELECT * FROM {p}tokens WHERE agency_id = %s ORDER BY created_at, token_id"
_ENTRIES = (
    "SELECT * FROM {p}agencies"
    " WHERE (CAST(%(municipality)s AS TEXT) IS NULL OR municipality = %(municipality)s)"
    " AND (CAST(%(kind)s AS TEXT) IS NULL OR kind = %(kind)s)"
    " AND (CAST(%(after)s AS TEXT) IS NULL OR agency_id > %(after)s)"
    " ORDER BY agency_id LIMIT %(n)s"
)


def parse_token(token: str) -> tuple[str, str] | None:
    """(token id, secret) of a token of ours; None for anything else."""
    prefix, _, rest = token.partition(".")
    token_id, _, secret = rest.partition(".")
    if prefix != TOKEN_PREFIX or not token_id or not secret:
        return None
    return token_id, secret


def principal(row: Row | None, token_id: str, secret: str, now: datetime) -> Principal | None:
    """Who the token's row (TOKEN_QUERY) stands for, if it is live and the secret matches.
    A token past its end raises TokenExpired, only once its secret has matched: no one
    else learns that the token existed."""
    if row is None or row["revoked_at"] is not None:
        return None
    if not hmac.compare_digest(row["secret_hash"], _hash(secret)):
        return None
    ends = _instant(row["expires_at"])
    if ends is not None and now >= ends:
        raise TokenExpired(ends)
    return Principal(_agency(row), Role(row["role"]), token_id, row["label"])


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class LastUse:
    """Which token uses to write down: at most one per LAST_USE_EVERY per token in this
    process, and none while the stored one is younger (another process wrote it). Kept in
    memory: a token's row is read on every request, but written about once a minute."""

    def __init__(self) -> None:
        self._written: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def due(self, token_id: str, stored: str | None, now: datetime) -> bool:
        with self._lock:
            last = max(filter(None, (self._written.get(token_id), _instant(stored))),
                       default=None)  # fmt: skip
            if last is not None and now - last < LAST_USE_EVERY:
                return False
            self._written[token_id] = now
            return True


def _token(row: Row) -> TokenRecord:
    return TokenRecord(
        token_id=row["token_id"], agency_id=row["agency_id"], role=Role(row["role"]),
        label=row["label"], issued_at=datetime.fromisoformat(row["created_at"]),
        expires_at=_instant(row["expires_at"]), revoked_at=_instant(row["revoked_at"]),
        last_used_at=_instant(row["last_used_at"]),
    )  # fmt: skip


def _listing(row: Row) -> Listing:
    return Listing(tuple(json.loads(row["offers"] or "[]")), row["contact_email"],
                   row["contact_phone"])  # fmt: skip


def _agency(row: Row) -> Agency:
    return Agency(
        row["agency_id"],
        row["name"],
        AgencyKind(row["kind"]),
        row["municipality"],
        row["controller"] or "",
    )


class Directory:
    def __init__(self, db: Database, clock: Clock = _utc_now) -> None:
        self.db, self.clock = db, clock
        self.last_use = LastUse()
        # Agencies are never changed or removed, so one found stays valid: a consent's
        # recipients are checked without a read each (tokens are read every time, so
        # that a revocation anywhere holds at the next request).
        self._agencies: dict[str, Agency] = {}

    def add_agency(self, agency: Agency, listing: Listing | None = None) -> None:
        if self.get_agency(agency.agency_id) is not None:
            raise AgencyExists(agency.agency_id)
        listing = listing or Listing()
        self.db.execute(
            "INSERT INTO {p}agencies (agency_id, name, kind, municipality, created_at,"
            " controller, offers, contact_email, contact_phone)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (agency.agency_id, agency.name, agency.kind.value, agency.municipality,
             self._now(), agency.controller, json.dumps(list(listing.offers)), listing.email,
             listing.phone),
        )  # fmt: skip

    def _now(self) -> str:
        return stamp(self.clock())

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

    def entry(self, agency_id: str) -> DirectoryEntry | None:
        """An agency with what the directory shows of it; None for an unknown one."""
        row = self.db.fetch_one("SELECT * FROM {p}agencies WHERE agency_id = %s", (agency_id,))
        return DirectoryEntry(_agency(row), _listing(row)) if row else None

    def list_agencies(self) -> list[Agency]:
        return [_agency(r) for r in self.db.fetch_all("SELECT * FROM {p}agencies ORDER BY 1")]

    def entries(
        self, municipality: str | None = None, kind: AgencyKind | None = None,
        after: str | None = None, limit: int = 50,
    ) -> list[DirectoryEntry]:  # fmt: skip
        """The directory, by agency id, from after `after`; at most `limit` entries."""
        params = {"municipality": municipality, "kind": kind.value if kind else None,
                  "after": after, "n": limit}  # fmt: skip
        rows = self.db.fetch_all(_ENTRIES, params)
        return [DirectoryEntry(_agency(r), _listing(r)) for r in rows]

    # Tokens

    def issue_token(
        self, agency_id: str, role: Role, label: str | None = None, *,
        days: int = DEFAULT_TOKEN_DAYS, most_active: int | None = None,
        also: Callable[[TokenRecord], Sequence[RowWrite]] = lambda _: (),
    ) -> IssuedToken:  # fmt: skip
        """A new token, ending `days` from now. With `most_active`, refused (TooManyTokens)
        while the agency holds that many live tokens of the role. `also`: rows committed
        with it (its access-log entry)."""
        if not self.exists(agency_id):
            raise UnknownAgency(agency_id)
        token_id, secret, now = secrets.token_hex(6), secrets.token_urlsafe(32), self.clock()
        ends = now + timedelta(days=days)
        record = TokenRecord(token_id, agency_id, role, label or f"{role.value}-{token_id}",
                             now, ends, None, None)  # fmt: skip
        params = {"token_id": token_id, "agency_id": agency_id, "role": role.value,
                  "label": record.label, "hash": _hash(secret), "now": stamp(now),
                  "expires": stamp(ends), "most": most_active}  # fmt: skip
        with self.db.transaction() as cursor:
            if self.db.dialect == "postgres":
                self.db.run(cursor, _LOCK_AGENCY, (agency_id,))
            self.db.run(cursor, _ISSUE, params)
            if not cursor.fetchall():
                raise TooManyTokens(agency_id, role, most_active or 0)
            for row in also(record):
                cursor.execute(row.statement, row.params)
        return IssuedToken(token_id, f"{TOKEN_PREFIX}.{token_id}.{secret}", ends)

    def revoke_token(
        self, token_id: str, also: Callable[[TokenRecord], Sequence[RowWrite]] = lambda _: ()
    ) -> bool:
        """Whether the token exists; revoked now unless it was before. `also`: rows
        committed with the revocation, if this call made it."""
        found = self.token(token_id)
        if found is None:
            return False
        with self.db.transaction() as cursor:
            self.db.run(cursor, _REVOKE, (self._now(), token_id))
            if cursor.fetchall():
                for row in also(found):
                    cursor.execute(row.statement, row.params)
        return True

    def token(self, token_id: str) -> TokenRecord | None:
        row = self.db.fetch_one("SELECT * FROM {p}tokens WHERE token_id = %s", (token_id,))
        return _token(row) if row else None

    def tokens_of(self, agency_id: str) -> list[TokenRecord]:
        """The agency's tokens, revoked and expired ones too, oldest first."""
        return [_token(r) for r in self.db.fetch_all(_TOKENS_OF, (agency_id,))]

    def authenticate(self, token: str) -> Principal | None:
        """Who the token stands for; None for an unknown, wrong or revoked one; raises
        TokenExpired for one past its end. Writes down its use when that is due."""
        if (offered := parse_token(token)) is None:
            return None
        now = self.clock()
        row = self.db.fetch_one(TOKEN_QUERY, (offered[0],), alone=True)
        found = principal(row, *offered, now)
        if found is None or row is None:
            return found
        if self.last_use.due(found.token_id, row["last_used_at"], now):
            self.db.execute(MARK_USED, (stamp(now), found.token_id))
        return found
