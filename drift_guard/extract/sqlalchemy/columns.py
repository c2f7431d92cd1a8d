"""``Column(...)`` / ``mapped_column(...)`` calls read into :class:`Column` records.

Arguments follow SQLAlchemy's signature: an optional name string, an optional
type, then schema items (``ForeignKey``, ``Sequence``, ``Identity`` ...), with
``name=`` / ``type_=`` as keywords. Implicit behaviour is normalised here, once:
a primary key is NOT NULL, ``Mapped[X]`` without Optional is NOT NULL for a
``mapped_column``, a type-less column with a ForeignKey takes the referenced
column's type (filled in after every table is read, see :data:`FK_PENDING`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import libcst as cst

from drift_guard.extract.sqlalchemy.annotations import (
    AnnotationReader,
    MappedAnnotation,
    TypeMap,
)
from drift_guard.extract.sqlalchemy.known import Role
from drift_guard.extract.sqlalchemy.literals import (
    bool_literal,
    literal,
    string_literal,
)
from drift_guard.extract.sqlalchemy.modules import Module, ModuleIndex
from drift_guard.extract.sqlalchemy.types import TypeReader, TypeResult
from drift_guard.schema import UNKNOWN, Column, ColumnType, Family, ForeignKey, MaybeBool, _Unknown

RoleOf = Callable[[Module, cst.BaseExpression], Role | None]
FkTarget = Callable[[Module, cst.BaseExpression], Optional["tuple[str, str]"]]
FK_PENDING = ColumnType(Family.UNKNOWN, "<type of the referenced column>")
Notes = list  # [message]: located at the column by the caller


@dataclass
class ParsedColumn:
    """The arguments of one or more merged column calls, each with its module."""

    name: str | None = None
    type_expr: tuple[Module, cst.BaseExpression] | None = None
    fks: list[tuple[Module, cst.Call]] = field(default_factory=list)
    kw: dict[str, tuple[Module, cst.BaseExpression]] = field(default_factory=dict)
    starred: cst.CSTNode | None = None


class ColumnReader:
    def __init__(
        self, index: ModuleIndex, role_of: RoleOf, types: TypeReader, annotations: AnnotationReader, fk_target: FkTarget
    ) -> None:
        self.index = index
        self.role_of = role_of
        self.types = types
        self.annotations = annotations
        self.fk_target = fk_target

    def parse(self, module: Module, call: cst.Call, into: ParsedColumn | None = None) -> ParsedColumn:
        parsed = into or ParsedColumn()
        position = 0
        for arg in call.args:
            if arg.star:
                parsed.starred = arg
            elif arg.keyword is not None:
                parsed.kw[arg.keyword.value] = (module, arg.value)
            else:
                self._positional(module, arg.value, position, parsed)
                position += 1
        name = parsed.kw.pop("name", None)
        if name is not None:
            parsed.name = string_literal(name[1], self.index.lookup(name[0]))
        type_kw = parsed.kw.pop("type_", None)
        if type_kw is not None:
            parsed.type_expr = type_kw
        return parsed

    def _positional(self, module: Module, value: cst.BaseExpression, position: int, parsed: ParsedColumn) -> None:
        if position == 0:
            name = string_literal(value, self.index.lookup(module))
            if name is not None:
                parsed.name = name
                return
        role = self.role_of(module, value.func if isinstance(value, cst.Call) else value)
        if role is Role.FOREIGN_KEY and isinstance(value, cst.Call):
            parsed.fks.append((module, value))
        elif role in (Role.SCHEMA_ITEM, Role.CHECK):
            return
        elif parsed.type_expr is None:
            parsed.type_expr = (module, value)

    def declarative(self, member, type_map: TypeMap) -> tuple[Column, Notes]:
        """A class attribute column (``member`` is a sqlalchemy_body.Member)."""
        parsed = ParsedColumn()
        annotation: MappedAnnotation | None = member.annotation
        for extra_module, extra in annotation.extras if annotation is not None else ():
            if self.role_of(extra_module, extra.func) is Role.MAPPED_COLUMN:
                self.parse(extra_module, extra, parsed)  # Annotated[..., mapped_column()] defaults
        if member.call is not None:
            self.parse(member.source_module, member.call, parsed)
        return self.build(parsed, member.name, member.module, member.node, annotation, type_map)

    def imperative(self, module: Module, call: cst.Call) -> tuple[Column | None, Notes]:
        """A ``Column("name", ...)`` inside ``Table(...)``."""
        parsed = self.parse(module, call)
        if parsed.name is None:
            return None, ["cannot resolve the name of a column in `Table(...)` statically"]
        key = parsed.kw.pop("key", None)
        attribute = string_literal(key[1]) if key is not None else None
        return self.build(parsed, attribute or parsed.name, module, call, None, {})

    def build(
        self,
        parsed: ParsedColumn,
        attribute: str,
        module: Module,
        node: cst.CSTNode,
        annotation: MappedAnnotation | None,
        type_map: TypeMap,
    ) -> tuple[Column, Notes]:
        notes: Notes = []
        if parsed.starred is not None:
            notes.append("cannot resolve `*args` of a column statically")
        column_type = self._type(parsed, annotation, type_map, notes)
        primary_key = self._flag(parsed, "primary_key", False, notes) is True
        nullable = self._nullable(parsed, annotation, notes)
        unique = self._flag(parsed, "unique", False, notes)
        index = self._flag(parsed, "index", False, notes)
        foreign_key = self.foreign_key(*parsed.fks[0], notes) if parsed.fks else None
        return Column(
            name=parsed.name or attribute,
            attribute=attribute,
            type=column_type,
            location=module.source.location(node),
            nullable=False if primary_key else nullable,
            primary_key=primary_key,
            unique=unique,
            index=index is True,
            autoincrement=self._autoincrement(parsed),
            foreign_key=foreign_key,
            default=self._default(parsed),
            server_default=self._source(parsed, "server_default"),
        ), notes

    def _type(
        self, parsed: ParsedColumn, annotation: MappedAnnotation | None, type_map: TypeMap, notes: Notes
    ) -> ColumnType:
        if parsed.type_expr is not None:
            found: TypeResult = self.types.read(*parsed.type_expr)
            notes.extend(found.notes)
            return found.type
        if parsed.fks:
            return FK_PENDING  # SQLAlchemy copies the referenced column's type, even over an annotation
        if annotation is not None:
            found = self.annotations.column_type(annotation, type_map)
            notes.extend(found.notes)
            return found.type
        notes.append("column has no type that can be read statically")
        return ColumnType(Family.UNKNOWN, "")

    def _flag(self, parsed: ParsedColumn, name: str, default: bool, notes: Notes) -> MaybeBool:
        given = parsed.kw.get(name)
        if given is None:
            return default
        value = bool_literal(given[1], self.index.lookup(given[0]))
        if isinstance(value, _Unknown):
            notes.append(f"cannot resolve `{name}=` statically")
            return UNKNOWN
        return default if value is None else value

    def _nullable(self, parsed: ParsedColumn, annotation: MappedAnnotation | None, notes: Notes) -> MaybeBool:
        value = self._flag(parsed, "nullable", True, notes) if "nullable" in parsed.kw else None
        if value is not None:
            return value
        if annotation is not None:  # only mapped_column members carry an annotation here
            return annotation.optional
        return True

    def _autoincrement(self, parsed: ParsedColumn) -> MaybeBool:
        given = parsed.kw.get("autoincrement")
        if given is None:
            return UNKNOWN
        value = literal(given[1], self.index.lookup(given[0]))
        if isinstance(value, bool):
            return value
        return True if value == "ignore_fk" else UNKNOWN

    def _default(self, parsed: ParsedColumn) -> str | None:
        """``default=``, or mapped_column's ``insert_default=`` / dataclass ``default_factory=``."""
        for name in ("default", "insert_default", "default_factory"):
            text = self._source(parsed, name)
            if text is not None:
                return text
        return None

    def _source(self, parsed: ParsedColumn, name: str) -> str | None:
        given = parsed.kw.get(name)
        return given[0].code(given[1]) if given is not None else None

    def foreign_key(self, module: Module, call: cst.Call, notes: Notes) -> ForeignKey:
        """``ForeignKey("t.c", ondelete=...)``, ``ForeignKey(Model.id)``, ``ForeignKey(t.c.id)``."""
        target = next((a.value for a in call.args if a.keyword is None and not a.star), None)
        keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
        target = target if target is not None else keywords.get("column")
        table, column = self._fk_target(module, target)
        if table is UNKNOWN:
            notes.append(f"cannot resolve the target of `{module.code(call)}` statically")
        return ForeignKey(
            # UNKNOWN when unresolvable: the schema types these as str because rules test `is UNKNOWN` first
            table=table,  # type: ignore[arg-type]
            column=column,  # type: ignore[arg-type]
            ondelete=self._action(module, keywords.get("ondelete")),
            onupdate=self._action(module, keywords.get("onupdate")),
            location=module.source.location(call),
            spelled=module.code(call),
        )

    def _fk_target(
        self, module: Module, target: cst.BaseExpression | None
    ) -> tuple[str, str] | tuple[_Unknown, _Unknown]:
        text = string_literal(target, self.index.lookup(module)) if target is not None else None
        if text is not None and "." in text:
            table, column = text.split(".")[-2:]  # "schema.table.col": Table.name has no schema either
            return table.lower(), column.lower()
        found = self.fk_target(module, target) if target is not None else None
        if found is not None:
            return found[0].lower(), found[1].lower()
        return UNKNOWN, UNKNOWN

    def _action(self, module: Module, node: cst.BaseExpression | None) -> str | None:
        value = string_literal(node, self.index.lookup(module)) if node is not None else None
        return value.upper() if value is not None else None
