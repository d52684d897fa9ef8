"""Possible duplicates when a case is opened (ADR 0059): the job centre opens a case for
a man the foreigners authority already holds, his name written in Arabic script where
the authority wrote it in Latin letters. The job centre learns only that a possible
duplicate exists; the authority sees its case and whom to ask; the DPO of each side sees
its side; strangers with another birthday or nationality are no match."""

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest

from coordination.application.app import project_case
from coordination.bootstrap import Services
from coordination.domain.errors import InvalidEvent, NotPermitted
from coordination.domain.identity import Agency, AgencyKind, Caller, Principal, Role
from projections.runner import Follower

ABH, JOBCENTER, MBE = "abh-leipzig", "jobcenter-leipzig", "mbe-caritas-leipzig"
BORN = date(1991, 4, 17)


def caller(svc: Services, agency_id: str, role: Role = Role.CASEWORKER) -> Caller:
    if svc.directory.get_agency(agency_id) is None:
        controller = "jobcenter-leipzig" if agency_id == JOBCENTER else ""
        agency = Agency(agency_id, agency_id.title(), AgencyKind.OTHER, "leipzig", controller)
        svc.directory.add_agency(agency)
    agency = svc.directory.get_agency(agency_id)
    assert agency is not None
    return Caller(Principal(agency, role, "t", f"{agency_id}-system"), "test")


def person(given: str, family: str, born: date = BORN, nationality: str = "SY") -> dict[str, Any]:
    return {"given_name": given, "family_name": family, "date_of_birth": born,
            "nationality": nationality, "languages": ["ar"]}  # fmt: skip


def opened(svc: Services, who: Caller, someone: dict[str, Any]) -> tuple[UUID, bool]:
    """The case opened for `someone`, once the index holds every earlier case."""
    Follower(svc.app, svc.projection("person_index")).catch_up()
    recorded = svc.cases.open_case(who, {"person": someone, "municipality": "leipzig"}, None)
    return recorded.case_id, recorded.possible_duplicate


def test_the_job_centre_learns_only_that_a_possible_duplicate_exists(services: Services) -> None:
    abh, jobcenter = caller(services, ABH), caller(services, JOBCENTER)
    held, flagged = opened(services, abh, person("Mohammed", "Al-Hassan"))
    assert not flagged

    new, flagged = opened(services, jobcenter, person("محمد", "الحسن"))
    assert flagged

    # The job centre, which leads no earlier case, sees no pair and no case id.
    assert services.duplicates.notices(jobcenter) == []
    checks = [e for e in log(services) if e.action == "duplicate-check"]
    assert [(e.agency_id, e.case_id, e.basis) for e in checks] == [
        (ABH, None, {"possible_duplicates": 0}),
        (JOBCENTER, None, {"possible_duplicates": 1}),
    ]

    # The authority sees its own case and whom to ask.
    [notice] = services.duplicates.notices(abh)
    assert (notice.case_id, notice.other_agency, notice.opened_here) == (
        str(held),
        JOBCENTER,
        False,
    )
    assert notice.similarity == 1.0

    # Each side's DPO sees its side, never the other controller's case id.
    [abh_side] = services.duplicates.notices(caller(services, ABH, Role.DPO))
    assert (abh_side.case_id, abh_side.other_agency) == (str(held), JOBCENTER)
    [jc_side] = services.duplicates.notices(caller(services, JOBCENTER, Role.DPO))
    assert (jc_side.case_id, jc_side.other_agency, jc_side.opened_here) == (str(new), ABH, True)

    # Erased, the authority's case is no one's possible duplicate any more.
    services.erasure.erase(caller(services, ABH, Role.DPO), held, "asked for", "Art. 17 GDPR")
    assert services.duplicates.notices(caller(services, JOBCENTER, Role.DPO)) == []


