"""Consent receipts in two standard shapes, built from one consent's story.

- An ISO/IEC TS 27560-style consent record as JSON-LD in DPV terms, laid out as
  the DPV guide for 27560 does: header, processing, parties, events.
- An HL7 FHIR R5 `Consent` resource, checked against `fhir.resources` before
  it leaves the service.

Neither carries personal data: the person is named by the case id only.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from fhir.resources.consent import Consent as FhirConsent

from consent import SPECIAL_CATEGORIES, Category, ConsentStatus, Purpose
from coordination.domain.disclosure import AgencyRef
from coordination.domain.trail import ConsentStory
from coordination.services.oversight import dpv

BASE = "https://coordination.example"
CODES = f"{BASE}/fhir/CodeSystem"
DPV_27560_GUIDE = "https://w3id.org/dpv/guides/consent-27560"
Json = dict[str, Any]


@dataclass(frozen=True)
class ReceiptSource:
    """What a receipt says: one consent of a case, the agencies it names, the moment."""

    case_id: UUID
    story: ConsentStory
    controller: AgencyRef  # the agency that obtained the consent and relies on it
    recipients: Sequence[AgencyRef]
    at: datetime
    manager: AgencyRef | None = None  # the agency that recorded it, if another

    @property
    def grantor(self) -> Json:
        """Who gave it: the person, or the legal representative who gave this consent,
        named by standing only."""
        given_by = self.story.given_by
        if given_by == "person":
            return {"@id": self.person_iri}
        return {"@id": f"{self.case_iri}/consents/{self.story.consent_id}#representative",
                "@type": "dpv:LegalEntity", "dct:description": f"legal representative: "
                f"{given_by}"}  # fmt: skip

    @property
    def case_iri(self) -> str:
        return f"{BASE}/cases/{self.case_id}"

    @property
    def person_iri(self) -> str:
        return f"{self.case_iri}#person"

    @property
    def status(self) -> ConsentStatus:
        return self.story.status(self.at)

    @property
    def ends_at(self) -> datetime | None:
        """The instant it stopped or will stop counting, if there is one."""
        return self.story.ended_at(self.at) or self.story.consent.expires_at

    @property
    def legal_bases(self) -> list[str]:
        special = self.story.consent.categories & SPECIAL_CATEGORIES
        return [dpv.CONSENT_BASIS, *([dpv.EXPLICIT_CONSENT_BASIS] if special else [])]


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _agency_iri(agency_id: str) -> str:
    return f"{BASE}/agencies/{agency_id}"


def _present(document: Json) -> Json:
    """Leave out members without a value (FHIR forbids empty arrays)."""
    return {k: v for k, v in document.items() if v not in (None, [], {})}


# ISO/IEC TS 27560 in DPV (JSON-LD)


def dpv_receipt(source: ReceiptSource) -> Json:
    story = source.story
    return _present(
        {
            "@context": dict(dpv.NAMESPACES),
            "@id": f"{source.case_iri}/consents/{story.consent_id}",
            "@type": "dpv:ConsentRecord",
            "dct:conformsTo": {"@id": DPV_27560_GUIDE},
            "dct:identifier": story.consent_id,
            "dct:created": _instant(story.granted.at),
            "dct:modified": _instant(story.ended_at(source.at) or story.granted.at),
            "dpv:hasDataSubject": {
                "@id": source.person_iri,
                "@type": "dpv:DataSubject",
                "dct:identifier": str(source.case_id),
            },
            "dpv:hasNotice": _notice(story),
            "dpv:hasProcess": [_process(source)],
            "dpv:hasConsentStatus": _status_events(source),
        }
    )


def _process(source: ReceiptSource) -> Json:
    consent = source.story.consent
    return {
        "@type": "dpv:Process",
        "dpv:hasPurpose": [_purpose(p) for p in sorted(consent.purposes)],
        "dpv:hasPersonalData": [_category(c) for c in sorted(consent.categories)],
        "dpv:hasLegalBasis": [{"@id": basis} for basis in source.legal_bases],
        "dpv:hasDataController": _party(source.controller, "dpv:DataController"),
        "dpv:hasRecipient": [_party(r, "dpv:Recipient") for r in source.recipients],
        "dpv:hasJurisdiction": {"@id": "loc:DE"},
    }


def _purpose(purpose: Purpose) -> Json:
    return {"@type": list(dpv.PURPOSES[purpose]), "dct:identifier": purpose.value}


def _category(category: Category) -> Json:
    return {"@type": list(dpv.CATEGORIES[category]), "dct:identifier": category.value}


def _party(agency: AgencyRef, role: str) -> Json:
    return {
        "@id": _agency_iri(agency.agency_id),
        "@type": role,
        "dpv:hasName": agency.name,
        "dct:identifier": agency.agency_id,
    }


def _notice(story: ConsentStory) -> list[Json]:
    if story.notice_version is None:
        return []
    return [{"@type": "dpv:ConsentNotice", "dct:hasVersion": story.notice_version}]


def _status_events(source: ReceiptSource) -> list[Json]:
    """Given, then withdrawn or expired if it ended so: the record's history."""
    events = [_given(source)]
    story, status = source.story, source.status
    if status is ConsentStatus.WITHDRAWN and story.withdrawn is not None:
        events.append(
            _present(
                {
                    "@type": dpv.STATUSES[status],
                    "dct:date": _instant(story.withdrawn.at),
                    # Who withdrew is not recorded where a representative had consented: the
                    # person may have, once of age.
                    "dpv:isIndicatedBy": (
                        {"@id": source.person_iri} if story.given_by == "person" else None
                    ),
                    "dpv:isImplementedByEntity": {"@id": _agency_iri(story.withdrawn.agency)},
                }
            )
        )
    elif status is ConsentStatus.EXPIRED and source.ends_at is not None:
        events.append({"@type": dpv.STATUSES[status], "dct:date": _instant(source.ends_at)})
    return events


