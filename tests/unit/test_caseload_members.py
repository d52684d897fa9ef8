"""Member rows: who can have a case in its caseload, and the instants where that changes."""

from typing import Any

from projections.caseload.members import FOREVER, NO_DUE_DATE, CaseFacts, Window, member_rows

T1, T2, T3, T4 = (f"2026-0{m}-01T00:00:00.000000Z" for m in (1, 2, 3, 4))


def test_a_window_without_intervals_is_never_open() -> None:
    assert Window.of([]) == Window(FOREVER, FOREVER, exact=True)
    assert Window.of([(T2, T1)]) == Window(FOREVER, FOREVER, exact=True)  # ended before it began


def test_touching_intervals_leave_no_gap() -> None:
    assert Window.of([(T2, T3), (T1, T2)]) == Window(T1, T3, exact=True)
    assert Window.of([(T1, T4), (T2, T3)]) == Window(T1, T4, exact=True)


def test_a_gap_makes_the_span_inexact() -> None:
    assert Window.of([(T1, T2), (T3, T4)]) == Window(T1, T4, exact=False)


def consent(recipient: str, starts: str, expires: str | None = None,
            withdrawn: str | None = None) -> dict[str, Any]:  # fmt: skip
    return {"recipient": recipient, "starts_at": starts, "expires_at": expires,
            "withdrawn_at": withdrawn}  # fmt: skip


def facts(**parts: Any) -> CaseFacts:
    case = {"case_id": "c", "lead_agency": "abh", "opened_at": T1, "closed": 0}
    case.update(parts.pop("case", {}))
    lists: dict[str, Any] = {"consents": [], "referrals": [], "courses": [], "milestones": [],
                             "reviews": []}  # fmt: skip
    return CaseFacts(case, **{**lists, **parts})


def by_agency(f: CaseFacts) -> dict[str, dict[str, Any]]:
    return {row["agency"]: row for row in member_rows(f)}


def test_only_the_lead_and_agencies_with_open_work_have_rows() -> None:
    rows = by_agency(facts(
        consents=[consent("jc", T1), consent("vhs", T1)],
        referrals=[{"to_agency": "jc", "status": "accepted"},
                   {"to_agency": "mbe", "status": "completed"}],
    ))  # fmt: skip
    assert set(rows) == {"abh", "jc"}
    assert (rows["jc"]["referral_recipient"], rows["jc"]["pending"], rows["jc"]["lead"]) == (
        1,
        0,
        0,
    )
    assert by_agency(facts(case={"closed": 1})) == {}


def test_the_consent_span_ends_at_expiry_or_withdrawal() -> None:
    rows = by_agency(facts(
        consents=[consent("jc", T1, expires=T4, withdrawn=T3)],
        referrals=[{"to_agency": "jc", "status": "sent"}],
    ))  # fmt: skip
    assert (rows["jc"]["consent_from"], rows["jc"]["consent_until"]) == (T1, T3)
    assert rows["jc"]["pending"] == 1


def test_the_lead_is_warned_of_every_consent_and_sees_every_milestone() -> None:
    rows = by_agency(facts(
        consents=[consent("jc", T1, expires="2026-03-15T00:00:00.000000Z")],
        milestones=[{"responsible_agency": "vhs", "open": 1, "due_on": "2026-05-01"},
                    {"responsible_agency": "vhs", "open": 0, "due_on": "2026-04-01"}],
    ))  # fmt: skip
    lead, vhs = rows["abh"], rows["vhs"]
    assert (lead["warn_from"], lead["warn_until"]) == (
        "2026-03-01T00:00:00.000000Z", "2026-03-15T00:00:00.000000Z")  # fmt: skip
    assert lead["first_due"] == vhs["first_due"] == "2026-05-01"
    assert (vhs["warn_from"], vhs["consent_from"]) == (FOREVER, FOREVER)  # no consent of its own
    assert by_agency(facts())["abh"]["first_due"] == NO_DUE_DATE


def test_a_review_is_due_on_its_day_for_the_lead_and_the_agency_that_concluded() -> None:
    rows = by_agency(facts(
        milestones=[{"responsible_agency": "mbe", "open": 1, "due_on": "2026-05-01"},
                    {"responsible_agency": "vhs", "open": 1, "due_on": "2026-06-01"}],
        reviews=[{"agreement_id": "a-1", "concluded_by": "mbe", "review_on": "2026-04-01"}],
    ))  # fmt: skip
    # A page takes a due date before its own day as overdue: on 1 April the review is due.
    assert rows["abh"]["first_due"] == rows["mbe"]["first_due"] == "2026-03-31"
    assert rows["vhs"]["first_due"] == "2026-06-01"
