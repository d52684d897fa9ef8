"""Emergency access and the consent trail from the `coordination` command: the same use
cases as the API, logged under the person at the terminal."""

import json
from datetime import date
from uuid import UUID

import pytest
from typer.testing import CliRunner

from coordination.bootstrap import Services
from coordination.domain.identity import AgencyKind, Role
from coordination.entrypoints.cli.main import cli
from tests.integration.test_projections import caller
from tests.people import PERSON
from tests.support import add_agency

ABH, MBE, DPO = "abh-leipzig", "mbe-leipzig", "stadt-leipzig"


@pytest.fixture
def run(database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("COORDINATION_DATABASE_URL", database_url)
    return CliRunner()


def related_case(svc: Services) -> UUID:
    """MBE holds identity on consent: the residence status is withheld from it."""
    add_agency(svc, ABH, AgencyKind.AUSLAENDERBEHOERDE)
    add_agency(svc, MBE, AgencyKind.MIGRATIONSBERATUNG)
    add_agency(svc, DPO, role=Role.DPO)
    abh = caller(svc, ABH)
    case_id = svc.cases.open_case(abh, {"person": PERSON, "municipality": "leipzig",
                                        "residence_status": "duldung"}, None).case_id  # fmt: skip
    svc.cases.record_event(abh, case_id, "ConsentGranted", {
        "recipients": [MBE], "purposes": ["counselling"], "categories": ["identity"],
        "given_on": date(2026, 9, 1), "evidence": {"method": "written"}}, None, None)  # fmt: skip
    referral = {"to_agency": MBE, "purpose": "counselling", "categories": ["identity"]}
    svc.cases.record_event(abh, case_id, "ReferralSent", referral, None, None)
    return case_id


def test_emergency_access_is_opened_ended_and_on_the_trail(
    run: CliRunner, services: Services
) -> None:
    case_id = str(related_case(services))
    opened = run.invoke(cli, ["emergency-access", case_id, "--agency", MBE, "--by", "s.weber",
                              "--justification", "collapsed in the office"])  # fmt: skip
    assert opened.exit_code == 0, opened.output
    access_id = json.loads(opened.output)["access_id"]

    again = run.invoke(cli, ["emergency-access", case_id, "--agency", MBE, "--by", "s.weber",
                             "--justification", "still"])  # fmt: skip
    assert again.exit_code == 1
    assert access_id in again.output
    ended = run.invoke(cli, ["end-emergency-access", case_id, access_id, "--agency", MBE,
                             "--by", "s.weber"])  # fmt: skip
    assert ended.exit_code == 0, ended.output

    trail = run.invoke(cli, ["consent-trail", case_id, "--agency", DPO, "--by", "dsb"])
    assert trail.exit_code == 0, trail.output
    document = json.loads(trail.output)
    (use,) = document["emergency_accesses"]
    assert (use["agency"], use["ended"], use["justification"]) == (
        MBE, True, "collapsed in the office",
    )  # fmt: skip
    steps = [s["step"] for s in document["timeline"] if s["step"].startswith("emergency")]
    assert steps == ["emergency-access-opened", "emergency-access-ended"]


def test_bad_input_is_refused_and_changes_nothing(run: CliRunner, services: Services) -> None:
    case_id = related_case(services)
    empty = run.invoke(cli, ["emergency-access", str(case_id), "--agency", MBE, "--by", "x",
                             "--justification", ""])  # fmt: skip
    assert empty.exit_code == 1
    assert "refused" in empty.output
    nobody = run.invoke(cli, ["emergency-access", str(case_id), "--agency", "nobody",
                              "--by", "x", "--justification", "why"])  # fmt: skip
    assert nobody.exit_code == 1
    assert services.app.get_case(case_id).emergencies == {}
