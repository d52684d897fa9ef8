"""Per-case data keys, wrapped by a master key; erasure destroys a case's key.

Personal data of a case is encrypted with AES-GCM under that case's own key, so
destroying the key (crypto-shredding) makes every copy unreadable: events,
read models and backups alike. The master key never enters the database.
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
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from coordination.adapters.store.database import Cursor, Database
from coordination.adapters.timestamps import stamp

NONCE = 12
KEY_TTL_SECONDS = 2.0  # how long an unwrapped key is reused in one process
# Keys kept at most (about 100 bytes each); the longest cached go first.
MAX_CACHED_KEYS = 50_000

TABLE = """CREATE TABLE IF NOT EXISTS {p}case_keys (
    case_id TEXT PRIMARY KEY, wrapped TEXT, created_at TEXT NOT NULL, destroyed_at TEXT)"""


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


def wrap(master: bytes, case_id: UUID, key: bytes) -> str:
    """A case's data key as its case_keys row holds it: sealed by the master key."""
    return base64.b64encode(seal(master, key, _wrap_aad(case_id))).decode()


class CaseKeys:
    def __init__(self, db: Database, master_key: bytes) -> None:
        self.db, self.master = db, master_key
        # Ordered for eviction: a plain dict's first entry is found by skipping the slots
        # of entries deleted before it, about 30 us each at 50,000 keys; this is O(1).
        # Keyed by the id's int: a UUID is an object the garbage collector walks, and
        # 50,000 of them made each full collection 15 ms longer (ADR 0029).
        self._cache: OrderedDict[int, tuple[bytes, float]] = OrderedDict()
        self._lock = threading.Lock()

    def create_table(self) -> None:
        self.db.execute(TABLE)

    def key_for(
        self, case_id: UUID, *, create: bool = False, cursor: Cursor | None = None
    ) -> bytes:
        """The case's data key; made first when `create` and absent. Inside a transaction,
        pass its cursor: a second connection there can stall behind a waiting writer."""
        cached = self._cache.get(case_id.int)
        # Sealing (`create`) may use a cached key however old: what it seals under a key
        # destroyed since cannot be opened once the key is gone, and an event for a case
        # erased by another process cannot commit (the erasure took its version).
        # Opening honours the TTL, so an erasure elsewhere stops reads within it.
        if cached and (create or cached[1] > time.monotonic()):
            return cached[0]
        row = self._row(case_id, cursor)
        if row is None and create:
            self._create(case_id, cursor)
            row = self._row(case_id, cursor)
        key = self._unwrap(case_id, row["wrapped"] if row else None)
        self._cache_keys({case_id: key})
        return key

    def _cache_keys(self, keys: dict[UUID, bytes]) -> None:
        until = time.monotonic() + KEY_TTL_SECONDS
        with self._lock:
            for case_id, key in keys.items():
                self._cache.pop(case_id.int, None)  # to the end of the insertion order
                self._cache[case_id.int] = (key, until)
            while len(self._cache) > MAX_CACHED_KEYS:
                self._cache.popitem(last=False)

    def _remember(self, wrapped: dict[UUID, str | None], case_ids: Sequence[UUID]) -> None:
        keys = {case_id: self._unwrap(case_id, wrapped.get(case_id)) for case_id in case_ids}
        self._cache_keys(keys)

    def _unwrap(self, case_id: UUID, wrapped: str | None) -> bytes:
        if wrapped is None:
            raise KeyDestroyed(str(case_id))
        return unseal(self.master, base64.b64decode(wrapped), _wrap_aad(case_id))

    def prefetch(self, case_ids: Sequence[UUID], cursor: Cursor | None = None) -> None:
        """Cache the keys of many cases with one select, so decoding a batch of their
        events (a projection catching up) or a caseload page reads no key row alone.
        Destroyed keys are left out: those cases are found destroyed as before."""
        wanted = [c for c in set(case_ids) if not self.fresh(c)]
        if not wanted:
            return
        ids = (json.dumps([str(c) for c in wanted]),)
        if cursor is None:
            rows = self.db.fetch_all(_SELECT_MANY[self.db.dialect], ids)
        else:
            self.db.run(cursor, _SELECT_MANY[self.db.dialect], ids)
            rows = cursor.fetchall()
        alive = {UUID(r["case_id"]): r["wrapped"] for r in rows if r["wrapped"] is not None}
        self._remember(alive, list(alive))

    def remember(self, case_id: UUID, wrapped: str) -> None:
        """Cache a key whose row was read elsewhere (on the event loop, ADR 0030)."""
        self._remember({case_id: wrapped}, [case_id])

    def fresh(self, case_id: UUID) -> bool:
        cached = self._cache.get(case_id.int)
        return cached is not None and cached[1] > time.monotonic()

    def destroy(self, case_id: UUID) -> None:
        self.db.execute(
            "UPDATE {p}case_keys SET wrapped = NULL, destroyed_at = %s WHERE case_id = %s",
            (stamp(datetime.now(UTC)), str(case_id)),
        )
        with self._lock:
            self._cache.pop(case_id.int, None)

    def is_destroyed(self, case_id: UUID) -> bool:
        row = self._row(case_id)
        return row is not None and row["wrapped"] is None

    def _row(self, case_id: UUID, cursor: Cursor | None = None) -> dict[str, str | None] | None:
        if cursor is None:  # one statement: one round trip, no transaction block (ADR 0025)
            return self.db.fetch_one(SELECT_ONE, (str(case_id),), alone=True)
        self.db.run(cursor, SELECT_ONE, (str(case_id),))
        rows = cursor.fetchall()
        return dict(rows[0]) if rows else None

    def _create(self, case_id: UUID, cursor: Cursor | None = None) -> None:
        wrapped = wrap(self.master, case_id, AESGCM.generate_key(256))
        insert = (
            "INSERT INTO {p}case_keys VALUES (%s, %s, %s, NULL) ON CONFLICT (case_id) DO NOTHING"
        )
        params = (str(case_id), wrapped, stamp(datetime.now(UTC)))
        if cursor is None:
            self.db.execute(insert, params)
        else:
            self.db.run(cursor, insert, params)


