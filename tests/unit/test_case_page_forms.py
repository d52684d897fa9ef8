"""Which forms the case page offers: what the agency could record on the case now."""

from datetime import UTC, date, datetime

from coordination.domain.case import Case
from coordination.domain.identity import Actor
from coordination.domain.visibility import View
from coordination.entrypoints.web.case_page import CasePage, offered_types

AT = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
LEAD, MBE = Actor("abh-leipzig", "web"), Actor("mbe-caritas-leipzig", "web")


def case() -> Case:
    opened = Case.open(LEAD, AT, person={"given_name": "A", "family_name": "B"},
                       municipality="leipzig")  # fmt: skip
    opened.grant_consent(LEAD, AT, recipients=[MBE.agency], purposes=["counselling"],
                         categories=["identity"], given_on=date(2026, 9, 1),
                         evidence={"method": "written"})  # fmt: skip
    return opened


def offered(c: Case, agency: str) -> list[str]:
    return offered_types(CasePage(c, View({}), [], agency, [], {}))


def test_an_open_case_offers_corrections_and_no_reopening() -> None:
    c = case()
    lead = offered(c, LEAD.agency)
    assert {"PersonCorrected", "ContactChanged", "ResidenceStatusChanged", "CaseClosed"} <= set(
        lead
    )
    assert "CaseReopened" not in lead
    assert "CaseClosed" not in offered(c, MBE.agency)


def test_a_closed_case_offers_its_lead_the_reopening() -> None:
    c = case()
    c.close(LEAD, AT, reason="done")
    # What is held stays rectifiable on a closed case (Art. 16 GDPR).
    assert offered(c, LEAD.agency) == [
        "PersonCorrected", "ConsentWithdrawn", "CaseReopened", "CaseMerged",
    ]  # fmt: skip
    assert offered(c, MBE.agency) == ["PersonCorrected", "ConsentWithdrawn"]
