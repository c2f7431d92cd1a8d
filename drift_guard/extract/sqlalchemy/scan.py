"""Wiring of the readers and the single walk over each file's module-level statements.

Statements are visited in source order, so tables come out in the order they
are defined: mapped classes, ``Table(...)`` objects, then what later statements
add to them (``User.extra = Column(...)``, a module-level ``Index(...)``).
Columns set with ``setattr`` or in loops cannot be read: Problem, table partial.
"""

from __future__ import annotations

from typing import Sequence

import libcst as cst

from drift_guard.extract.names.cst_reader import dotted_parts
from drift_guard.extract.sqlalchemy.annotations import AnnotationReader
from drift_guard.extract.sqlalchemy.body import BodyReader, Member
from drift_guard.extract.sqlalchemy.classes import ClassModel
from drift_guard.extract.sqlalchemy.columns import ColumnReader
from drift_guard.extract.sqlalchemy.constraints import ConstraintReader
from drift_guard.extract.sqlalchemy.known import Role, sa_role
from drift_guard.extract.sqlalchemy.layer import (
    fill_foreign_key_types,
    select,
    wanted_ids,
    without_reflections,
)
from drift_guard.extract.sqlalchemy.literals import string_literal
from drift_guard.extract.sqlalchemy.modules import Module, ModuleIndex, Ref, Statement
from drift_guard.extract.sqlalchemy.roots import RootReader
from drift_guard.extract.sqlalchemy.tables import Draft, TableBuilder
from drift_guard.extract.sqlalchemy.types import TypeReader
from drift_guard.schema import Problem, ProblemKind, Table


