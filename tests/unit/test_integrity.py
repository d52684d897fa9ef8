"""The chain format, the pure verifier and signed checkpoints, without a database."""

import hashlib
import stat
import struct
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from coordination.adapters.hashing.chain import (
    ZERO,
    EventRow,
    NewEvent,
    case_digests,
    chain_hash,
    event_hash,
    link_batch,
)
from coordination.adapters.hashing.checkpoint import (
    Checkpoint,
    CheckpointInvalid,
    checkpoint_signed,
    make_checkpoint,
)
from coordination.adapters.hashing.signing import BadKey, key_id, load_signing_key
from coordination.adapters.hashing.verify import (
    Failure,
    HashRow,
    merge_by_position,
    verify_store,
)

CASE = "00000000000000000000000000000001"
OPENED, CLOSED = (
    "coordination.domain.case:Case.CaseOpened",
    "coordination.domain.case:Case.CaseClosed",
)
STATE = b'{"c":{},"s":null}'


def auditors_event_hash(
    previous: bytes, case: str, version: int, topic: str, state: bytes
) -> bytes:
    """Written from docs/integrity.md alone, not from the service's code."""

    def field(b: bytes) -> bytes:
        return struct.pack(">Q", len(b)) + b

    data = (b"coordination-event-v1" + previous + field(case.encode()) + struct.pack(">Q", version)
            + field(topic.encode()) + field(state))  # fmt: skip
    return hashlib.sha256(data).digest()


def auditors_chain_hash(previous: bytes, position: int, digest: bytes) -> bytes:
    return hashlib.sha256(b"coordination-chain-v1" + previous + struct.pack(">Q", position)
                          + digest).digest()  # fmt: skip


def test_the_documented_test_vectors() -> None:
    first = event_hash(ZERO, CASE, 1, OPENED, STATE)
    link = chain_hash(ZERO, 1, first)
    second = event_hash(first, CASE, 2, CLOSED, STATE)
    assert first.hex() == "7446dba415fd0711b8c03445aa76a3ae6cee97b4b607403d3bd9b3a40b9613f4"
    assert link.hex() == "6830c9b95754ba87f5f51631ada11c3ea4599691d85540d721421b0b6d49d6b7"
    assert second.hex() == "c67a221549cf59a43b70e03c4cf39c7bb6955cce0bd4e3f70dcec040394099ce"
    assert chain_hash(link, 2, second).hex() == (
        "4ae31f2a23eacd6c439dfe62fb0422f91aa24a7b37746be66a0717b5de8731a2"
    )


@pytest.mark.parametrize("state", [b"", b"{}", STATE, bytes(range(256)) * 3])
def test_an_auditors_own_code_computes_the_same_hashes(state: bytes) -> None:
    first = event_hash(ZERO, CASE, 1, OPENED, state)
    assert first == auditors_event_hash(ZERO, CASE, 1, OPENED, state)
    assert event_hash(first, CASE, 7, "t:ü", state) == auditors_event_hash(
        first, CASE, 7, "t:ü", state
    )
    assert chain_hash(first, 2**40, first) == auditors_chain_hash(first, 2**40, first)


def test_length_prefixes_keep_fields_apart() -> None:
    # The same bytes split differently between topic and state hash differently.
    assert event_hash(ZERO, CASE, 1, "ab", b"c") != event_hash(ZERO, CASE, 1, "a", b"bc")


def _rows(links: list[tuple[str, int]]) -> tuple[list[EventRow], list[HashRow]]:
    """Events at positions 1, 2, … as the recorder would hash them one by one."""
    events = [EventRow(p, c, v, "t:T", f"{c}:{v}".encode()) for p, (c, v) in enumerate(links, 1)]
    stored: list[HashRow] = []

    def case_head(case: str, version: int) -> bytes:
        below = [h for h in stored if h.case_id == case and h.version < version]
        return bytes.fromhex(max(below, key=lambda h: h.version).event_hash) if below else ZERO

    def chain_head(position: int) -> bytes:
        below = [h for h in stored if h.position < position]
        return bytes.fromhex(below[-1].chain_hash) if below else ZERO

    for e in events:
        (link,) = link_batch([EventRow(e.position, e.case_id, e.version, e.topic, e.state)],
                             case_head, chain_head)  # fmt: skip
        stored.append(HashRow(link.position, link.case_id, link.version,
                              link.event_hash.hex(), link.chain_hash.hex()))  # fmt: skip
    return events, stored


A, B = "a" * 32, "b" * 32


