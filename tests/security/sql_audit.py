"""A static check that SQL text is never built from values.

The service binds every value as a parameter (`%s`, `%(name)s`) and writes table
prefixes as `{p}` (ADR 0005). PostgreSQL-only statements are composed with
`psycopg.sql`, which quotes what it interpolates. This module walks the AST of a
source file and reports every place where SQL text is built by interpolation
(f-string, `+`, `%`, `.format()`, `.join()`, `.replace()`) from anything but

- string and number literals,
- module-level constants (UPPER_CASE names assigned from safe values, or imported),
- items of such constants (`_MEMBER[role]`: one of the table's own strings),
- names and attributes listed in an allowlist for that function, each with a reason.

An allowlisted name is still checked where it can be: every assignment to it in
the function (or, for `self.attr`, in the class) must be safe by the same rules
(`Allowed(verify=True)`). Names whose value comes from outside the module
(parameters, attributes set by eventsourcing) are listed with `verify=False` and
a reason saying where they come from.

Which constructions are checked:

- every construction passed to a SQL sink (`execute`, `executemany`, `run`,
  `write`, `fetch_*`, `rows`, `sql`, `RowWrite`, `SQL`), and a local variable
  passed to a sink must have only safe assignments;
- every construction anywhere whose literal parts look like SQL (an upper-case
  keyword such as SELECT, INSERT, WHERE, or the `{p}` prefix), so that
  `q = f"SELECT ... {value}"; db.execute(q)` is caught where `q` is built.
"""

import ast
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

SINKS = frozenset({"execute", "executemany", "run", "write", "rows", "sql"})
SINK_PREFIXES = ("fetch_",)
SINK_CALLABLES = frozenset({"RowWrite", "SQL"})
PSYCOPG_QUOTED = frozenset({"Identifier", "Literal", "Placeholder"})
STRING_METHODS = frozenset({"format", "join", "replace"})
LOOKS_LIKE_SQL = re.compile(
    r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|TRUNCATE|LISTEN|NOTIFY|WHERE|VALUES)\b"
    r"|\{p\}"
)
CONSTANT_NAME = re.compile(r"_*[A-Z][A-Z0-9_]*")


@dataclass(frozen=True)
class Allowed:
    """A name (or `self.attr`) that may be interpolated into SQL in one function."""

    reason: str
    verify: bool = True  # check every assignment to it with the same rules


Allowlist = Mapping[tuple[str, str], Mapping[str, Allowed]]


@dataclass(frozen=True)
class Finding:
    module: str
    line: int
    function: str
    code: str
    why: str

    def __str__(self) -> str:
        return (
            f"{self.module}:{self.line} in {self.function or '<module>'}: {self.why}: {self.code}"
        )


Function = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class _Scope:
    """The classes and functions around a node, outermost first."""

    frames: tuple[tuple[str, ast.AST], ...] = ()

    def enter(self, node: ast.ClassDef | Function) -> "_Scope":
        return _Scope((*self.frames, (node.name, node)))

    @property
    def qualname(self) -> str:
        return ".".join(name for name, _ in self.frames)

    @property
    def klass(self) -> ast.ClassDef | None:
        return next((n for _, n in reversed(self.frames) if isinstance(n, ast.ClassDef)), None)

    def functions(self) -> Iterator[tuple[Function, "_Scope"]]:
        """Enclosing functions, innermost first, each with its own scope."""
        for i in range(len(self.frames), 0, -1):
            node = self.frames[i - 1][1]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                yield node, _Scope(self.frames[:i])

    def qualnames(self) -> Iterator[str]:
        """This scope's qualified name and those of its enclosing scopes, innermost first."""
        for i in range(len(self.frames), 0, -1):
            yield ".".join(name for name, _ in self.frames[:i])


