"""On what a reader reads each category: a statutory rule before a consent, an open
emergency access only for what neither opens, and a named purpose narrows both."""

from datetime import UTC, date, datetime, timedelta

from consent import Category, Norm, Purpose, RuleVersion, Statute, StatutoryRule
from coordination.domain.bases import reader_bases
from coordination.domain.case import Case
from coordination.domain.grounds import Grounds
from coordination.domain.identity import Actor
from tests.people import PERSON

T0 = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
ABH, MBE, VHS = Actor("abh", "t"), Actor("mbe", "t"), Actor("vhs", "t")
KINDS = {"abh": "auslaenderbehoerde", "mbe": "migrationsberatung", "vhs": "sprachkurstraeger"}
RULE = StatutoryRule(
    "abh-to-provider", frozenset({"auslaenderbehoerde"}), frozenset({"sprachkurstraeger"}),
    frozenset({Category.IDENTITY}), Purpose.LANGUAGE_COURSE, Norm("§ 1 Beispielgesetz", "x"),
    date(2026, 1, 1), None,
)  # fmt: skip
GROUNDS = Grounds(Statute((RuleVersion(RULE, T0, None),)), KINDS.__getitem__)


def case_with_consent_for(reader: Actor) -> Case:
    case = Case.open(ABH, T0, municipality="m", person=dict(PERSON))
    case.grant_consent(
        MBE if reader != MBE else ABH, T0, recipients=[reader.agency],
        purposes=["language_course", "counselling"], categories=["identity", "contact"],
        given_on=date(2026, 9, 1), evidence={"method": "written"},
    )  # fmt: skip
    return case


def test_a_rule_is_named_before_a_consent_that_covers_the_same_category() -> None:
    bases = reader_bases(case_with_consent_for(VHS), "vhs", KINDS["vhs"], GROUNDS, T0)

    assert bases("abh") == {Category.IDENTITY: "statute:abh-to-provider",
                            Category.CONTACT: "consent-1"}  # fmt: skip
    assert bases("mbe") == {Category.IDENTITY: "consent-1", Category.CONTACT: "consent-1"}


def test_a_named_purpose_counts_only_the_rules_and_consents_for_it() -> None:
    case = case_with_consent_for(VHS)

    housing = reader_bases(case, "vhs", KINDS["vhs"], GROUNDS, T0, Purpose.HOUSING)
    counselling = reader_bases(case, "vhs", KINDS["vhs"], GROUNDS, T0, Purpose.COUNSELLING)

    assert housing("abh") == {}
    assert counselling("abh") == {Category.IDENTITY: "consent-1", Category.CONTACT: "consent-1"}


def test_an_open_emergency_access_opens_only_what_nothing_else_opens() -> None:
    case = case_with_consent_for(MBE)
    case.open_emergency_access(MBE, T0, justification="collapsed")

    during = reader_bases(case, "mbe", KINDS["mbe"], GROUNDS, T0 + timedelta(hours=1))("abh")
    after = reader_bases(case, "mbe", KINDS["mbe"], GROUNDS, T0 + timedelta(hours=24))("abh")

    assert during[Category.IDENTITY] == "consent-1"
    assert during[Category.HEALTH] == "emergency:emergency-1"
    assert set(during) == set(Category)
    assert after == {Category.IDENTITY: "consent-1", Category.CONTACT: "consent-1"}
