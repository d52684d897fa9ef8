"""Evaluation statistics over HTTP: auditors only, own municipality, JSON or CSV."""

import csv
import io
import time
from typing import Any

import httpx
import pytest

from coordination.domain.identity import Role
from coordination.settings import Settings
from tests.e2e.conftest import Api

ABH, MBE = "abh-mayen-koblenz", "mbe-diakonie-mayen-koblenz"
SEPTEMBER = {"from": "2026-09", "to": "2026-09"}


@pytest.fixture
def settings(database_url: str) -> Settings:
    """A short read-your-writes wait, so a position never reached fails fast."""
    return Settings(database_url=database_url, log_level="WARNING", read_your_writes_seconds=0.3)


@pytest.fixture
def auditor(api: Api) -> str:
    """Five people open in September, one of them consents; the auditor may read it."""
    api.agency(ABH)
    api.agency(MBE)
    cases = [api.open_case(ABH) for _ in range(5)]
    granted = api.grant(ABH, cases[0], MBE, ["counselling"], ["identity"])
    assert granted.status_code == 201
    api.tokens["position"] = granted.headers["X-Event-Position"]
    return api.agency("kreis-mayen-koblenz", role=Role.AUDITOR)


def read(api: Api, who: str, headers: Any = None, **params: Any) -> httpx.Response:
    params.setdefault("min_position", api.tokens.get("position", 0))
    return api.as_(who, "GET", "/v1/statistics", params=params, headers=headers or {})


def test_an_auditor_reads_the_statistics_as_json(api: Api, auditor: str) -> None:
    response = read(api, auditor, **SEPTEMBER)
    assert response.status_code == 200, response.text
    assert int(response.headers["X-Projection-Position"]) >= int(api.tokens["position"])
    body = response.json()
    assert (body["municipality"], body["from"], body["to"]) == (
        "mayen-koblenz",
        *SEPTEMBER.values(),
    )
    assert body["min_people"] == 5
    (month,) = body["months"]
    assert month["month"] == "2026-09"
    assert month["cases_opened"] == {"people": 5, "events": 5, "suppressed": False}
    assert month["consents_granted"] == {"people": None, "events": None, "suppressed": True}
    assert month["median_days_to_acceptance"] == {"value": None, "suppressed": True}
    assert set(month["courses_completed_by_result"]) == {
        "A1", "A2", "B1", "B2", "C1", "C2", "below_A2", "passed", "failed"}  # fmt: skip
    assert set(month["milestones_met_by_timeliness"]) == {"on_time", "late"}
    assert set(month["referrals_sent_by_purpose"]) == {
        "case_management", "counselling", "language_course", "qualification_recognition",
        "job_placement", "social_benefits", "housing", "childcare_schooling",
        "residence_procedure"}  # fmt: skip


@pytest.mark.parametrize("how", [{"headers": {"Accept": "text/csv"}}, {"format": "csv"}])
def test_an_auditor_reads_the_statistics_as_csv(
    api: Api, auditor: str, how: dict[str, Any]
) -> None:
    response = read(api, auditor, **SEPTEMBER, **how)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    figures = {(r["measure"], r["detail"], r["statistic"]): r for r in rows}
    assert list(rows[0]) == ["municipality", "month", "measure", "detail", "statistic",
                             "value", "suppressed"]  # fmt: skip
    opened = figures[("cases_opened", "", "people")]
    assert (opened["municipality"], opened["month"]) == ("mayen-koblenz", "2026-09")
    assert (opened["value"], opened["suppressed"]) == ("5", "false")
    assert (figures[("consents_granted", "", "events")]["value"],
            figures[("consents_granted", "", "events")]["suppressed"]) == ("", "true")  # fmt: skip
    assert figures[("referrals_accepted", "", "median_days")]["suppressed"] == "true"
    assert figures[("courses_completed", "B1", "people")]["value"] == ""
    # 13 totals and 22 parts, people and events each, and the median.
    assert len(rows) == 35 * 2 + 1


def test_the_default_range_is_the_last_twelve_months(api: Api, auditor: str) -> None:
    body = read(api, auditor).json()
    assert (body["from"], body["to"]) == ("2025-10", "2026-09")
    assert [m["month"] for m in body["months"]][:2] == ["2025-10", "2025-11"]
    assert len(body["months"]) == 12


def test_json_wins_when_preferred(api: Api, auditor: str) -> None:
    accept = {"Accept": "text/csv;q=0.5, application/json"}
    response = read(api, auditor, headers=accept, **SEPTEMBER)
    assert response.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.DPO, Role.ADMIN])
def test_only_auditors_read_statistics(api: Api, role: Role) -> None:
    who = api.agency("kreis-mayen-koblenz", role=role)
    response = read(api, who, **SEPTEMBER)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_another_municipality_is_forbidden(api: Api, auditor: str) -> None:
    response = read(api, auditor, municipality="leipzig", **SEPTEMBER)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert read(api, auditor, municipality="mayen-koblenz", **SEPTEMBER).status_code == 200


@pytest.mark.parametrize(
    "params",
    [{"from": "2026-13"}, {"to": "2026-9"}, {"from": "sept"}, {"from": "2026-10", "to": "2026-09"},
     {"from": "2000-01", "to": "2026-09"}, {"format": "xml"}, {"municipality": "Leipzig!"}],
)  # fmt: skip
def test_bad_months_are_422(api: Api, auditor: str, params: dict[str, str]) -> None:
    response = read(api, auditor, **params)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation-error"


def test_a_position_the_store_has_not_reached_is_answered_at_once(api: Api, auditor: str) -> None:
    asked = time.monotonic()
    response = read(api, auditor, min_position=10**9, **SEPTEMBER)
    assert time.monotonic() - asked < 1  # not after the read-your-writes wait
    assert response.status_code == 422
    assert response.json()["code"] == "position-ahead"
    assert "newest event" in response.json()["detail"]
