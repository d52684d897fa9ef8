"""An agency's own file number on a case (ADR 0062): the job centre attaches its BA
customer number and finds the case by it, however it is typed; no other agency reads
the number or finds the case by it; an erasure forgets it."""

from datetime import UTC, date, datetime
from typing import Any

from coordination.bootstrap import Services
from coordination.domain.identity import Role
from projections.runner import Follower
from tests.integration.test_possible_duplicates import caller, person

ABH, JOBCENTER = "abh-leipzig", "jobcenter-leipzig"


def test_the_job_centre_finds_the_case_by_its_own_customer_number(services: Services) -> None:
    abh, jobcenter = caller(services, ABH), caller(services, JOBCENTER)
    case_id = services.cases.open_case(
        abh, {"person": person("Amina", "Haddad"), "municipality": "leipzig"}, None
    ).case_id
    services.cases.record_event(abh, case_id, "ConsentGranted", {
        "recipients": [JOBCENTER], "purposes": ["case_management"], "categories": ["identity"],
        "given_on": date(2026, 9, 1), "evidence": {"method": "written"}}, None, None)  # fmt: skip
    number = {"scheme": "ba_kundennummer", "reference": "123D456789"}
    services.cases.record_event(jobcenter, case_id, "ExternalReferenceRecorded", number,
                                None, None)  # fmt: skip
    index_of(services)

    [found] = services.people.by_reference(jobcenter, "ba_kundennummer", " 123d 456789 ")
    assert (found.case_id, found.name) == (case_id, "Amina Haddad")
    assert services.people.by_reference(jobcenter, "aktenzeichen", "123D456789") == []
    # The authority neither finds the case by the job centre's number nor reads it.
    assert services.people.by_reference(abh, "ba_kundennummer", "123D456789") == []
    [seen] = [s for s in services.cases.read_history(abh, case_id)
              if type(s.event).__name__ == "ExternalReferenceRecorded"]  # fmt: skip
    assert seen.view.data is None
    [own] = [s for s in services.cases.read_history(jobcenter, case_id)
             if type(s.event).__name__ == "ExternalReferenceRecorded"]  # fmt: skip
    assert own.view.data == number
    searches = [e for e in log(services) if e.reason == "reference-search"]
    assert len(searches) == 3
    assert "123D456789" not in repr(searches)

    services.erasure.erase(caller(services, ABH, Role.DPO), case_id, "asked for", "Art. 17 GDPR")
    index_of(services)
    assert services.people.by_reference(jobcenter, "ba_kundennummer", "123D456789") == []


def index_of(services: Services) -> None:
    Follower(services.app, services.projection("person_index")).catch_up()


def log(services: Services) -> list[Any]:
    return services.access_log.between(datetime(2000, 1, 1, tzinfo=UTC),
                                       datetime(2999, 1, 1, tzinfo=UTC))  # fmt: skip
