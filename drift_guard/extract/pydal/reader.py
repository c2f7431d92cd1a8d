"""PyDAL layer extractor: ``define_table`` / ``Field`` sources -> a normalized Schema.

Reads code with libcst and never imports it. PyDAL's implicit behaviour is
normalised here, not in rules (as pydal/objects.py ``Table`` does it): the implicit ``id`` primary
key, string length 512, ``ondelete='CASCADE'``, the first of duplicate fields
winning, keyed tables, Table inheritance, ``rname`` as the database name.

Pipeline: every file is parsed once; each ``<expr>.define_table(...)`` call is
read into a :class:`~drift_guard.extract.pydal.model.TableSpec`; once all
files are read (a reference may point at a table defined later or elsewhere),
the referenced tables' database names are known and each spec is replayed the
way PyDAL's ``Table.__init__`` would build it. What cannot be read statically
becomes a located DG002 Problem and, when columns may be missing, a partial
table; an unresolvable table *name* produces no table at all.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Literal, Sequence, Union

import libcst as cst

from drift_guard.extract.pydal.auth import AuthCall, auth_specs, implicit_tables
from drift_guard.extract.pydal.build import Built, build_table
from drift_guard.extract.pydal.common import CommonChange, apply_common, read_change, unknown_order_problem
from drift_guard.extract.pydal.fields import Ctx
from drift_guard.extract.pydal.messages import hidden_columns
from drift_guard.extract.pydal.model import TableSpec
from drift_guard.extract.pydal.order import ImportGraph
from drift_guard.extract.pydal.scope import Resolver, Where
from drift_guard.extract.pydal.tables import read_table
from drift_guard.parsing import SourceFile, parse_files
from drift_guard.schema import Layer, Location, Problem, Schema, Table

_COMMON_MUTATORS = frozenset({"append", "extend", "insert", "__iadd__"})
_Funcs = tuple[cst.FunctionDef, ...]
# What _Calls finds, with its enclosing functions: a define_table call ("table"), a call that
# defines tables implicitly ("implicit"), or a _common_fields change (a call or an assignment).
_Found = Union[
    tuple[Literal["table", "implicit"], cst.Call, _Funcs],
    tuple[Literal["common"], Union[cst.Call, cst.Assign, cst.AugAssign], _Funcs],
]


def extract_pydal(files: Sequence[Path]) -> Schema:
    """Every PyDAL table the given modules of one service define, in source order."""
    resolver = Resolver()
    graph = ImportGraph(resolver)
    problems: list[Problem] = []
    specs: list[TableSpec] = []
    commons: list[CommonChange] = []
    order = 0
    auth_calls: list[AuthCall] = []
    batch = parse_files(files)
    problems.extend(batch.problems)
    for path, parsed in batch.sources:
        resolver.register(path, parsed)
        graph.add(parsed)
        finder = _Calls(parsed)
        parsed.module.visit(finder)
        for found in finder.found:
            order += 1
            if found[0] == "common":
                commons.append(_read_common(found[1], Where(parsed, found[2]), resolver, order))
                continue
            kind, node, funcs = found
            scope = tuple(f.name.value for f in funcs)
            if kind == "implicit":
                implied = implicit_tables(node, Where(parsed, funcs), resolver, order)
                if isinstance(implied, AuthCall):
                    auth_calls.append(implied)
                else:
                    specs.extend(replace(spec, scope=scope) for spec in implied)
                continue
            table = read_table(node, Where(parsed, funcs), resolver, order)
            if isinstance(table, Problem):
                problems.append(table)
            else:
                specs.append(replace(table, scope=scope))
    specs = _with_auth(specs, auth_calls, graph)
    specs, common_problems = _with_common(specs, commons, graph)
    tables, built_problems = _build_all(specs)
    problems.extend(common_problems + built_problems)
    return Schema(layer=Layer.PYDAL, tables=tables, problems=_unique(problems), files=tuple(batch.shown))


def _read_common(
    node: cst.Call | cst.Assign | cst.AugAssign, where: Where, resolver: Resolver, order: int
) -> CommonChange:
    """Read a ``<db>._common_fields`` change, with ``<db>`` as the DAL for ``db.<table>`` items."""
    if isinstance(node, cst.Call):
        target: cst.BaseExpression = node.func
        assert isinstance(target, cst.Attribute)
        target = target.value  # db._common_fields
    elif isinstance(node, cst.AugAssign):
        target = node.target
    else:
        target = next(t.target for t in node.targets if _is_common(t.target))
    assert isinstance(target, cst.Attribute)
    return read_change(node, where, Ctx(resolver, where.src.code(target.value)), order)


def _with_auth(specs: list[TableSpec], calls: list[AuthCall], graph: ImportGraph) -> list[TableSpec]:
    """The tables Auth defines (once: ``Auth(...)`` and ``auth.define_tables()``
    may both be there), in source order among the others."""
    taken: set[str] = set()
    implied = [spec for call in calls for spec in auth_specs(call, specs, taken, graph)]
    return sorted(specs + implied, key=lambda spec: spec.order) if implied else specs


def _with_common(
    specs: list[TableSpec], commons: list[CommonChange], graph: ImportGraph
) -> tuple[list[TableSpec], list[Problem]]:
    """Every spec with the ``_common_fields`` in effect when it is defined; one
    DG002 per change whose order relative to some tables is unknown."""
    if not commons:
        return specs, []
    out: list[TableSpec] = []
    unknown_for: dict[int, list[str]] = {}
    for spec in specs:
        extended, unknown = apply_common(spec, spec.scope, commons, graph)
        out.append(extended)
        for change in unknown:
            unknown_for.setdefault(change.order, []).append(spec.symbol)
    problems = [unknown_order_problem(c, unknown_for[c.order]) for c in commons if c.order in unknown_for]
    return out, problems


def _build_all(specs: list[TableSpec]) -> tuple[tuple[Table, ...], list[Problem]]:
    """Build every table; a Table argument is built first (memoised, cycle-safe)."""
    db_names: dict[str, str] = {}
    first: dict[str, int] = {}
    for index, spec in enumerate(specs):
        db_names.setdefault(spec.symbol, spec.db_name)
        first.setdefault(spec.symbol, index)
    built: dict[int, Built] = {}
    in_progress: set[int] = set()

    def build(index: int) -> Table | None:
        if index in built:
            return built[index].table
        if index in in_progress:
            return None  # a table cannot contain itself; reported as unresolved
        in_progress.add(index)
        built[index] = build_table(specs[index], db_names, parent)
        in_progress.discard(index)
        return built[index].table

    def parent(symbol: str) -> Table | None:
        index = first.get(symbol)
        return None if index is None else build(index)

    tables = tuple(t for t in (build(i) for i in range(len(specs))) if t is not None)
    return tables, _say_what_is_hidden([built[i] for i in range(len(specs)) if i in built])


def _say_what_is_hidden(built: list[Built]) -> list[Problem]:
    """Every problem, those that made a table partial naming what that switched
    off: one construct (a shared list) may hide columns of several tables."""
    hidden_in: dict[tuple[str, Location], list[str]] = {}
    for one in built:
        for problem in one.hiding:
            hidden_in.setdefault((problem.message, problem.location), []).append(one.table.symbol or one.table.name)
    out: list[Problem] = []
    for one in built:
        for problem in one.problems:
            tables = hidden_in.get((problem.message, problem.location))
            out.append(replace(problem, message=problem.message + hidden_columns(tables)) if tables else problem)
    return out


def _unique(problems: list[Problem]) -> tuple[Problem, ...]:
    """Shared field lists would repeat the same note once per table: keep one."""
    seen: set[tuple[str, Location]] = set()
    out: list[Problem] = []
    for problem in problems:
        key = (problem.message, problem.location)
        if key not in seen:
            seen.add(key)
            out.append(problem)
    return tuple(out)


class _Calls(cst.CSTVisitor):
    """``<expr>.define_table(...)`` calls (with their enclosing functions) and
    ``<expr>._common_fields`` changes, in source order."""

    def __init__(self, src: SourceFile) -> None:
        self.src = src
        self.funcs: list[cst.FunctionDef] = []
        self.found: list[_Found] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.funcs.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.funcs.pop()

    def visit_Call(self, node: cst.Call) -> bool:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "define_table":
            self.found.append(("table", node, tuple(self.funcs)))
            # Its arguments are Field(...) calls: read by read_table, and most
            # of the file's nodes. Nothing this visitor looks for is in there.
            return False
        if _last(func) in ("Auth", "Tags", "define_tables"):
            self.found.append(("implicit", node, tuple(self.funcs)))
        elif isinstance(func, cst.Attribute) and func.attr.value in _COMMON_MUTATORS and _is_common(func.value):
            self.found.append(("common", node, tuple(self.funcs)))
        return True

    def visit_Assign(self, node: cst.Assign) -> None:
        if any(_is_common(t.target) for t in node.targets):  # `= []` too: it empties the list
            self.found.append(("common", node, tuple(self.funcs)))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if _is_common(node.target):
            self.found.append(("common", node, tuple(self.funcs)))


def _last(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return node.value if isinstance(node, cst.Name) else None


def _is_common(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Attribute) and node.attr.value == "_common_fields"
