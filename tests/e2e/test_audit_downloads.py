"""The auditor's downloads over HTTP: `GET /v1/audit/checkpoint` and a case's audit
bundle (`GET`, or `POST` with a kept checkpoint), in the very files the command line
writes, checked by the command line's own verifier (ADR 0049)."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from coordination.adapters.hashing.bundle import verify_bundle
from coordination.adapters.store.access_log import AccessEntry
from coordination.domain.identity import Role
from coordination.entrypoints.cli.main import cli
from tests.e2e.conftest import Api, body
from tests.people import PERSON
from tests.support import STARTER_EVENTS

ABH, AUDIT = "abh-mayen-koblenz", "rechnungspruefung-mayen-koblenz"
ALWAYS = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
# What the case holds of the person in its sealed fields, and the closing's sealed reason.
PERSONAL = [PERSON["given_name"], PERSON["family_name"], PERSON["date_of_birth"], "moved away"]


@pytest.fixture
def run(database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The `coordination` command line on the test's store."""
    monkeypatch.setenv("COORDINATION_DATABASE_URL", database_url)
    return CliRunner()


def _case(api: Api, **overrides: Any) -> str:
    api.agency(ABH)
    case_id = api.open_case(ABH, **overrides)
    assert api.post(ABH, case_id, type="CaseClosed", reason="moved away").status_code == 201
    return case_id


def _bundle(api: Api, who: str, case_id: str, **kwargs: Any) -> httpx.Response:
    return api.as_(who, "GET", f"/v1/cases/{case_id}/audit-bundle", **kwargs)


def _logged(api: Api, reason: str) -> list[AccessEntry]:
    return [e for e in api.services.access_log.between(*ALWAYS) if e.reason == reason]


def _problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = body(response, status)
    assert problem["code"] == code
    return problem


def _tamper_second_event(api: Api) -> int:
    """Changes the first case's second event behind the service's back; its position."""
    svc = api.services
    events = "{p}" + svc.app.recorder.events_table_name  # type: ignore[attr-defined]
    position = "rowid" if svc.db.dialect == "sqlite" else "notification_id"
    second = STARTER_EVENTS + 2  # the case's second event, after the rule book's
    svc.db.execute(f"UPDATE {events} SET state = %s WHERE {position} = %s",
                   (b'{"c":{},"s":null}', second))  # fmt: skip
    return second


def test_the_checkpoint_is_the_command_lines_file_and_proves_the_store(
    api: Api, run: CliRunner, tmp_path: Path
) -> None:
    _case(api)
    auditor = api.agency(AUDIT, role=Role.AUDITOR)

    response = api.as_(auditor, "GET", "/v1/audit/checkpoint")

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    head = json.loads(response.content)
    # Byte for byte what `coordination checkpoint --out` writes.
    assert response.content == (json.dumps(head, indent=2) + "\n").encode()
    assert (head["position"], head["events"]) == (STARTER_EVENTS + 2, STARTER_EVENTS + 2)
    kept = tmp_path / "checkpoint.json"
    kept.write_bytes(response.content)
    verified = run.invoke(cli, ["verify", "--against", str(kept)])
    assert verified.exit_code == 0, verified.output
    logged = _logged(api, "checkpoint")
    assert [(e.agency_id, e.action, e.case_id, e.basis) for e in logged] == [
        (AUDIT, "read", None, {"role": "auditor"})
    ]


