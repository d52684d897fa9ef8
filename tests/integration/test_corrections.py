"""Corrections (Art. 16 GDPR) and changes of the person's details, on both stores.

The foreigners authority opened a case with a misspelt family name and a wrong date of
birth; it corrects them, changes the contact details and the residence status. Each
reader sees the case as it is now, and in its history the opening's values beside each
change, who made it and why, as far as the change's category is open to it. Once the
case is erased, neither the old values nor the new ones are anywhere in the store."""

from datetime import date
from typing import Any
from uuid import UUID

import pytest

from consent import Category
from coordination.bootstrap import Services
from coordination.domain.identity import Agency, AgencyKind, Caller, Principal, Role
from coordination.services.cases import SeenEvent
from projections.caseload.query import CaseloadQuery, read_page
from projections.runner import Follower
from tests.e2e.test_erasure import database_dump
from tests.support import FakeClock

ABH, MBE, JC = "abh-leipzig", "mbe-caritas-leipzig", "jobcenter-leipzig"
DPO = "datenschutz-leipzig"
KINDS = {ABH: AgencyKind.AUSLAENDERBEHOERDE, MBE: AgencyKind.MIGRATIONSBERATUNG,
         JC: AgencyKind.JOBCENTER, DPO: AgencyKind.OTHER}  # fmt: skip
MISSPELT = {"given_name": "Quorralind", "family_name": "Vexbranet",
            "date_of_birth": date(1987, 9, 12), "phone": "+49 170 5550199",
            "email": "q.vexbrannet@example.org"}  # fmt: skip
CORRECTED = {"family_name": "Vexbrannet", "date_of_birth": date(1987, 12, 9)}
WHY = "as in the passport: Vexbrannet, born 9 December"
NEW_PHONE = "+49 170 5550288"
RESIDENCE, NEW_RESIDENCE = "Duldung", "Aufenthaltserlaubnis nach § 25b AufenthG"
# Every value the person's details held, before and after: none may outlive the erasure.
VALUES = ["Quorralind", "Vexbranet", "Vexbrannet", "1987-09-12", "1987-12-09", "5550199",
          "5550288", "vexbrannet@", "9 December", "Duldung", "25b AufenthG"]  # fmt: skip


def caller(services: Services, agency_id: str, role: Role = Role.CASEWORKER) -> Caller:
    if services.directory.get_agency(agency_id) is None:
        services.directory.add_agency(Agency(agency_id, agency_id, KINDS[agency_id], "leipzig"))
    agency = services.directory.get_agency(agency_id)
    assert agency is not None
    return Caller(Principal(agency, role, "t", f"{agency_id}-{role.value}"), "test")


def record(services: Services, agency_id: str, case_id: UUID, kind: str, **fields: Any) -> None:
    services.cases.record_event(caller(services, agency_id), case_id, kind, fields, None, None)


@pytest.fixture
def case_id(services: Services) -> UUID:
    """Opened by the foreigners authority with the name misspelt and the day of birth
    wrong; the counselling service may see identity and contact, the job centre only
    employment (it is related to the case, but sees none of the person's details)."""
    for agency_id in KINDS:
        caller(services, agency_id)  # registered
    opened = services.cases.open_case(
        caller(services, ABH),
        {"person": MISSPELT, "municipality": "leipzig", "residence_status": RESIDENCE}, None,
    )  # fmt: skip
    for recipient, purpose, categories in (
        (MBE, "counselling", ["identity", "contact"]), (JC, "job_placement", ["employment"]),
    ):  # fmt: skip
        record(services, ABH, opened.case_id, "ConsentGranted", recipients=[recipient],
               purposes=[purpose], categories=categories, given_on=date(2026, 9, 1),
               evidence={"method": "written"})  # fmt: skip
    return opened.case_id


def person(services: Services, agency_id: str, case_id: UUID) -> dict[str, Any] | None:
    _, view = services.cases.read_case(caller(services, agency_id), case_id)
    found: dict[str, Any] | None = (view.data or {}).get("person")
    return found


def history(services: Services, agency_id: str, case_id: UUID) -> dict[str, SeenEvent]:
    """The events of the case as the agency sees them, by type (each type once here)."""
    seen = services.cases.read_history(caller(services, agency_id), case_id)
    return {type(s.event).__name__: s for s in seen}


def test_a_correction_is_read_now_and_the_history_keeps_the_old_value(
    services: Services, case_id: UUID
) -> None:
    # 1. The authority corrects the family name and the date of birth, saying why.
    record(services, ABH, case_id, "PersonCorrected", **CORRECTED, reason=WHY)

    # 2. The counselling service reads the case as corrected; the rest stays as it was.
    now = person(services, MBE, case_id)
    assert now is not None
    assert (now["given_name"], now["family_name"]) == ("Quorralind", "Vexbrannet")
    assert now["date_of_birth"] == date(1987, 12, 9)
    assert now["phone"] == MISSPELT["phone"]

    # 3. Its history shows the opening's values, and the correction, who made it and why.
    seen = history(services, MBE, case_id)
    opening = seen["CaseOpened"].view.data
    assert opening is not None
    assert opening["person"]["family_name"] == "Vexbranet"
    assert opening["person"]["date_of_birth"] == date(1987, 9, 12)
    corrected = seen["PersonCorrected"]
    assert corrected.event.recorded_by == ABH
    assert corrected.view.data == {"given_name": None, **CORRECTED, "nationality": None,
                                   "languages": None, "reason": WHY}  # fmt: skip

    # 4. The job centre, without consent to identity, sees neither: both are withheld.
    assert person(services, JC, case_id) is None
    seen = history(services, JC, case_id)
    assert seen["CaseOpened"].view.data is None
    assert seen["PersonCorrected"].view.data is None
    assert seen["PersonCorrected"].view.withheld == {Category.IDENTITY}


