"""Feed tables: which agencies each case relates to so far, and each agency's entries,
numbered 1, 2, 3 … in store order. An agency's numbers count only its own entries, so
nothing in its feed tells how much else the store holds.

Handlers never read: an entry is written with INSERT … SELECT from the members, and its
number from the agency's last one, so it sees rows written earlier in the same batch.
The tables hold case ids, agency ids, versions and positions: nothing of a person.
"""

from typing import ClassVar, NamedTuple

from projections.view import View

TABLES = [
    """CREATE TABLE IF NOT EXISTS {p}feed_members (
        case_id TEXT NOT NULL, agency_id TEXT NOT NULL, PRIMARY KEY (case_id, agency_id))""",
    """CREATE TABLE IF NOT EXISTS {p}feed_entries (
        agency_id TEXT NOT NULL, number BIGINT NOT NULL, position BIGINT NOT NULL,
        case_id TEXT NOT NULL, version INTEGER NOT NULL, event_type TEXT NOT NULL,
        PRIMARY KEY (agency_id, number))""",
]
_RELATED = "INSERT INTO {p}feed_members VALUES (%s, %s) ON CONFLICT DO NOTHING"
_ENTERED = (
    "INSERT INTO {p}feed_entries (agency_id, number, position, case_id, version, event_type)"
    " SELECT m.agency_id, COALESCE((SELECT MAX(e.number) FROM {p}feed_entries e"
    " WHERE e.agency_id = m.agency_id), 0) + 1, %(position)s, m.case_id, %(version)s,"
    " %(type)s FROM {p}feed_members m WHERE m.case_id = %(case)s"
)
_PAGE = (
    "SELECT number, case_id, version, event_type FROM {p}feed_entries"
    " WHERE agency_id = %(agency)s AND number > %(after)s ORDER BY number LIMIT %(limit)s"
)
_LAST = "SELECT MAX(number) AS last FROM {p}feed_entries WHERE agency_id = %(agency)s"


class Entry(NamedTuple):
    number: int  # in the agency's own feed
    case_id: str
    version: int
    event_type: str


class FeedView(View):
    name: ClassVar[str] = "feed"
    tables = TABLES
    table_names = ("feed_entries", "feed_members")

    def related(self, case_id: str, agencies: set[str]) -> None:
        for agency_id in sorted(agencies):
            self.write(_RELATED, (case_id, agency_id))

    def entered(self, case_id: str, version: int, position: int, event_type: str) -> None:
        """The event enters the feed of every agency the case relates to by now."""
        self.write(_ENTERED, {"case": case_id, "version": version, "position": position,
                              "type": event_type})  # fmt: skip

    def entries(self, agency_id: str, after: int, limit: int) -> list[Entry]:
        """The agency's entries after number `after`, in order."""
        rows = self.rows(_PAGE, {"agency": agency_id, "after": after, "limit": limit})
        return [Entry(int(r["number"]), str(r["case_id"]), int(r["version"]),
                      str(r["event_type"])) for r in rows]  # fmt: skip

    def last(self, agency_id: str) -> int:
        """The number of the agency's newest entry; 0 while it has none."""
        rows = self.rows(_LAST, {"agency": agency_id})
        return int(rows[0]["last"] or 0) if rows else 0
