"""Table-level constraints: ``__table_args__`` and the extra arguments of ``Table(...)``.

``UniqueConstraint``, ``Index``, ``ForeignKeyConstraint`` and
``PrimaryKeyConstraint`` become records; ``CheckConstraint`` and dialect
options are ignored. Column arguments may be strings, bare names of the class
body, ``Model.col`` or ``table.c.col``; ``ColumnRef`` turns each into the
database column name (an expression such as ``func.lower(email)`` is kept as
its source text, as Alembic would show it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import libcst as cst

from drift_guard.extract.names.cst_reader import dotted_parts
from drift_guard.extract.sqlalchemy.known import Role
from drift_guard.extract.sqlalchemy.literals import literal, string_literal
from drift_guard.extract.sqlalchemy.modules import Module, ModuleIndex
from drift_guard.extract.sqlalchemy.tablename import computed_tablename
from drift_guard.schema import UNKNOWN, ForeignKeyConstraint, Index, UniqueConstraint

RoleOf = Callable[[Module, cst.BaseExpression], Role | None]
FkTarget = Callable[[Module, cst.BaseExpression], Optional["tuple[str, str]"]]
ColumnRef = Callable[[str], str]  # attribute or name -> database column name


@dataclass
class Constraints:
    indexes: list[Index] = field(default_factory=list)
    uniques: list[UniqueConstraint] = field(default_factory=list)
    foreign_keys: list[ForeignKeyConstraint] = field(default_factory=list)
    primary_key: list[str] = field(default_factory=list)
    notes: list[tuple[str, Module, cst.CSTNode]] = field(default_factory=list)


class ConstraintReader:
    def __init__(self, index: ModuleIndex, role_of: RoleOf, fk_target: FkTarget) -> None:
        self.index = index
        self.role_of = role_of
        self.fk_target = fk_target

    def table_args(
        self,
        module: Module,
        expr: cst.BaseExpression,
        colref: ColumnRef,
        out: Constraints,
        owner: tuple[str, str] | None = None,
    ) -> None:
        """``(UniqueConstraint(...), ..., {"schema": ...})`` or a dict, or a tuple ending in one."""
        if isinstance(expr, cst.Dict):
            return
        if not isinstance(expr, (cst.Tuple, cst.List)):
            out.notes.append((f"cannot read `__table_args__ = {_short(module, expr)}` statically", module, expr))
            return
        for element in expr.elements:
            value = element.value
            if isinstance(element, cst.StarredElement) or not (isinstance(value, (cst.Call, cst.Dict))):
                out.notes.append(
                    (f"cannot read `{_short(module, value)}` in `__table_args__` statically", module, value)
                )
            elif isinstance(value, cst.Call) and not self.element(module, value, colref, out, owner):
                out.notes.append(
                    (f"cannot read `{_short(module, value)}` in `__table_args__` statically", module, value)
                )

    def element(
        self, module: Module, call: cst.Call, colref: ColumnRef, out: Constraints, owner: tuple[str, str] | None = None
    ) -> bool:
        """Read one constraint call into ``out``; False if it is not a known constraint.
        ``owner`` (class name, table name) evaluates names a ``@declared_attr
        __table_args__`` builds from ``cls.__name__`` / ``cls.__tablename__``."""
        role = self.role_of(module, call.func)
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
        name = self._name(module, keywords.get("name"), owner)
        location = module.source.location(call)
        if role is Role.UNIQUE:
            out.uniques.append(UniqueConstraint(name, self._columns(module, positional, colref), location))
        elif role is Role.INDEX:
            index_name = self._name(module, positional[0], owner) if positional else None
            unique = literal(keywords.get("unique"), self.index.lookup(module)) is True
            out.indexes.append(Index(index_name, self._columns(module, positional[1:], colref), unique, location))
        elif role is Role.PK_CONSTRAINT:
            out.primary_key.extend(self._columns(module, positional, colref))
        elif role is Role.FK_CONSTRAINT:
            self._foreign_key(module, call, positional, keywords, colref, out)
        elif role is not Role.CHECK:
            return False
        return True

    def _name(self, module: Module, node: cst.BaseExpression | None, owner: tuple[str, str] | None) -> str | None:
        name = string_literal(node, self.index.lookup(module))
        if name is None and node is not None and owner is not None:
            name = computed_tablename(node, owner[0], owner[1])
        return name

    def _columns(self, module: Module, nodes: list[cst.BaseExpression], colref: ColumnRef) -> tuple[str, ...]:
        names: list[str] = []
        for node in nodes:
            text = string_literal(node, self.index.lookup(module))
            parts = dotted_parts(node) if text is None else None
            if text is not None:
                names.append(colref(text))
            elif parts is not None:
                names.append(colref(parts[-1]))  # email, User.email, users.c.email
            else:
                names.append(module.code(node))  # an expression index
        return tuple(names)

    def _foreign_key(
        self, module: Module, call: cst.Call, positional: list, keywords: dict, colref: ColumnRef, out: Constraints
    ) -> None:
        columns_node = keywords.get("columns", positional[0] if positional else None)
        refs_node = keywords.get("refcolumns", positional[1] if len(positional) > 1 else None)
        columns = self._columns(module, _items(columns_node), colref)
        targets = [self._target(module, n) for n in _items(refs_node)]
        resolved = [t for t in targets if t is not None]
        if not targets or len(resolved) != len(targets) or len({t[0] for t in resolved}) != 1:
            out.notes.append((f"cannot resolve the target of `{_short(module, call)}` statically", module, call))
            ref_table: object = UNKNOWN
        else:
            ref_table = resolved[0][0]
        out.foreign_keys.append(
            ForeignKeyConstraint(
                name=string_literal(keywords.get("name"), self.index.lookup(module)),
                columns=columns,
                # UNKNOWN when unresolvable: the schema types these as str because rules test `is UNKNOWN` first
                ref_table=ref_table,  # type: ignore[arg-type]
                ref_columns=tuple(t[1] if t is not None else UNKNOWN for t in targets),  # type: ignore[misc]
                ondelete=_upper(string_literal(keywords.get("ondelete"), self.index.lookup(module))),
                onupdate=_upper(string_literal(keywords.get("onupdate"), self.index.lookup(module))),
                location=module.source.location(call),
            )
        )

    def _target(self, module: Module, node: cst.BaseExpression) -> tuple[str, str] | None:
        text = string_literal(node, self.index.lookup(module))
        if text is not None:
            parts = text.split(".")
            return (parts[-2], parts[-1]) if len(parts) > 1 else None  # schema dropped, as in Table.name
        return self.fk_target(module, node)


def _items(node: cst.BaseExpression | None) -> list[cst.BaseExpression]:
    if isinstance(node, (cst.List, cst.Tuple)):
        return [e.value for e in node.elements if not isinstance(e, cst.StarredElement)]
    return [] if node is None else [node]


def _upper(value: str | None) -> str | None:
    return value.upper() if value is not None else None


def _short(module: Module, node: cst.CSTNode) -> str:
    text = " ".join(module.code(node).split())
    return text if len(text) <= 60 else text[:57] + "..."
