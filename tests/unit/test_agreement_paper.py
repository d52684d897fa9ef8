"""The integration agreement's paper: built from a case as its reader sees it, as the
agreement stands (cancelled steps left out, met ones marked, health-related needs never
on it), and laid out "Fordern und Fördern": the person's steps, then each agency's offers
under its name, then a signature line for the person and each agency that signs.

tests/unit/test_papers_in_languages.py and test_papers_rendered.py print it in every
language, as they print the other papers.
"""

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from coordination.adapters.reports.agencies import AgencyContact
from coordination.adapters.reports.agreement import AREAS, NEEDS, render_agreement
from coordination.adapters.reports.labels import Language, Words, paper_languages
from coordination.domain.bases import reader_bases
from coordination.domain.case import Case
from coordination.domain.case_view import view_case
from coordination.domain.catalogue import event_data
from coordination.domain.grounds import NO_STATUTE
from coordination.domain.identity import Actor
from coordination.domain.values import Need, PlanArea
from coordination.domain.visibility import Sight, View, view_event
from coordination.services.agreement_paper import PrintedAgreement, agreement_paper
from coordination.services.cases import SeenEvent
from tests.papers import AGREEMENT, pages, squeezed
from tests.people import PERSON

T0 = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
MBE = Actor("mbe-diakonie-mayen-koblenz", "mbe-caseworker")
JC, VHS = "jobcenter-mayen-koblenz", "vhs-mayen-koblenz"
HEALTH = "Rückenschmerzen nach einer Verletzung"


def contacts(agency_ids: Any) -> dict[str, AgencyContact]:
    """The directory's names: an agency's id, titled."""
    return {a: AgencyContact(a.title(), f"{a}@example.org") for a in agency_ids}


def concluded() -> Case:
    """The counselling service's case: an agreement with the job centre and the course
    provider; one step of hers met, one moved, one offer cancelled; her health-related
    needs recorded apart; signed by her in Persian."""
    case = Case.open(MBE, T0, municipality="mayen-koblenz",
                     person={**PERSON, "languages": ["ti", "en"]})  # fmt: skip
    for agency in (JC, VHS):
        case.grant_consent(MBE, T0, recipients=[agency], purposes=["case_management"],
                           categories=["integration_plan"], given_on=date(2026, 9, 1),
                           evidence={"method": "written"})  # fmt: skip

    def step(key: str, title: str, due: str, agency: str, owner: str, area: str | None) -> Any:
        return {"milestone_id": key, "title": title, "due_on": date.fromisoformat(due),
                "responsible_agency": agency, "owner": owner, "area": area}  # fmt: skip

    case.conclude_agreement(
        MBE, T0, agreement_id="agreement-1", signed_on=date(2026, 9, 15), parties=[JC],
        brings={"language_level": "A2", "summary": "Krankenpflegerin"},
        needs=["childcare", "language_course"],
        milestones=[
            step("m-1", "Integrationskurs besuchen", "2026-11-01", MBE.agency, "person",
                 "language"),
            step("m-2", "Beim Jobcenter melden", "2026-10-01", JC, "person", "work"),
            step("m-3", "Kita-Platz vermitteln", "2026-10-15", JC, "agency", "education"),
            step("m-4", "Anerkennung beraten", "2026-10-20", MBE.agency, "agency", "work"),
            step("m-5", "Kursplatz anbieten", "2026-10-01", VHS, "agency", None),
        ],
    )  # fmt: skip
    case.meet_milestone(MBE, T0, agreement_id="agreement-1", milestone_id="m-2",
                        met_on=date(2026, 9, 30))  # fmt: skip
    case.reschedule_milestone(MBE, T0, agreement_id="agreement-1", milestone_id="m-1",
                              due_on=date(2026, 12, 1), reason="course starts later")  # fmt: skip
    case.cancel_milestone(MBE, T0, agreement_id="agreement-1", milestone_id="m-4",
                          reason="the job centre advises")  # fmt: skip
    case.record_health_needs(MBE, T0, agreement_id="agreement-1", needs=HEALTH)
    case.acknowledge_agreement(MBE, T0, agreement_id="agreement-1", signed_on=date(2026, 9, 15),
                               language="fa", copy_handed_over=True)  # fmt: skip
    case.review_agreement(MBE, T0, agreement_id="agreement-1", reviewed_on=date(2026, 9, 30),
                          outcome="on track", next_review_on=date(2027, 1, 15))  # fmt: skip
    return case


def read_by(case: Case, agency: str, agreement_id: str = "agreement-1") -> PrintedAgreement | None:
    """The paper as the agency reads the case: its state and its events, by the read rule."""
    sight = Sight(agency, T0, reader_bases(case, agency, "other", NO_STATUTE, T0))
    events = list(case.collect_events())
    history = [SeenEvent(e, _view(e, sight)) for e in events]  # type: ignore[arg-type]
    return agreement_paper(case, view_case(case, sight), history, agreement_id, contacts, T0)


def _view(event: Any, sight: Sight) -> View:
    return view_event(type(event).__name__, event_data(event), event.recorded_by, sight)


