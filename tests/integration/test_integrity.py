"""Tampering behind the service's back, with SQL on both stores, and what verify says.

Each test records a few cases through the service, changes the events table (and
for truncation the hash rows too) directly, and expects verification to fail and
to name the first place it shows. The untouched store passes.
"""

import base64
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from coordination.adapters.hashing.chain import event_hash
from coordination.adapters.hashing.checkpoint import Checkpoint
from coordination.adapters.hashing.verify import Failure
from coordination.adapters.store.keys import KeyDestroyed
from coordination.application.errors import CaseNotFound
from coordination.bootstrap import Services, signing_keys
from coordination.services.integrity import IntegrityService
from tests.integration.test_projections import story
from tests.support import STARTER_EVENTS

S = STARTER_EVENTS  # the rule book's starter set, before the story's events


@dataclass
class Tamper:
    """Direct SQL on the event store, the way someone with database access would."""

    svc: Services

    @property
    def sqlite(self) -> bool:
        return self.svc.db.dialect == "sqlite"

    @property
    def events(self) -> str:
        name: str = self.svc.app.recorder.events_table_name  # type: ignore[attr-defined]
        return "{p}" + name

    @property
    def pos(self) -> str:
        return "rowid" if self.sqlite else "notification_id"

    def rows(self) -> list[dict[str, Any]]:
        """Every event in notification order: position, case (hyphenated), version, state."""
        found = self.svc.db.fetch_all(
            f"SELECT {self.pos} AS position, originator_id, originator_version, topic, state"
            f" FROM {self.events} ORDER BY {self.pos}"
        )
        return [{"position": r["position"], "case_id": str(UUID(str(r["originator_id"]))),
                 "version": r["originator_version"], "topic": r["topic"],
                 "state": bytes(r["state"])} for r in found]  # fmt: skip

    def story(self) -> list[dict[str, Any]]:
        """The story's events, after the rule book's starter set."""
        return self.rows()[S:]

    def set_state(self, position: int, state: bytes) -> None:
        self.svc.db.execute(
            f"UPDATE {self.events} SET state = %s WHERE {self.pos} = %s", (state, position)
        )

    def delete(self, position: int) -> None:
        self.svc.db.execute(f"DELETE FROM {self.events} WHERE {self.pos} = %s", (position,))

    def insert(self, case_id: str, version: int, topic: str, state: bytes) -> None:
        originator = UUID(case_id).hex if self.sqlite else case_id
        self.svc.db.execute(
            f"INSERT INTO {self.events} (originator_id, originator_version, topic, state)"
            " VALUES (%s, %s, %s, %s)",
            (originator, version, topic, state),
        )

    def move(self, position: int, to: int) -> None:
        self.svc.db.execute(
            f"UPDATE {self.events} SET {self.pos} = %s WHERE {self.pos} = %s", (to, position)
        )

    def truncate(self, keep: int) -> None:
        """Drop every event above `keep` and its hash row: a consistent shorter store."""
        self.svc.db.execute(f"DELETE FROM {self.events} WHERE {self.pos} > %s", (keep,))
        self.svc.db.execute("DELETE FROM {p}event_hashes WHERE position > %s", (keep,))


@pytest.fixture
def integrity(services: Services) -> IntegrityService:
    story(services)  # three cases, 17 events: positions S+1 to S+5, S+6 to S+11, S+12 to S+17
    return services.integrity


@pytest.fixture
def tamper(services: Services) -> Tamper:
    return Tamper(services)


def failure_of(integrity: IntegrityService, **kwargs: Any) -> Failure | None:
    return integrity.verify(**kwargs).first_failure


def test_the_untouched_store_verifies_whole_and_case_by_case(
    integrity: IntegrityService, tamper: Tamper
) -> None:
    report = integrity.verify()
    assert (report.ok, report.events_checked) == (True, S + 17)
    for case_id in {r["case_id"] for r in tamper.rows()}:  # the rule book's too
        assert integrity.verify(UUID(case_id)).ok


