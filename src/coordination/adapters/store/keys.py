"""Per-case data keys, wrapped by a master key; erasure destroys a case's key.

Personal data of a case is encrypted with AES-GCM under that case's own key, so
destroying the key (crypto-shredding) makes every copy unreadable: events,
read models and backups alike. The master key never enters the database.

A case has a key per part (ADR 0042): what the agencies of one controller recorded
is sealed under the key of that controller's part (`case_part_keys`), so an erasure
by one controller destroys its part and leaves the others'. The case's first key
(`case_keys`, no part) seals the case's opening (and what was sealed before parts
existed, and a bulk import's history): it belongs to the controller of the agency that
opened the case, and its row tells that the case exists and whether it was erased.
"""

import base64
import json
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from coordination.adapters.store.database import Cursor, Database, Row
from coordination.adapters.timestamps import stamp

NONCE = 12
KEY_TTL_SECONDS = 2.0  # how long an unwrapped key is reused in one process
# Keys kept at most (about 100 bytes each); the longest cached go first.
MAX_CACHED_KEYS = 50_000

TABLE = """CREATE TABLE IF NOT EXISTS {p}case_keys (
    case_id TEXT PRIMARY KEY, wrapped TEXT, created_at TEXT NOT NULL, destroyed_at TEXT,
    owner TEXT)"""
PART_TABLE = """CREATE TABLE IF NOT EXISTS {p}case_part_keys (
    case_id TEXT NOT NULL, part TEXT NOT NULL, wrapped TEXT, created_at TEXT NOT NULL,
    destroyed_at TEXT, PRIMARY KEY (case_id, part))"""
# The part whose key seals the case's snapshots: every erasure deletes it, since a
# snapshot holds the state of every part (a slug never starts with "*").
SNAPSHOT_PART = "*snapshots"

# How the cache names a key: the case's first key by the id's int, a part's by a pair.
CacheKey = int | tuple[int, str]


def _no_part(agency_id: str, cursor: Cursor | None = None) -> str | None:
    return None


class PartOf(Protocol):
    """The part an agency's records belong to (its controller), looked up through the
    cursor of the transaction it is asked in, if any."""

    def __call__(self, agency_id: str, cursor: Cursor | None = None) -> str | None: ...


class KeyDestroyed(LookupError):
    """The case was erased: its personal data can no longer be written or read."""


def load_master_key(configured: str | None, key_file: Path) -> bytes:
    """From configuration (base64, 32 bytes), else a key file created owner-only."""
    if configured:
        return _decode_key(configured)
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(base64.urlsafe_b64encode(AESGCM.generate_key(256)).decode())
    return _decode_key(key_file.read_text().strip())