def test_spelling_variants_match_and_strangers_do_not(services: Services) -> None:
    abh, mbe = caller(services, ABH), caller(services, MBE)
    opened(services, abh, person("Mohammed", "Haddad"))

    assert opened(services, mbe, person("Muhammad", "Hadad"))[1]
    assert not opened(services, mbe, person("Mohammed", "Haddad", date(1991, 5, 17)))[1]
    assert not opened(services, mbe, person("Mohammed", "Haddad", nationality="IQ"))[1]
    assert not opened(services, mbe, person("Amina", "Haddad"))[1]
    # Without a date of birth there is nothing to compare by, and nothing is logged.
    before = len(log(services))
    recorded = services.cases.open_case(
        mbe, {"person": {"given_name": "Mohammed", "family_name": "Haddad"},
              "municipality": "leipzig"}, None,
    )  # fmt: skip
    assert not recorded.possible_duplicate
    assert len(log(services)) == before


def log(services: Services) -> list[Any]:
    return services.access_log.between(datetime(2000, 1, 1, tzinfo=UTC),
                                       datetime(2999, 1, 1, tzinfo=UTC))  # fmt: skip


def test_a_corrected_person_is_compared_as_corrected(services: Services) -> None:
    abh, jobcenter = caller(services, ABH), caller(services, JOBCENTER)
    held, _ = opened(services, abh, person("Mohamed", "Hadad", date(1991, 7, 4)))
    services.cases.record_event(abh, held, "PersonCorrected", {
        "family_name": "Haddad", "date_of_birth": BORN, "reason": "as in the passport",
    }, None, None)  # fmt: skip

    _, flagged = opened(services, jobcenter, person("Mohammed", "Haddad"))
    assert flagged
    [notice] = services.duplicates.notices(abh)
    assert notice.case_id == str(held)
    assert not opened(services, jobcenter, person("Mohamed", "Hadad", date(1991, 7, 4)))[1]


def test_after_the_persons_consent_the_cases_are_merged_and_both_histories_replay(
    services: Services,
) -> None:
    abh, jobcenter = caller(services, ABH), caller(services, JOBCENTER)
    held, _ = opened(services, abh, person("Mohammed", "Al-Hassan"))
    new, flagged = opened(services, jobcenter, person("محمد", "الحسن"))
    assert flagged
    merge = {"into_case_id": str(held), "reason": "the same man; he agreed"}

    # Without the person's consent the job centre may not read the authority's case:
    # refused in the same words as a case that does not exist.
    with pytest.raises(NotPermitted, match="whose person you may read"):
        services.cases.record_event(jobcenter, new, "CaseMerged", merge, None, None)
    with pytest.raises(NotPermitted, match="whose person you may read"):
        services.cases.record_event(
            jobcenter, new, "CaseMerged", {**merge, "into_case_id": str(uuid4())}, None, None
        )

    services.cases.record_event(abh, held, "ConsentGranted", {
        "recipients": [JOBCENTER], "purposes": ["case_management"],
        "categories": ["identity", "contact"], "given_on": BORN.replace(year=2026),
        "evidence": {"method": "written", "language": "ar"}}, None, None)  # fmt: skip
    services.cases.record_event(jobcenter, new, "CaseMerged", merge, None, None)

    merged, _ = services.cases.read_case(jobcenter, new)
    assert (merged.merged_into, merged.closed) == (str(held), True)
    # Both histories replay as recorded; nothing of one was copied into the other.
    assert kinds(services, jobcenter, new) == ["CaseOpened", "CaseMerged"]
    assert kinds(services, abh, held) == ["CaseOpened", "ConsentGranted"]
    replayed = project_case(None, services.app.events.get(new))
    assert replayed is not None
    assert replayed.merged_into == str(held)
    # The pair is settled, and the merged case is no one's possible duplicate any more.
    assert services.duplicates.notices(abh) == []
    third, flagged = opened(services, caller(services, MBE), person("Mohammed", "Al-Hassan"))
    assert flagged
    assert [p.earlier_case_id for p in services.duplicates.store.of_case(str(third))] == [str(held)]
    with pytest.raises(InvalidEvent):
        services.cases.record_event(jobcenter, new, "CaseReopened", {"reason": "x"}, None, None)


def kinds(services: Services, who: Caller, case_id: UUID) -> list[str]:
    return [type(seen.event).__name__ for seen in services.cases.read_history(who, case_id)]