def test_one_changed_byte_in_a_stored_event_is_named(
    integrity: IntegrityService, tamper: Tamper
) -> None:
    target = tamper.story()[7]
    state = bytearray(target["state"])
    state[len(state) // 2] ^= 0x01
    tamper.set_state(target["position"], bytes(state))

    expected = Failure(target["case_id"], target["version"], "event changed", target["position"])
    assert failure_of(integrity) == expected
    assert failure_of(integrity, case_id=UUID(target["case_id"])) == expected


def test_a_deleted_event_is_named(integrity: IntegrityService, tamper: Tamper) -> None:
    target = tamper.story()[4]
    tamper.delete(target["position"])

    expected = Failure(target["case_id"], target["version"], "event missing", target["position"])
    assert failure_of(integrity) == expected
    assert failure_of(integrity, case_id=UUID(target["case_id"])) == expected


def test_two_swapped_events_are_named_at_the_first(
    integrity: IntegrityService, tamper: Tamper
) -> None:
    rows = tamper.story()
    first, second = rows[3], rows[9]
    tamper.set_state(first["position"], second["state"])
    tamper.set_state(second["position"], first["state"])

    assert failure_of(integrity) == Failure(
        first["case_id"], first["version"], "event changed", first["position"]
    )


def test_two_events_moved_to_each_others_positions_are_out_of_order(
    integrity: IntegrityService, tamper: Tamper
) -> None:
    rows = tamper.story()
    first, second = rows[4], rows[5]
    assert first["case_id"] != second["case_id"]
    tamper.move(first["position"], 1000)
    tamper.move(second["position"], first["position"])
    tamper.move(1000, second["position"])

    assert failure_of(integrity) == Failure(
        second["case_id"], second["version"], "out of order", first["position"]
    )
    assert failure_of(integrity, case_id=UUID(first["case_id"])) == Failure(
        first["case_id"], first["version"], "out of order", second["position"]
    )


def test_a_forged_event_is_not_in_the_chain(integrity: IntegrityService, tamper: Tamper) -> None:
    rows = tamper.story()
    victim = rows[0]["case_id"]
    last = max(r["version"] for r in rows if r["case_id"] == victim)
    template = next(r for r in rows if r["case_id"] == victim and r["version"] == last)
    tamper.insert(victim, last + 1, template["topic"], template["state"])
    forged = tamper.rows()[-1]

    expected = Failure(victim, last + 1, "event not in the chain", forged["position"])
    assert failure_of(integrity) == expected
    assert failure_of(integrity, case_id=UUID(victim)) == expected


def test_a_truncated_tail_is_caught_only_against_an_earlier_checkpoint(
    integrity: IntegrityService, tamper: Tamper
) -> None:
    checkpoint = integrity.checkpoint()
    assert (checkpoint.position, checkpoint.events) == (S + 17, S + 17)
    assert integrity.verify(against=checkpoint).ok

    tamper.truncate(keep=S + 14)

    assert integrity.verify().ok  # consistent in itself: nothing to see without a head
    assert failure_of(integrity, against=checkpoint) == Failure(None, None, "truncated", S + 17)
    victim = UUID(tamper.story()[0]["case_id"])
    assert failure_of(integrity, case_id=victim, against=checkpoint) == Failure(
        None, None, "truncated", S + 17
    )


def test_a_rewritten_history_with_recomputed_hashes_differs_from_the_checkpoint(
    services: Services, integrity: IntegrityService, tamper: Tamper
) -> None:
    """Someone who rewrites an event and recomputes every hash row passes plain verify;
    the auditor's checkpoint still shows it."""
    checkpoint = integrity.checkpoint()
    rows = tamper.rows()
    tamper.truncate(keep=0)
    third = rows[S + 2]
    edited = [*rows[: S + 2], {**third, "state": third["state"].replace(b"leipzig", b"dresden")}]
    for r in [*edited, *rows[S + 3 :]]:
        # Re-inserting through the recorder writes fresh, consistent hash rows.
        services.app.recorder.insert_events([_stored(r)])

    assert integrity.verify().ok
    failure = failure_of(integrity, against=checkpoint)
    assert failure is not None
    assert (failure.reason, failure.position) == ("differs from checkpoint", S + 17)


def test_a_checkpoint_from_another_key_or_edited_is_refused(integrity: IntegrityService) -> None:
    checkpoint = integrity.checkpoint()
    edited = Checkpoint(**{**checkpoint.to_json(), "position": checkpoint.position - 1})

    failure = failure_of(integrity, against=edited)

    assert failure is not None
    assert failure.reason == "checkpoint signature invalid or key not trusted"


def test_erasure_destroys_the_key_and_leaves_verification_intact(
    services: Services, integrity: IntegrityService, tamper: Tamper
) -> None:
    victim = UUID(tamper.story()[0]["case_id"])
    services.app.keys.destroy(victim)
    with pytest.raises(KeyDestroyed):
        services.app.keys.key_for(victim)

    assert integrity.verify().ok
    assert integrity.verify(victim).ok


def test_an_unknown_case_is_not_found(integrity: IntegrityService) -> None:
    with pytest.raises(CaseNotFound):
        integrity.verify(UUID(int=7))


def test_events_written_in_one_batch_and_across_cases_chain_in_order(
    services: Services,
) -> None:
    """The recorder chains several events of one insert, of several cases, in order."""
    integrity = services.integrity
    a, b = UUID(int=1), UUID(int=2)
    batch = [_stored({"case_id": str(c), "version": v, "topic": "t:T", "state": b"{}"})
             for c, v in [(a, 1), (b, 1), (a, 2), (b, 2), (a, 3)]]  # fmt: skip
    services.app.recorder.insert_events(batch[:3])
    services.app.recorder.insert_events(batch[3:])

    assert integrity.verify().events_checked == S + 5
    assert integrity.verify().ok
    assert integrity.verify(a).ok
    assert integrity.verify(b).ok


def test_a_case_that_seems_new_to_a_batch_chains_on_from_what_is_stored(
    services: Services,
) -> None:
    """A batch holding a case's version 1 hashes it before the lock as a new case; the
    heads read under the lock find what is stored below (a version 0: the library's
    recorders allow it, the service never writes one) and it is hashed again from there."""
    case = UUID(int=3)
    rows = [_stored({"case_id": str(case), "version": v, "topic": "t:T", "state": b"{}"})
            for v in (0, 1)]  # fmt: skip
    services.app.recorder.insert_events(rows[:1])
    services.app.recorder.insert_events(rows[1:])

    below, hashed = services.db.fetch_all(
        "SELECT event_hash FROM {p}event_hashes WHERE case_id = %s ORDER BY version", (case.hex,)
    )
    expected = event_hash(bytes.fromhex(below["event_hash"]), case.hex, 1, "t:T", b"{}")
    assert hashed["event_hash"] == expected.hex()


def _stored(row: dict[str, Any]) -> StoredEvent:
    return StoredEvent(UUID(row["case_id"]), row["version"], row["topic"], row["state"])


def test_concurrent_writers_leave_one_consistent_chain(services: Services) -> None:
    """Writers race for positions; each batch reads the chain head under the write
    lock, so the chain has no fork and no gap however the threads interleave."""
    integrity = services.integrity

    def write(n: int) -> None:
        case = UUID(int=1000 + n)
        for start in range(1, 31, 3):
            services.app.recorder.insert_events(
                [_stored({"case_id": str(case), "version": v, "topic": "t:T", "state": b"{}"})
                 for v in range(start, start + 3)]
            )  # fmt: skip

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(write, range(6)))

    report = integrity.verify()
    assert (report.ok, report.events_checked) == (True, S + 180)


