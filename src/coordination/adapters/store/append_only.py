"""The access log is append-only in the database, not only by convention.

The service never updates or deletes an entry. Triggers make the database
refuse it too, so a mistake or a hand-run statement cannot rewrite who read
what (Art. 32 GDPR, integrity). The log holds no personal data, so erasure
never needs to touch it.
"""

from coordination.adapters.store.database import Database

_SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS access_log_no_update BEFORE UPDATE ON access_log
       BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS access_log_no_delete BEFORE DELETE ON access_log
       BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END""",
]

# No percent signs here: psycopg would read them as placeholders.
_POSTGRES = [
    """CREATE OR REPLACE FUNCTION {p}access_log_append_only() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'access_log is append-only'; END $$""",
    """CREATE OR REPLACE TRIGGER access_log_no_change BEFORE UPDATE OR DELETE
       ON {p}access_log FOR EACH ROW EXECUTE FUNCTION {p}access_log_append_only()""",
    """CREATE OR REPLACE TRIGGER access_log_no_truncate BEFORE TRUNCATE
       ON {p}access_log FOR EACH STATEMENT EXECUTE FUNCTION {p}access_log_append_only()""",
]

# The DPO overview asks for entries of a period.
_INDEX = "CREATE INDEX IF NOT EXISTS access_log_at ON {p}access_log (at)"


def protect_access_log(db: Database) -> None:
    statements = _SQLITE if db.dialect == "sqlite" else _POSTGRES
    with db.transaction() as cursor:
        for statement in [*statements, _INDEX]:
            db.run(cursor, statement)
