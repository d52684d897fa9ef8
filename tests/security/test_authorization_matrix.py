"""The authorization matrix (OWASP API1, API3, API5).

Every endpoint that names a case, asked by every kind of caller that must not get
the case's personal data: the answer has the status the contract gives, and no
personal data of the person (the canary) in its body or any header.

The expected answers are the table EXPECTED; docs/security.md carries the same
table, and a test keeps the two equal. Columns (callers):

- unrelated: a caseworker of the case's municipality that never had a relation.
- withdrawn / expired: a caseworker named in a consent that was withdrawn / has
  expired (the clock stands past German midnight after `valid_until`). Such an
  agency keeps its relation: reads answer 200 with the person's data withheld. On
  POST events the probe is the lead agency sending that agency a referral under
  the lapsed consent, the disclosure the lapse must stop (an agency cannot refer
  a case to itself).
- caseworker, auditor, dpo, admin: tokens of the lead agency with that role, so
  the role is the only thing wrong; `allowed` cells are the role's own business
  (covered by tests/e2e) and are not probed here.
- revoked: the lead's caseworker token after `tokens revoke`. no token: none.
- other caseworker / other auditor / other dpo: agencies of another municipality.
- no such case: a caller the endpoint allows, asking about a random case id. Its
  404 must read exactly like the 404s of the unrelated callers.

`GET` / `POST audit-bundle` (ADR 0049) are for auditors of the case's municipality
only, like every auditor read of a case; `POST` sends a checkpoint that fits the
schema (its signature is never reached by a refused caller).

`GET audit/verify` takes the case id as `?case_id=`. It checks hash chains only,
shows no personal data and, by its design, is not limited to the auditor's
municipality: an auditor elsewhere gets 200 for a case that exists and 404 for one
that does not (docs/security.md, finding F-2).

Cells: `404` not-found, `403` forbidden, `403 consent` consent-required, `401`
unauthenticated, `200 withheld` the case or history with identity and contact
withheld, `200 metadata` an answer without personal data by design.
"""

import base64
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi.routing import iter_route_contexts

from coordination.bootstrap import bootstrap, migrate
from coordination.domain.identity import AgencyKind, Role
from coordination.entrypoints.api.app import create_app
from coordination.settings import Settings
from tests.e2e.conftest import Api
from tests.security.canary import CANARY, NOTE, leaks
from tests.support import FakeClock, ServedApp, add_agency, postgres_schema

DOCS = Path(__file__).resolve().parents[2] / "docs" / "security.md"

HOME, ELSEWHERE = "mayen-koblenz", "leipzig"
LEAD = "abh-mayen-koblenz"
WITHDRAWN = "mbe-caritas-mayen-koblenz"  # its consent is withdrawn
EXPIRED = "jobcenter-mayen-koblenz"  # its consent expires
UNRELATED = "kommune-andernach"
VALID_UNTIL = date(2026, 9, 1)
AGREEMENT = "agreement-1"  # the case holds none: a lapsed consent's agency gets the 404
# The consent each lapsed agency held: (consent id, purpose).
LAPSED = {WITHDRAWN: ("c-withdrawn", "counselling"), EXPIRED: ("c-expired", "job_placement")}

EXPECTED = """
| endpoint              | unrelated | withdrawn    | expired      | caseworker | auditor | dpo     | admin | revoked | other caseworker | other auditor | other dpo | no token | no such case |
| --------------------- | --------- | ------------ | ------------ | ---------- | ------- | ------- | ----- | ------- | ---------------- | ------------- | --------- | -------- | ------------ |
| POST events           | 404       | 403 consent  | 403 consent  | allowed    | 403     | 403     | 403   | 401     | 404              | 403           | 403       | 401      | 404          |
| GET case              | 404       | 200 withheld | 200 withheld | allowed    | allowed | allowed | 403   | 401     | 404              | 404           | 404       | 401      | 404          |
| GET history           | 404       | 200 withheld | 200 withheld | allowed    | allowed | allowed | 403   | 401     | 404              | 404           | 404       | 401      | 404          |
| GET consent-trail     | 404       | 403          | 403          | allowed    | 403     | allowed | 403   | 401     | 404              | 403           | 404       | 401      | 404          |
| GET disclosure-report | 404       | 403          | 403          | allowed    | 403     | allowed | 403   | 401     | 404              | 403           | 404       | 401      | 404          |
| GET receipt           | 404       | 403          | 403          | allowed    | 403     | allowed | 403   | 401     | 404              | 403           | 404       | 401      | 404          |
| GET agreement paper   | 404       | 404          | 404          | allowed    | 403     | 403     | 403   | 401     | 404              | 403           | 403       | 401      | 404          |
| POST erasure          | 403       | 403          | 403          | 403        | 403     | allowed | 403   | 401     | 403              | 403           | 404       | 401      | 404          |
| GET audit/verify      | 403       | 403          | 403          | 403        | allowed | 403     | 403   | 401     | 403              | 200 metadata  | 403       | 401      | 404          |
| GET audit-bundle      | 403       | 403          | 403          | 403        | allowed | 403     | 403   | 401     | 403              | 404           | 403       | 401      | 404          |
| POST audit-bundle     | 403       | 403          | 403          | 403        | allowed | 403     | 403   | 401     | 403              | 404           | 403       | 401      | 404          |
""".strip()  # noqa: E501 (a table is easier to check when each row is one line)