def test_a_refused_insert_leaves_no_hash_row_and_its_gap_is_fine(services: Services) -> None:
    """A conflicting insert rolls back its hash rows with its events; on PostgreSQL it
    also burns notification ids, and the chain simply steps over the gap."""
    integrity = services.integrity
    case = str(UUID(int=9))
    recorder = services.app.recorder
    recorder.insert_events(
        [_stored({"case_id": case, "version": 1, "topic": "t:T", "state": b"1"})]
    )
    clash = [
        _stored({"case_id": case, "version": v, "topic": "t:T", "state": b"x"}) for v in (2, 1)
    ]
    with pytest.raises(IntegrityError):
        recorder.insert_events(clash)
    recorder.insert_events(
        [_stored({"case_id": case, "version": 2, "topic": "t:T", "state": b"2"})]
    )

    hashes = services.db.fetch_all(
        "SELECT position FROM {p}event_hashes WHERE case_id = %s", (UUID(case).hex,)
    )
    assert len(hashes) == 2
    assert integrity.verify().ok
    assert integrity.verify(UUID(case)).ok


def test_checkpoints_of_a_retired_signing_key_still_verify(
    services: Services, integrity: IntegrityService, tmp_path: Path
) -> None:
    old = integrity.checkpoint()
    new_key = base64.b64encode(bytes(range(100, 132))).decode()
    rotated = services.settings.model_copy(update={"signing_key": new_key})
    retired = rotated.model_copy(update={"signing_retired_public_keys": [old.public_key]})
    no_key = services.settings.model_copy(
        update={"signing_key": None, "signing_key_file": tmp_path / "absent.key"}
    )

    assert (
        failure_of(IntegrityService(services.app, signing_keys(rotated)), against=old) is not None
    )
    assert IntegrityService(services.app, signing_keys(retired)).verify(against=old).ok
    assert IntegrityService(services.app, signing_keys(retired)).checkpoint().key_id != old.key_id
    assert failure_of(IntegrityService(services.app, signing_keys(no_key)), against=old) is not None
    assert not (tmp_path / "absent.key").exists()  # checking made no key


def test_rows_overwritten_with_the_wrong_kind_of_value_are_named_not_crashed_on(
    services: Services, integrity: IntegrityService, tamper: Tamper
) -> None:
    rows = tamper.story()
    services.db.execute(
        f"UPDATE {tamper.events} SET state = NULL WHERE {tamper.pos} = %s", (rows[2]["position"],)
    )
    assert failure_of(integrity) == Failure(
        rows[2]["case_id"], rows[2]["version"], "event changed", rows[2]["position"]
    )

    tamper.set_state(rows[2]["position"], rows[2]["state"])
    services.db.execute(
        "UPDATE {p}event_hashes SET chain_hash = 'zz' WHERE position = %s", (S + 5,)
    )
    assert failure_of(integrity) == Failure(rows[4]["case_id"], 5, "chain broken", S + 5)
    # The next case's first event links to that row: its own check names the damage.
    assert failure_of(integrity, case_id=UUID(rows[5]["case_id"])) == Failure(
        rows[5]["case_id"], 1, "chain broken", S + 6
    )
