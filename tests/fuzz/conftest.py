"""A populated service to fuzz: agencies of every role, a case, consents, a referral."""

from dataclasses import dataclass

import httpx
import pytest

from coordination.bootstrap import Services
from coordination.domain.identity import AgencyKind, Role
from coordination.settings import Settings
from tests.e2e.conftest import Api

LEAD, RECIPIENT, COUNTY = "abh-mayen-koblenz", "mbe-diakonie-mayen-koblenz", "kreis-mayen-koblenz"


@dataclass(frozen=True)
class World:
    """What the fuzzer may aim at: a base URL, a token per role, ids that exist."""

    base_url: str
    tokens: dict[Role, str]
    case_id: str
    consent_id: str


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Read-your-writes waits are the contract's; the fuzzer's guesses need not wait 5 s.
    return settings.model_copy(update={"read_your_writes_seconds": 0.05})


@pytest.fixture
def world(served: httpx.Client, services: Services) -> World:
    api = Api(served, services)
    api.agency(LEAD, AgencyKind.AUSLAENDERBEHOERDE)
    api.agency(RECIPIENT, AgencyKind.MIGRATIONSBERATUNG)
    case_id = api.open_case(LEAD)
    granted = api.grant(LEAD, case_id, RECIPIENT, ["counselling", "case_management"],
                        ["identity", "contact", "integration_plan"])  # fmt: skip
    assert granted.status_code == 201, granted.text
    referral = api.post(LEAD, case_id, type="ReferralSent", to_agency=RECIPIENT,
                        purpose="counselling", categories=["identity", "contact"])  # fmt: skip
    assert referral.status_code == 201, referral.text
    tokens = {Role.CASEWORKER: api.tokens[LEAD]}
    for role in (Role.AUDITOR, Role.DPO, Role.ADMIN):
        tokens[role] = api.tokens[api.agency(COUNTY, AgencyKind.KOMMUNE, role=role)]
    consent_id = granted.json()["event"]["data"]["consent_id"]
    return World(str(served.base_url), tokens, case_id, consent_id)