def test_one_batch_hashes_like_single_inserts() -> None:
    events, one_by_one = _rows([(A, 1), (B, 1), (A, 2), (B, 2)])
    batch = link_batch(
        [EventRow(e.position, e.case_id, e.version, e.topic, e.state) for e in events],
        lambda case, version: ZERO, lambda position: ZERO,
    )  # fmt: skip
    assert [(k.event_hash.hex(), k.chain_hash.hex()) for k in batch] == [
        (h.event_hash, h.chain_hash) for h in one_by_one
    ]


def test_the_hashes_of_a_case_begun_in_the_batch_can_be_made_before_the_lock() -> None:
    # 1. Case A is stored up to version 1; the batch holds its version 2 and a new case B.
    events, one_by_one = _rows([(A, 1), (B, 1), (A, 2), (B, 2)])
    batch = events[1:]
    # 2. B's hashes are made before any position is known, from ZERO: nothing of B is stored.
    new = [NewEvent(e.case_id, e.version, e.topic, e.state) for e in batch if e.case_id == B]
    early = case_digests(new, lambda case, version: ZERO)
    # 3. Under the lock, only A's head is read; the rows are those of single inserts.
    heads = {A: bytes.fromhex(one_by_one[0].event_hash)}
    links = link_batch(batch, lambda case, version: heads[case],
                       lambda position: bytes.fromhex(one_by_one[0].chain_hash), early)  # fmt: skip
    assert [(k.event_hash.hex(), k.chain_hash.hex()) for k in links] == [
        (h.event_hash, h.chain_hash) for h in one_by_one[1:]
    ]


def test_the_pure_walk_names_each_kind_of_damage() -> None:
    events, hashes = _rows([(A, 1), (B, 1), (A, 2), (B, 2), (A, 3)])

    def first(ev: list[EventRow], hs: list[HashRow]) -> Failure | None:
        return verify_store(merge_by_position(ev, hs)).first_failure

    a = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"
    assert first(events, hashes) is None
    changed = [*events[:2], EventRow(3, A, 2, "t:T", b"x"), *events[3:]]
    assert first(changed, hashes) == Failure(a, 2, "event changed", 3)
    assert first(events[:2] + events[3:], hashes) == Failure(a, 2, "event missing", 3)
    # An event removed with its hash row shows at the next position: its link is gone.
    b = "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb"
    assert first(events[:2] + events[3:], hashes[:2] + hashes[3:]) == Failure(
        b, 2, "chain broken", 4
    )
    # Of the case's last event, only the version gap shows it.
    relinked = _rows([(A, 1), (B, 1), (B, 2), (A, 3)])
    assert first(*relinked) == Failure(a, 2, "event missing", 4)
    forged = [*events, EventRow(6, A, 4, "t:T", b"forged")]
    assert first(forged, hashes) == Failure(a, 4, "event not in the chain", 6)
    broken = [*hashes[:3], HashRow(4, B, 2, hashes[3].event_hash, "00" * 32), hashes[4]]
    assert first(events, broken) == Failure(b, 2, "chain broken", 4)


KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
AT = datetime(2026, 9, 1, 9, tzinfo=UTC)


def test_checkpoints_are_signed_and_any_edit_breaks_them() -> None:
    cp = make_checkpoint(KEY, 17, "ab" * 32, 17, AT)
    trusted = {key_id(KEY.public_key()): KEY.public_key()}
    assert checkpoint_signed(cp, trusted)
    assert Checkpoint.from_json(cp.to_json()) == cp
    for member, value in [("position", 16), ("chain_hash", "cd" * 32), ("events", 18),
                          ("at", "2027-01-01T00:00:00.000000Z")]:  # fmt: skip
        assert not checkpoint_signed(Checkpoint(**{**cp.to_json(), member: value}), trusted)
    other = Ed25519PrivateKey.from_private_bytes(bytes(32))
    assert not checkpoint_signed(make_checkpoint(other, 17, "ab" * 32, 17, AT), trusted)
    assert checkpoint_signed(make_checkpoint(other, 17, "ab" * 32, 17, AT), None)


def test_a_checkpoint_has_exactly_its_members() -> None:
    doc = make_checkpoint(KEY, 1, "ab" * 32, 1, AT).to_json()
    for broken in ({**doc, "extra": 1}, {k: v for k, v in doc.items() if k != "at"},
                   {**doc, "position": "1"}, {**doc, "position": True}, [doc]):  # fmt: skip
        with pytest.raises(CheckpointInvalid):
            Checkpoint.from_json(broken)


def test_the_signing_key_file_is_made_once_and_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "var" / "signing.key"
    first = load_signing_key(None, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key_id(load_signing_key(None, path).public_key()) == key_id(first.public_key())
    with pytest.raises(BadKey):
        load_signing_key("dG9vIHNob3J0", path)
