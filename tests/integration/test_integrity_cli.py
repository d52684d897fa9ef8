"""`coordination verify`, `checkpoint`, `export` and `verify-bundle`, on both stores.

The bundle checker runs with no database at all, and any changed byte of a
bundle, anywhere in the file, makes it fail.
"""

import base64
import json
import stat
from pathlib import Path
from uuid import UUID

import pytest
from typer.testing import CliRunner

from coordination.adapters.hashing.bundle import verify_bundle
from coordination.application.pipeline import Write
from coordination.bootstrap import Services
from coordination.domain.identity import Actor
from coordination.entrypoints.cli.main import cli
from tests.integration.test_integrity import Tamper
from tests.support import DEMO_EVENTS, STARTER_EVENTS

S = STARTER_EVENTS  # the rule book's starter set, before the demo's events
D = S + DEMO_EVENTS  # the store's last position once the demo is loaded

UNREACHABLE = "postgresql://nobody@127.0.0.1:1/none"


@pytest.fixture
def run(database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("COORDINATION_DATABASE_URL", database_url)
    return CliRunner()


@pytest.fixture
def case_id(run: CliRunner) -> str:
    """The demo's Mayen-Koblenz case: seven events of the demo's after the rule book's,
    three of them its own."""
    demo = run.invoke(cli, ["demo"])
    assert demo.exit_code == 0, demo.output
    return demo.output.split("Mayen-Koblenz case: ")[1].split()[0]


@pytest.fixture
def tamper(services: Services) -> Tamper:
    return Tamper(services)


def test_verify_checkpoint_and_a_truncated_tail(
    run: CliRunner, case_id: str, tamper: Tamper, tmp_path: Path
) -> None:
    verified = run.invoke(cli, ["verify"])
    assert (verified.exit_code, verified.output) == (0, f"store intact: {D} events checked\n")
    one = run.invoke(cli, ["verify", "--case", case_id])
    assert (one.exit_code, one.output) == (0, f"case {case_id} intact: 3 events checked\n")

    kept = tmp_path / "checkpoint.json"
    made = run.invoke(cli, ["checkpoint", "--out", str(kept)])
    assert made.exit_code == 0, made.output
    head = json.loads(made.output)
    assert head == json.loads(kept.read_text())
    assert (head["position"], head["events"]) == (D, D)
    assert set(head) == {"format", "position", "chain_hash", "events", "at", "key_id",
                         "public_key", "signature"}  # fmt: skip
    assert run.invoke(cli, ["verify", "--against", str(kept)]).exit_code == 0

    tamper.truncate(keep=S + 5)

    assert run.invoke(cli, ["verify"]).exit_code == 0
    against = run.invoke(cli, ["verify", "--against", str(kept)])
    assert against.exit_code == 1
    assert against.output.splitlines() == [
        f"store NOT intact: {S + 5} events checked",
        f"first failure: position {D}: truncated",
    ]


def test_verify_names_a_changed_event_and_exits_1(
    run: CliRunner, case_id: str, tamper: Tamper
) -> None:
    target = next(r for r in tamper.rows() if r["case_id"] == case_id and r["version"] == 2)
    tamper.set_state(target["position"], target["state"] + b" ")

    for args in (["verify"], ["verify", "--case", case_id]):
        result = run.invoke(cli, args)
        assert result.exit_code == 1
        assert result.output.splitlines()[-1] == (
            f"first failure: case {case_id}, version 2, position {target['position']}:"
            " event changed"
        )
    refused = run.invoke(cli, ["checkpoint"])
    assert refused.exit_code == 1
    assert run.invoke(cli, ["export", case_id, "--out", "x.json"]).exit_code == 1


def test_unknown_cases_and_unreadable_checkpoints(
    run: CliRunner, case_id: str, tmp_path: Path
) -> None:
    assert run.invoke(cli, ["verify", "--case", str(UUID(int=3))]).exit_code == 1
    assert run.invoke(cli, ["export", str(UUID(int=3))]).exit_code == 1
    bad = tmp_path / "bad.json"
    bad.write_text('{"position": 1}')
    assert run.invoke(cli, ["verify", "--against", str(bad)]).exit_code == 1


def test_an_exported_bundle_verifies_with_no_database(
    run: CliRunner, case_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "bundle.json"
    exported = run.invoke(cli, ["export", case_id, "--out", str(bundle)])
    assert exported.exit_code == 0, exported.output
    assert stat.S_IMODE(bundle.stat().st_mode) == 0o600  # personal data in clear
    doc = json.loads(bundle.read_bytes())
    assert [e["version"] for e in doc["events"]] == [1, 2, 3]
    assert doc["events"][0]["data"]["person"]["family_name"]  # decrypted where the key exists
    assert doc["events"][0]["erased"] is False
    assert doc["proof"]["links"][-1][0] == doc["checkpoint"]["position"] == D

    monkeypatch.setenv("COORDINATION_DATABASE_URL", UNREACHABLE)
    checked = run.invoke(cli, ["verify-bundle", str(bundle)])
    assert checked.exit_code == 0, checked.output
    assert checked.output.startswith(f"bundle intact: case {case_id}, 3 events,")
    pinned = ["verify-bundle", str(bundle), "--public-key", doc["public_key"]]
    assert run.invoke(cli, pinned).exit_code == 0
    other = "A" * 43 + "="
    assert run.invoke(cli, ["verify-bundle", str(bundle), "--public-key", other]).exit_code == 1

    flipped = bytearray(bundle.read_bytes())
    flipped[len(flipped) // 2] ^= 0x01
    bundle.write_bytes(bytes(flipped))
    failed = run.invoke(cli, ["verify-bundle", str(bundle)])
    assert failed.exit_code == 1
    assert failed.output.startswith("bundle NOT intact: ")


def test_any_changed_byte_of_a_bundle_fails(run: CliRunner, case_id: str, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.json"
    assert run.invoke(cli, ["export", case_id, "--out", str(bundle)]).exit_code == 0
    raw = bundle.read_bytes()
    assert verify_bundle(raw).ok

    doc = json.loads(raw)
    family_name = doc["events"][0]["data"]["person"]["family_name"].encode()
    aimed = {
        "first byte": 0,
        "last byte (the newline)": len(raw) - 1,
        "indentation": raw.index(b"\n ") + 1,
        "decrypted data": raw.index(family_name) + 1,
        "clear metadata": raw.index(b'"recorded_by": "') + 17,
        "stored state": raw.index(b'"state": "') + 30,
        "event hash": raw.index(b'"event_hash": "') + 20,
        "proof": raw.index(b'"links": [') + 20,
        "checkpoint": raw.index(b'"chain_hash": "', raw.index(b'"checkpoint"')) + 20,
        "bundle signature": raw.rindex(b'"signature": "') + 20,
        "public key": raw.rindex(b'"public_key": "') + 20,
    }
    swept = {f"byte {i}": i for i in range(0, len(raw), 23)}
    for where, index in {**aimed, **swept}.items():
        for mask in (0x01, 0x20):
            changed = bytearray(raw)
            changed[index] ^= mask
            assert not verify_bundle(bytes(changed)).ok, f"{where} ^ {mask:#x} went unnoticed"
    assert not verify_bundle(raw + b"\n").ok
    assert not verify_bundle(raw[:-1]).ok


def test_a_bundle_against_a_kept_checkpoint_and_after_erasure(
    run: CliRunner, case_id: str, services: Services, tmp_path: Path
) -> None:
    kept = tmp_path / "checkpoint.json"
    assert run.invoke(cli, ["checkpoint", "--out", str(kept)]).exit_code == 0
    services.app.keys.destroy(UUID(case_id))  # what erasure does to the data

    bundle = tmp_path / "bundle.json"
    exported = run.invoke(cli, ["export", case_id, "--against", str(kept), "--out", str(bundle)])
    assert exported.exit_code == 0, exported.output
    doc = json.loads(bundle.read_bytes())
    assert doc["checkpoint"] == json.loads(kept.read_text())
    opened = doc["events"][0]
    assert (opened["erased"], opened["data"]) == (True, None)
    assert json.loads(base64.b64decode(opened["state"]))["s"]  # the ciphertext stays
    assert verify_bundle(bundle.read_bytes()).ok
    assert run.invoke(cli, ["verify"]).exit_code == 0


def test_a_checkpoint_older_than_the_case_gives_no_bundle(
    run: CliRunner, case_id: str, services: Services, tmp_path: Path
) -> None:
    kept = tmp_path / "checkpoint.json"
    assert run.invoke(cli, ["checkpoint", "--out", str(kept)]).exit_code == 0
    lead = Actor(services.app.get_case(UUID(case_id)).lead_agency, "test")
    services.app.record(Write(UUID(case_id), lead, lambda c, at: c.close(lead, at, reason="moved")))

    refused = run.invoke(cli, ["export", case_id, "--against", str(kept), "--out", "b.json"])
    assert refused.exit_code == 1
    assert "version 4 of the case is newer than the checkpoint" in refused.output
    fresh = run.invoke(cli, ["export", case_id, "--out", str(tmp_path / "b.json")])
    assert fresh.exit_code == 0, fresh.output
