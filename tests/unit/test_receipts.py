"""Consent receipts: DPV terms for every purpose, category and status (JSON-LD, ISO/IEC
TS 27560 layout), and a FHIR R5 Consent that fhir.resources accepts."""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from fhir.resources.consent import Consent as FhirConsent

from consent import Category, ConsentStatus, Purpose
from coordination.domain.case import Case
from coordination.domain.disclosure import AgencyRef
from coordination.domain.identity import Actor
from coordination.domain.trail import consent_trail
from coordination.services.oversight import dpv
from coordination.services.oversight.receipts import ReceiptSource, dpv_receipt, fhir_consent
from tests.people import PERSON

DPV_IRIS = ("https://w3id.org/dpv#", "https://w3id.org/dpv/")
T0 = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
LEAD = Actor("abh-leipzig", "abh-caseworker")
MBE = "mbe-leipzig"
CONTROLLER = AgencyRef(LEAD.agency, "Ausländerbehörde Leipzig", "auslaenderbehoerde")
RECIPIENT = AgencyRef(MBE, "Migrationsberatung Leipzig", "migrationsberatung")
R5_STATUSES = {"draft", "active", "inactive", "not-done", "entered-in-error", "unknown"}


def source(status: ConsentStatus, categories: list[str] | None = None) -> ReceiptSource:
    """A consent of every purpose, brought into `status` by its own events."""
    case = Case.open(LEAD, T0, municipality="leipzig", person=dict(PERSON))
    given_on = date(2026, 10, 1) if status is ConsentStatus.PENDING else date(2026, 9, 1)
    consent_id = case.grant_consent(
        LEAD, T0, recipients=[MBE], purposes=list(Purpose),
        categories=categories or ["identity", "contact"], given_on=given_on,
        valid_until=date(2026, 12, 31), evidence={"method": "written"}, notice_version="v2",
    )  # fmt: skip
    now = T0 + timedelta(days=1)
    if status is ConsentStatus.WITHDRAWN:
        case.withdraw_consent(LEAD, now, consent_id=consent_id, reason="Frau Haddad zog zurück")
    if status is ConsentStatus.EXPIRED:
        now = datetime(2027, 1, 2, tzinfo=UTC)
    story = consent_trail(case.collect_events()).stories[consent_id]  # type: ignore[arg-type]
    assert story.status(now) is status
    return ReceiptSource(uuid4(), story, CONTROLLER, [RECIPIENT], now)


def types_of(nodes: list[dict[str, Any]]) -> list[str]:
    found: list[str] = []
    for node in nodes:
        kinds = node["@type"]
        found.extend(kinds if isinstance(kinds, list) else [kinds])
    return found


def test_every_purpose_category_and_status_has_a_dpv_concept() -> None:
    assert set(dpv.PURPOSES) == set(Purpose)
    assert set(dpv.CATEGORIES) == set(Category)
    assert set(dpv.STATUSES) == set(ConsentStatus)
    terms = [
        *(t for ts in dpv.PURPOSES.values() for t in ts),
        *(t for ts in dpv.CATEGORIES.values() for t in ts),
        *dpv.STATUSES.values(),
    ]
    assert all(dpv.expand(t).startswith(DPV_IRIS) for t in terms)
    assert dpv.expand("pd:Contact") == "https://w3id.org/dpv/pd#Contact"


@pytest.mark.parametrize("status", list(ConsentStatus))
def test_the_dpv_receipt_uses_dpv_iris_for_purposes_categories_and_status(
    status: ConsentStatus,
) -> None:
    receipt = dpv_receipt(source(status, categories=list(Category)))
    context = receipt["@context"]
    (process,) = receipt["dpv:hasProcess"]

    purposes = types_of(process["dpv:hasPurpose"])
    categories = types_of(process["dpv:hasPersonalData"])
    statuses = types_of(receipt["dpv:hasConsentStatus"])

    assert receipt["@type"] == "dpv:ConsentRecord"
    assert [p["dct:identifier"] for p in process["dpv:hasPurpose"]] == sorted(Purpose)
    assert [c["dct:identifier"] for c in process["dpv:hasPersonalData"]] == sorted(Category)
    for term in [*purposes, *categories, *statuses]:
        prefix, _, _ = term.partition(":")
        assert context[prefix].startswith(DPV_IRIS), term
    assert statuses[-1] == dpv.STATUSES[status]
    assert "pd:Health" in categories
    assert "dpv:SpecialCategoryPersonalData" in categories
    assert [b["@id"] for b in process["dpv:hasLegalBasis"]] == ["eu-gdpr:A6-1-a", "eu-gdpr:A9-2-a"]


def test_a_withdrawn_consent_shows_given_then_withdrawn_and_no_personal_data() -> None:
    receipt = dpv_receipt(source(ConsentStatus.WITHDRAWN))
    events = receipt["dpv:hasConsentStatus"]
    assert [e["@type"] for e in events] == ["dpv:ConsentGiven", "dpv:ConsentWithdrawn"]
    assert events[0]["dct:valid"] == "2026-08-31T22:00:00Z/2026-12-31T23:00:00Z"
    text = str(receipt)
    assert all(str(value) not in text for value in PERSON.values())
    assert "zog zurück" not in text


@pytest.mark.parametrize(
    ("status", "fhir_status"),
    [
        (ConsentStatus.ACTIVE, "active"),
        (ConsentStatus.PENDING, "active"),
        (ConsentStatus.WITHDRAWN, "inactive"),
        (ConsentStatus.EXPIRED, "inactive"),
    ],
)
def test_the_fhir_consent_validates_with_fhir_resources(
    status: ConsentStatus, fhir_status: str
) -> None:
    resource = fhir_consent(source(status, categories=["identity", "health"]))

    model = FhirConsent.model_validate(resource)

    assert model.status == fhir_status
    assert model.status in R5_STATUSES
    assert model.decision == "permit"
    assert [g.identifier.value for g in model.grantee or [] if g.identifier] == [MBE]
    (provision,) = model.provision or []
    assert sorted(p.code for p in provision.purpose or []) == sorted(Purpose)
    codes = {c.system: c.code for concept in provision.code or [] for c in concept.coding or []}
    assert codes["https://w3id.org/dpv/pd"] in {"Identifying", "Health"}
    bases = [c.code for b in model.regulatoryBasis or [] for c in b.coding or []]
    assert bases == ["A6-1-a", "A9-2-a"]
    assert "Haddad" not in str(resource)


def test_a_withdrawn_fhir_consent_ends_at_the_withdrawal() -> None:
    resource = fhir_consent(source(ConsentStatus.WITHDRAWN))
    assert resource["period"] == {"start": "2026-08-31T22:00:00Z", "end": "2026-09-02T09:00:00Z"}
