"""An agency's developer generates a Python client from the live OpenAPI document
(openapi-python-client) and runs the Mayen-Koblenz story through it, typed: the
foreigners authority opens a case, records a consent and a referral; the migration
counselling service learns of the referral from its feed, accepts it and reads the
case; a case it does not know is a typed problem."""

import importlib
import json
import os
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from coordination.domain.identity import AgencyKind
from tests.e2e.conftest import Api

BIN = Path(sys.executable).parent
ABH, MBE = "abh-mayen-koblenz", "mbe-caritas-mayen"
# The import takes an NDJSON file: to a client, bytes to upload.
CONFIG = {"content_type_overrides": {"application/x-ndjson": "application/octet-stream"}}


class Client:
    """The generated package, and a way to call its operations by name."""

    def __init__(self, package: str, base_url: str) -> None:
        self.package, self.base_url = package, base_url
        self.models = importlib.import_module(f"{package}.models")

    def as_(self, token: str) -> Any:
        authenticated = importlib.import_module(f"{self.package}.client").AuthenticatedClient
        return authenticated(base_url=self.base_url, token=token, raise_on_unexpected_status=True)

    def call(self, tag: str, operation: str, **arguments: Any) -> Any:
        return importlib.import_module(f"{self.package}.api.{tag}.{operation}").sync(**arguments)


def generate(api: Api, where: Path) -> Client:
    document = api.client.get("/openapi.json").json()
    (where / "openapi.json").write_text(json.dumps(document))
    (where / "config.json").write_text(json.dumps(CONFIG))
    package = f"coordination_client_{uuid.uuid4().hex[:8]}"
    done = subprocess.run(
        [BIN / "openapi-python-client", "generate", "--path", where / "openapi.json",
         "--config", where / "config.json", "--output-path", where / package, "--meta", "none"],
        capture_output=True, text=True, check=True,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"},
    )  # fmt: skip
    assert "will not be generated" not in done.stdout + done.stderr, done.stdout
    sys.path.insert(0, str(where))
    return Client(package, str(api.client.base_url))


def test_the_mayen_koblenz_story_through_a_generated_client(api: Api, tmp_path: Path) -> None:
    api.agency(ABH, AgencyKind.AUSLAENDERBEHOERDE)
    api.agency(MBE, AgencyKind.MIGRATIONSBERATUNG)
    client = generate(api, tmp_path)
    m = client.models
    abh, mbe = client.as_(api.tokens[ABH]), client.as_(api.tokens[MBE])

    person = m.Person(given_name="Amina", family_name="Haddad", date_of_birth=date(1994, 3, 2),
                      languages=["ar", "en"])  # fmt: skip
    created = client.call("cases", "open_case", client=abh,
                          body=m.OpenCase(person=person, municipality="mayen-koblenz"))  # fmt: skip
    assert isinstance(created, m.CaseCreated)
    case_id = str(created.case_id)
    consent = m.ConsentGranted(
        recipients=[MBE],
        purposes=[m.Purpose.COUNSELLING],
        categories=[m.Category.IDENTITY],
        given_on=date(2026, 9, 1),
        evidence=m.Evidence(method=m.EvidenceMethod.WRITTEN),
    )  # no `type`: the model knows its own
    for body in (
        consent,
        m.ReferralSent(
            to_agency=MBE,
            purpose=m.Purpose.COUNSELLING,
            categories=[m.Category.IDENTITY],
            referral_id="r-1",
        ),
    ):
        recorded = client.call("cases", "record_event", client=abh, case_id=case_id, body=body)
        assert isinstance(recorded, m.EventRecorded)

    feed = client.call("feed", "get_feed", client=mbe, after=0, wait=5)
    deadline = time.monotonic() + 10
    while "ReferralSent" not in [i.type_ for i in feed.items] and time.monotonic() < deadline:
        feed = client.call("feed", "get_feed", client=mbe, after=0, wait=1)
    assert isinstance(feed, m.FeedOut)
    granted, sent = feed.items
    assert isinstance(granted, m.ConsentGrantedItem)
    assert isinstance(sent, m.ReferralSentItem)
    assert (str(sent.case_id), sent.data.referral_id, sent.data.purpose) == (
        case_id, "r-1", "counselling")  # fmt: skip
    assert granted.data.evidence.method == "written"

    accepted = client.call("cases", "record_event", client=mbe, case_id=case_id,
                           body=m.ReferralAccepted(referral_id="r-1"))  # fmt: skip
    assert accepted.version == 4
    assert isinstance(accepted.event, m.ReferralAcceptedOut)
    case = client.call("cases", "get_case", client=mbe, case_id=case_id)
    assert isinstance(case, m.CaseState)
    assert (case.person.given_name, case.person.date_of_birth) == ("Amina", date(1994, 3, 2))
    [referral] = case.referrals
    assert (referral.referral_id, referral.status) == ("r-1", m.ReferralStatus.ACCEPTED)
    history = client.call("cases", "get_history", client=mbe, case_id=case_id)
    assert [type(e) for e in history.events] == [
        m.CaseOpenedOut, m.ConsentGrantedOut, m.ReferralSentOut, m.ReferralAcceptedOut]  # fmt: skip
    assert history.events[0].data.person.family_name == "Haddad"
    unknown = client.call("cases", "get_case", client=mbe, case_id=str(uuid.uuid4()))
    assert isinstance(unknown, m.Problem)
    assert unknown.code == m.ProblemCode.NOT_FOUND
    directory = client.call("agencies", "list_agencies", client=mbe)
    assert MBE in [a.agency_id for a in directory.items]