CODES = {401: "unauthenticated", 403: "forbidden", 404: "not-found"}


@dataclass(frozen=True)
class Caller:
    column: str
    token: str | None  # a key of Api.tokens; None sends no Authorization header
    lapsed: str | None = None  # the agency whose consent lapsed
    ghost: bool = False  # asks about a case that does not exist


@dataclass(frozen=True)
class Endpoint:
    label: str
    method: str
    path: str  # the route's path template
    roles: tuple[Role, ...]  # the roles the endpoint admits, the first one asks "no such case"
    body: Callable[[Caller], dict[str, Any]] | None = None
    discloses: bool = False  # a lapsed-consent column probes it as the lead, disclosing
    query: str = ""  # appended to the path: where a case id goes in the query


def _referral(caller: Caller) -> dict[str, Any]:
    to_agency = caller.lapsed or WITHDRAWN
    return {"type": "ReferralSent", "to_agency": to_agency, "purpose": LAPSED[to_agency][1],
            "categories": ["identity", "contact"], "note": NOTE}  # fmt: skip


def _erasure(caller: Caller) -> dict[str, Any]:
    return {"reason": "authorization matrix probe", "legal_basis": "Art. 17 GDPR"}


def _checkpoint(caller: Caller) -> dict[str, Any]:
    """A checkpoint by its schema, not by its signature."""
    return {"format": "coordination-checkpoint/1", "position": 1, "chain_hash": "0" * 64,
            "events": 1, "at": "2026-09-01T00:00:00Z", "key_id": "0" * 16,
            "public_key": "A" * 43 + "=", "signature": "A" * 86 + "=="}  # fmt: skip


READERS = (Role.CASEWORKER, Role.AUDITOR, Role.DPO)
OVERSEERS = (Role.CASEWORKER, Role.DPO)
CASE = "/v1/cases/{case_id}"
ENDPOINTS = [
    Endpoint("POST events", "POST", f"{CASE}/events", (Role.CASEWORKER,), _referral, True),
    Endpoint("GET case", "GET", CASE, READERS),
    Endpoint("GET history", "GET", f"{CASE}/history", READERS),
    Endpoint("GET consent-trail", "GET", f"{CASE}/consent-trail", OVERSEERS),
    Endpoint("GET disclosure-report", "GET", f"{CASE}/disclosure-report", OVERSEERS),
    Endpoint("GET receipt", "GET", f"{CASE}/consents/{{consent_id}}/receipt", OVERSEERS),
    Endpoint("GET agreement paper", "GET", f"{CASE}/agreements/{{agreement_id}}/paper",
             (Role.CASEWORKER,)),
    Endpoint("POST erasure", "POST", f"{CASE}/erasure", (Role.DPO,), _erasure),
    Endpoint("GET audit/verify", "GET", "/v1/audit/verify", (Role.AUDITOR,),
             query="?case_id={case_id}"),
    Endpoint("GET audit-bundle", "GET", f"{CASE}/audit-bundle", (Role.AUDITOR,)),
    Endpoint("POST audit-bundle", "POST", f"{CASE}/audit-bundle", (Role.AUDITOR,), _checkpoint),
]  # fmt: skip
CALLERS = [
    Caller("unrelated", UNRELATED),
    Caller("withdrawn", WITHDRAWN, lapsed=WITHDRAWN),
    Caller("expired", EXPIRED, lapsed=EXPIRED),
    *(Caller(role.value, f"{LEAD}:{role.value}") for role in Role),
    Caller("revoked", "revoked"),
    *(Caller(f"other {role.value}", f"elsewhere:{role.value}") for role in READERS),
    Caller("no token", None),
    Caller("no such case", None, ghost=True),
]


@dataclass(frozen=True)
class Expect:
    status: int
    code: str | None  # the problem's code; None for a 200
    shape: str = ""  # for a 200: "withheld" or "metadata"


def parse_table(text: str) -> dict[tuple[str, str], Expect | None]:
    """Cell text to expectation; `allowed` cells map to None (not probed)."""
    lines = [[c.strip() for c in line.strip("|").split("|")] for line in text.splitlines()]
    header, rows = lines[0], lines[2:]
    cells: dict[tuple[str, str], Expect | None] = {}
    for row in rows:
        for column, cell in zip(header[1:], row[1:], strict=True):
            cells[(row[0], column)] = _expect(cell)
    return cells