def _given(source: ReceiptSource) -> Json:
    story = source.story
    expires = story.consent.expires_at
    return _present(
        {
            "@type": dpv.STATUSES[ConsentStatus.ACTIVE],
            "dct:date": _instant(story.granted.at),
            "dct:valid": f"{_instant(story.valid_from)}/{_instant(expires) if expires else '..'}",
            "dpv:isIndicatedAtTime": story.consent.given_on.isoformat(),
            "dpv:isIndicatedBy": source.grantor,
            "dpv:hasIndicationMethod": story.evidence_method,
            "dpv:isImplementedByEntity": {"@id": _agency_iri(story.granted.agency)},
        }
    )


# HL7 FHIR R5 Consent

FHIR_STATUS = {
    ConsentStatus.PENDING: "active",  # in force from period.start on
    ConsentStatus.ACTIVE: "active",
    ConsentStatus.WITHDRAWN: "inactive",
    ConsentStatus.EXPIRED: "inactive",
}
BASIS_DISPLAY = {
    dpv.CONSENT_BASIS: "GDPR Art. 6(1)(a): consent",
    dpv.EXPLICIT_CONSENT_BASIS: "GDPR Art. 9(2)(a): explicit consent",
}
CONSENT_DOCUMENT = {"system": "http://loinc.org", "code": "59284-0", "display": "Consent Document"}
RECIPIENT_ROLE = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
    "code": "IRCP",
    "display": "information recipient",
}
DISCLOSE = {"system": "http://terminology.hl7.org/CodeSystem/consentaction", "code": "disclose"}


def fhir_consent(source: ReceiptSource) -> Json:
    """The R5 Consent as JSON; raises if fhir.resources does not accept it."""
    resource = _fhir(source)
    FhirConsent.model_validate(resource)
    return resource


def _fhir(source: ReceiptSource) -> Json:
    story = source.story
    person = _person(source)
    return _present(
        {
            "resourceType": "Consent",
            "id": story.consent_id,
            "identifier": [{"system": f"{source.case_iri}/consents", "value": story.consent_id}],
            "status": FHIR_STATUS[source.status],
            "category": [{"coding": [CONSENT_DOCUMENT]}],
            "subject": person,
            "date": story.consent.given_on.isoformat(),
            "period": _period(source),
            "grantor": [_grantor(source)],
            "grantee": [_organization(r) for r in source.recipients],
            "controller": [_organization(source.controller)],
            "manager": [_organization(source.manager or source.controller)],
            "regulatoryBasis": [_basis(b) for b in source.legal_bases],
            "verification": _verification(story),
            "decision": "permit",
            "provision": [_provision(source)],
        }
    )


def _grantor(source: ReceiptSource) -> Json:
    given_by = source.story.given_by
    if given_by == "person":
        return _person(source)
    # A parent, guardian or legal carer, by standing: the receipt names no one.
    return {"type": "RelatedPerson", "display": f"legal representative: {given_by}"}


def _person(source: ReceiptSource) -> Json:
    return {
        "type": "Patient",
        "identifier": {"system": f"{BASE}/cases", "value": str(source.case_id)},
    }


def _period(source: ReceiptSource) -> Json:
    end = source.ends_at
    return _present({"start": _instant(source.story.valid_from), "end": end and _instant(end)})


def _organization(agency: AgencyRef) -> Json:
    return {
        "type": "Organization",
        "identifier": {"system": f"{BASE}/agencies", "value": agency.agency_id},
        "display": agency.name,
    }


def _basis(curie: str) -> Json:
    system, _, code = dpv.expand(curie).partition("#")
    return {"coding": [{"system": system, "code": code, "display": BASIS_DISPLAY[curie]}]}


def _verification(story: ConsentStory) -> list[Json]:
    if story.evidence_method is None:
        return []
    method = {"coding": [{"system": f"{CODES}/evidence-method", "code": story.evidence_method}]}
    checked = {"verified": True, "verificationType": method}
    return [checked | {"verificationDate": [_instant(story.granted.at)]}]


def _provision(source: ReceiptSource) -> Json:
    consent = source.story.consent
    return {
        "period": _period(source),
        "actor": [
            {"role": {"coding": [RECIPIENT_ROLE]}, "reference": _organization(r)}
            for r in source.recipients
        ],
        "action": [{"coding": [DISCLOSE]}],
        "purpose": [
            {"system": f"{CODES}/purpose", "code": p.value} for p in sorted(consent.purposes)
        ],
        "code": [_category_concept(c) for c in sorted(consent.categories)],
    }


def _category_concept(category: Category) -> Json:
    """Our code and the DPV concept it maps to: two codings of one concept."""
    system, _, code = dpv.expand(dpv.CATEGORIES[category][0]).partition("#")
    ours = {"system": f"{CODES}/category", "code": category.value}
    return {"coding": [ours, {"system": system, "code": code}]}
