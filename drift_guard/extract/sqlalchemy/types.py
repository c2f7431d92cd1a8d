"""Column types as written in a model, read into :class:`ColumnType`.

A type expression (``String(20)``, ``sa.String(length=NAME_LEN)``, ``JSONB``,
``ARRAY(String(50))``, ``GUID()``, an alias ``JSONVariant``) is resolved through
the module graph: SQLAlchemy classes are classified by SQLAlchemy itself
(:func:`drift_guard.types.model_column_type`), a ``TypeDecorator`` defined in a
given file by its ``impl``, a module-level alias by its value. What cannot be
resolved is Family.UNKNOWN plus a note the caller turns into a located Problem.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterator, Sequence

import libcst as cst

from drift_guard.extract.names.cst_reader import dotted_name
from drift_guard.extract.sqlalchemy.known import PY_ENUM_BASES, is_sa_type_class
from drift_guard.extract.sqlalchemy.literals import literal
from drift_guard.extract.sqlalchemy.modules import External, Module, ModuleIndex, Ref
from drift_guard.schema import UNKNOWN, ColumnType, Family
from drift_guard.types import model_column_type

_MAX_DEPTH = 12


@dataclass(frozen=True)
class TypeResult:
    type: ColumnType
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Call:
    """A type use: its module, callee, arguments, and how it was spelled."""

    module: Module
    callee: cst.BaseExpression
    args: Sequence[cst.Arg]
    spelled: str


def unknown(spelled: str, note: str | None = None) -> TypeResult:
    text = note or f"cannot resolve column type `{spelled}` statically"
    return TypeResult(ColumnType(Family.UNKNOWN, spelled), (text,))


class TypeReader:
    def __init__(self, index: ModuleIndex) -> None:
        self.index = index

    def read(self, module: Module, expr: cst.BaseExpression, spelled: str | None = None) -> TypeResult:
        """Classify a type expression written in ``module``."""
        spelled = spelled or dotted_name(expr) or module.code(expr)  # a bare name needs no codegen
        return self._read(module, expr, spelled, 0)

    def _read(self, module: Module, expr: cst.BaseExpression, spelled: str, depth: int) -> TypeResult:
        if depth > _MAX_DEPTH:
            return unknown(spelled)
        if isinstance(expr, cst.Call):
            func = expr.func
            if isinstance(func, cst.Attribute) and func.attr.value == "with_variant":
                base = self._read(module, func.value, spelled, depth + 1)
                return self._variant(module, expr.args, base, depth)
            if isinstance(func, cst.Attribute) and func.attr.value == "evolve":
                return self._read(module, func.value, spelled, depth + 1)  # the base type applies
            return self._classify(_Call(module, func, expr.args, spelled), depth)
        return self._classify(_Call(module, expr, (), spelled), depth)

    def _variant(self, module: Module, args: Sequence[cst.Arg], base: TypeResult, depth: int) -> TypeResult:
        """``base.with_variant(type_, "sqlite", ...)``: ``type_`` on the named dialects,
        ``base`` everywhere else (SQLAlchemy picks by the dialect's name)."""
        type_expr = _argument(args, 0, "type_")
        if type_expr is None:
            return base
        found = self._read(module, type_expr, module.code(type_expr), depth + 1)
        names: list[str] = []
        notes = list(base.notes + found.notes)
        for arg in args:
            if arg.keyword is not None or arg.value is type_expr:
                continue
            name = literal(arg.value, self.index.lookup(module)) if not arg.star else UNKNOWN
            if isinstance(name, str):
                names.append(name)
            else:
                notes.append(
                    f"cannot resolve the dialect name `{arg.star}{module.code(arg.value)}` of "
                    "`with_variant` statically; that variant is not compared"
                )
        variant = replace(found.type, spelled=base.type.spelled)  # messages quote the column's type as written
        variants = base.type.variants + tuple((name, variant) for name in names)
        return TypeResult(replace(base.type, variants=variants), tuple(notes))

    def _classify(self, use: _Call, depth: int) -> TypeResult:
        target = self.index.resolve(use.module, use.callee)
        if isinstance(target, External):
            return self._sqlalchemy(use, target.qualname, depth)
        if isinstance(target, Ref) and not target.attrs:
            if target.is_class:
                return self._local_class(use, target, depth)
            if target.value is not None and not use.args:  # an alias: Str255 = String(255)
                found = self._read(target.module, target.value, use.spelled, depth + 1)
                return found
        return unknown(use.spelled)

    def _sqlalchemy(self, use: _Call, qualname: str, depth: int) -> TypeResult:
        if not is_sa_type_class(qualname):
            return unknown(use.spelled)
        args, kwargs, notes = self.arguments(use.module, use.args)
        item = None
        family = model_column_type(qualname).family
        if family is Family.ARRAY:
            item_expr = _argument(use.args, 0, "item_type")
            if item_expr is not None:
                found = self._read(use.module, item_expr, use.module.code(item_expr), depth + 1)
                # the item is reported once, by its own read (not also as an argument)
                as_argument = f"cannot resolve `{use.module.code(item_expr)}` statically"
                notes = tuple(n for n in notes if n != as_argument) if found.notes else notes
                item, notes = found.type, notes + found.notes
        elif family is Family.ENUM:
            args, kwargs = self._enum_members(use, args, kwargs)
        column_type = model_column_type(qualname, tuple(args), tuple(kwargs), use.spelled, item)
        return TypeResult(column_type, notes)

    def _enum_members(self, use: _Call, args: list, kwargs: list) -> tuple[list, list]:
        """``Enum(MyPyEnum)`` stores the member *names*; read them from the class body.
        With ``values_callable=lambda e: [m.value for m in e]`` it stores the member
        values, read when they are literals; any other callable stays unknown."""
        first = _argument(use.args, 0, None)
        by_value = dict(kwargs).get("values_callable") is not None
        if first is None or (by_value and not _member_values_lambda(_keyword(use.args, "values_callable"))):
            return args, kwargs
        target = self.index.resolve(use.module, first)
        if isinstance(target, Ref) and target.is_class and self.is_py_enum(target):
            node = target.module.classes[target.name]
            members = (
                enum_member_values(node, self.index.lookup(target.module)) if by_value else enum_member_names(node)
            )
            if members is None:
                return args, kwargs
            if "name" not in dict(kwargs):
                kwargs = [*kwargs, ("name", target.name.lower())]
            return [*members, *args[1:]], kwargs
        return args, kwargs

    def _local_class(self, use: _Call, target: Ref, depth: int) -> TypeResult:
        """A type class defined in a given file: a TypeDecorator or a subclass of a type."""
        found = self.type_base(target, depth)
        if found is None:
            return unknown(use.spelled)
        base, impl = found
        if impl is None:  # a plain subclass (class CIText(String)): classified as its base
            return self._sqlalchemy(_Call(use.module, use.callee, use.args, use.spelled), base, depth)
        impl_ref, impl_expr = impl
        if isinstance(impl_expr, cst.Call):
            inner = self._read(impl_ref.module, impl_expr, use.spelled, depth + 1)
        else:  # impl is a class: TypeDecorator passes its own arguments on to it
            impl_use = _Call(impl_ref.module, impl_expr, (), use.spelled)
            inner = self._with_args(impl_use, use, depth)
        return inner

    def _with_args(self, impl_use: _Call, use: _Call, depth: int) -> TypeResult:
        target = self.index.resolve(impl_use.module, impl_use.callee)
        if isinstance(target, External):
            return self._sqlalchemy(_Call(use.module, impl_use.callee, use.args, use.spelled), target.qualname, depth)
        return self._classify(impl_use, depth + 1)

    def type_base(self, ref: Ref, depth: int = 0) -> tuple[str, tuple[Ref, cst.BaseExpression] | None] | None:
        """(SQLAlchemy base type, the nearest ``impl = ...``) of a local type class."""
        if depth > _MAX_DEPTH:
            return None
        node = ref.module.classes[ref.name]
        own_impl = class_attribute(node, "impl")
        for base in node.bases:
            target = self.index.resolve(ref.module, base.value)
            if isinstance(target, External) and is_sa_type_class(target.qualname):
                return target.qualname, ((ref, own_impl) if own_impl is not None else None)
            if isinstance(target, Ref) and target.is_class and not target.attrs:
                found = self.type_base(target, depth + 1)
                if found is not None:
                    return found[0], ((ref, own_impl) if own_impl is not None else found[1])
        return None

    def is_py_enum(self, ref: Ref, depth: int = 0) -> bool:
        node = ref.module.classes[ref.name]
        for base in node.bases:
            target = self.index.resolve(ref.module, base.value)
            if isinstance(target, External) and target.qualname in PY_ENUM_BASES:
                return True
            if isinstance(target, Ref) and target.is_class and depth < _MAX_DEPTH:
                if self.is_py_enum(target, depth + 1):
                    return True
        return False

    def _worth_a_note(self, module: Module, expr: cst.BaseExpression) -> bool:
        """A name that should have been a literal (``String(NAME_LEN)``), not a class
        argument such as ``ARRAY(Integer)`` or ``Enum(Status)``."""
        target = self.index.resolve(module, expr)
        if target is None:
            return False
        if isinstance(target, Ref):
            return not target.is_class
        return not target.qualname.startswith("sqlalchemy.")

    def arguments(self, module: Module, args: Sequence[cst.Arg]) -> tuple[list, list, tuple[str, ...]]:
        """Literal positional and keyword values; names that are not constants are noted."""
        positional: list[object] = []
        keywords: list[tuple[str, object]] = []
        notes: list[str] = []

        def value_of(expr: cst.BaseExpression) -> object:
            value = literal(expr, self.index.lookup(module))
            if value is UNKNOWN and self._worth_a_note(module, expr):
                notes.append(f"cannot resolve `{module.code(expr)}` statically")
            return value

        for arg in args:
            if arg.star == "*":  # Enum(*STATUSES): expanded when STATUSES is a literal tuple
                values = literal(arg.value, self.index.lookup(module))
                if isinstance(values, tuple):
                    positional.extend(values)
                else:
                    positional.append(UNKNOWN)
                    notes.append(f"cannot resolve `*{module.code(arg.value)}` statically")
            elif arg.star:
                notes.append(f"cannot resolve `**{module.code(arg.value)}` statically")
            elif arg.keyword is not None:
                keywords.append((arg.keyword.value, value_of(arg.value)))
            else:
                positional.append(value_of(arg.value))
        return positional, keywords, tuple(notes)


def _argument(args: Sequence[cst.Arg], index: int, keyword: str | None) -> cst.BaseExpression | None:
    positional = [a.value for a in args if a.keyword is None and not a.star]
    for arg in args:
        if keyword is not None and arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    return positional[index] if len(positional) > index else None


def _keyword(args: Sequence[cst.Arg], keyword: str) -> cst.BaseExpression | None:
    return next((a.value for a in args if a.keyword is not None and a.keyword.value == keyword), None)


def _member_values_lambda(node: cst.BaseExpression | None) -> bool:
    """``lambda e: [m.value for m in e]``, the documented way to store enum values."""
    if not isinstance(node, cst.Lambda) or len(node.params.params) != 1 or not isinstance(node.body, cst.ListComp):
        return False
    comp = node.body
    elt, loop = comp.elt, comp.for_in
    return (
        isinstance(elt, cst.Attribute)
        and elt.attr.value == "value"
        and isinstance(elt.value, cst.Name)
        and isinstance(loop.target, cst.Name)
        and loop.target.value == elt.value.value
        and isinstance(loop.iter, cst.Name)
        and loop.iter.value == node.params.params[0].name.value
        and not loop.ifs
        and loop.inner_for_in is None
    )


def _enum_members(node: cst.ClassDef) -> Iterator[tuple[str, cst.BaseExpression]]:
    """``(name, value)`` of each member of a Python Enum class body (``A = "a"``),
    in order; names starting with ``_`` are not members."""
    for stmt in node.body.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target = small.targets[0].target
                if isinstance(target, cst.Name) and not target.value.startswith("_"):
                    yield target.value, small.value


def enum_member_values(node: cst.ClassDef, lookup) -> tuple[str, ...] | None:  # noqa: ANN001 - a literal() Lookup
    """Member values of a Python Enum class body when every one is a literal string
    (duplicates are aliases: one value); None otherwise (``auto()``, numbers)."""
    values: list[str] = []
    for _, expression in _enum_members(node):
        value = literal(expression, lookup)
        if not isinstance(value, str):
            return None
        values.append(value)
    return tuple(dict.fromkeys(values))


def class_attribute(node: cst.ClassDef, name: str) -> cst.BaseExpression | None:
    """The value of ``name = ...`` in a class body (last assignment wins)."""
    found = None
    for stmt in node.body.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.Assign):
                if any(isinstance(t.target, cst.Name) and t.target.value == name for t in small.targets):
                    found = small.value
            elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                if small.target.value == name and small.value is not None:
                    found = small.value
    return found


def enum_member_names(node: cst.ClassDef) -> tuple[str, ...]:
    """Member names of a Python Enum class body (``A = "a"``), in order
    (SQLAlchemy stores names, so ``auto()`` values are fine)."""
    return tuple(name for name, _ in _enum_members(node))
