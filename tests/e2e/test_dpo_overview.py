"""The DPO overview of one controller's processing: refusals per agency over a period,
consents expiring within 30 days, withdrawals and erasures; as JSON or CSV."""

import csv
import io
from datetime import UTC, datetime

from coordination.domain.identity import Role
from tests.e2e.conftest import Api
from tests.support import FakeClock

ABH, MBE, STRANGER = "abh-mayen-koblenz", "mbe-diakonie-mayen-koblenz", "jobcenter-koblenz"
LEIPZIG, LEIPZIG_MBE = "abh-leipzig", "mbe-leipzig"
DISTRICT = "kreis-mayen-koblenz"
REFERRAL = {"type": "ReferralSent", "to_agency": MBE, "purpose": "counselling",
            "categories": ["identity"]}  # fmt: skip


def consent_id(response: object) -> str:
    value: str = response.json()["event"]["data"]["consent_id"]  # type: ignore[attr-defined]
    return value


def test_the_overview_counts_refusals_and_lists_expiries_and_withdrawals(
    api: Api, clock: FakeClock
) -> None:
    for agency in (ABH, MBE, STRANGER):
        api.agency(agency)
    api.agency(LEIPZIG, municipality="leipzig")
    api.agency(LEIPZIG_MBE, municipality="leipzig")
    dpo = api.agency(DISTRICT, role=Role.DPO)
    case_id = api.open_case(ABH)
    elsewhere = api.open_case(LEIPZIG, municipality="leipzig")

    # 1. On 1 September a stranger tries to read the case: outside the period asked for below.
    assert api.as_(STRANGER, "GET", f"/v1/cases/{case_id}").status_code == 404

    # 2. Forty days later: refused reads, a refused referral, a withheld read.
    clock.now = datetime(2026, 10, 11, 9, 0, tzinfo=UTC)
    for _ in range(2):
        api.as_(STRANGER, "GET", f"/v1/cases/{case_id}")
    assert api.post(ABH, case_id, **REFERRAL).status_code == 403
    expiring = consent_id(api.grant(ABH, case_id, MBE, ["counselling"], ["contact"],
                                    valid_until="2026-10-31"))  # fmt: skip
    api.grant(ABH, case_id, MBE, ["housing"], ["contact"], valid_until="2026-12-31")
    withdrawn = consent_id(api.grant(ABH, case_id, MBE, ["job_placement"], ["contact"]))
    api.post(ABH, case_id, type="ConsentWithdrawn", consent_id=withdrawn)
    api.as_(MBE, "GET", f"/v1/cases/{case_id}")

    # 3. Of what happens in Leipzig, only what the district's agencies do or receive is
    # the district's business: a consent for its authority, its job centre's attempt to
    # read; Leipzig's consent for its own counselling service is not.
    for_district = consent_id(api.grant(LEIPZIG, elsewhere, ABH, ["counselling"], ["contact"],
                                        valid_until="2026-10-20"))  # fmt: skip
    api.grant(LEIPZIG, elsewhere, LEIPZIG_MBE, ["counselling"], ["contact"],
              valid_until="2026-10-21")  # fmt: skip
    api.as_(STRANGER, "GET", f"/v1/cases/{elsewhere}")

    overview = api.as_(dpo, "GET", "/v1/dpo/overview").json()

    assert (overview["since"], overview["until"]) == ("2026-09-12", "2026-10-11")
    assert [(r["agency"], r["action"], r["reason"], r["count"]) for r in overview["refused"]] == [
        (ABH, "refused", f"consent-required: {MBE} for counselling", 1),
        (STRANGER, "refused", "no-relation", 3),
        (MBE, "withheld", "no-consent", 1),
    ]
    assert [(e["case_id"], e["consent_id"], e["expires_at"]) for e in overview["expiring"]] == [
        (elsewhere, for_district, "2026-10-20T22:00:00Z"),
        (case_id, expiring, "2026-10-31T23:00:00Z"),  # winter time: midnight is 23:00 UTC
    ]
    assert overview["controller"] == "mayen-koblenz"
    assert [(w["consent_id"], w["agency"]) for w in overview["withdrawals"]] == [(withdrawn, ABH)]
    assert overview["erasures"] == []

    first_day = api.as_(dpo, "GET", "/v1/dpo/overview",
                        params={"since": "2026-09-01", "until": "2026-09-01"}).json()  # fmt: skip
    assert [(r["agency"], r["count"]) for r in first_day["refused"]] == [(STRANGER, 1)]
    assert first_day["withdrawals"] == []


def test_the_overview_downloads_as_csv_and_its_read_is_logged(api: Api, clock: FakeClock) -> None:
    api.agency(ABH)
    api.agency(STRANGER)
    dpo = api.agency(DISTRICT, role=Role.DPO)
    case_id = api.open_case(ABH)
    api.as_(STRANGER, "GET", f"/v1/cases/{case_id}")

    response = api.as_(dpo, "GET", "/v1/dpo/overview", headers={"Accept": "text/csv"})

    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["section"], r["agency"], r["reason"], r["count"]) for r in rows] == [
        ("refused", STRANGER, "no-relation", "1")
    ]
    logged = api.services.access_log.between(clock.now, datetime(2100, 1, 1, tzinfo=UTC))
    assert [(e.agency_id, e.case_id, e.basis) for e in logged if e.role == "dpo"] == [
        (DISTRICT, None, {"role": "dpo"})
    ]


def test_only_data_protection_officers_see_the_overview(api: Api) -> None:
    api.agency(ABH)
    auditor = api.agency(DISTRICT, role=Role.AUDITOR)
    dpo = api.agency(DISTRICT, role=Role.DPO)
    assert api.as_(ABH, "GET", "/v1/dpo/overview").status_code == 403
    assert api.as_(auditor, "GET", "/v1/dpo/overview").status_code == 403
    backwards = api.as_(dpo, "GET", "/v1/dpo/overview",
                        params={"since": "2026-09-02", "until": "2026-09-01"})  # fmt: skip
    assert (backwards.status_code, backwards.json()["code"]) == (400, "bad-request")
