"""More of the person's path, on both stores (ADR 0065): the recognition counselling
takes a nursing qualification through the application, a decision asking for an
adaptation course, the course started and passed, and a step out of order is refused
without a trace; the municipality records a Kita place and the move into follow-on
accommodation; the foreigners authority imposes a residence obligation and lifts it;
the job centre agrees its cooperation plan. Each agency reads of them what the person's
consent lets it read, and the personal fields reach the store sealed."""

from datetime import date
from typing import Any
from uuid import UUID

import pytest

from coordination.bootstrap import Services
from coordination.domain.errors import InvalidEvent, WrongState
from coordination.domain.identity import AgencyKind, Caller
from tests.people import PERSON
from tests.support import caseworker

ABH, IQ = "abh-leipzig", "iq-anerkennung-leipzig"
JOBCENTER, KOMMUNE = "jobcenter-leipzig", "stadt-leipzig-kita"
KINDS = {
    ABH: AgencyKind.AUSLAENDERBEHOERDE, IQ: AgencyKind.ANERKENNUNGSBERATUNG,
    JOBCENTER: AgencyKind.JOBCENTER, KOMMUNE: AgencyKind.KOMMUNE,
}  # fmt: skip
# What the person consented to, agency by agency.
CONSENTS = {
    IQ: ("qualification_recognition", ["identity", "education"]),
    JOBCENTER: ("job_placement", ["identity", "education", "employment"]),
    KOMMUNE: ("childcare_schooling", ["identity", "family", "residence"]),
}
NURSING = "nursing"


def caller(services: Services, agency_id: str) -> Caller:
    return caseworker(services, agency_id, KINDS[agency_id])


def record(
    services: Services, agency_id: str, case_id: UUID, event_type: str, /, **fields: Any
) -> None:
    """Positional first: a place's own `kind` is one of the fields."""
    services.cases.record_event(caller(services, agency_id), case_id, event_type, fields,
                                None, None)  # fmt: skip


def seen(services: Services, agency_id: str, case_id: UUID) -> dict[str, Any]:
    """Each event type's latest data as the agency reads it in the history (None: not
    readable), with the categories withheld from it."""
    history = services.cases.read_history(caller(services, agency_id), case_id)
    return {type(s.event).__name__: (s.view.data, s.view.withheld) for s in history}


@pytest.fixture
def case_id(services: Services) -> UUID:
    """Led by the foreigners authority, which recorded the person's consents."""
    for agency_id in KINDS:
        caller(services, agency_id)  # registered
    opened = services.cases.open_case(
        caller(services, ABH), {"person": PERSON, "municipality": "leipzig"}, None
    )
    for recipient, (purpose, categories) in CONSENTS.items():
        record(services, ABH, opened.case_id, "ConsentGranted", recipients=[recipient],
               purposes=[purpose], categories=categories, given_on=date(2026, 9, 1),
               evidence={"method": "written"})  # fmt: skip
    return opened.case_id


def test_the_recognition_procedure_follows_its_steps_in_order(
    services: Services, case_id: UUID
) -> None:
    # 1. The qualification and the application filed with the competent body.
    record(services, IQ, case_id, "QualificationRecorded", title="Bachelor of Nursing",
           country="SY", qualification_id=NURSING)  # fmt: skip
    record(services, IQ, case_id, "RecognitionApplied", qualification_id=NURSING,
           competent_body="Landesdirektion Sachsen", reference_profession="Pflegefachfrau",
           filed_on=date(2026, 10, 1))  # fmt: skip

    # 2. No measure before a decision asks for one: refused, and nothing recorded.
    version = services.app.get_case(case_id).version
    with pytest.raises(WrongState, match="'nursing' is not decided"):
        record(services, IQ, case_id, "CompensationMeasureStarted", qualification_id=NURSING,
               measure="adaptation_course", started_on=date(2026, 11, 1))  # fmt: skip
    with pytest.raises(WrongState, match="is not in one; this needs it in a compensation"):
        record(services, IQ, case_id, "CompensationMeasurePassed", qualification_id=NURSING,
               passed_on=date(2026, 11, 1))  # fmt: skip
    assert services.app.get_case(case_id).version == version

    # 3. The decision asks for compensation; the adaptation course starts and is passed.
    record(services, IQ, case_id, "RecognitionDecided", qualification_id=NURSING,
           outcome="compensation_required", decided_on=date(2026, 12, 10))  # fmt: skip
    record(services, IQ, case_id, "CompensationMeasureStarted", qualification_id=NURSING,
           measure="adaptation_course", started_on=date(2027, 2, 1))  # fmt: skip
    assert services.app.get_case(case_id).compensation_measures == {NURSING: None}
    record(services, IQ, case_id, "CompensationMeasurePassed", qualification_id=NURSING,
           passed_on=date(2027, 7, 30))  # fmt: skip
    case = services.app.get_case(case_id)
    assert case.compensation_measures == {NURSING: date(2027, 7, 30)}
    assert case.qualifications[NURSING].recognition == "compensation_required"

    # 4. Passed once: neither passed again nor started again, until a new decision.
    version = case.version
    with pytest.raises(WrongState, match="is compensated"):
        record(services, IQ, case_id, "CompensationMeasurePassed", qualification_id=NURSING,
               passed_on=date(2027, 8, 1))  # fmt: skip
    with pytest.raises(WrongState, match="is compensated"):
        record(services, IQ, case_id, "CompensationMeasureStarted", qualification_id=NURSING,
               measure="knowledge_test", started_on=date(2027, 8, 1))  # fmt: skip
    assert services.app.get_case(case_id).version == version
    record(services, IQ, case_id, "RecognitionDecided", qualification_id=NURSING,
           outcome="full", decided_on=date(2027, 9, 1))  # fmt: skip
    assert services.app.get_case(case_id).compensation_measures == {}

    # 5. The job centre reads the procedure under its consent's `education`; the
    # reference profession it reads was sealed in the store.
    data, withheld = seen(services, JOBCENTER, case_id)["RecognitionApplied"]
    assert (data["reference_profession"], withheld) == ("Pflegefachfrau", set())
    assert not any(b"Pflegefachfrau" in e.state for e in stored(services, case_id))