def _is_sink(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr in SINKS or func.attr.startswith(SINK_PREFIXES)
    return isinstance(func, ast.Name) and func.id in SINK_CALLABLES


def _callee(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _is_construction(node: ast.AST) -> bool:
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return True
    if isinstance(node, ast.Call):
        return _callee(node) in STRING_METHODS or _callee(node) == "SQL"
    return False


def _statement_argument(call: ast.Call) -> ast.expr | None:
    """The argument that carries the SQL text: the statement of `run(cursor, statement)`,
    else the first argument, or a keyword argument named statement, query or sql."""
    for keyword in call.keywords:
        if keyword.arg in ("statement", "query", "sql"):
            return keyword.value
    index = 1 if _callee(call) == "run" and len(call.args) > 1 else 0
    return call.args[index] if len(call.args) > index else None


def _literals(node: ast.AST) -> Iterator[str]:
    for child in ast.walk(node):
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            yield child.value


def _looks_like_sql(node: ast.AST) -> bool:
    return any(LOOKS_LIKE_SQL.search(text) for text in _literals(node))


class ModuleAudit:
    def __init__(self, tree: ast.Module, module: str, allowlist: Allowlist) -> None:
        self.tree, self.module, self.allowlist = tree, module, allowlist
        self.findings: list[Finding] = []
        self.used: set[tuple[str, str, str]] = set()  # (module, qualname, name) allowed and met
        self.constants = self._constants()
        self._checking: set[tuple[int, str]] = set()  # recursion guard for assignments

    # Module-level constants

    def _constants(self) -> set[str]:
        assigned: dict[str, list[ast.expr]] = {}
        imported: set[str] = set()
        for stmt in self.tree.body:
            if isinstance(stmt, ast.ImportFrom):
                imported |= {a.asname or a.name for a in stmt.names}
            targets: list[ast.expr] = []
            if isinstance(stmt, ast.Assign):
                targets, value = stmt.targets, stmt.value
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                targets, value = [stmt.target], stmt.value
            for target in targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(value)
        constants = {n for n in imported if CONSTANT_NAME.fullmatch(n)}
        # A module constant is safe if its value is built from literals and other constants.
        candidates = {n: v for n, v in assigned.items() if CONSTANT_NAME.fullmatch(n)}
        changed = True
        while changed:
            changed = False
            for name, values in candidates.items():
                if name not in constants and all(
                    self._constant_value(v, constants) for v in values
                ):
                    constants.add(name)
                    changed = True
        return constants

    def _constant_value(self, node: ast.expr, constants: set[str]) -> bool:
        for child in ast.walk(node):
            if isinstance(child, ast.Name) and child.id not in constants:
                return False
            if isinstance(child, ast.Call) and _callee(child) not in STRING_METHODS:
                return False
        return True

    # The walk

    def run(self) -> list[Finding]:
        self._visit(self.tree, _Scope())
        return self.findings

    def _visit(self, node: ast.AST, scope: _Scope) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                self._visit(child, scope.enter(child))
            elif isinstance(child, ast.Call) and _is_sink(child):
                self._check_sink(child, scope)
                self._visit(child, scope)
            elif isinstance(child, ast.expr) and _is_construction(child):
                if _looks_like_sql(child):
                    self._check(child, scope, "SQL text built from a value")
                else:
                    self._visit(child, scope)
            else:
                self._visit(child, scope)

    def _check_sink(self, call: ast.Call, scope: _Scope) -> None:
        statement = _statement_argument(call)
        if statement is None:
            return
        if _is_construction(statement) or _callee(call) == "SQL":
            self._check(statement, scope, "SQL text built from a value")
            return
        bad = self._unsafe_statement(statement, scope)
        if bad is not None:
            self._report(bad, scope, "statement built from a value")

    def _check(self, node: ast.expr, scope: _Scope, why: str) -> None:
        bad = self._unsafe(node, scope)
        if bad is not None:
            self._report(bad, scope, why)

    def _report(self, node: ast.expr, scope: _Scope, why: str) -> None:
        line = getattr(node, "lineno", 0)
        code = ast.unparse(node)
        if all((f.line, f.code) != (line, code) for f in self.findings):
            self.findings.append(Finding(self.module, line, scope.qualname, code, why))

    def _unsafe_statement(self, node: ast.expr, scope: _Scope) -> ast.expr | None:
        """A whole statement handed over in a variable or a list: follow local variables
        to their values; anything built by interpolation must be safe. Parameters,
        attributes and results of other calls are judged where they are built."""
        if _is_construction(node):
            return self._unsafe(node, scope)
        match node:
            case ast.Tuple(elts=elts) | ast.List(elts=elts):
                return next((b for e in elts if (b := self._unsafe_statement(e, scope))), None)
            case ast.Starred(value=value) | ast.Subscript(value=value):
                return self._unsafe_statement(value, scope)
            case ast.IfExp(body=body, orelse=orelse):
                return self._unsafe_statement(body, scope) or self._unsafe_statement(orelse, scope)
            case ast.Name(id=name) if name not in self.constants:
                key = (hash(scope.qualname), "statement:" + name)
                if key in self._checking:
                    return None
                self._checking.add(key)
                try:
                    for value, at in self._assignments(name, scope) or []:
                        bad = self._unsafe_statement(value, at)
                        if bad is not None:
                            return bad
                finally:
                    self._checking.discard(key)
        return None

    # Safety of an expression: None if safe, else the offending part

    def _unsafe(self, node: ast.expr, scope: _Scope) -> ast.expr | None:
        match node:
            case ast.Constant():
                return None
            case ast.JoinedStr(values=values):
                return self._first_unsafe(values, scope)
            case ast.FormattedValue(value=value):
                return self._unsafe(value, scope)
            case ast.BinOp(op=ast.Add() | ast.Mod(), left=left, right=right):
                return self._first_unsafe([left, right], scope)
            case ast.BinOp(op=ast.Mult(), left=ast.List() | ast.Tuple() as items):
                return self._unsafe(items, scope)  # ["%s"] * n: n copies of safe text
            case ast.Tuple(elts=elts) | ast.List(elts=elts) | ast.Set(elts=elts):
                return self._first_unsafe(elts, scope)
            case ast.Dict(values=values):
                return self._first_unsafe(values, scope)
            case ast.IfExp(body=body, orelse=orelse):
                return self._first_unsafe([body, orelse], scope)
            case ast.Subscript(value=value):
                return self._unsafe(value, scope)  # an item of a safe table is safe
            case ast.Starred(value=value):
                return self._unsafe(value, scope)
            case ast.ListComp(elt=elt) | ast.GeneratorExp(elt=elt) | ast.SetComp(elt=elt):
                return self._unsafe(elt, scope)
            case ast.Name(id=name) if name in self.constants:
                return None
            case ast.Name(id=name):
                return None if self._allowed(name, node, scope) else node
            case ast.Attribute():
                return None if self._allowed(ast.unparse(node), node, scope) else node
            case ast.Call():
                return self._unsafe_call(node, scope)
        return node

    def _first_unsafe(self, nodes: list[ast.expr], scope: _Scope) -> ast.expr | None:
        return next((bad for n in nodes if (bad := self._unsafe(n, scope)) is not None), None)

    def _unsafe_call(self, call: ast.Call, scope: _Scope) -> ast.expr | None:
        callee = _callee(call)
        func = call.func
        if callee in PSYCOPG_QUOTED:
            return None  # psycopg quotes identifiers and literals itself
        if callee == "SQL" or callee == "Composed":
            return self._first_unsafe(call.args, scope)
        if isinstance(func, ast.Attribute) and callee == "sql":
            return self._first_unsafe(call.args, scope)  # Database.sql: {p} and placeholders
        if isinstance(func, ast.Attribute) and callee in STRING_METHODS:
            receiver = func.value
            if callee == "format" and isinstance(receiver, ast.Call) and _callee(receiver) == "SQL":
                # psycopg's SQL.format wraps every argument that is not Composable in Literal.
                return self._unsafe(receiver, scope)
            parts = [receiver, *call.args, *(k.value for k in call.keywords)]
            return self._first_unsafe(parts, scope)
        return call

    # Allowlist and data flow

    def _allowed(self, name: str, node: ast.expr, scope: _Scope) -> bool:
        for qualname in scope.qualnames():
            entry = self.allowlist.get((self.module, qualname), {}).get(name)
            if entry is None:
                continue
            self.used.add((self.module, qualname, name))
            if entry.verify:
                self._verify(name, node, scope)
            return True
        return False

    def _verify(self, name: str, node: ast.expr, scope: _Scope) -> None:
        key = (hash(scope.qualname), name)
        if key in self._checking:
            return
        self._checking.add(key)
        try:
            found = (
                self._attribute_assignments(name, scope)
                if isinstance(node, ast.Attribute)
                else self._assignments(name, scope)
            )
            if not found:
                self._report(node, scope, f"allowlisted '{name}' has no assignment to verify")
                return
            for value, at in found:
                bad = self._unsafe(value, at)
                if bad is not None:
                    self._report(bad, at, f"allowlisted '{name}' is built from a value")
        finally:
            self._checking.discard(key)

    def _assignments(self, name: str, scope: _Scope) -> list[tuple[ast.expr, _Scope]] | None:
        """Values a local name takes in the innermost function that binds it; None for
        a parameter; [] if no enclosing function binds it."""
        for function, at in scope.functions():
            args = function.args
            if name in {a.arg for a in [*args.args, *args.kwonlyargs, *args.posonlyargs]}:
                return None
            values = list(_bindings(function, name))
            if values:
                return [(v, at) for v in values]
        return []

    def _attribute_assignments(self, text: str, scope: _Scope) -> list[tuple[ast.expr, _Scope]]:
        """Values `self.attr` is given in any method of the enclosing class."""
        klass = scope.klass
        if klass is None or not text.startswith("self."):
            return []
        owner = next(_Scope(scope.frames[: i + 1]) for i, (_, n) in enumerate(scope.frames)
                     if n is klass)  # fmt: skip
        found = []
        for method in klass.body:
            if isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef):
                for node in ast.walk(method):
                    if isinstance(node, ast.Assign) and any(
                        ast.unparse(t) == text for t in node.targets
                    ):
                        found.append((node.value, owner.enter(method)))
        return found


def _bindings(function: Function, name: str) -> Iterator[ast.expr]:
    """Every value bound to `name` in the function itself (not in nested functions):
    assignments, augmented assignments, for-loop targets (the iterable's items),
    and `.append`/`.extend`/`.insert` calls on it."""
    for node in _own_nodes(function):
        if isinstance(node, ast.Assign) and any(_binds(t, name) for t in node.targets):
            yield node.value
        elif isinstance(node, ast.AnnAssign | ast.AugAssign) and _binds(node.target, name):
            if node.value is not None:
                yield node.value
        elif isinstance(node, ast.For) and _binds(node.target, name):
            yield node.iter
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("append", "extend", "insert")
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == name
        ):
            yield from node.args[-1:]


def _binds(target: ast.expr, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(target))


def _own_nodes(function: Function) -> Iterator[ast.AST]:
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                stack.append(child)


def audit_source(source: str, module: str, allowlist: Allowlist) -> ModuleAudit:
    audit = ModuleAudit(ast.parse(source), module, allowlist)
    audit.run()
    return audit


def audit_tree(root: Path, allowlist: Allowlist) -> tuple[list[Finding], set[tuple[str, str, str]]]:
    """Findings in every module under root, and the allowlist entries that were met."""
    findings: list[Finding] = []
    used: set[tuple[str, str, str]] = set()
    for path in sorted(root.rglob("*.py")):
        module = path.relative_to(root).as_posix()
        audit = audit_source(path.read_text(encoding="utf-8"), module, allowlist)
        findings += audit.findings
        used |= audit.used
    return findings, used
