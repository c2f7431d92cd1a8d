"""``db._common_fields``: Fields PyDAL appends to every table defined afterwards.

PyDAL's ``lazy_define_table`` does ``fields = list(fields) + [f if Table else
f.clone() for f in self._common_fields]``, so a change such as
``db._common_fields.append(auth.signature)`` adds columns to each *later*
``define_table``, as if they were passed last (a name a table already has is
skipped). Each change is read into the items it adds (or, for ``= [...]``,
the list it sets) and replayed on every table in the order the program runs:

* the same scope of the same file: source order;
* another file: the file that imports the other one (directly or through other
  files, before the table or the change) runs after it;
* anything else (two files that do not import each other, a change inside a
  function) has no known order: the table may or may not get the columns, so
  it is marked partial and the change is reported once, naming those tables.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal, Sequence

import libcst as cst

from drift_guard.extract.names import dotted_name
from drift_guard.extract.pydal.args import item, sequence
from drift_guard.extract.pydal.fields import Ctx
from drift_guard.extract.pydal.model import Group, Item, TableSpec, Unresolved
from drift_guard.extract.pydal.scope import Resolver, Where
from drift_guard.parsing import SourceFile
from drift_guard.schema import Location, Problem, ProblemKind

Order = Literal["before", "after", "unknown"]


class ImportGraph:
    """Which files each file imports at module level (and on which line), read on demand."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.files: dict[str, SourceFile] = {}
        self._edges: dict[str, list[tuple[int, str]]] = {}

    def add(self, src: SourceFile) -> None:
        self.files.setdefault(src.path, src)

    def get(self, path: str) -> list[tuple[int, str]]:
        if path not in self._edges:
            src = self.files.get(path)
            found = module_imports(src, self.resolver) if src is not None else []
            for _, imported in found:
                self.add(imported)
            self._edges[path] = [(line, imported.path) for line, imported in found]
        return self._edges[path]


@dataclass(frozen=True)
class CommonChange:
    """One change of ``db._common_fields``: what it adds, or the list it sets."""

    spelled: str
    location: Location
    order: int
    scope: tuple[str, ...]  # enclosing function names: only module level has a known place in the run
    items: tuple[Item, ...]
    reset: bool = False  # `db._common_fields = [...]` replaces the list


def read_change(node: cst.Call | cst.Assign | cst.AugAssign, where: Where, ctx: Ctx, order: int) -> CommonChange:
    """What one ``_common_fields`` statement adds (``.append``, ``.insert``,
    ``.extend``, ``+=``) or sets (``=``); what cannot be read is an Unresolved item."""
    src = where.src
    spelled = " ".join(src.code(node).split())
    scope = tuple(f.name.value for f in where.funcs)
    items: list[Item] | Unresolved
    reset = False
    if isinstance(node, cst.Call):
        assert isinstance(node.func, cst.Attribute)
        method = node.func.attr.value
        args = [a for a in node.args if a.keyword is None and not a.star]
        if len(args) != len(node.args) or len(args) != (2 if method == "insert" else 1):
            items = Unresolved(f"`{spelled}`: the arguments cannot be read statically", src.location(node))
        elif method in ("append", "insert"):
            items = _members(item(args[-1].value, where, ctx, 0))
        else:  # extend, __iadd__
            items = sequence(args[0].value, where, ctx, 0)
    elif isinstance(node, cst.AugAssign):
        added = isinstance(node.operator, cst.AddAssign)
        items = sequence(node.value, where, ctx, 0) if added else Unresolved(f"`{spelled}`", src.location(node))
    else:
        reset = True
        items = sequence(node.value, where, ctx, 0)
    found = [items] if isinstance(items, Unresolved) else items
    shown = tuple(_shown(i, spelled) if isinstance(i, Unresolved) else i for i in found)
    return CommonChange(spelled, src.location(node), order, scope, shown, reset)


def _members(found: Item) -> list[Item]:
    """A Field or a Table is one common field; a list (py4web's ``auth.signature``) is its members."""
    return list(found.items) if isinstance(found, Group) else [found]


def _shown(problem: Unresolved, spelled: str) -> Unresolved:
    message = problem.message if problem.message.startswith(f"`{spelled}`") else f"`{spelled}`: {problem.message}"
    return Unresolved(message, problem.location)


def apply_common(
    spec: TableSpec, scope: tuple[str, ...], changes: Sequence[CommonChange], imports: ImportGraph
) -> tuple[TableSpec, list[CommonChange]]:
    """``spec`` with the common fields in effect when it is defined, plus the
    changes whose order relative to it is unknown (the table is then partial)."""
    current: list[Item] = []
    unknown: list[CommonChange] = []
    for change in changes:
        when = _order(change, spec, scope, imports)
        if when == "before":
            current = list(change.items) if change.reset else current + list(change.items)
        elif when == "unknown":
            unknown.append(change)
    if not current and not unknown:
        return spec, []
    return replace(spec, items=spec.items + tuple(current), partial=spec.partial or bool(unknown)), unknown


def _order(change: CommonChange, spec: TableSpec, scope: tuple[str, ...], imports: ImportGraph) -> Order:
    here, there = change.location.path, spec.location.path
    if here == there:
        if change.scope == scope:
            return "before" if change.order < spec.order else "after"
        return "unknown"
    if change.scope or scope:
        return "unknown"
    if _imports(there, here, spec.location.line, imports):
        return "before"  # the table's file imports the change's file before defining the table
    if _imports(here, there, change.location.line, imports):
        return "after"
    return "unknown"


def _imports(importer: str, imported: str, before_line: int, imports: ImportGraph) -> bool:
    """Whether ``importer`` runs ``imported`` (directly, or through the files it
    imports) in a statement above ``before_line``."""
    seen: set[str] = set()
    todo = [path for line, path in imports.get(importer) if line < before_line]
    while todo:
        path = todo.pop()
        if path == imported:
            return True
        if path not in seen:
            seen.add(path)
            todo.extend(p for _, p in imports.get(path))
    return False


def unknown_order_problem(change: CommonChange, tables: Sequence[str]) -> Problem:
    shown = ", ".join(f"`{t}`" for t in sorted(set(tables)))
    return Problem(
        ProblemKind.UNRESOLVED,
        f"`{change.spelled}`: PyDAL adds db._common_fields to every table defined afterwards, and whether "
        f"{shown} {'is' if len(set(tables)) == 1 else 'are'} defined afterwards cannot be known statically "
        "(another file that does not import this one, or a function); so columns missing in PyDAL (DG103) "
        "are not reported for them (the columns that were read are still compared)",
        change.location,
    )


def module_imports(src: SourceFile, resolver: Resolver) -> list[tuple[int, SourceFile]]:
    """(line, file) of every file of the tree that a module's top-level import statements run."""
    out: list[tuple[int, SourceFile]] = []
    for stmt in src.module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        line = src.location(stmt).line
        for small in stmt.body:
            wanted: list[tuple[str, int]] = []
            if isinstance(small, cst.Import):
                wanted = [(dotted_name(alias.name) or "", 0) for alias in small.names]
            elif isinstance(small, cst.ImportFrom):
                module, level = dotted_name(small.module) or "", len(small.relative)
                wanted = [(module, level)]
                if not isinstance(small.names, cst.ImportStar):  # `from app import models`: maybe a submodule
                    wanted += [
                        (f"{module}.{dotted_name(a.name)}" if module else dotted_name(a.name) or "", level)
                        for a in small.names
                    ]
            for module, level in wanted:
                found = resolver.find_module(module, level, src)
                if found is not None:
                    out.append((line, found))
    return out
