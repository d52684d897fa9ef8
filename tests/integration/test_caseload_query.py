"""The caseload page query against the query it replaced (ADR 0018).

Random facts go into the view through its own handlers, over several batches, so
member rows are derived, redone and removed as later events change their cases.
Then every agency's caseload is paged through at instants before, between and on
the edges of consents and due dates, with and without filters. It must list the
same cases, in the same order and buckets, as ranking every member case did: the
reference below is the query of ADR 0011, which judged everything at query time.
"""

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import count

import pytest
from eventsourcing.persistence import Tracking

from consent.record import LOCAL_TIME
from coordination.adapters.timestamps import stamp
from coordination.bootstrap import Services
from projections.caseload.cards import PARTS
from projections.caseload.changes import in_order
from projections.caseload.members import CaseFacts
from projections.caseload.query import ROLES, CaseloadQuery, decode_cursor, read_page
from projections.caseload.reader import Reader
from projections.caseload.view import COLUMNS, CaseloadView

AGENCIES = ("abh", "mbe", "jc", "vhs", "kommune")
BASE = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
FILTERS = [(None, False), (None, True), *((role, False) for role in ROLES)]

ACTIVE = ("k.starts_at <= %(now)s AND (k.expires_at IS NULL OR k.expires_at > %(now)s)"
          " AND (k.withdrawn_at IS NULL OR k.withdrawn_at > %(now)s)")  # fmt: skip
MEMBER = {
    "lead": "SELECT case_id FROM {p}caseload_cases WHERE lead_agency = %(a)s",
    "referral_recipient": "SELECT case_id FROM {p}caseload_referrals"
    " WHERE to_agency = %(a)s AND status IN ('sent', 'accepted')",
    "course_provider": "SELECT case_id FROM {p}caseload_courses"
    " WHERE provider = %(a)s AND active = 1",
    "milestone_owner": "SELECT case_id FROM {p}caseload_milestones"
    " WHERE responsible_agency = %(a)s AND open = 1",
}
# An overdue milestone, or a review due on or before today.
OVERDUE = (
    "(EXISTS (SELECT 1 FROM {p}caseload_milestones m WHERE m.case_id = c.case_id AND m.open = 1"
    " AND m.due_on < %(today)s AND (m.responsible_agency = %(a)s OR c.lead_agency = %(a)s))"
    " OR EXISTS (SELECT 1 FROM {p}caseload_reviews v WHERE v.case_id = c.case_id"
    " AND v.review_on <= %(today)s AND (v.concluded_by = %(a)s OR c.lead_agency = %(a)s)))"
)
ACTION = (
    "EXISTS (SELECT 1 FROM {p}caseload_referrals r WHERE r.case_id = c.case_id"
    " AND r.to_agency = %(a)s AND r.status = 'sent') OR " + OVERDUE + " OR EXISTS (SELECT 1"
    " FROM {p}caseload_consents k WHERE k.case_id = c.case_id AND k.expires_at <= %(soon)s AND "
    + ACTIVE
    + " AND (k.recipient = %(a)s OR c.lead_agency = %(a)s))"
)


def reference(view: CaseloadView, agency: str, now: datetime, role: str | None,
              overdue: bool) -> list[tuple[int, str]]:  # fmt: skip
    """(bucket, case id) of every case in the caseload, in page order, ranked in full."""
    consented = ("c.case_id IN (SELECT case_id FROM {p}caseload_consents k"
                 f" WHERE k.recipient = %(a)s AND {ACTIVE})")  # fmt: skip
    branches = [f"c.case_id IN ({MEMBER[r]})" + ("" if r == "lead" else f" AND {consented}")
                for r in ([role] if role else ROLES)]  # fmt: skip
    where = [f"({' OR '.join(branches)})", "c.closed = 0", *([OVERDUE] if overdue else [])]
    rows = view.rows(
        f"SELECT c.case_id, c.opened_at, CASE WHEN {ACTION} THEN 0 ELSE 1 END AS bucket"
        f" FROM {{p}}caseload_cases c WHERE {' AND '.join(where)}"
        " ORDER BY bucket, c.opened_at, c.case_id",
        {"a": agency, "now": stamp(now), "soon": stamp(now + timedelta(days=14)),
         "today": now.astimezone(LOCAL_TIME).date().isoformat()},
    )  # fmt: skip
    return [(r["bucket"], r["case_id"]) for r in rows]


