"""One class body, read statement by statement (no visitor over the whole file).

Turns ``x = Column(...)``, ``x: Mapped[int] = mapped_column()``, annotation-only
``x: Mapped[int]``, ``@declared_attr`` methods and the declarative directives
(``__tablename__``, ``__abstract__``, ``__table_args__``, ``__table__``,
``type_annotation_map``, ``metadata``) into :class:`Member` records. Any other
attribute is kept as a non-column member too: in Python's MRO it still hides a
column of the same name further up. A statement that builds columns in a way
that cannot be read (a loop, ``locals()[...]``) is recorded as unresolved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import libcst as cst

from drift_guard.extract.sqlalchemy.annotations import (
    AnnotationReader,
    MappedAnnotation,
)
from drift_guard.extract.sqlalchemy.known import Role
from drift_guard.extract.sqlalchemy.modules import Module

RoleOf = Callable[[Module, cst.BaseExpression], Role | None]
FunctionOf = Callable[[Module, cst.BaseExpression], Optional["tuple[Module, cst.FunctionDef]"]]
COLUMN_ROLES = (Role.COLUMN, Role.MAPPED_COLUMN)
DIRECTIVES = ("__tablename__", "__abstract__", "__table_args__", "__table__", "type_annotation_map", "metadata")


@dataclass(frozen=True)
class Member:
    """One attribute of a class body."""

    name: str
    node: cst.CSTNode  # the attribute target (or the method name): the location
    module: Module
    value: cst.BaseExpression | None = None  # the assigned / returned expression
    call: cst.Call | None = None  # the Column/mapped_column call when a column
    role: Role | None = None  # COLUMN or MAPPED_COLUMN when a column
    annotation: MappedAnnotation | None = None
    declared: bool = False  # from a @declared_attr method
    unresolved: str | None = None  # why a column-building construct cannot be read
    call_module: Module | None = None  # where ``call`` is written, when not in ``module``

    @property
    def source_module(self) -> Module:
        return self.call_module or self.module

    @property
    def is_column(self) -> bool:
        return self.role is not None


@dataclass
class ClassBody:
    members: dict[str, Member] = field(default_factory=dict)
    directives: dict[str, Member] = field(default_factory=dict)
    unresolved: list[tuple[str, cst.CSTNode]] = field(default_factory=list)


@dataclass(frozen=True)
class _Found:
    module: Module
    call: cst.Call | None = None
    role: Role | None = None
    unresolved: str | None = None


class BodyReader:
    def __init__(self, role_of: RoleOf, annotations: AnnotationReader, function_of: FunctionOf | None = None) -> None:
        self.role_of = role_of
        self.annotations = annotations
        self.function_of = function_of

    def read(self, module: Module, node: cst.ClassDef) -> ClassBody:
        body = ClassBody()
        for stmt in node.body.body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    self._small(module, small, body)
            elif isinstance(stmt, cst.FunctionDef):
                self._add(body, self._method(module, stmt))
            elif isinstance(stmt, cst.ClassDef):
                self._add(body, Member(stmt.name.value, stmt.name, module))
            elif self.builds_columns(module, stmt):
                body.unresolved.append((f"columns built in a `{_keyword(stmt)}` block", stmt))
        return body

    def _add(self, body: ClassBody, member: Member) -> None:
        target = body.directives if member.name in DIRECTIVES else body.members
        target[member.name] = member

    def _small(self, module: Module, small: cst.BaseSmallStatement, body: ClassBody) -> None:
        if isinstance(small, cst.Assign):
            target = small.targets[0].target
            if len(small.targets) == 1 and isinstance(target, cst.Name):
                self._add(body, self._assigned(module, target, small.value, None))
            elif self.builds_columns(module, small):
                body.unresolved.append(("columns assigned to a computed target", small))
        elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
            annotation = self.annotations.mapped(module, small.annotation.annotation)
            if small.value is not None:
                self._add(body, self._assigned(module, small.target, small.value, annotation))
            elif annotation is not None:  # ``x: Mapped[int]`` alone is a column in 2.x
                self._add(
                    body,
                    Member(small.target.value, small.target, module, role=Role.MAPPED_COLUMN, annotation=annotation),
                )
        elif isinstance(small, cst.Expr) and self.builds_columns(module, small):
            body.unresolved.append(("columns added by a call", small))

    def _assigned(
        self,
        module: Module,
        target: cst.Name,
        value: cst.BaseExpression,
        annotation: MappedAnnotation | None,
        declared: bool = False,
    ) -> Member:
        found = self.column_call(module, value)
        if found.role is Role.COLUMN:
            annotation = None  # a Core Column ignores its Mapped annotation
        return Member(
            target.value,
            target,
            module,
            value,
            found.call,
            found.role,
            annotation,
            declared,
            found.unresolved,
            found.module if found.module is not module else None,
        )

    def column_call(self, module: Module, value: cst.BaseExpression | None, depth: int = 0) -> _Found:
        """``Column(...)`` / ``mapped_column(...)``, also wrapped in deferred()/column_property()
        or returned by a module-level helper (``created_at = timestamp_column()``)."""
        if not isinstance(value, cst.Call) or depth > 5:
            return _Found(module)
        role = self.role_of(module, value.func)
        if role in COLUMN_ROLES:
            return _Found(module, value, role)
        if role is Role.WRAPPER and value.args and value.args[0].keyword is None:
            return self.column_call(module, value.args[0].value, depth + 1)
        helper = self.function_of(module, value.func) if self.function_of is not None else None
        if helper is None:
            return _Found(module)
        helper_module, function = helper
        returned = _single_return(function)
        found = self.column_call(helper_module, returned, depth + 1) if returned is not None else _Found(module)
        if found.role is None and self.builds_columns(helper_module, function):
            why = f"column built by `{function.name.value}()` cannot be read statically"
            return _Found(module, role=Role.COLUMN, unresolved=why)
        return found

    def _method(self, module: Module, node: cst.FunctionDef) -> Member:
        name = node.name.value
        if not any(self.role_of(module, _decorator(d)) is Role.DECLARED_ATTR for d in node.decorators):
            return Member(name, node.name, module)
        returned = _single_return(node)
        if returned is None:
            if self.builds_columns(module, node) or name in DIRECTIVES:
                why = f"`@declared_attr {name}` is not a single `return` of a literal or column"
                return Member(name, node.name, module, declared=True, unresolved=why)
            return Member(name, node.name, module, declared=True)
        annotation = None
        if node.returns is not None:
            annotation = self.annotations.mapped(module, node.returns.annotation)
        return self._assigned(module, node.name, returned, annotation, declared=True)

    def builds_columns(self, module: Module, node: cst.CSTNode) -> bool:
        finder = _ColumnFinder(lambda func: self.role_of(module, func))
        node.visit(finder)
        return finder.found


def _decorator(decorator: cst.Decorator) -> cst.BaseExpression:
    node = decorator.decorator
    return node.func if isinstance(node, cst.Call) else node


def _single_return(node: cst.FunctionDef) -> cst.BaseExpression | None:
    """The expression of a body that is only ``[docstring] return <expr>``."""
    statements = list(node.body.body) if isinstance(node.body, cst.IndentedBlock) else [node.body]
    if statements and isinstance(statements[0], cst.SimpleStatementLine):
        first = statements[0].body[0]
        if isinstance(first, cst.Expr) and isinstance(first.value, (cst.SimpleString, cst.ConcatenatedString)):
            statements = statements[1:]
    if len(statements) != 1:
        return None
    only = statements[0]
    smalls = only.body if isinstance(only, (cst.SimpleStatementLine, cst.SimpleStatementSuite)) else []
    if len(smalls) == 1 and isinstance(smalls[0], cst.Return):
        return smalls[0].value
    return None


def _keyword(stmt: cst.CSTNode) -> str:
    return {"If": "if", "For": "for", "While": "while", "With": "with", "Try": "try"}.get(
        type(stmt).__name__, type(stmt).__name__.lower()
    )


class _ColumnFinder(cst.CSTVisitor):
    def __init__(self, role: Callable[[cst.BaseExpression], Role | None]) -> None:
        self.role = role
        self.found = False

    def visit_Call(self, node: cst.Call) -> bool:
        if self.role(node.func) in (*COLUMN_ROLES, Role.TABLE) or _is_setattr(node):
            self.found = True
        return not self.found


def _is_setattr(node: cst.Call) -> bool:
    return isinstance(node.func, cst.Name) and node.func.value == "setattr"