def _decode_key(text: str) -> bytes:
    key = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if len(key) != 32:
        msg = "the master key must be 32 bytes, base64-encoded"
        raise ValueError(msg)
    return key


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def unseal(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    return AESGCM(key).decrypt(sealed[:NONCE], sealed[NONCE:], aad)


def wrap(master: bytes, case_id: UUID, key: bytes, part: str | None = None) -> str:
    """A case's data key as its key row holds it: sealed by the master key."""
    return base64.b64encode(seal(master, key, _wrap_aad(case_id, part))).decode()


def _cache_key(case_id: UUID, part: str | None) -> CacheKey:
    return case_id.int if part is None else (case_id.int, part)


class CaseKeys:
    def __init__(self, db: Database, master_key: bytes) -> None:
        self.db, self.master = db, master_key
        # Ordered for eviction: a plain dict's first entry is found by skipping the slots
        # of entries deleted before it, about 30 us each at 50,000 keys; this is O(1).
        # Keyed by the id's int: a UUID is an object the garbage collector walks, and
        # 50,000 of them made each full collection 15 ms longer (ADR 0029).
        self._cache: OrderedDict[CacheKey, tuple[bytes, float]] = OrderedDict()
        # Whose part the first key is (it never changes; "": nobody's), by the id's int.
        self._owners: dict[int, str] = {}
        self._lock = threading.Lock()

    def create_table(self) -> None:
        self.db.execute(TABLE)
        self.db.execute(PART_TABLE)

    def key_for(
        self, case_id: UUID, *, part: str | None = None, create: bool = False,
        cursor: Cursor | None = None, owner: str | None = None,
    ) -> bytes:  # fmt: skip
        """The key of the case's part (None: its first key, made for `owner`'s part); made
        first when `create` and absent. Inside a transaction, pass its cursor: a second
        connection there can stall behind a waiting writer."""
        cached = self._cache.get(_cache_key(case_id, part))
        # Sealing (`create`) may use a cached key however old: what it seals under a key
        # destroyed since cannot be opened once the key is gone, and an event for a case
        # erased by another process cannot commit (the erasure took its version).
        # Opening honours the TTL, so an erasure elsewhere stops reads within it.
        if cached and (create or cached[1] > time.monotonic()):
            return cached[0]
        row = self._row(case_id, cursor, part)
        if row is None and create:
            self._create(case_id, cursor, part, owner)
            row = self._row(case_id, cursor, part)
        if row is None or row["wrapped"] is None:
            raise KeyDestroyed(str(case_id))
        cached = self._cache.get(_cache_key(case_id, part))  # `_row` cached it
        return cached[0] if cached else self._unwrap(case_id, row["wrapped"], part)

    def sealing_key(
        self, case_id: UUID, part: str | None, cursor: Cursor | None = None
    ) -> tuple[bytes, str | None]:
        """The key to seal a record of `part` under, and the part to name with it: the
        first key (None) when it is that part's, else the part's own, made if absent."""
        if part is not None and part == self.owner_of(case_id, cursor):
            part = None
        return self.key_for(case_id, part=part, create=True, cursor=cursor), part

    def text_key(
        self, case_id: UUID, part: str | None, cursor: Cursor | None = None
    ) -> tuple[bytes, str | None]:
        """The key a read model seals a record's text under: the key its event was sealed
        under. A read model makes no key (inside its transaction a key could be cached
        that the store never keeps): a part without a row sealed nothing, its records are
        under the first key (they came before parts, or by an import). Raises
        KeyDestroyed when that key is gone."""
        if (
            part is not None
            and part != self.owner_of(case_id, cursor)
            and self._row(case_id, cursor, part) is not None
        ):
            return self.key_for(case_id, part=part, cursor=cursor), part
        return self.key_for(case_id, create=True, cursor=cursor), None

    def owner_of(self, case_id: UUID, cursor: Cursor | None = None) -> str | None:
        """The part whose records the case's first key seals besides the opening (the
        controller of the agency that opened it); None for a store's older cases."""
        if (owner := self._owners.get(case_id.int)) is not None:
            return owner or None
        row = self._row(case_id, cursor)
        if row is None:
            return None
        self._note_owners({case_id.int: row["owner"]})
        return row["owner"]

    def _note_owners(self, owners: dict[int, str | None]) -> None:
        with self._lock:
            if len(self._owners) > MAX_CACHED_KEYS:
                self._owners.clear()
            # "": a first key of no part's, made before parts existed or by an import.
            self._owners.update((c, o or "") for c, o in owners.items())

    def _cache_keys(self, keys: dict[CacheKey, bytes]) -> None:
        until = time.monotonic() + KEY_TTL_SECONDS
        with self._lock:
            for name, key in keys.items():
                self._cache.pop(name, None)  # to the end of the insertion order
                self._cache[name] = (key, until)
            while len(self._cache) > MAX_CACHED_KEYS:
                self._cache.popitem(last=False)

    def _remember(self, wrapped: dict[UUID, str | None], case_ids: Sequence[UUID]) -> None:
        keys: dict[CacheKey, bytes] = {
            case_id.int: self._unwrap(case_id, wrapped.get(case_id)) for case_id in case_ids
        }
        self._cache_keys(keys)

    def _remember_parts(self, rows: Sequence[Row]) -> None:
        keys: dict[CacheKey, bytes] = {}
        for r in rows:
            if r["wrapped"] is not None:
                case_id = UUID(r["case_id"])
                keys[case_id.int, r["part"]] = self._unwrap(case_id, r["wrapped"], r["part"])
        self._cache_keys(keys)

    def _unwrap(self, case_id: UUID, wrapped: str | None, part: str | None = None) -> bytes:
        if wrapped is None:
            raise KeyDestroyed(str(case_id))
        return unseal(self.master, base64.b64decode(wrapped), _wrap_aad(case_id, part))

    def prefetch(self, case_ids: Sequence[UUID], cursor: Cursor | None = None) -> None:
        """Cache the keys of many cases with one select, so decoding a batch of their
        events (a projection catching up) or a caseload page reads no key row alone.
        Destroyed keys are left out: those cases are found destroyed as before."""
        wanted = [c for c in set(case_ids) if not self.fresh(c)]
        if not wanted:
            return
        ids = (json.dumps([str(c) for c in wanted]),)
        rows = self._select(_SELECT_MANY[self.db.dialect], ids, cursor)
        self._note_owners({UUID(r["case_id"]).int: r["owner"] for r in rows})
        alive = {UUID(r["case_id"]): r["wrapped"] for r in rows if r["wrapped"] is not None}
        self._remember(alive, list(alive))
        self._remember_parts(self._select(_SELECT_PARTS[self.db.dialect], ids, cursor))

    def _select(self, statement: str, params: tuple[str], cursor: Cursor | None) -> list[Row]:
        if cursor is None:
            return self.db.fetch_all(statement, params)
        self.db.run(cursor, statement, params)
        return list(cursor.fetchall())

    def remember_case(self, case_id: UUID, rows: Sequence[Row]) -> None:
        """Cache the live keys among a case's key rows (SELECT_CASE), and whose part its
        first key is; read here or on the event loop (ADR 0030)."""
        first = next((r for r in rows if r["part"] is None), None)
        if first is not None:
            self._note_owners({case_id.int: first["owner"]})
            if first["wrapped"] is not None:
                self._remember({case_id: first["wrapped"]}, [case_id])
        parts = [{**r, "case_id": str(case_id)} for r in rows if r["part"] is not None]
        self._remember_parts(parts)

    def fresh(self, case_id: UUID) -> bool:
        cached = self._cache.get(case_id.int)
        return cached is not None and cached[1] > time.monotonic()

    def destroy(self, case_id: UUID, part: str | None = None) -> None:
        """Destroy the key of the case's part (None: its first key). Its row stays, empty,
        so a later write cannot make a new key for what was erased."""
        at = stamp(datetime.now(UTC))
        if part is None:
            self.db.execute(
                "UPDATE {p}case_keys SET wrapped = NULL, destroyed_at = %s WHERE case_id = %s",
                (at, str(case_id)),
            )
        else:
            self.db.execute(
                "INSERT INTO {p}case_part_keys VALUES (%s, %s, NULL, %s, %s)"
                " ON CONFLICT (case_id, part)"
                " DO UPDATE SET wrapped = NULL, destroyed_at = excluded.destroyed_at",
                (str(case_id), part, at, at),
            )
        with self._lock:
            self._cache.pop(_cache_key(case_id, part), None)

    def renew(self, case_id: UUID, part: str) -> None:
        """Delete a part's key, so the next seal makes a new one: what the old key sealed
        can no longer be opened (the snapshots' part, at every erasure)."""
        self.db.execute(
            "DELETE FROM {p}case_part_keys WHERE case_id = %s AND part = %s", (str(case_id), part)
        )
        with self._lock:
            self._cache.pop(_cache_key(case_id, part), None)

    def is_destroyed(self, case_id: UUID, part: str | None = None) -> bool:
        row = self._row(case_id, part=part)
        return row is not None and row["wrapped"] is None

    def _row(
        self, case_id: UUID, cursor: Cursor | None = None, part: str | None = None
    ) -> dict[str, str | None] | None:
        """The row of the case's key of `part`. Every key row of the case comes in the same
        statement and the live ones are cached: a load that needs the first key, the
        snapshots' and a part's reads them in one round trip."""
        params = (str(case_id), str(case_id))
        if cursor is None:  # one statement: one round trip, no transaction block (ADR 0025)
            rows = self.db.fetch_all(SELECT_CASE, params, alone=True)
        else:
            self.db.run(cursor, SELECT_CASE, params)
            rows = [dict(r) for r in cursor.fetchall()]
        self.remember_case(case_id, rows)
        return next((r for r in rows if r["part"] == part), None)

    def _create(
        self, case_id: UUID, cursor: Cursor | None = None, part: str | None = None,
        owner: str | None = None,
    ) -> None:  # fmt: skip
        wrapped = wrap(self.master, case_id, AESGCM.generate_key(256), part)
        created = stamp(datetime.now(UTC))
        if part is None:
            insert = (
                "INSERT INTO {p}case_keys (case_id, wrapped, created_at, owner)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT (case_id) DO NOTHING"
            )
            params: tuple[str | None, ...] = (str(case_id), wrapped, created, owner)
        else:
            insert = (
                "INSERT INTO {p}case_part_keys VALUES (%s, %s, %s, %s, NULL)"
                " ON CONFLICT (case_id, part) DO NOTHING"
            )
            params = (str(case_id), part, wrapped, created)
        if cursor is None:
            self.db.execute(insert, params)
        else:
            self.db.run(cursor, insert, params)


# Every key row of one case: its first key's (part NULL) and its parts'.
SELECT_CASE = (
    "SELECT NULL AS part, wrapped, owner FROM {p}case_keys WHERE case_id = %s"
    " UNION ALL SELECT part, wrapped, NULL FROM {p}case_part_keys WHERE case_id = %s"
)
_SELECT_PARTS = {
    "postgres": "SELECT case_id, part, wrapped FROM {p}case_part_keys"
    " WHERE case_id IN (SELECT json_array_elements_text(%s::json))",
    "sqlite": "SELECT case_id, part, wrapped FROM {p}case_part_keys"
    " WHERE case_id IN (SELECT value FROM json_each(%s))",
}
_SELECT_MANY = {
    "postgres": "SELECT case_id, wrapped, owner FROM {p}case_keys"
    " WHERE case_id IN (SELECT json_array_elements_text(%s::json))",
    "sqlite": "SELECT case_id, wrapped, owner FROM {p}case_keys"
    " WHERE case_id IN (SELECT value FROM json_each(%s))",
}


def _wrap_aad(case_id: UUID, part: str | None = None) -> bytes:
    # Binds a wrapped key to its case and part: a key row copied elsewhere won't open.
    base = b"case-key:" + case_id.bytes
    return base if part is None else base + b":" + part.encode()


class TextSealer:
    """Seals short texts of read models (names, titles) with the key of the part of the
    agency that recorded them; stored as "<part>:<sealed>", or bare under the first key."""

    def __init__(self, keys: CaseKeys, part_of: PartOf = _no_part) -> None:
        self.keys, self.part_of = keys, part_of

    def seal(
        self, case_id: UUID, text: str | None, label: str, cursor: Cursor | None = None,
        by: str | None = None,
    ) -> str | None:  # fmt: skip
        if text is None:
            return None
        part = self.part_of(by, cursor) if by is not None else None
        try:
            key, part = self.keys.text_key(case_id, part, cursor)
        except KeyDestroyed:  # the part was erased before the view came to this record
            return None
        sealed = base64.b64encode(seal(key, text.encode(), _text_aad(case_id, label))).decode()
        return sealed if part is None else f"{part}:{sealed}"

    def open(self, case_id: UUID, sealed: str | None, label: str) -> str | None:
        """The text, or None when there is none or its part was erased."""
        if sealed is None:
            return None
        part, _, body = sealed.rpartition(":")  # base64 has no ":"; a slug has none either
        try:
            key = self.keys.key_for(case_id, part=part or None)
        except KeyDestroyed:
            return None
        return unseal(key, base64.b64decode(body), _text_aad(case_id, label)).decode()


def _text_aad(case_id: UUID, label: str) -> bytes:
    return f"{case_id}:{label}".encode()
