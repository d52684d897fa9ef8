"""A batch's changes to a case's facts, applied in memory before the view writes them."""

from projections.caseload import changes
from projections.caseload.cards import card_of
from projections.caseload.members import CaseFacts

T1, T2 = "2026-01-01T00:00:00.000000Z", "2026-02-01T00:00:00.000000Z"


def opened() -> CaseFacts:
    return changes.opened("c", "leipzig", "abh", ("sealed-given", "sealed-family"), T1)


def referral(referral_id: str, to: str) -> changes.Change:
    row = {"referral_id": referral_id, "from_agency": "abh", "to_agency": to, "status": "sent"}
    return changes.add("referrals", row)


def moved(referral_id: str, status: str) -> changes.Change:
    return changes.update("referrals", {"referral_id": referral_id}, status=status)


def test_an_opened_case_is_led_by_its_opener_and_has_no_facts_yet() -> None:
    f = opened()
    assert f.case == {"case_id": "c", "municipality": "leipzig", "lead_agency": "abh",
                      "opened_by": "abh", "given_name": "sealed-given",
                      "family_name": "sealed-family", "opened_at": T1, "last_event_at": T1,
                      "closed": 0}  # fmt: skip
    assert (f.consents, f.referrals, f.courses, f.milestones) == ([], [], [], [])


def test_changes_apply_in_their_order_and_rows_carry_their_case() -> None:
    # 1. A referral is sent, then accepted; a second one is sent and declined.
    f = opened()
    story = [referral("r-1", "jobcenter"), moved("r-1", "accepted"),
             referral("r-2", "vhs"), moved("r-2", "declined")]  # fmt: skip
    for change in story:
        change(f)
    # 2. Each row holds its own status and the case id.
    assert [(r["case_id"], r["referral_id"], r["status"]) for r in f.referrals] == [
        ("c", "r-1", "accepted"), ("c", "r-2", "declined")]  # fmt: skip


def test_a_row_with_a_known_key_replaces_the_row_before_it() -> None:
    f = opened()
    referral("r-1", "jobcenter")(f)
    referral("r-1", "vhs")(f)
    assert [r["to_agency"] for r in f.referrals] == ["vhs"]


def test_an_update_changes_only_the_rows_it_matches() -> None:
    # 1. One consent to two recipients, another to one.
    f = opened()
    for consent_id, recipient in (("k-1", "vhs"), ("k-1", "jobcenter"), ("k-2", "vhs")):
        row = {"consent_id": consent_id, "recipient": recipient, "categories": '["identity"]',
               "starts_at": T1, "expires_at": None, "withdrawn_at": None}  # fmt: skip
        changes.add("consents", row)(f)
    # 2. Withdrawing k-1 ends it for both of its recipients, and leaves k-2 alone.
    changes.update("consents", {"consent_id": "k-1"}, withdrawn_at=T2)(f)
    withdrawn = {(k["consent_id"], k["recipient"]): k["withdrawn_at"] for k in f.consents}
    assert withdrawn == {("k-1", "vhs"): T2, ("k-1", "jobcenter"): T2, ("k-2", "vhs"): None}
    # 3. A change of the case's own row.
    changes.update_case(lead_agency="mbe", closed=1)(f)
    assert (f.case["lead_agency"], f.case["closed"]) == ("mbe", 1)


def test_equal_facts_make_equal_cards_whatever_order_they_came_in() -> None:
    first, second = opened(), opened()
    for f, ids in ((first, ("r-2", "r-10", "r-1")), (second, ("r-1", "r-10", "r-2"))):
        for referral_id in ids:
            referral(referral_id, "jobcenter")(f)
        changes.in_order(f)
    assert card_of(first) == card_of(second)
    assert [r["referral_id"] for r in first.referrals] == ["r-1", "r-10", "r-2"]