def test_the_paper_shows_the_agreement_as_it_stands() -> None:
    printed = read_by(concluded(), MBE.agency)

    assert printed is not None
    paper = printed.paper
    assert (paper.person_name, paper.date_of_birth) == ("Amina Haddad", date(1994, 3, 2))
    assert paper.concluded_by.name == "Mbe-Diakonie-Mayen-Koblenz"
    assert [a.name for a in paper.parties] == ["Jobcenter-Mayen-Koblenz"]
    assert (paper.signed_on, paper.language_level, paper.brings) == (
        date(2026, 9, 15), "A2", "Krankenpflegerin")  # fmt: skip
    assert paper.needs == ["childcare", "language_course"]
    # Hers by due date, moved and met as they stand; each agency's offers together, the
    # signing agencies' first; the cancelled one left out.
    assert [(s.title, s.due_on, s.met_on, s.agency.name) for s in paper.commitments] == [
        ("Beim Jobcenter melden", date(2026, 10, 1), date(2026, 9, 30), "Jobcenter-Mayen-Koblenz"),
        ("Integrationskurs besuchen", date(2026, 12, 1), None, "Mbe-Diakonie-Mayen-Koblenz"),
    ]
    assert [(s.title, s.area, s.agency.name) for s in paper.offers] == [
        ("Kita-Platz vermitteln", "education", "Jobcenter-Mayen-Koblenz"),
        ("Kursplatz anbieten", None, "Vhs-Mayen-Koblenz"),
    ]
    assert paper.next_review_on == date(2027, 1, 15)
    assert paper.ended_on is None
    # Health-related needs are a special category: on no field of the paper.
    assert HEALTH not in repr(paper)


def test_the_paper_is_in_the_person_s_language_else_the_one_she_signed_in() -> None:
    printed = read_by(concluded(), MBE.agency)

    assert printed is not None
    assert printed.person_languages == ["ti", "en", "fa"]
    assert printed.languages() == [Language.DE, Language.EN]  # her first the papers print in
    assert printed.languages(Language.TR) == [Language.DE, Language.TR]
    assert printed.languages(Language.DE) == [Language.DE]
    signed_in_only = replace(printed, person_languages=["ti", "fa"])
    assert signed_in_only.languages() == [Language.DE, Language.FA]


def test_an_agreement_the_reader_may_not_read_or_the_case_does_not_hold_is_none() -> None:
    case = concluded()

    assert read_by(case, "abh-mayen-koblenz") is None  # no consent covers the plan for it
    assert read_by(case, MBE.agency, "agreement-2") is None
    printed = read_by(case, JC)  # under its consent: the plan, not her name
    assert printed is not None
    assert printed.paper.person_name is None


def test_her_steps_come_first_then_each_agency_s_offers_under_its_name() -> None:
    text = squeezed("\n".join(pages(render_agreement(AGREEMENT, [Language.DE]))))

    # One after the other: each found after the one before it.
    order = ["Wozu Sie sich verpflichten", "Integrationskurs besuchen",
             "Was die Stellen Ihnen anbieten", "Migrationsberatung Diakonie Mayen-Koblenz",
             "Beratung zur Anerkennung", "Volkshochschule Mayen-Koblenz",
             "Platz im Integrationskurs anbieten", "Jobcenter Mayen-Koblenz",
             "Kita-Platz vermitteln", "Überprüfung", "am 01.12.2026 gemeinsam mit Ihnen",
             "Unterschriften"]  # fmt: skip
    at = 0
    for phrase in order:
        at = text.find(squeezed(phrase), at)
        assert at >= 0, phrase
    assert text.count(squeezed("erfüllt am")) == 1  # the others are open


def test_the_person_and_each_agency_that_signs_have_a_line_on_one_page_in_each_version() -> None:
    for words in (Words(Language.DE), Words(Language.AR)):
        content = render_agreement(AGREEMENT, paper_languages([words.language.value]))
        texts = [squeezed(t.translate(str.maketrans("", "", "\u2066\u2069")))
                 for t in pages(content)]  # fmt: skip
        page = next(t for t in texts if squeezed(words("Signatures")) in t)
        for line in (words("Signature of the person concerned"),
                     words("I have received a copy of this agreement.")):  # fmt: skip
            assert squeezed(line) in page, line
        # "Signature for …" and the agency's name: a right-to-left line is read back with
        # the Latin name apart from the words around it.
        signing = squeezed(words("Signature for %(agency)s", agency=""))
        assert sum(t.count(signing) for t in texts) == page.count(signing) == 3
        for agency in (AGREEMENT.concluded_by, *AGREEMENT.parties):
            assert squeezed(agency.name) in page, agency.name


def test_a_paper_with_little_in_it_says_so_and_leaves_the_name_to_fill_in() -> None:
    bare = replace(AGREEMENT, person_name=None, language_level=None, brings=None, needs=[],
                   offers=[], next_review_on=None, ended_on=date(2027, 3, 1))  # fmt: skip

    text = squeezed("\n".join(pages(render_agreement(bare, [Language.DE]))))

    for phrase in ("(von Hand eintragen)", "Nicht erfasst.", "Keine.",
                   "Diese Vereinbarung endete am 01.03.2027.",
                   "Der Termin der nächsten Überprüfung wird mit Ihnen vereinbart."):  # fmt: skip
        assert squeezed(phrase) in text, phrase


def test_every_need_and_plan_area_is_printed_in_words() -> None:
    assert set(NEEDS) == set(Need)
    assert set(AREAS) == set(PlanArea)
    for language in (Language.DE, Language.AR, Language.UK):
        words = Words(language)
        for label in [*NEEDS.values(), *AREAS.values()]:
            assert words(label) != label, (language, label)


def test_a_paper_needs_a_language_and_an_hour_with_its_zone() -> None:
    with pytest.raises(ValueError, match="language"):
        render_agreement(AGREEMENT, [])
    with pytest.raises(ValueError, match="time zone"):
        replace(AGREEMENT, prepared_at=datetime(2026, 9, 15, 9, 30))