def test_the_caseload_shows_the_corrected_name(
    services: Services, case_id: UUID, clock: FakeClock
) -> None:
    record(services, ABH, case_id, "PersonCorrected", **CORRECTED, reason=WHY)
    Follower(services.app, services.projection("caseload")).catch_up()

    items, _ = read_page(services.caseload, CaseloadQuery(ABH, clock.now))
    assert [i.display_name for i in items] == ["Quorralind Vexbrannet"]


def test_contact_changes_are_read_under_contact(services: Services, case_id: UUID) -> None:
    # 1. A new phone number; the e-mail address removed (null), the reason left out.
    record(services, ABH, case_id, "ContactChanged", phone=NEW_PHONE, email=None)

    # 2. The counselling service reads the new number and no address; the name stays.
    now = person(services, MBE, case_id)
    assert now is not None
    assert (now["phone"], now["email"], now["family_name"]) == (NEW_PHONE, None, "Vexbranet")
    seen = history(services, MBE, case_id)
    assert seen["ContactChanged"].view.data == {"contact": {"phone": NEW_PHONE, "email": None},
                                                "reason": None}  # fmt: skip
    opening = seen["CaseOpened"].view.data
    assert opening is not None
    assert opening["person"]["email"] == MISSPELT["email"]

    # 3. The job centre sees neither the old details nor the change.
    assert history(services, JC, case_id)["ContactChanged"].view.withheld == {Category.CONTACT}


def test_a_change_of_one_contact_detail_leaves_the_other(services: Services, case_id: UUID) -> None:
    record(services, MBE, case_id, "ContactChanged", phone=NEW_PHONE, reason="new mobile")

    now = person(services, ABH, case_id)
    assert now is not None
    assert (now["phone"], now["email"]) == (NEW_PHONE, MISSPELT["email"])


def test_residence_changes_are_read_under_residence(services: Services, case_id: UUID) -> None:
    record(services, ABH, case_id, "ResidenceStatusChanged", residence_status=NEW_RESIDENCE,
           changed_on=date(2026, 8, 28), reason="§ 25b granted")  # fmt: skip

    # The authority reads the new status, and the old one in the opening.
    _, view = services.cases.read_case(caller(services, ABH), case_id)
    assert view.data is not None
    assert view.data["residence_status"] == NEW_RESIDENCE
    opening = history(services, ABH, case_id)["CaseOpened"].view.data
    assert opening is not None
    assert opening["residence_status"] == RESIDENCE
    # The counselling service has no consent to residence: both are withheld from it.
    _, view = services.cases.read_case(caller(services, MBE), case_id)
    assert view.data is not None
    assert "residence_status" not in view.data
    assert Category.RESIDENCE in view.withheld
    seen = history(services, MBE, case_id)
    assert seen["ResidenceStatusChanged"].view.data is None
    assert seen["ResidenceStatusChanged"].view.withheld == {Category.RESIDENCE}
    opening = seen["CaseOpened"].view.data
    assert opening is not None
    assert "residence_status" not in opening


def test_erasure_leaves_neither_the_old_nor_the_new_values(
    services: Services, case_id: UUID, database_url: str
) -> None:
    # 1. Every detail changed once; the views are written.
    record(services, ABH, case_id, "PersonCorrected", **CORRECTED, reason=WHY)
    record(services, MBE, case_id, "ContactChanged", phone=NEW_PHONE, email=None)
    record(services, ABH, case_id, "ResidenceStatusChanged", residence_status=NEW_RESIDENCE,
           changed_on=date(2026, 8, 28))  # fmt: skip
    catch_up(services)
    # Readable until then, yet never in clear in the store.
    assert person(services, MBE, case_id) is not None
    assert leaked(database_url) == []

    # 2. The data-protection officer of the city erases the case.
    services.erasure.erase(caller(services, DPO, Role.DPO), case_id, "person asked",
                           "Art. 17 GDPR")  # fmt: skip
    catch_up(services)

    # 3. No reader gets a value back, and no byte of the store holds one.
    assert person(services, ABH, case_id) in (None, {})
    changes = [history(services, ABH, case_id)[kind].view.data for kind in
               ("PersonCorrected", "ContactChanged", "ResidenceStatusChanged")]  # fmt: skip
    assert changes == [{"erased": True}] * 3
    assert leaked(database_url) == []


def catch_up(services: Services) -> None:
    """Every view (caseload, statistics, person index, feed) written up to now."""
    for projection in services.projections:
        Follower(services.app, projection).catch_up()


def leaked(database_url: str) -> list[str]:
    """The values found in the store's bytes: as text, or as pg_dump writes a bytea (an
    event's state) in hex."""
    dump = database_dump(database_url)
    return [v for v in VALUES if v.encode() in dump or v.encode().hex().encode() in dump]
