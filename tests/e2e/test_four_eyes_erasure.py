"""Four eyes (COORDINATION_ERASURE_NEEDS_APPROVAL): a DPO's erasure waits for a second
person of the same controller, who approves or rejects it; who asked cannot decide."""

import re
from collections.abc import Iterator

import httpx
import pytest

from coordination.bootstrap import Services
from coordination.domain.identity import AgencyKind, Role
from coordination.settings import Settings
from tests.e2e.conftest import Api
from tests.e2e.web import PASSWORD, hidden, sign_in, without_second_factor
from tests.support import add_agency

ABH, DISTRICT = "abh-mayen-koblenz", "kreis-mayen-koblenz"
ASKED = {"reason": "request of the person", "legal_basis": "Art. 17 Abs. 1 lit. a DSGVO"}


@pytest.fixture
def settings(database_url: str) -> Settings:
    return without_second_factor(database_url, erasure_needs_approval=True)


@pytest.fixture
def officers(served: httpx.Client, services: Services) -> Iterator[list[httpx.Client]]:
    """Two DPOs of the district, each signed in."""
    add_agency(services, DISTRICT, municipality="mayen-koblenz", role=Role.DPO)
    clients = []
    for name in ("dora", "dirk"):
        services.accounts.add(f"{name}@kreis.example", DISTRICT, (Role.DPO,), name.title(),
                              PASSWORD)  # fmt: skip
        client = httpx.Client(base_url=str(served.base_url), timeout=30)
        sign_in(client, f"{name}@kreis.example")
        clients.append(client)
    yield clients
    for client in clients:
        client.close()


def request_erasure(dpo: httpx.Client, case_id: str) -> httpx.Response:
    csrf = hidden(dpo.get(f"/dpo/cases/{case_id}/erasure").text)["csrf_token"]
    return dpo.post(f"/dpo/cases/{case_id}/erasure",
                    data={**ASKED, "csrf_token": csrf, "confirmed": "yes"})  # fmt: skip


def test_a_second_dpo_approves_what_the_first_asked_for(
    api: Api, officers: list[httpx.Client], services: Services
) -> None:
    dora, dirk = officers
    api.agency(ABH, AgencyKind.AUSLAENDERBEHOERDE)
    case_id = api.open_case(ABH)

    asked = request_erasure(dora, case_id)
    assert "Löschung beantragt" in asked.text
    assert api.get(ABH, f"/v1/cases/{case_id}")["erased"] is False  # nothing erased yet
    assert "Löschung beantragt" in request_erasure(dora, case_id).text  # the same request

    listed = dirk.get("/dpo").text
    link = re.search(r'href="(/dpo/erasure-requests/er-[0-9a-f]+)"', listed)
    assert link, listed
    own = dora.get(link[1]).text
    assert "Sie haben diese Löschung beantragt" in own
    csrf = hidden(own)["csrf_token"]
    assert dora.post(f"{link[1]}/approval", data={"csrf_token": csrf}).status_code == 409

    page = dirk.get(link[1]).text
    approved = dirk.post(f"{link[1]}/approval", data={"csrf_token": hidden(page)["csrf_token"]})
    assert "Gelöscht: Fall" in approved.text
    assert api.get(ABH, f"/v1/cases/{case_id}")["erased"] is True
    again = dirk.post(f"{link[1]}/approval", data={"csrf_token": hidden(page)["csrf_token"]})
    assert again.status_code == 409
    actions = [e.action for e in services.access_log.for_case(case_id)]
    assert "erasure-requested" in actions
    assert "erased" in actions


def test_a_rejected_request_erases_nothing(
    api: Api, officers: list[httpx.Client], services: Services
) -> None:
    dora, dirk = officers
    api.agency(ABH, AgencyKind.AUSLAENDERBEHOERDE)
    case_id = api.open_case(ABH)
    request_erasure(dora, case_id)
    (waiting,) = services.erasure.requests.open_for("mayen-koblenz")
    page = dirk.get(f"/dpo/erasure-requests/{waiting.request_id}").text

    rejected = dirk.post(f"/dpo/erasure-requests/{waiting.request_id}/rejection",
                         data={"csrf_token": hidden(page)["csrf_token"]})  # fmt: skip

    assert "Löschung abgelehnt" in rejected.text
    assert api.get(ABH, f"/v1/cases/{case_id}")["erased"] is False
    assert "erasure-rejected" in [e.action for e in services.access_log.for_case(case_id)]


def test_over_the_api_an_erasure_is_a_request_too(api: Api) -> None:
    api.agency(ABH, AgencyKind.AUSLAENDERBEHOERDE)
    dpo = api.agency(DISTRICT, role=Role.DPO)
    case_id = api.open_case(ABH)
    answer = api.as_(dpo, "POST", f"/v1/cases/{case_id}/erasure", json=ASKED)
    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "pending"
    assert api.get(ABH, f"/v1/cases/{case_id}")["erased"] is False