def test_places_housing_and_the_cooperation_plan_each_read_under_their_category(
    services: Services, case_id: UUID
) -> None:
    # 1. The municipality: a Kita place for the daughter, the move out of shared
    # accommodation.
    record(services, KOMMUNE, case_id, "PlaceSecured", kind="childcare",
           institution="Kita Sonnenblume", starts_on=date(2026, 11, 2), child="Lina")  # fmt: skip
    record(services, KOMMUNE, case_id, "AccommodationChanged",
           accommodation="follow_on_accommodation", municipality="leipzig",
           moved_on=date(2026, 11, 2), address="Musterstraße 12, 04315 Leipzig")  # fmt: skip

    # 2. The foreigners authority: a residence obligation, lifted when she finds work
    # elsewhere, and not before it binds, nor twice.
    record(services, ABH, case_id, "ResidenceObligationImposed", place="Leipzig",
           valid_from=date(2026, 9, 15), valid_until=date(2029, 8, 14))  # fmt: skip
    assert services.app.get_case(case_id).residence_obligation == date(2026, 9, 15)
    with pytest.raises(InvalidEvent, match="cannot be before 2026-09-15"):
        record(services, ABH, case_id, "ResidenceObligationLifted",
               lifted_on=date(2026, 9, 1), reason="recorded too early")  # fmt: skip
    record(services, ABH, case_id, "ResidenceObligationLifted", lifted_on=date(2027, 5, 1),
           reason="work subject to social insurance in Hamburg")  # fmt: skip
    assert services.app.get_case(case_id).residence_obligation is None
    version = services.app.get_case(case_id).version
    with pytest.raises(InvalidEvent, match="no residence obligation is in force"):
        record(services, ABH, case_id, "ResidenceObligationLifted", lifted_on=date(2027, 5, 2),
               reason="again")  # fmt: skip
    assert services.app.get_case(case_id).version == version

    # 3. The job centre: its cooperation plan, with the review due in six months.
    record(services, JOBCENTER, case_id, "CooperationPlanAgreed", agreed_on=date(2026, 10, 20),
           next_review_on=date(2027, 4, 20),
           goals="Deutsch B1 bis zum Sommer; danach Anerkennung als Pflegefachfrau")  # fmt: skip
    assert services.app.get_case(case_id).cooperation_plan == date(2026, 10, 20)

    # 4. Each reads what the person's consent covers, and nothing else: the municipality
    # the residence events, not the job centre's plan; the job centre its plan, not the
    # Kita place nor where she lives; the recognition counselling none of them.
    municipality = seen(services, KOMMUNE, case_id)
    assert municipality["ResidenceObligationLifted"] == (
        {"lifted_on": date(2027, 5, 1), "reason": "work subject to social insurance in Hamburg"},
        set(),
    )
    assert municipality["CooperationPlanAgreed"] == (None, {"employment"})
    job_centre = seen(services, JOBCENTER, case_id)
    assert job_centre["CooperationPlanAgreed"][0] is not None
    assert job_centre["PlaceSecured"] == (None, {"family"})
    assert job_centre["AccommodationChanged"] == (None, {"residence"})
    counselling = seen(services, IQ, case_id)
    assert {name: counselling[name] for name in (
        "PlaceSecured", "AccommodationChanged", "ResidenceObligationImposed",
        "CooperationPlanAgreed")} == {
        "PlaceSecured": (None, {"family"}), "AccommodationChanged": (None, {"residence"}),
        "ResidenceObligationImposed": (None, {"residence"}),
        "CooperationPlanAgreed": (None, {"employment"})}  # fmt: skip

    # 5. The institution, the child, the address, the reason and the goals are sealed;
    # the municipality and the place an obligation binds to stay in clear.
    states = b"".join(e.state for e in stored(services, case_id))
    for secret in ("Sonnenblume", "Lina", "Musterstra", "Hamburg", "Deutsch B1"):
        assert secret.encode() not in states, secret
    assert b"follow_on_accommodation" in states


def stored(services: Services, case_id: UUID) -> list[Any]:
    return list(services.app.recorder.select_events(case_id))
