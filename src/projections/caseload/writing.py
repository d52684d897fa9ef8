"""Statements that write a batch's cases back, each for many cases at once (ADR 0032).

The rows of every case in a chunk go in as one JSON array, one bound value per table:
psycopg's own cost per statement was larger than the server's work on a row, and a
batch of events sent a statement or two for each. Every statement is made here once,
at import, from the constant names below.
"""

from projections.caseload.cards import COLUMNS

DIALECTS = ("postgres", "sqlite")
CASES = "caseload_cases"
CASE_COLUMNS = ("case_id", "municipality", "lead_agency", "opened_by", "given_name",
                "family_name", "opened_at", "last_event_at", "closed", "card")  # fmt: skip
MEMBERS = "caseload_members"
MEMBER_COLUMNS = ("agency", "case_id", "opened_at", "lead", "referral_recipient",
                  "course_provider", "milestone_owner", "pending", "first_due",
                  "consent_from", "consent_until", "consent_exact",
                  "warn_from", "warn_until", "warn_exact")  # fmt: skip
FACT_TABLES = {part: f"caseload_{part}" for part in COLUMNS}
# Each table a batch rewrites, with its columns.
REWRITTEN = {MEMBERS: MEMBER_COLUMNS} | {
    table: ("case_id", *COLUMNS[part]) for part, table in FACT_TABLES.items()
}


def _insert(dialect: str, table: str, columns: tuple[str, ...]) -> str:
    """Rows given as one JSON array of objects, one per row, named by column."""
    names = ", ".join(columns)
    if dialect == "postgres":
        return (f"INSERT INTO {{p}}{table} ({names}) SELECT {names}"
                f" FROM json_populate_recordset(NULL::{{p}}{table}, %s::json)")  # fmt: skip
    values = ", ".join(f"value ->> '{c}'" for c in columns)
    # `WHERE true` tells SQLite's parser that an ON CONFLICT after it is not a join's ON.
    return f"INSERT INTO {{p}}{table} ({names}) SELECT {values} FROM json_each(%s) WHERE true"


def _replacing(columns: tuple[str, ...]) -> str:
    """A case's own row: a new one inserted, a known one replaced by the batch's whole
    row, so no column that a later event changes can be left out."""
    return " ON CONFLICT (case_id) DO UPDATE SET " + ", ".join(
        f"{c} = excluded.{c}" for c in columns if c != "case_id"
    )


def _delete(table: str) -> str:
    """The start of a statement; the case ids' placeholders follow in parentheses."""
    return f"DELETE FROM {{p}}{table} WHERE case_id IN"


INSERT = {(d, t): _insert(d, t, columns) for d in DIALECTS for t, columns in REWRITTEN.items()}
UPSERT_CASES = {d: _insert(d, CASES, CASE_COLUMNS) + _replacing(CASE_COLUMNS) for d in DIALECTS}
DELETE = {table: _delete(table) for table in REWRITTEN}