class Extraction:
    def __init__(self, modules: Sequence[Module]) -> None:
        self.modules = list(modules)
        self.index = ModuleIndex(modules)
        types = TypeReader(self.index)
        annotations = AnnotationReader(self.index, types)
        roots = RootReader(self.index, self.role_of, annotations)
        bodies = BodyReader(self.role_of, annotations, self.function_of)
        self.classes = ClassModel(self.index, bodies, roots)
        self.columns = ColumnReader(self.index, self.role_of, types, annotations, self.fk_target)
        constraints = ConstraintReader(self.index, self.role_of, self.fk_target)
        self.tables = TableBuilder(self.index, self.classes, self.columns, constraints)
        self.drafts: list[Draft] = []
        self.by_symbol: dict[str, Draft] = {}  # class / variable key -> its draft

    def role_of(self, module: Module, expr: cst.BaseExpression) -> Role | None:
        qualname = self.index.qualname(module, expr)
        return sa_role(qualname) if qualname is not None else None

    def function_of(self, module: Module, expr: cst.BaseExpression) -> tuple[Module, cst.FunctionDef] | None:
        target = self.index.resolve(module, expr)
        if isinstance(target, Ref) and target.function is not None:
            return target.module, target.function
        return None

    def run(self, bases: Sequence[str], first_file: str | None, problems: list[Problem]) -> list[Table]:
        for module in self.modules:
            for stmt in module.statements:
                self._statement(module, stmt, problems)
        self._single_table_inheritance()
        wanted = wanted_ids(bases, self.index, self.tables) if bases else None
        kept = without_reflections(select(self.drafts, wanted, bases, first_file, problems), on_target=bool(bases))
        for draft in kept:
            problems.extend(draft.problems)
        return fill_foreign_key_types([d.finish() for d in kept], problems)

    def _statement(self, module: Module, stmt: Statement, problems: list[Problem]) -> None:
        if isinstance(stmt, cst.ClassDef):
            self._class(Ref(module, stmt.name.value), stmt, problems)
        elif isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                self._small(module, small, problems)
        elif isinstance(stmt, (cst.For, cst.While, cst.With, cst.FunctionDef)):
            self._unreadable_block(module, stmt, problems)

    def _class(self, ref: Ref, node: cst.ClassDef, problems: list[Problem]) -> None:
        if ref.module.classes.get(ref.name) is not node:
            if "__tablename__" in self.classes.bodies.read(ref.module, node).directives:
                problems.append(
                    Problem(
                        ProblemKind.UNRESOLVED,
                        f"class `{ref.name}` is defined again later in this file; only the last definition is read",
                        ref.module.source.location(node.name),
                    )
                )
            return
        if not self.classes.is_mapped(ref):
            return
        if self.classes.tablename(ref).kind == "sti":
            return  # its columns join the parent's table after every class is read
        draft = self.tables.class_table(ref, problems)
        if draft is not None:
            self._add(ref.key, draft)

    def _small(self, module: Module, small: cst.BaseSmallStatement, problems: list[Problem]) -> None:
        value = getattr(small, "value", None)
        if not isinstance(value, cst.Call):
            return
        role = self.role_of(module, value.func)
        target = _target(small)
        flask_db = self.index.flask_table_db(module, value.func) if role is None else None
        if role is Role.TABLE or flask_db is not None:
            symbol = target.value if isinstance(target, cst.Name) else None
            draft = self.tables.imperative(module, value, symbol, flask_db=flask_db)
            if draft is not None:
                self._add(f"{module.name}.{target.value}" if isinstance(target, cst.Name) else None, draft)
        elif role is Role.INDEX and isinstance(small, (cst.Expr, cst.Assign)):
            self._module_index(module, value)
        elif isinstance(target, cst.Attribute) and role in (Role.COLUMN, Role.MAPPED_COLUMN):
            self._added_column(module, target, value, role)
        elif isinstance(small, cst.Expr) and isinstance(value.func, cst.Name) and value.func.value == "setattr":
            self._unreadable_block(module, small, problems)

    def _add(self, key: str | None, draft: Draft) -> None:
        self.drafts.append(draft)
        if key is not None:
            self.by_symbol[key] = draft

    def _draft_of(self, module: Module, expr: cst.BaseExpression) -> Draft | None:
        """The draft a ``Model`` / ``Model.col`` / ``table.c.col`` expression belongs to."""
        target = self.index.resolve(module, expr)
        return self.by_symbol.get(target.key) if isinstance(target, Ref) else None

    def _added_column(self, module: Module, target: cst.Attribute, call: cst.Call, role: Role) -> None:
        """``User.nickname = Column(String(50))`` after the class: SQLAlchemy adds it."""
        draft = self._draft_of(module, target.value)
        if draft is None:
            return
        member = Member(target.attr.value, target.attr, module, call, call, role)
        self.tables.add_column(draft, member, {})

    def _module_index(self, module: Module, call: cst.Call) -> None:
        """``Index("ix_users_email", User.email)`` outside the class."""
        columns = [a.value for a in call.args if a.keyword is None][1:]
        draft = next(
            (d for d in (self._draft_of(module, o) for o in map(_owner, columns) if o is not None) if d is not None),
            None,
        )
        if draft is not None:
            self.tables.constraints.element(module, call, draft.db_name, draft.constraints)

    def _unreadable_block(self, module: Module, stmt: cst.CSTNode, problems: list[Problem]) -> None:
        if isinstance(stmt, cst.FunctionDef) or not self.classes.bodies.builds_columns(module, stmt):
            return
        finder = _SetattrTargets()
        stmt.visit(finder)
        drafts = [d for d in (self._draft_of(module, t) for t in finder.targets) if d is not None]
        location = module.source.location(stmt)
        what = "`setattr(...)`" if isinstance(stmt, cst.Expr) else f"a module-level `{type(stmt).__name__.lower()}`"
        for draft in drafts:
            draft.hide(f"columns added by {what} cannot be read statically", location)
        if not drafts:
            problems.append(
                Problem(
                    ProblemKind.UNRESOLVED, f"columns or tables built by {what} cannot be read statically", location
                )
            )

    def _single_table_inheritance(self) -> None:
        """Subclasses of a mapped class without their own table add columns to its table."""
        for module in self.modules:
            for name in module.classes:
                ref = Ref(module, name)
                if not (self.classes.is_mapped(ref) and self.classes.tablename(ref).kind == "sti"):
                    continue
                ancestor = self.classes.mapped_ancestor(ref)
                while ancestor is not None and ancestor.key not in self.by_symbol:
                    ancestor = self.classes.mapped_ancestor(ancestor)
                if ancestor is not None:
                    self.tables.add_columns(self.by_symbol[ancestor.key], ref)

    def fk_target(self, module: Module, expr: cst.BaseExpression) -> tuple[str, str] | None:
        """``User.id`` / ``users.c.id`` -> ("users", "id") (database names)."""
        target = self.index.resolve(module, expr)
        if not isinstance(target, Ref) or not target.attrs:
            return None
        owner = Ref(target.module, target.name)
        if owner.is_class and len(target.attrs) == 1:
            name = self.classes.tablename(owner)
            attribute = self.classes.attributes(owner).get(target.attrs[0])
            if name.kind != "name" or name.name is None or attribute is None or not attribute.member.is_column:
                return None
            member = attribute.member
            column_name = (
                self.columns.parse(member.source_module, member.call).name if member.call is not None else None
            )
            return name.name, column_name or member.name
        value = owner.value
        if isinstance(value, cst.Call) and (
            self.role_of(owner.module, value.func) is Role.TABLE
            or self.index.flask_table_db(owner.module, value.func) is not None
        ):
            if len(target.attrs) == 2 and target.attrs[0] in ("c", "columns") and value.args:
                table = string_literal(value.args[0].value)
                return (table, target.attrs[1]) if table is not None else None
        return None


def _target(small: cst.BaseSmallStatement) -> cst.BaseExpression | None:
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        return small.targets[0].target
    if isinstance(small, cst.AnnAssign):
        return small.target
    return None


def _owner(expr: cst.BaseExpression) -> cst.BaseExpression | None:
    """``User.email`` -> ``User``; ``users.c.email`` -> ``users``."""
    parts = dotted_parts(expr)
    if parts is None or len(parts) < 2:
        return None
    return cst.Name(parts[0])


class _SetattrTargets(cst.CSTVisitor):
    def __init__(self) -> None:
        self.targets: list[cst.BaseExpression] = []

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value == "setattr" and node.args:
            self.targets.append(node.args[0].value)
