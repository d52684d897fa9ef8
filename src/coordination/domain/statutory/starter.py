"""The starter set: transfers German federal law permits between public bodies whatever
the person says, recorded in a new store's rule book (`coordination migrate`).

It is a reviewed default, not legal advice. A deployment's data-protection officer
reviews it before the service goes live and retires (`coordination rules retire`) every
rule that does not apply to the bodies of that deployment, or changes it where Land law
or an agreement narrows it. Each rule is as narrow as its norm allows: only the
directions the norm names, only the categories of this service's vocabulary that the
data it names falls under, one purpose. What a norm makes conditional (on request, only
for persons obliged to attend, only as far as needed) the rule cannot check: its norm's
text says so, and the agency that discloses answers for it.

The wording paraphrased here is that of the consolidated federal text as of 2026. The
set is relied on from 1 July 2023, when the Kooperationsplan (§ 15 SGB II) took the
place of the Eingliederungsvereinbarung in these norms; instants before that day are
not covered by it.
"""

from datetime import date, datetime

from consent import Category, Norm, Purpose, StatutoryRule
from coordination.domain.identity import Actor, AgencyKind
from coordination.domain.statutory.book import RuleBook

STARTER_ACTOR = Actor("system", "starter-set")
STARTER_REASON = "in force by law"
RELIED_ON_FROM = date(2023, 7, 1)

ABH, JOBCENTER = AgencyKind.AUSLAENDERBEHOERDE.value, AgencyKind.JOBCENTER.value
AGENTUR, BAMF = AgencyKind.ARBEITSAGENTUR.value, AgencyKind.BAMF.value
KURSTRAEGER = AgencyKind.SPRACHKURSTRAEGER.value
COURSE_DATA = frozenset({Category.IDENTITY, Category.LANGUAGE})


def _rule(
    rule_id: str, from_kinds: set[str], to_kinds: set[str], categories: frozenset[Category],
    purpose: Purpose, citation: str, text: str,
) -> StatutoryRule:  # fmt: skip
    return StatutoryRule(
        rule_id=rule_id, from_kinds=frozenset(from_kinds), to_kinds=frozenset(to_kinds),
        categories=categories, purpose=purpose, norm=Norm(citation, text),
        valid_from=RELIED_ON_FROM, valid_until=None,
    )  # fmt: skip


STARTER_SET: tuple[StatutoryRule, ...] = (
    _rule(
        "aufenthg-88a-course-data-to-bamf", {KURSTRAEGER, ABH, JOBCENTER, AGENTUR}, {BAMF},
        COURSE_DATA, Purpose.LANGUAGE_COURSE, "§ 88a Abs. 1 Satz 1 AufenthG",
        "Participant data of an integration course (confirmed eligibility or admission, "
        "registration, participation) may go to BAMF from the foreigners authority, the "
        "Federal Employment Agency, the job centre and the course provider, as far as BAMF "
        "needs it to admit to a course, to establish proper participation or that an "
        "obligation to attend was met, to certify successful participation, or to run and "
        "settle the course.",
    ),
    _rule(
        "aufenthg-88a-improper-participation", {KURSTRAEGER}, {ABH, JOBCENTER, AGENTUR},
        COURSE_DATA, Purpose.LANGUAGE_COURSE,
        "§ 88a Abs. 1 Satz 2 AufenthG; § 8 Abs. 3 Satz 1 IntV",
        "A course provider may tell the competent foreigners authority, Federal Employment "
        "Agency or job centre that a person does not take part in the integration course "
        "properly, and under § 8 IntV must tell the foreigners authority or job centre: only "
        "for a person obliged to attend under § 44a Abs. 1 Satz 1 AufenthG or whose course "
        "is part of a Kooperationsplan under § 15 Abs. 2 SGB II.",
    ),
    _rule(
        "aufenthg-88a-bamf-on-request", {BAMF}, {ABH, JOBCENTER, AGENTUR},
        COURSE_DATA, Purpose.LANGUAGE_COURSE,
        "§ 88a Abs. 1 Satz 3 AufenthG; § 8 Abs. 3 Satz 2 IntV",
        "On request, BAMF may pass the course data it received (registration, participation, "
        "successful completion) to foreigners authorities, the Federal Employment Agency and "
        "job centres, as far as needed to admit to a course, to check that an obligation to "
        "attend is met, to monitor a Kooperationsplan or for integration into work.",
    ),
    _rule(
        "aufenthg-88a-bamf-for-residence", {BAMF}, {ABH},
        COURSE_DATA, Purpose.RESIDENCE_PROCEDURE, "§ 88a Abs. 1 Satz 3 AufenthG",
        "On request, BAMF may pass a person's integration-course data to the foreigners "
        "authority as far as needed to extend a residence permit or to grant a settlement "
        "permit or an EU long-term residence permit.",
    ),
    _rule(
        "aufenthg-44a-obligation-to-bamf", {ABH, JOBCENTER}, {BAMF},
        frozenset({Category.IDENTITY, Category.RESIDENCE, Category.LANGUAGE}),
        Purpose.LANGUAGE_COURSE, "§ 44a Abs. 1 AufenthG; § 6 Abs. 1, § 8 Abs. 1 Satz 1 IntV",
        "The foreigners authority or job centre that confirms a person's eligibility for an "
        "integration course notes in it an obligation to attend (§ 44a AufenthG) and passes "
        "the confirmation's data, the residence title and the country of origin to BAMF for "
        "its coordination and running of the courses.",
    ),
    _rule(
        "sgb10-69-placement", {JOBCENTER, AGENTUR}, {JOBCENTER, AGENTUR},
        frozenset({Category.IDENTITY, Category.CONTACT, Category.EDUCATION,
                   Category.EMPLOYMENT}),
        Purpose.JOB_PLACEMENT, "§ 50 Abs. 1 Satz 1 SGB II; § 69 Abs. 1 Nr. 1 SGB X",
        "The job centre and the Federal Employment Agency are to pass each other social "
        "data as far as needed for their tasks under SGB II or SGB III, here placement into "
        "work or training; social data may go to a social benefit body (§ 35 SGB I) for its "
        "statutory task under the Social Code. Only what the task needs; data a doctor or "
        "another person bound by § 203 StGB entrusted stay out (§ 76 SGB X).",
    ),
)  # fmt: skip


def starter_book(at: datetime) -> RuleBook:
    """A new rule book holding the starter set, each rule added as in force by law."""
    book = RuleBook.open(STARTER_ACTOR, at)
    for rule in STARTER_SET:
        book.add_rule(STARTER_ACTOR, at, rule=rule, reason=STARTER_REASON)
    return book
