"""The consent ledger: when a consent is in force, and what disclosures it allows.

Consent dates are German calendar days (Europe/Berlin), so the instants below are
written in UTC and chosen around Berlin midnight: in summer (CEST) that is 22:00 UTC
of the previous day, in winter (CET) 23:00 UTC.
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from consent import (
    Category,
    Consent,
    ConsentLedger,
    ConsentStatus,
    Purpose,
    end_of_validity,
    start_of_day,
)

MBE = "mbe-leipzig"
VHS = "vhs-leipzig"
ONE_MICROSECOND = timedelta(microseconds=1)

# 2026-09-01 starts in Berlin at 2026-08-31 22:00 UTC (CEST).
SEPT_1_BERLIN_MIDNIGHT = datetime(2026, 8, 31, 22, 0, tzinfo=UTC)
NOON = datetime(2026, 9, 15, 12, 0, tzinfo=UTC)


def make_consent(
    consent_id: str = "consent-1",
    *,
    recipients: tuple[str, ...] = (MBE,),
    purposes: tuple[Purpose, ...] = (Purpose.COUNSELLING,),
    categories: tuple[Category, ...] = (Category.IDENTITY, Category.CONTACT),
    given_on: date = date(2026, 9, 1),
    valid_until: date | None = None,
    withdrawn_at: datetime | None = None,
) -> Consent:
    return Consent(
        consent_id=consent_id,
        recipients=frozenset(recipients),
        purposes=frozenset(purposes),
        categories=frozenset(categories),
        given_on=given_on,
        expires_at=end_of_validity(valid_until) if valid_until else None,
        withdrawn_at=withdrawn_at,
    )


def ledger_of(*consents: Consent) -> ConsentLedger:
    ledger = ConsentLedger()
    for consent in consents:
        ledger.record(consent)
    return ledger


# Status over time


def test_consent_is_pending_until_its_given_on_day_begins_in_berlin() -> None:
    consent = make_consent(given_on=date(2026, 9, 1))

    before = SEPT_1_BERLIN_MIDNIGHT - ONE_MICROSECOND
    assert consent.status(before) is ConsentStatus.PENDING
    assert not consent.is_active(before)


def test_consent_is_active_from_the_first_instant_of_its_given_on_day_in_berlin() -> None:
    consent = make_consent(given_on=date(2026, 9, 1))

    assert consent.status(SEPT_1_BERLIN_MIDNIGHT) is ConsentStatus.ACTIVE
    assert consent.is_active(SEPT_1_BERLIN_MIDNIGHT)


def test_consent_without_valid_until_stays_active_indefinitely() -> None:
    consent = make_consent(given_on=date(2026, 9, 1))

    assert consent.status(datetime(2040, 1, 1, tzinfo=UTC)) is ConsentStatus.ACTIVE


def test_consent_valid_until_a_summer_date_holds_until_berlin_midnight_cest() -> None:
    consent = make_consent(given_on=date(2026, 6, 1), valid_until=date(2026, 6, 30))
    berlin_midnight = datetime(2026, 6, 30, 22, 0, tzinfo=UTC)  # 2026-07-01 00:00 CEST

    assert consent.status(berlin_midnight - ONE_MICROSECOND) is ConsentStatus.ACTIVE
    assert consent.status(berlin_midnight) is ConsentStatus.EXPIRED


def test_consent_valid_until_a_winter_date_holds_until_berlin_midnight_cet() -> None:
    consent = make_consent(given_on=date(2026, 9, 1), valid_until=date(2026, 12, 31))
    berlin_midnight = datetime(2026, 12, 31, 23, 0, tzinfo=UTC)  # 2027-01-01 00:00 CET

    assert consent.status(berlin_midnight - ONE_MICROSECOND) is ConsentStatus.ACTIVE
    assert consent.status(berlin_midnight) is ConsentStatus.EXPIRED


def test_consent_valid_for_a_single_day_is_active_only_that_berlin_day() -> None:
    consent = make_consent(given_on=date(2026, 9, 1), valid_until=date(2026, 9, 1))

    assert consent.status(SEPT_1_BERLIN_MIDNIGHT - ONE_MICROSECOND) is ConsentStatus.PENDING
    assert consent.status(SEPT_1_BERLIN_MIDNIGHT) is ConsentStatus.ACTIVE
    assert consent.status(SEPT_1_BERLIN_MIDNIGHT + timedelta(days=1)) is ConsentStatus.EXPIRED


def test_end_of_validity_of_a_date_is_the_start_of_the_next_berlin_day() -> None:
    assert end_of_validity(date(2026, 8, 31)) == SEPT_1_BERLIN_MIDNIGHT
    assert start_of_day(date(2026, 9, 1)) == SEPT_1_BERLIN_MIDNIGHT


def test_end_of_validity_of_a_datetime_is_that_instant() -> None:
    instant = datetime(2026, 10, 3, 14, 30, tzinfo=UTC)

    assert end_of_validity(instant) == instant


def test_consent_is_withdrawn_from_the_instant_of_withdrawal() -> None:
    withdrawn_at = datetime(2026, 9, 10, 14, 30, tzinfo=UTC)
    consent = make_consent().withdrawn(withdrawn_at)

    assert consent.status(withdrawn_at - ONE_MICROSECOND) is ConsentStatus.ACTIVE
    assert consent.status(withdrawn_at) is ConsentStatus.WITHDRAWN
    assert consent.status(withdrawn_at + timedelta(days=365)) is ConsentStatus.WITHDRAWN


def test_withdrawing_returns_a_new_consent_and_leaves_the_original_alone() -> None:
    original = make_consent()

    withdrawn = original.withdrawn(NOON)

    assert original.withdrawn_at is None
    assert withdrawn.withdrawn_at == NOON
    assert withdrawn.consent_id == original.consent_id


def test_ledger_withdraw_replaces_the_consent_with_its_withdrawn_version() -> None:
    ledger = ledger_of(make_consent("c1"))

    ledger.withdraw("c1", NOON)

    consent = ledger.get("c1")
    assert consent is not None
    assert consent.withdrawn_at == NOON
    assert consent.status(NOON) is ConsentStatus.WITHDRAWN


def test_ledger_get_returns_none_for_an_unknown_consent() -> None:
    assert ConsentLedger().get("nope") is None


def test_ledger_active_lists_only_consents_in_force_at_that_instant() -> None:
    ledger = ledger_of(
        make_consent("active"),
        make_consent("pending", given_on=date(2026, 12, 1)),
        make_consent("expired", valid_until=date(2026, 9, 10)),
        make_consent("withdrawn", withdrawn_at=datetime(2026, 9, 2, tzinfo=UTC)),
    )

    assert [c.consent_id for c in ledger.active(NOON)] == ["active"]


def test_ledger_still_knows_an_agency_was_named_after_the_consent_is_withdrawn() -> None:
    ledger = ledger_of(make_consent("c1", recipients=(MBE,)))
    ledger.withdraw("c1", NOON)

    assert ledger.ever_names(MBE)
    assert not ledger.ever_names(VHS)


# check_disclosure


def test_disclosure_is_allowed_when_an_active_consent_covers_every_category() -> None:
    ledger = ledger_of(make_consent("c1", categories=(Category.IDENTITY, Category.CONTACT)))

    decision = ledger.check_disclosure(
        MBE, Purpose.COUNSELLING, [Category.IDENTITY, Category.CONTACT], NOON
    )

    assert decision.allowed
    assert decision.missing == frozenset()
    assert dict(decision.basis) == {Category.IDENTITY: "c1", Category.CONTACT: "c1"}
    assert decision.consent_ids == ["c1"]
    assert decision.recipient == MBE
    assert decision.purpose is Purpose.COUNSELLING


def test_disclosure_names_the_categories_no_consent_covers() -> None:
    ledger = ledger_of(make_consent("c1", categories=(Category.IDENTITY,)))

    decision = ledger.check_disclosure(
        MBE, Purpose.COUNSELLING, [Category.IDENTITY, Category.FAMILY, Category.HEALTH], NOON
    )

    assert not decision.allowed
    assert decision.missing == {Category.FAMILY, Category.HEALTH}
    assert dict(decision.basis) == {Category.IDENTITY: "c1"}


def test_disclosure_needs_a_consent_for_the_same_purpose() -> None:
    ledger = ledger_of(make_consent("c1", purposes=(Purpose.COUNSELLING,)))

    decision = ledger.check_disclosure(MBE, Purpose.JOB_PLACEMENT, [Category.IDENTITY], NOON)

    assert not decision.allowed
    assert decision.missing == {Category.IDENTITY}
    assert decision.consent_ids == []


def test_disclosure_needs_a_consent_naming_the_recipient() -> None:
    ledger = ledger_of(make_consent("c1", recipients=(MBE,)))

    decision = ledger.check_disclosure(VHS, Purpose.COUNSELLING, [Category.IDENTITY], NOON)

    assert not decision.allowed
    assert decision.missing == {Category.IDENTITY}


def test_disclosure_combines_two_consents_for_different_categories_of_the_same_purpose() -> None:
    ledger = ledger_of(
        make_consent("c1", categories=(Category.IDENTITY,)),
        make_consent("c2", categories=(Category.EDUCATION,)),
    )

    decision = ledger.check_disclosure(
        MBE, Purpose.COUNSELLING, [Category.IDENTITY, Category.EDUCATION], NOON
    )

    assert decision.allowed
    assert dict(decision.basis) == {Category.IDENTITY: "c1", Category.EDUCATION: "c2"}
    assert decision.consent_ids == ["c1", "c2"]


def test_disclosure_does_not_combine_consents_given_for_different_purposes() -> None:
    ledger = ledger_of(
        make_consent("c1", purposes=(Purpose.COUNSELLING,), categories=(Category.IDENTITY,)),
        make_consent("c2", purposes=(Purpose.JOB_PLACEMENT,), categories=(Category.EDUCATION,)),
    )

    decision = ledger.check_disclosure(
        MBE, Purpose.COUNSELLING, [Category.IDENTITY, Category.EDUCATION], NOON
    )

    assert not decision.allowed
    assert decision.missing == {Category.EDUCATION}


def test_disclosure_accepts_a_consent_naming_several_recipients_and_purposes() -> None:
    ledger = ledger_of(
        make_consent(
            "c1",
            recipients=(MBE, VHS),
            purposes=(Purpose.COUNSELLING, Purpose.LANGUAGE_COURSE),
        )
    )

    decision = ledger.check_disclosure(VHS, Purpose.LANGUAGE_COURSE, [Category.CONTACT], NOON)

    assert decision.allowed


def test_disclosure_is_refused_under_a_pending_consent() -> None:
    ledger = ledger_of(make_consent("c1", given_on=date(2026, 10, 1)))

    decision = ledger.check_disclosure(MBE, Purpose.COUNSELLING, [Category.IDENTITY], NOON)

    assert not decision.allowed


def test_disclosure_is_refused_under_an_expired_consent() -> None:
    ledger = ledger_of(make_consent("c1", valid_until=date(2026, 9, 14)))

    decision = ledger.check_disclosure(MBE, Purpose.COUNSELLING, [Category.IDENTITY], NOON)

    assert not decision.allowed


def test_disclosure_is_allowed_before_a_withdrawal_and_refused_from_it_on() -> None:
    ledger = ledger_of(make_consent("c1"))
    ledger.withdraw("c1", NOON)

    before = ledger.check_disclosure(
        MBE, Purpose.COUNSELLING, [Category.IDENTITY], NOON - ONE_MICROSECOND
    )
    after = ledger.check_disclosure(MBE, Purpose.COUNSELLING, [Category.IDENTITY], NOON)

    assert before.allowed
    assert not after.allowed


def test_disclosure_basis_is_the_oldest_covering_consent() -> None:
    ledger = ledger_of(
        make_consent("newer", given_on=date(2026, 9, 5)),
        make_consent("older-b", given_on=date(2026, 9, 1)),
        make_consent("older-a", given_on=date(2026, 9, 1)),
    )

    decision = ledger.check_disclosure(MBE, Purpose.COUNSELLING, [Category.IDENTITY], NOON)

    assert decision.consent_ids == ["older-a"]


def test_disclosure_of_categories_given_as_a_generator_still_needs_consent() -> None:
    # `categories` is typed Iterable[Category]: a one-shot iterable must be
    # checked just like a list, never waved through.
    ledger = ConsentLedger()

    decision = ledger.check_disclosure(
        MBE, Purpose.COUNSELLING, (c for c in [Category.IDENTITY]), NOON
    )

    assert not decision.allowed
    assert decision.missing == {Category.IDENTITY}


# readable_categories


def test_readable_categories_are_those_of_active_consents_naming_the_agency() -> None:
    ledger = ledger_of(
        make_consent("c1", purposes=(Purpose.COUNSELLING,), categories=(Category.IDENTITY,)),
        make_consent("c2", purposes=(Purpose.JOB_PLACEMENT,), categories=(Category.EDUCATION,)),
        make_consent("c3", recipients=(VHS,), categories=(Category.LANGUAGE,)),
    )

    assert ledger.readable_categories(MBE, NOON) == {
        Category.IDENTITY: "c1",
        Category.EDUCATION: "c2",
    }


def test_readable_categories_ignore_pending_expired_and_withdrawn_consents() -> None:
    ledger = ledger_of(
        make_consent("pending", given_on=date(2026, 10, 1), categories=(Category.FAMILY,)),
        make_consent("expired", valid_until=date(2026, 9, 14), categories=(Category.HEALTH,)),
        make_consent("active", categories=(Category.CONTACT,)),
    )
    ledger.record(make_consent("gone", categories=(Category.RESIDENCE,)).withdrawn(NOON))

    assert ledger.readable_categories(MBE, NOON) == {Category.CONTACT: "active"}


def test_readable_categories_are_empty_for_an_agency_no_consent_names() -> None:
    ledger = ledger_of(make_consent("c1", recipients=(MBE,)))

    assert ledger.readable_categories(VHS, NOON) == {}


def test_readable_categories_end_with_the_withdrawal() -> None:
    ledger = ledger_of(make_consent("c1"))
    ledger.withdraw("c1", NOON)

    assert ledger.readable_categories(MBE, NOON - ONE_MICROSECOND) == {
        Category.IDENTITY: "c1",
        Category.CONTACT: "c1",
    }
    assert ledger.readable_categories(MBE, NOON) == {}


@pytest.mark.parametrize("category", list(Category))
def test_every_category_can_be_read_when_a_consent_covers_it(category: Category) -> None:
    ledger = ledger_of(make_consent("c1", categories=(category,)))

    assert ledger.readable_categories(MBE, NOON) == {category: "c1"}