def test_a_downloaded_bundle_verifies_offline_and_a_changed_byte_fails(
    api: Api, run: CliRunner, tmp_path: Path
) -> None:
    case_id = _case(api)
    auditor = api.agency(AUDIT, role=Role.AUDITOR)

    response = _bundle(api, auditor, case_id)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert f'filename="bundle-{case_id}.json"' in response.headers["content-disposition"]
    raw = response.content
    file = tmp_path / "bundle.json"
    file.write_bytes(raw)
    checked = run.invoke(cli, ["verify-bundle", str(file)])
    assert checked.exit_code == 0, checked.output
    assert checked.output.startswith(f"bundle intact: case {case_id}, 2 events, ")
    bundle = json.loads(raw)
    assert verify_bundle(raw, bundle["checkpoint"]["public_key"]).ok
    # By default no event's data: the proof needs the stored (sealed) bytes only.
    assert [(e["type"], e["erased"], e["data"]) for e in bundle["events"]] == [
        ("CaseOpened", False, None), ("CaseClosed", False, None),
    ]  # fmt: skip
    assert [s for s in PERSONAL if s.encode() in raw] == []

    for offset in (0, len(raw) // 3, len(raw) // 2, len(raw) - 2):
        changed = bytearray(raw)
        changed[offset] ^= 0x01
        file.write_bytes(bytes(changed))
        refused = run.invoke(cli, ["verify-bundle", str(file)])
        assert refused.exit_code == 1, (offset, refused.output)
        assert refused.output.startswith("bundle NOT intact: ")

    logged = _logged(api, "audit-bundle")
    assert [(e.agency_id, e.action, e.case_id, e.basis) for e in logged] == [
        (AUDIT, "read", case_id, {"role": "auditor"})
    ]


def test_with_data_the_bundle_shows_what_the_auditors_history_shows(
    api: Api, run: CliRunner, tmp_path: Path
) -> None:
    case_id = _case(api)
    auditor = api.agency(AUDIT, role=Role.AUDITOR)

    response = _bundle(api, auditor, case_id, params={"data": "include"})

    assert response.status_code == 200, response.text
    file = tmp_path / "bundle.json"
    file.write_bytes(response.content)
    assert run.invoke(cli, ["verify-bundle", str(file)]).exit_code == 0
    history = api.get(auditor, f"/v1/cases/{case_id}/history")
    shown = [e["data"] for e in json.loads(response.content)["events"]]
    assert shown == [e["data"] for e in history["events"]]
    assert shown[0]["person"]["given_name"] == PERSON["given_name"]
    assert [e.case_id for e in _logged(api, "audit-bundle-with-data")] == [case_id]
    wrong = _bundle(api, auditor, case_id, params={"data": "everything"})
    _problem(wrong, 422, "validation-error")


def test_a_bundle_proven_against_a_kept_checkpoint(
    api: Api, run: CliRunner, tmp_path: Path
) -> None:
    case_id = _case(api)
    auditor = api.agency(AUDIT, role=Role.AUDITOR)
    kept = api.as_(auditor, "GET", "/v1/audit/checkpoint").content
    url = f"/v1/cases/{case_id}/audit-bundle"
    send = {"content": kept, "headers": {"Content-Type": "application/json"}}

    response = api.as_(auditor, "POST", url, **send)

    assert response.status_code == 200, response.text
    assert json.loads(response.content)["checkpoint"] == json.loads(kept)
    file = tmp_path / "bundle.json"
    file.write_bytes(response.content)
    assert run.invoke(cli, ["verify-bundle", str(file)]).exit_code == 0

    edited = {**json.loads(kept), "events": 1}
    _problem(api.as_(auditor, "POST", url, json=edited), 422, "checkpoint-not-trusted")
    missing = {k: v for k, v in json.loads(kept).items() if k != "signature"}
    _problem(api.as_(auditor, "POST", url, json=missing), 422, "validation-error")
    plain = api.as_(auditor, "POST", url, content=kept, headers={"Content-Type": "text/plain"})
    _problem(plain, 400, "bad-request")

    # A case opened after the checkpoint cannot be proven against it.
    later = api.open_case(ABH)
    too_old = _problem(api.as_(auditor, "POST", f"/v1/cases/{later}/audit-bundle", **send),
                       409, "checkpoint-too-old")  # fmt: skip
    assert "newer than the checkpoint" in too_old["detail"]
    assert [e.case_id for e in _logged(api, "audit-bundle")] == [case_id]


def test_a_store_that_is_not_intact_gets_no_checkpoint_and_no_bundle(api: Api) -> None:
    case_id = _case(api)
    other = api.open_case(ABH)
    auditor = api.agency(AUDIT, role=Role.AUDITOR)
    kept = api.as_(auditor, "GET", "/v1/audit/checkpoint").content
    second = _tamper_second_event(api)

    checkpoint = _problem(api.as_(auditor, "GET", "/v1/audit/checkpoint"), 409, "not-intact")
    failure = {"case_id": case_id, "version": 2, "reason": "event changed", "position": second}
    assert checkpoint["first_failure"] == failure
    for tampered in (case_id, other):  # the other case: no fresh checkpoint to prove it by
        bundle = _problem(_bundle(api, auditor, tampered), 409, "not-intact")
        assert bundle["first_failure"] == failure
    assert len(_logged(api, "checkpoint")) == 1  # the kept one, made before the change
    assert _logged(api, "audit-bundle") == []

    # Proven against the kept checkpoint, the intact case needs only its own events and
    # the hash rows from its first event on: its bundle is made and verifies.
    send = {"content": kept, "headers": {"Content-Type": "application/json"}}
    proven = api.as_(auditor, "POST", f"/v1/cases/{other}/audit-bundle", **send)
    assert proven.status_code == 200, proven.text
    assert verify_bundle(proven.content).ok
    refused = api.as_(auditor, "POST", f"/v1/cases/{case_id}/audit-bundle", **send)
    assert _problem(refused, 409, "not-intact")["first_failure"] == failure


def test_only_auditors_and_only_of_the_cases_municipality(api: Api) -> None:
    case_id = _case(api)
    auditor = api.agency(AUDIT, role=Role.AUDITOR)
    elsewhere = api.agency("rechnungspruefung-leipzig", municipality="leipzig", role=Role.AUDITOR)
    dpo = api.agency("dsb-mayen-koblenz", role=Role.DPO)

    for who in (ABH, dpo):
        _problem(_bundle(api, who, case_id), 403, "forbidden")
        _problem(api.as_(who, "GET", "/v1/audit/checkpoint"), 403, "forbidden")
    assert api.client.get(f"/v1/cases/{case_id}/audit-bundle").status_code == 401
    assert api.client.get("/v1/audit/checkpoint").status_code == 401

    not_theirs = _problem(_bundle(api, elsewhere, case_id), 404, "not-found")
    unknown = _problem(_bundle(api, auditor, "00000000-0000-4000-8000-000000000005"), 404,
                       "not-found")  # fmt: skip
    assert not_theirs == unknown
    _problem(_bundle(api, auditor, "not-a-uuid"), 404, "not-found")
    posted = api.as_(elsewhere, "POST", f"/v1/cases/{case_id}/audit-bundle",
                     content=api.as_(elsewhere, "GET", "/v1/audit/checkpoint").content,
                     headers={"Content-Type": "application/json"})  # fmt: skip
    assert posted.json() == not_theirs
    # The store-wide checkpoint names no case: every auditor may keep one.
    assert api.as_(elsewhere, "GET", "/v1/audit/checkpoint").status_code == 200

    refused = [(e.agency_id, e.reason) for e in api.services.access_log.for_case(case_id)
               if e.action == "refused"]  # fmt: skip
    assert refused == [
        (ABH, "forbidden-role"), (dpo.split(":")[0], "forbidden-role"),
        ("rechnungspruefung-leipzig", "other-municipality"),
        ("rechnungspruefung-leipzig", "other-municipality"),
    ]  # fmt: skip
    assert _logged(api, "audit-bundle") == []


def test_an_erased_case_still_verifies_and_shows_no_data(
    api: Api, run: CliRunner, tmp_path: Path
) -> None:
    case_id = _case(api)
    auditor = api.agency(AUDIT, role=Role.AUDITOR)
    dpo = api.agency("dsb-mayen-koblenz", role=Role.DPO)
    erasure = {"reason": "person asked", "legal_basis": "Art. 17 GDPR"}
    assert api.as_(dpo, "POST", f"/v1/cases/{case_id}/erasure", json=erasure).status_code == 201

    response = _bundle(api, auditor, case_id, params={"data": "include"})

    assert response.status_code == 200, response.text
    file = tmp_path / "bundle.json"
    file.write_bytes(response.content)
    assert run.invoke(cli, ["verify-bundle", str(file)]).exit_code == 0
    events = json.loads(response.content)["events"]
    assert [(e["type"], e["erased"], e["data"]) for e in events[:2]] == [
        ("CaseOpened", True, None), ("CaseClosed", True, None),
    ]  # fmt: skip
    assert [s for s in PERSONAL if s.encode() in response.content] == []
