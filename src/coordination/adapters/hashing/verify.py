"""Checking the stored history against its hash rows. Pure: rows in, a report out.

The store walk takes the events and the hash rows merged by position (a store
reader supplies them, see `ledger.py`) and recomputes both chains from the
stored bytes. It stops at the first failure and names it, because everything
after a break is suspect and the first break is where an investigation starts.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from uuid import UUID

from coordination.adapters.hashing.chain import ZERO, EventRow, chain_hash, event_hash

# The reasons a failure can give (docs/integrity.md explains each).
CHANGED = "event changed"  # the stored bytes no longer hash to the recorded hash
MISSING = "event missing"  # a hash row (or a version) without its event
NOT_IN_CHAIN = "event not in the chain"  # an event without its hash row
OUT_OF_ORDER = "out of order"  # position or version where another event belongs
BROKEN = "chain broken"  # the store-wide link to the previous position does not hold
TRUNCATED = "truncated"  # the store ends before a checkpoint's head
DIFFERS = "differs from checkpoint"  # the chain at a checkpoint's head is another one


@dataclass(frozen=True)
class HashRow:
    position: int
    case_id: str
    version: int
    event_hash: str
    chain_hash: str


@dataclass(frozen=True)
class Failure:
    case_id: str | None
    version: int | None
    reason: str
    position: int | None = None

    def describe(self) -> str:
        where = []
        if self.case_id is not None:
            where.append(f"case {self.case_id}")
        if self.version is not None:
            where.append(f"version {self.version}")
        if self.position is not None:
            where.append(f"position {self.position}")
        return f"{', '.join(where) or 'store'}: {self.reason}"


@dataclass(frozen=True)
class Report:
    events_checked: int
    first_failure: Failure | None = None

    @property
    def ok(self) -> bool:
        return self.first_failure is None


def display_id(case_id: str) -> str:
    """The hex key as the API shows case ids (hyphenated); other ids unchanged."""
    try:
        return str(UUID(hex=case_id))
    except ValueError:
        return case_id


def _failure(row: EventRow | HashRow, reason: str, version: int | None = None) -> Failure:
    return Failure(
        display_id(row.case_id), row.version if version is None else version, reason, row.position
    )


Pair = tuple[EventRow | None, HashRow | None]


def merge_by_position(events: Iterable[EventRow], hashes: Iterable[HashRow]) -> Iterator[Pair]:
    """Both streams, each in position order, paired up where their positions meet."""
    e_iter, h_iter = iter(events), iter(hashes)
    e, h = next(e_iter, None), next(h_iter, None)
    while e is not None or h is not None:
        if h is None or (e is not None and e.position < h.position):
            yield e, None
            e = next(e_iter, None)
        elif e is None or h.position < e.position:
            yield None, h
            h = next(h_iter, None)
        else:
            yield e, h
            e, h = next(e_iter, None), next(h_iter, None)


@dataclass
class _CaseTip:
    version: int
    digest: bytes


def _case_failure(e: EventRow, tip: _CaseTip | None) -> Failure | None:
    """A case's versions run 1, 2, 3 … in notification order; anything else is named."""
    expected = tip.version + 1 if tip else 1
    if e.version < expected:
        return _failure(e, OUT_OF_ORDER)
    if e.version > expected:
        return _failure(e, MISSING, version=expected)
    return None


def verify_store(pairs: Iterable[Pair]) -> Report:
    """Walk the whole store in notification order and recompute both chains."""
    tips: dict[str, _CaseTip] = {}
    link, checked = ZERO, 0
    for e, h in pairs:
        checked += e is not None
        if e is None:
            assert h is not None
            return Report(checked, _failure(h, MISSING))
        if h is None:
            return Report(checked, _failure(e, NOT_IN_CHAIN))
        if (e.case_id, e.version) != (h.case_id, h.version):
            return Report(checked, _failure(e, OUT_OF_ORDER))
        tip = tips.get(e.case_id)
        if failure := _case_failure(e, tip):
            return Report(checked, failure)
        digest = event_hash(tip.digest if tip else ZERO, e.case_id, e.version, e.topic, e.state)
        if digest.hex() != h.event_hash:
            return Report(checked, _failure(e, CHANGED))
        link = chain_hash(link, e.position, digest)
        if link.hex() != h.chain_hash:
            return Report(checked, _failure(e, BROKEN))
        tips[e.case_id] = _CaseTip(e.version, digest)
    return Report(checked)


@dataclass(frozen=True)
class CaseRow:
    """One version of a case: its event, its hash row, and the stored chain hash of
    the hash row just below its position (None when it is the first)."""

    event: EventRow | None
    hashes: HashRow | None
    chain_before: str | None


def verify_case(rows: Iterable[CaseRow]) -> Report:
    """One case, in version order: its own chain, and each of its links into the
    store chain (against the stored neighbour; the whole-store walk checks that)."""
    tip: _CaseTip | None = None
    last_position, checked = 0, 0
    for row in rows:
        e, h = row.event, row.hashes
        checked += e is not None
        if e is None:
            assert h is not None
            return Report(checked, _failure(h, MISSING))
        if h is None:
            return Report(checked, _failure(e, NOT_IN_CHAIN))
        if e.position != h.position or e.position <= last_position:
            return Report(checked, _failure(e, OUT_OF_ORDER))
        if failure := _case_failure(e, tip):
            return Report(checked, failure)
        digest = event_hash(tip.digest if tip else ZERO, e.case_id, e.version, e.topic, e.state)
        if digest.hex() != h.event_hash:
            return Report(checked, _failure(e, CHANGED))
        before = unhex(row.chain_before) if row.chain_before else ZERO
        if before is None or chain_hash(before, e.position, digest).hex() != h.chain_hash:
            return Report(checked, _failure(e, BROKEN))
        tip, last_position = _CaseTip(e.version, digest), e.position
    return Report(checked)


def check_head(position: int, chain: str, stored: HashRow | None, last: int) -> Failure | None:
    """Does the store still hold a checkpoint's head? `stored` is the hash row at its
    position (None if there is none), `last` the highest position the store has."""
    if position == 0:
        return None  # a checkpoint of the empty store holds for every store
    if stored is None:
        return Failure(None, None, TRUNCATED if last < position else DIFFERS, position)
    if stored.chain_hash != chain:
        return _failure(stored, DIFFERS)
    return None


def verify_links(
    start: str | None, rows: Iterable[HashRow], position: int, chain: str, store_last: int
) -> Failure | None:
    """Recompute the store chain over stored hash rows from `start` (the chain hash
    before the first row; None for the very first) up to a checkpoint's head."""
    link = unhex(start) if start else ZERO
    last: HashRow | None = None
    for h in rows:
        digest = unhex(h.event_hash)
        if link is None or digest is None:
            return _failure(h, BROKEN)
        link = chain_hash(link, h.position, digest)
        if link.hex() != h.chain_hash:
            return _failure(h, BROKEN)
        last = h
    if last is None or last.position != position:
        return Failure(None, None, TRUNCATED if store_last < position else DIFFERS, position)
    if link is None or link.hex() != chain:
        return _failure(last, DIFFERS)
    return None


def unhex(text: str) -> bytes | None:
    """A stored hash as bytes; None when someone wrote something else into the row."""
    try:
        digest = bytes.fromhex(text)
    except (TypeError, ValueError):
        return None
    return digest if len(digest) == 32 else None
