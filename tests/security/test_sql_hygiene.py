"""SQL only through parameters, constant fragments or psycopg.sql (hygiene).

`sql_audit` walks every module under src/ and reports SQL text built from a value.
The allowlist below names, per function, the few names that are interpolated into
SQL text on purpose, and why that is safe. Entries with `verify=True` are checked
too: every value the name is given must itself be built from literals, constants
or other allowlisted names. A new interpolation fails this test until someone
reviews it and adds a line here.
"""

from pathlib import Path

import pytest

from tests.security.sql_audit import Allowed, Allowlist, audit_source, audit_tree

SRC = Path(__file__).resolve().parents[2] / "src"

FRAGMENT = "a local fragment; every value it takes is checked"
# The caseload's writing statements are all made once, at import, from its constants.
TABLE_AT_IMPORT = Allowed("called only at import, with the module's constant table names",
                          verify=False)  # fmt: skip
COLUMNS_AT_IMPORT = Allowed("called only at import, with the module's constant column names",
                            verify=False)  # fmt: skip

ALLOWLIST: Allowlist = {
    # The dialect layer itself: `{p}` becomes the schema prefix.
    ("coordination/adapters/store/database.py", "Database.sql"): {
        "statement": Allowed(
            "the statement being translated; callers' text is checked where it is built",
            verify=False,
        ),
        "self.prefix": Allowed("'<schema>.' or ''; checked: built from the schema name"),
    },
    ("coordination/adapters/store/database.py", "Database.__init__"): {
        "schema": Allowed(
            "adapters/store/url.py accepts a schema only if it matches [a-z_][a-z0-9_]{0,62}",
            verify=False,
        ),
    },
    ("coordination/adapters/store/schema.py", "create_tables"): {
        "statement": Allowed("each of the module's constant _TABLES"),
    },
    # Table names chosen by configuration at startup, never by a request.
    ("coordination/adapters/store/recorders.py", "SQLiteCaseRecorder.position_of"): {
        "self.events_table_name": Allowed(
            "set by eventsourcing from the recorder's constructor (the event table's name)",
            verify=False,
        ),
    },
    ("coordination/adapters/store/hash_ledger.py", "HashLedger.__init__"): {
        "events_table": Allowed("the recorder's event table name", verify=False),
        "hashes_table": Allowed("the hash table's name, a constant", verify=False),
    },
    ("coordination/services/erasure.py", "ErasureService._purges"): {
        "table": Allowed("the snapshot recorder's table name", verify=False),
    },
    ("coordination/adapters/store/hash_ledger.py", "HashLedger"): {
        "self.events": Allowed("'{p}' + the event table's name; checked"),
        "self.hashes": Allowed("'{p}' + the hash table's name; checked"),
        "self.position": Allowed("'rowid' or 'notification_id' by dialect; checked"),
    },
    # Read models compose their queries from their own constant fragments.
    ("projections/caseload/query.py", "_page_sql"): {"where": Allowed(FRAGMENT)},
    ("projections/caseload/writing.py", "_insert"): {
        "table": TABLE_AT_IMPORT,
        "names": Allowed(FRAGMENT),
        "values": Allowed("`value ->> '<column>'` for each of `columns`", verify=False),
        "columns": COLUMNS_AT_IMPORT,
    },
    ("projections/caseload/writing.py", "_replacing"): {"c": COLUMNS_AT_IMPORT},
    ("projections/caseload/writing.py", "_delete"): {"table": TABLE_AT_IMPORT},
    ("projections/statistics/view.py", "_fact"): {
        "values": Allowed(
            "called only at import time with literal fragments (_COUNTED, _ACCEPTED, _MET)",
            verify=False,
        ),
        "joins": Allowed("as values", verify=False),
    },
    ("projections/view.py", "View.clear"): {
        "table": Allowed(
            "each of the view's own table_names, literal tuples declared on the view classes",
            verify=False,
        ),
    },
}