def _expect(cell: str) -> Expect | None:
    if cell == "allowed":
        return None
    if cell.startswith("200 "):
        return Expect(200, None, cell.removeprefix("200 "))
    if cell == "403 consent":
        return Expect(403, "consent-required")
    return Expect(int(cell), CODES[int(cell)])


TABLE = parse_table(EXPECTED)
PROBES = [(e, c) for e in ENDPOINTS for c in CALLERS if TABLE[(e.label, c.column)] is not None]


# The world: one served app per store, one case, every caller.


@dataclass
class World:
    api: Api
    case_id: str
    ghost_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    answers: dict[tuple[str, str], httpx.Response] = field(default_factory=dict)

    def ask(self, endpoint: Endpoint, caller: Caller) -> httpx.Response:
        """One request per cell and store; later tests reuse the answer."""
        key = (endpoint.label, caller.column)
        if key not in self.answers:
            self.answers[key] = self._send(endpoint, caller)
        return self.answers[key]

    def _send(self, endpoint: Endpoint, caller: Caller) -> httpx.Response:
        token = caller.token
        if caller.ghost:
            token = f"{LEAD}:{endpoint.roles[0].value}"
        if caller.lapsed and endpoint.discloses:
            token = f"{LEAD}:caseworker"
        case_id = self.ghost_id if caller.ghost else self.case_id
        url = (endpoint.path + endpoint.query).format(
            case_id=case_id, consent_id=LAPSED[WITHDRAWN][0], agreement_id=AGREEMENT
        )
        body = endpoint.body(caller) if endpoint.body else None
        client = self.api.client
        if token is None:
            return client.request(endpoint.method, url, json=body)
        return self.api.as_(token, endpoint.method, url, json=body)


# What tests/conftest.py sets per test through the environment; this fixture lives
# longer than one test, so it passes them itself.
KEYS_AND_LIMITS: dict[str, Any] = {
    "master_key": base64.urlsafe_b64encode(bytes(range(32))).decode(),
    "signing_key": base64.b64encode(bytes(range(32, 64))).decode(),
    "rate_limit_per_minute": 1_000_000,
    "rate_limit_burst": 100_000,
}


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('matrix') / 'coordination.db'}"
        else:
            url = stack.enter_context(postgres_schema())
        settings = Settings(database_url=url, log_level="WARNING", **KEYS_AND_LIMITS)
        clock = FakeClock()
        migrate(settings)
        services = bootstrap(settings, clock)
        stack.callback(services.close)
        base_url = stack.enter_context(ServedApp(create_app(settings, clock)))
        client = stack.enter_context(httpx.Client(base_url=base_url, timeout=30))
        api = Api(client, services)
        yield World(api, _build_case(api, clock))


def _build_case(api: Api, clock: FakeClock) -> str:
    """The case, its consents and referrals; then one consent withdrawn, one expired."""
    svc = api.services
    for role in Role:
        api.tokens[f"{LEAD}:{role.value}"] = add_agency(svc, LEAD, AgencyKind.AUSLAENDERBEHOERDE,
                                                        HOME, role)  # fmt: skip
    for role in READERS:
        api.tokens[f"elsewhere:{role.value}"] = add_agency(
            svc, "jobcenter-leipzig" if role == Role.CASEWORKER else "stadt-leipzig",
            AgencyKind.JOBCENTER if role == Role.CASEWORKER else AgencyKind.KOMMUNE,
            ELSEWHERE, role,
        )  # fmt: skip
    api.tokens[WITHDRAWN] = add_agency(svc, WITHDRAWN, AgencyKind.MIGRATIONSBERATUNG, HOME)
    api.tokens[EXPIRED] = add_agency(svc, EXPIRED, AgencyKind.JOBCENTER, HOME)
    api.tokens[UNRELATED] = add_agency(svc, UNRELATED, AgencyKind.KOMMUNE, HOME)
    api.tokens["revoked"] = add_agency(svc, LEAD, AgencyKind.AUSLAENDERBEHOERDE, HOME)

    lead = f"{LEAD}:caseworker"
    case_id = api.open_case(lead, person=CANARY, municipality=HOME)
    for agency, (consent_id, purpose) in LAPSED.items():
        until = {"valid_until": VALID_UNTIL.isoformat()} if agency == EXPIRED else {}
        granted = api.grant(lead, case_id, agency, [purpose], ["identity", "contact"],
                            consent_id=consent_id, **until)  # fmt: skip
        assert granted.status_code == 201, granted.text
        sent = api.post(lead, case_id, **_referral(Caller("set-up", None, lapsed=agency)))
        assert sent.status_code == 201, sent.text
        # While the consent holds, the agency reads the person: the search sees it.
        assert leaks(api.as_(agency, "GET", f"/v1/cases/{case_id}"))

    withdrawn = api.post(lead, case_id, type="ConsentWithdrawn", consent_id=LAPSED[WITHDRAWN][0])
    assert withdrawn.status_code == 201, withdrawn.text
    # Past German midnight after valid_until: the consent has expired.
    midnight = datetime.combine(VALID_UNTIL + timedelta(days=1), time(), ZoneInfo("Europe/Berlin"))
    clock.now = midnight + timedelta(seconds=1)
    state = api.as_(lead, "GET", f"/v1/cases/{case_id}").json()
    statuses = {c["consent_id"]: c["status"] for c in state["consents"]}
    assert statuses == {"c-withdrawn": "withdrawn", "c-expired": "expired"}

    assert svc.directory.revoke_token(api.tokens["revoked"].split(".")[1])
    return case_id


