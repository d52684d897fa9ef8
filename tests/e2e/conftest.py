"""End-to-end fixtures: agencies with tokens, and a client that speaks as each."""

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from coordination.bootstrap import Services
from coordination.domain.identity import AgencyKind, Role
from tests.people import PERSON
from tests.support import add_agency


def body(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    """The JSON body of an answer that must have this status."""
    assert response.status_code == status, response.text
    answer: dict[str, Any] = response.json()
    return answer


class Api:
    """Speaks to the served app as one agency's token or another."""

    def __init__(self, client: httpx.Client, services: Services) -> None:
        self.client, self.services = client, services
        self.tokens: dict[str, str] = {}
        self.opened: httpx.Response | None = None  # the last POST /v1/cases answer

    def agency(
        self, agency_id: str, kind: AgencyKind = AgencyKind.OTHER,
        municipality: str = "mayen-koblenz", role: Role = Role.CASEWORKER, controller: str = "",
    ) -> str:  # fmt: skip
        name = agency_id if role == Role.CASEWORKER else f"{agency_id}:{role.value}"
        self.tokens[name] = add_agency(
            self.services, agency_id, kind, municipality, role, controller
        )
        return name

    def get(self, who: str, url: str, **kwargs: Any) -> dict[str, Any]:
        """The JSON body of a GET that must answer 200."""
        return body(self.as_(who, "GET", url, **kwargs))

    def as_(self, who: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[who]}", **kwargs.pop("headers", {})}
        return self.client.request(method, url, headers=headers, **kwargs)

    def open_case(self, who: str, **overrides: Any) -> str:
        body = {"person": PERSON, "municipality": "mayen-koblenz", "arrived_on": "2026-08-14",
                "residence_status": "aufenthaltserlaubnis", **overrides}  # fmt: skip
        response = self.as_(who, "POST", "/v1/cases", json=body)
        assert response.status_code == 201, response.text
        self.opened = response
        case_id: str = response.json()["case_id"]
        return case_id

    def post(self, who: str, case_id: str, **event: Any) -> httpx.Response:
        headers = event.pop("headers", {})
        return self.as_(who, "POST", f"/v1/cases/{case_id}/events", json=event, headers=headers)

    def grant(self, who: str, case_id: str, recipient: str, purposes: list[str],
              categories: list[str], **extra: Any) -> httpx.Response:  # fmt: skip
        return self.post(
            who,
            case_id,
            type="ConsentGranted",
            recipients=[recipient],
            purposes=purposes,
            categories=categories,
            given_on="2026-09-01",
            evidence={"method": "written"},
            **extra,
        )


@pytest.fixture
def browser(served: httpx.Client) -> Iterator[httpx.Client]:
    """A person's browser: keeps cookies, does not follow redirects."""
    with httpx.Client(base_url=str(served.base_url), timeout=30) as client:
        yield client


@pytest.fixture
def api(served: httpx.Client, services: Services) -> Api:
    return Api(served, services)


@pytest.fixture
def ok() -> Callable[[httpx.Response], dict[str, Any]]:
    def check(response: httpx.Response) -> dict[str, Any]:
        assert response.status_code in (200, 201), response.text
        body: dict[str, Any] = response.json()
        return body

    return check