SELECT_ONE = "SELECT wrapped FROM {p}case_keys WHERE case_id = %s"
_SELECT_MANY = {
    "postgres": "SELECT case_id, wrapped FROM {p}case_keys"
    " WHERE case_id IN (SELECT json_array_elements_text(%s::json))",
    "sqlite": "SELECT case_id, wrapped FROM {p}case_keys"
    " WHERE case_id IN (SELECT value FROM json_each(%s))",
}


def _wrap_aad(case_id: UUID) -> bytes:
    # Binds a wrapped key to its case: a key row copied to another case won't open.
    return b"case-key:" + case_id.bytes


class TextSealer:
    """Seals short texts of read models (names, titles) with their case's key."""

    def __init__(self, keys: CaseKeys) -> None:
        self.keys = keys

    def seal(
        self, case_id: UUID, text: str | None, label: str, cursor: Cursor | None = None
    ) -> str | None:
        if text is None:
            return None
        key = self.keys.key_for(case_id, create=True, cursor=cursor)
        return base64.b64encode(seal(key, text.encode(), _text_aad(case_id, label))).decode()

    def open(self, case_id: UUID, sealed: str | None, label: str) -> str | None:
        """The text, or None when there is none or the case was erased."""
        if sealed is None:
            return None
        try:
            key = self.keys.key_for(case_id)
        except KeyDestroyed:
            return None
        return unseal(key, base64.b64decode(sealed), _text_aad(case_id, label)).decode()


def _text_aad(case_id: UUID, label: str) -> bytes:
    return f"{case_id}:{label}".encode()