def test_no_sql_text_in_src_is_built_from_a_value() -> None:
    findings, used = audit_tree(SRC, ALLOWLIST)
    assert not findings, "\n".join(map(str, findings))
    stale = sorted(
        (module, function, name)
        for (module, function), names in ALLOWLIST.items()
        for name in names
        if (module, function, name) not in used
    )
    assert not stale, f"allowlist entries that no longer match the code: {stale}"


def _findings(source: str, allowlist: Allowlist | None = None) -> list[str]:
    return [f.code for f in audit_source(source, "example.py", allowlist or {}).findings]


@pytest.mark.parametrize(
    ("source", "culprit"),
    [
        ('def f(db, value):\n    db.execute(f"SELECT * FROM t WHERE x = {value}")', "value"),
        ('def f(db, value):\n    db.fetch_one("SELECT * FROM t WHERE x = %s" % value)', "value"),
        ('def f(db, v):\n    db.fetch_all("SELECT * FROM t WHERE x = {}".format(v))', "v"),
        ('def f(db, v):\n    db.execute("DELETE FROM t WHERE x = \'" + v + "\'")', "v"),
        ('def f(view, v):\n    view.rows("select * from t where x = " + v)', "v"),
        ('def f(db, c, v):\n    db.run(c, f"UPDATE t SET x = {v}")', "v"),
        ('def f(db, v):\n    q = f"SELECT * FROM t WHERE x = {v}"\n    db.execute(q)', "v"),
        ('def f(db, v):\n    q = "select x from t where y = %s" % v\n    db.execute(q)', "v"),
        ('def f(cur, v):\n    cur.execute(SQL(f"SELECT {v}"))', "v"),
        ('def f(v):\n    return f"SELECT * FROM {{p}}t WHERE x = {v.name}"', "v.name"),
        ('def f(db, vs):\n    db.execute("INSERT INTO t VALUES " + ", ".join(vs))', "vs"),
    ],
)
def test_the_check_finds_sql_built_from_a_value(source: str, culprit: str) -> None:
    assert _findings(source) == [culprit]


@pytest.mark.parametrize(
    "source",
    [
        'def f(db, v):\n    db.execute("SELECT * FROM {p}t WHERE x = %s", (v,))',
        'T = "{p}t"\ndef f(db, v):\n    db.execute(f"SELECT * FROM {T} WHERE x = %s", (v,))',
        'W = " WHERE x = %s"\ndef f(db, v):\n    db.execute("DELETE FROM t" + W, (v,))',
        'M = {"a": "x = 1"}\ndef f(db, r):\n    db.execute(f"SELECT 1 WHERE {M[r]}")',
        'def f(cur, s):\n    cur.execute(SQL("SELECT * FROM {}").format(Identifier(s)))',
        'def f(cur, v):\n    cur.execute(SQL("SELECT {}").format(v))',  # psycopg: a Literal
        "def f(db, ids):\n    db.execute(f\"SELECT 1 WHERE x IN ({', '.join(['%s'] * 3)})\")",
        'TABLES = ["CREATE TABLE a (x)"]\ndef f(db):\n    for s in TABLES:\n        db.execute(s)',
    ],
)
def test_the_check_accepts_parameters_and_constant_fragments(source: str) -> None:
    assert _findings(source) == []


def test_an_allowlisted_fragment_is_still_checked() -> None:
    source = (
        'def f(db, v):\n    where = " WHERE x = " + v\n    db.execute("SELECT * FROM t" + where)\n'
    )
    allow = {("example.py", "f"): {"where": Allowed("test")}}
    assert _findings(source, allow) == ["v"]
    assert _findings(source.replace('" + v', '%s"'), allow) == []


def test_the_real_caseload_query_is_checked_behind_its_allowlist() -> None:
    module = "projections/caseload/query.py"
    source = (SRC / module).read_text(encoding="utf-8")
    assert "where.append(_OVERDUE)" in source
    tampered = source.replace("where.append(_OVERDUE)", 'where.append(f"x = {q.agency}")')
    findings = audit_source(tampered, module, ALLOWLIST).findings
    assert [f.code for f in findings] == ["q.agency"]
