"""``Mapped[...]`` annotations: nullability, the column type they imply, and
``Annotated[...]`` extras, as SQLAlchemy 2.x's declarative scan reads them.

``Mapped[Optional[X]]``, ``Mapped[X | None]`` and ``Mapped[Union[X, None]]`` are
nullable; ``Mapped[X]`` is NOT NULL unless the column says otherwise. The type
comes from the Base's ``type_annotation_map`` when it is a literal dict, else
from SQLAlchemy's default map (plus dict/list -> JSON).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import libcst as cst

from drift_guard.extract.sqlalchemy.known import (
    DEFAULT_ANNOTATION_TYPES,
    Role,
    annotation_key,
    sa_role,
)
from drift_guard.extract.sqlalchemy.modules import Module, ModuleIndex, Ref
from drift_guard.extract.sqlalchemy.types import (
    TypeReader,
    TypeResult,
    enum_member_names,
    unknown,
)
from drift_guard.schema import ColumnType, Family
from drift_guard.types import model_column_type

TypeMap = Mapping[str, "tuple[Module, cst.BaseExpression]"]
_OPTIONAL = ("typing.Optional", "typing_extensions.Optional")
_UNION = ("typing.Union", "typing_extensions.Union")
_ANNOTATED = ("typing.Annotated", "typing_extensions.Annotated")
_MAX_DEPTH = 10


@dataclass(frozen=True)
class MappedAnnotation:
    module: Module  # where ``inner`` is written (an alias may live elsewhere)
    inner: cst.BaseExpression | None  # the Python type, Optional stripped
    optional: bool
    extras: tuple[tuple[Module, cst.Call], ...]  # mapped_column(...) inside Annotated[...]
    spelled: str  # the whole annotation as written
    alias_keys: tuple[str, ...] = ()  # aliases passed through, looked up in the type map first


@dataclass
class _State:
    """What unwrapping has collected so far."""

    spelled: str
    optional: bool = False
    extras: list = field(default_factory=list)
    alias_keys: list = field(default_factory=list)

    def result(self, module: Module, inner: cst.BaseExpression | None) -> MappedAnnotation:
        return MappedAnnotation(module, inner, self.optional, tuple(self.extras), self.spelled, tuple(self.alias_keys))


def _parse_string(node: cst.BaseExpression) -> cst.BaseExpression:
    """``"Mapped[int]"`` (a forward reference) -> the expression it spells."""
    if isinstance(node, cst.SimpleString) and "b" not in node.prefix.lower():
        try:
            return cst.parse_expression(node.evaluated_value.strip())  # type: ignore[arg-type]
        except cst.ParserSyntaxError:
            return node
    return node


def _slices(node: cst.Subscript) -> list[cst.BaseExpression]:
    return [s.slice.value for s in node.slice if isinstance(s.slice, cst.Index)]


class AnnotationReader:
    def __init__(self, index: ModuleIndex, types: TypeReader) -> None:
        self.index = index
        self.types = types

    def mapped(self, module: Module, annotation: cst.BaseExpression) -> MappedAnnotation | None:
        """The reading of a ``Mapped[...]`` annotation, or None for any other annotation."""
        node = _parse_string(annotation)
        if not isinstance(node, cst.Subscript):
            return None
        qualname = self.index.qualname(module, node.value)
        if qualname is None or sa_role(qualname) is not Role.MAPPED:
            return None
        state = _State(module.code(annotation))
        items = _slices(node)
        if len(items) != 1:
            return MappedAnnotation(module, None, False, (), state.spelled)
        return self._unwrap(module, items[0], state, 0)

    def _unwrap(self, module: Module, node: cst.BaseExpression, state: _State, depth: int) -> MappedAnnotation:
        node = _parse_string(node)
        if depth > _MAX_DEPTH:
            return state.result(module, node)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            return self._union(module, _flatten_or(node), state, depth)
        if isinstance(node, cst.Subscript):
            head = self.index.qualname(module, node.value)
            items = _slices(node)
            if head in _OPTIONAL and len(items) == 1:
                state.optional = True
                return self._unwrap(module, items[0], state, depth + 1)
            if head in _UNION:
                return self._union(module, items, state, depth)
            if head in _ANNOTATED and items:
                state.extras.extend((module, c) for c in items[1:] if isinstance(c, cst.Call))
                return self._unwrap(module, items[0], state, depth + 1)
            return state.result(module, node)
        target = self.index.resolve(module, node)
        if (
            isinstance(target, Ref)
            and not target.attrs
            and isinstance(target.value, (cst.Subscript, cst.BinaryOperation))
        ):
            # an alias: ``intpk = Annotated[int, mapped_column(primary_key=True)]``; the
            # type map is consulted for the alias itself before what it wraps
            state.alias_keys.append(target.key)
            return self._unwrap(target.module, target.value, state, depth + 1)
        return state.result(module, node)

    def _union(self, module: Module, items: list, state: _State, depth: int) -> MappedAnnotation:
        rest = [i for i in items if not (isinstance(i, cst.Name) and i.value == "None")]
        state.optional = state.optional or len(rest) < len(items)
        if len(rest) == 1:
            return self._unwrap(module, rest[0], state, depth + 1)
        return state.result(module, None)

    def column_type(self, found: MappedAnnotation, type_map: TypeMap) -> TypeResult:
        """The SQLAlchemy type a Mapped annotation implies."""
        note = f"cannot resolve the column type of `{found.spelled}` statically"
        for alias in found.alias_keys:
            if alias in type_map:
                map_module, map_expr = type_map[alias]
                return self.types.read(map_module, map_expr, found.spelled)
        if found.inner is None:
            return unknown(found.spelled, note)
        node = found.inner.value if isinstance(found.inner, cst.Subscript) else found.inner
        qualname = self.index.qualname(found.module, node)
        if qualname is None:
            return unknown(found.spelled, note)
        key = annotation_key(qualname)
        if key in type_map:
            map_module, map_expr = type_map[key]
            return self.types.read(map_module, map_expr, found.spelled)
        if key in DEFAULT_ANNOTATION_TYPES:
            return TypeResult(model_column_type(DEFAULT_ANNOTATION_TYPES[key], spelled=found.spelled))
        target = self.index.resolve(found.module, node)
        if isinstance(target, Ref) and target.is_class and not target.attrs and self.types.is_py_enum(target):
            members = enum_member_names(target.module.classes[target.name])
            kwargs = (("name", target.name.lower()),)
            return TypeResult(model_column_type("sqlalchemy.Enum", members, kwargs, found.spelled))
        return TypeResult(ColumnType(Family.UNKNOWN, found.spelled), (note,))

    def type_map(
        self, module: Module, node: cst.BaseExpression | None
    ) -> dict[str, tuple[Module, cst.BaseExpression]] | None:
        """A literal ``type_annotation_map = {int: BigInteger, ...}``; None if not a literal dict."""
        if not isinstance(node, cst.Dict):
            return None
        found: dict[str, tuple[Module, cst.BaseExpression]] = {}
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                return None
            key_node = element.key.value if isinstance(element.key, cst.Subscript) else element.key
            qualname = self.index.qualname(module, key_node)
            if qualname is None:
                return None
            found[annotation_key(qualname)] = (module, element.value)
        return found


def _flatten_or(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        return _flatten_or(node.left) + _flatten_or(node.right)
    return [node]