# The table itself


def _case_routes() -> set[tuple[str, str]]:
    app = create_app(Settings(database_url="sqlite:///never-opened.db", log_level="WARNING"))
    found = set()
    for route in iter_route_contexts(app.routes):
        path, methods = route.path, route.methods or set()
        dependant = getattr(route, "dependant", None)
        in_query = dependant is not None and any(
            p.name == "case_id" for p in dependant.query_params
        )
        # The web app's case pages take sessions, not tokens: their refusals are
        # checked in tests/e2e/test_web_security.py.
        if path.startswith("/v1/") and ("{case_id}" in path or in_query):
            found |= {(m, path) for m in methods - {"HEAD", "OPTIONS"}}
    return found


def test_every_route_that_takes_a_case_id_has_a_row() -> None:
    """In its path or in its query; a new one fails here until it has a row."""
    routes = _case_routes()
    assert len(routes) >= len(ENDPOINTS), "the route walk found too few routes"
    assert routes == {(e.method, e.path) for e in ENDPOINTS}


def test_the_table_has_a_cell_for_every_endpoint_and_caller() -> None:
    assert set(TABLE) == {(e.label, c.column) for e in ENDPOINTS for c in CALLERS}
    for endpoint in ENDPOINTS:  # `allowed` exactly where the lead's role is admitted
        for role in Role:
            assert (TABLE[(endpoint.label, role.value)] is None) == (role in endpoint.roles)


def test_docs_security_md_shows_the_same_table() -> None:
    assert EXPECTED in DOCS.read_text(encoding="utf-8")


# The probes


@pytest.mark.parametrize(
    ("endpoint", "caller"), PROBES, ids=[f"{e.label}|{c.column}" for e, c in PROBES]
)
def test_cell(world: World, endpoint: Endpoint, caller: Caller) -> None:
    expect = TABLE[(endpoint.label, caller.column)]
    assert expect is not None
    response = world.ask(endpoint, caller)
    assert response.status_code == expect.status, response.text
    assert leaks(response) == []
    if expect.shape == "withheld":
        _assert_withheld(endpoint, response.json())
        return
    if expect.shape == "metadata":
        assert set(response.json()) == {"ok", "events_checked", "first_failure"}
        return
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == expect.code
    if expect.code == "consent-required":
        assert problem["recipient"] == caller.lapsed
        assert sorted(problem["categories"]) == ["contact", "identity"]


def _assert_withheld(endpoint: Endpoint, body: dict[str, Any]) -> None:
    if endpoint.label == "GET case":
        assert {"identity", "contact"} <= set(body["withheld"])
        assert body.get("person") is None
        return
    opened = body["events"][0]
    assert opened["type"] == "CaseOpened"
    assert opened["data"] is None
    assert {"identity", "contact"} <= set(opened["withheld"])


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.label for e in ENDPOINTS])
def test_a_404_does_not_tell_whether_the_case_exists(world: World, endpoint: Endpoint) -> None:
    ghost = world.ask(endpoint, CALLERS[-1])
    assert ghost.status_code == 404
    for caller in CALLERS:
        answer = world.ask(endpoint, caller) if TABLE[(endpoint.label, caller.column)] else None
        if answer is not None and answer.status_code == 404:
            assert answer.json() == ghost.json(), caller.column


def test_the_search_finds_the_person_where_it_is_shown(world: World) -> None:
    """The canary search is not blind: the lead, who recorded the data, reads it."""
    shown = world.api.as_(f"{LEAD}:caseworker", "GET", f"/v1/cases/{world.case_id}")
    assert shown.status_code == 200
    assert {"Ysoldemarit", "Quennbrooke", "1979-02-28", "+49 160 5550123"} <= set(leaks(shown))