def paged(view: CaseloadView, agency: str, now: datetime, role: str | None,
          overdue: bool, limit: int) -> Iterator[tuple[int | None, str]]:  # fmt: skip
    """Every case of every page, with the bucket its page's cursor names (last items only)."""
    after = None
    while True:
        items, cursor = read_page(view, CaseloadQuery(agency, now, role, overdue, limit, after))
        assert len(items) <= limit
        if cursor is None:
            yield from ((None, item.case_id) for item in items)
            return
        after, judged_at = decode_cursor(cursor)
        assert judged_at == now
        assert after[2] == items[-1].case_id
        yield from ((None, item.case_id) for item in items[:-1])
        yield after[0], items[-1].case_id


class Facts:
    """Random cases written through the view's handlers, a batch at a time."""

    def __init__(self, view: CaseloadView, seed: int) -> None:
        self.view, self.rng = view, random.Random(seed)
        self.positions = count(1)
        self.cases: list[str] = []
        self.consents: list[tuple[str, str]] = []
        self.referrals: list[tuple[str, str]] = []
        self.instants: set[datetime] = {BASE - timedelta(days=40), BASE, BASE + timedelta(days=9)}

    def batch(self, cases: int) -> None:
        with self.view.batch(Tracking("test", next(self.positions))):
            for _ in range(cases):
                self.open_case()
            for _ in range(cases // 2):
                self.change()

    def instant(self, days: float) -> datetime:
        # Few distinct minutes, so cases share `opened_at` and the case id decides.
        return BASE + timedelta(days=days, minutes=self.rng.randrange(3))

    def open_case(self) -> None:
        rng, view = self.rng, self.view
        case_id, lead = str(uuid.UUID(int=rng.getrandbits(128))), rng.choice(AGENCIES[:3])
        self.cases.append(case_id)
        opened_at = self.instant(-rng.randrange(60))
        view.case_opened(case_id, "leipzig", lead, ("Amina", "Haddad"), opened_at)
        for n in range(rng.randrange(4)):
            self.consent(case_id, f"c-{n}")
        for n in range(rng.randrange(3)):
            self.referrals.append((case_id, f"r-{n}"))
            view.referral_sent(case_id, f"r-{n}", lead, rng.choice(AGENCIES))
        if rng.random() < 0.5:
            view.course_assigned(case_id, "k-1", rng.choice(AGENCIES))
        for n in range(rng.randrange(3)):
            due = (BASE + timedelta(days=rng.randrange(-20, 40))).date()
            side = rng.choice(("person", "agency"))
            view.milestone_agreed(case_id, "a-1", f"m-{n}", rng.choice(AGENCIES), lead, "Kurs",
                                  due, side)  # fmt: skip
            self.instants.add(datetime.combine(due, datetime.min.time(), LOCAL_TIME)
                              + timedelta(days=1))  # fmt: skip
            if n == 0 and rng.random() < 0.5:  # the agreement's next review
                review = (BASE + timedelta(days=rng.randrange(-20, 40))).date()
                view.review_set(case_id, "a-1", review)

    def consent(self, case_id: str, consent_id: str) -> None:
        rng = self.rng
        starts = datetime.combine(date(2026, 7, 1) + timedelta(days=rng.randrange(90)),
                                  datetime.min.time(), LOCAL_TIME)  # fmt: skip
        expires = starts + timedelta(days=rng.randrange(5, 80)) if rng.random() < 0.8 else None
        recipients = rng.sample(AGENCIES, rng.randrange(1, 4))
        self.view.consent_granted(case_id, consent_id, recipients, ["identity"], starts, expires)
        self.consents.append((case_id, consent_id))
        edges = [starts, *((expires, expires - timedelta(days=14)) if expires else ())]
        self.instants |= {at - lag for at in edges for lag in (timedelta(0), timedelta.resolution)}

    def change(self) -> None:
        """A later event on an earlier case: the member rows must follow it."""
        rng, view = self.rng, self.view
        case_id = rng.choice(self.cases)
        match rng.randrange(6):
            case 0 if self.consents:
                withdrawn = self.instant(rng.randrange(-30, 30))
                view.consent_withdrawn(*rng.choice(self.consents), withdrawn)
                self.instants.add(withdrawn)
            case 1 if self.referrals:
                view.referral_moved(*rng.choice(self.referrals),
                                    rng.choice(["accepted", "declined", "completed"]))  # fmt: skip
            case 2:
                view.course_completed(case_id, "k-1")
            case 3:
                due = (BASE + timedelta(days=rng.randrange(-5, 5))).date()
                view.milestone_changed(case_id, "a-1", "m-0", met=rng.random() < 0.5, due_on=due)
            case 4:
                view.lead_changed(case_id, rng.choice(AGENCIES))
            case _ if rng.random() < 0.3:
                view.closed(case_id)
            case _:
                self.consent(case_id, f"c-late-{next(self.positions)}")


@pytest.fixture
def facts(services: Services) -> Facts:
    facts = Facts(services.caseload, seed=2026)
    for cases in (25, 25, 20):
        facts.batch(cases)
    return facts


def test_pages_list_what_ranking_every_case_listed(services: Services, facts: Facts) -> None:
    view = services.caseload
    # Spans with gaps, which the stored columns alone cannot answer, occur too.
    for exact in ("consent_exact", "warn_exact"):
        assert view.rows(f"SELECT 1 FROM {{p}}caseload_members WHERE {exact} = 0")
    # Instants are given in UTC, as the clock and cursors give them.
    instants = [t.astimezone(UTC) for t in random.Random(1).sample(sorted(facts.instants), 16)]
    compared = 0
    for agency in AGENCIES:
        for now in instants:
            for role, overdue in FILTERS:
                expected = reference(view, agency, now, role, overdue)
                got = list(paged(view, agency, now, role, overdue, limit=6))
                assert [c for _, c in got] == [c for _, c in expected], (agency, now, role)
                buckets = {c: b for b, c in expected}
                assert all(b == buckets[c] for b, c in got if b is not None)
                compared += len(expected)
    assert compared > 500  # the story is not trivially empty


def test_a_page_after_the_last_bucket_is_empty(services: Services, facts: Facts) -> None:
    query = CaseloadQuery("abh", BASE, after=(2, "", ""))
    assert read_page(services.caseload, query) == ([], None)


def test_closed_cases_leave_no_member_rows(services: Services, facts: Facts) -> None:
    orphans = services.caseload.rows(
        "SELECT m.case_id FROM {p}caseload_members m JOIN {p}caseload_cases c"
        " ON c.case_id = m.case_id WHERE c.closed = 1"
    )
    assert orphans == []
    assert services.caseload.rows("SELECT 1 FROM {p}caseload_members")


# What a view written before member rows (ADR 0018), before cards (ADR 0031), or while it
# kept the name whole, lacks.
OLDER_VIEWS = {
    "member rows": ["DELETE FROM {p}caseload_members"],
    "cards": ["ALTER TABLE {p}caseload_cases DROP COLUMN card"],
    "the name whole": ["ALTER TABLE {p}caseload_cases DROP COLUMN given_name",
                       "ALTER TABLE {p}caseload_cases DROP COLUMN family_name",
                       "ALTER TABLE {p}caseload_cases ADD COLUMN display_name TEXT"],
}  # fmt: skip


@pytest.mark.parametrize("before", OLDER_VIEWS)
def test_a_view_from_before_is_rebuilt(services: Services, facts: Facts, before: str) -> None:
    view = services.caseload
    with view.batch(Tracking("test", 1000)):
        for statement in OLDER_VIEWS[before]:
            view.write(statement)
    view.create_tables()  # what the next start does
    assert view.position("test") == 0
    assert all(not view.rows(f"SELECT 1 FROM {{p}}{table}") for table in view.table_names)
    # The columns are back, and the one they replace is gone.
    schema = (view.db.prefix,) if view.db.dialect == "postgres" else ()
    columns = {row["name"] for row in view.rows(COLUMNS[view.db.dialect], schema)}
    assert {"card", "given_name", "family_name"} <= columns
    assert "display_name" not in columns


def test_an_empty_view_is_not_rebuilt_at_start(services: Services) -> None:
    view = services.caseload
    with view.batch(Tracking("test", 5)):
        pass
    view.create_tables()
    assert view.position("test") == 5


# A case's rows as each table holds them; the card of the case must hold the same.
OF_CASES = {
    "case": "SELECT case_id, municipality, lead_agency, opened_by, given_name, family_name,"
    " opened_at, last_event_at, closed FROM {p}caseload_cases WHERE case_id = %s",
    **{part: f"SELECT * FROM {{p}}caseload_{part} WHERE case_id = %s" for part in PARTS},
}


def table_facts(reader: Reader, case_id: str) -> CaseFacts:
    (case,) = reader.rows(OF_CASES["case"], (case_id,))
    facts = CaseFacts(case, *(reader.rows(OF_CASES[part], (case_id,)) for part in PARTS))
    in_order(facts)  # the order a card lists its rows in
    return facts


def test_every_card_holds_its_cases_facts(services: Services, facts: Facts) -> None:
    # 1. Three batches opened and changed cases (the fixture); pages read cards.
    view = services.caseload
    # 2. Each case's card is what its rows in the four fact tables say, row for row.
    for start in range(0, len(facts.cases), 40):
        chunk = facts.cases[start : start + 40]
        with view.reading() as reader:
            assert reader.cards(chunk) == {c: table_facts(reader, c) for c in chunk}
    # 3. And the story is not trivially empty: cards hold rows of every kind.
    with view.reading() as reader:
        cards = reader.cards(facts.cases[:40]).values()
    assert all(any(getattr(c, part) for c in cards) for part in PARTS)
