"""Replay PyDAL's ``Table.__init__`` on a :class:`TableSpec` -> a normalized Table.

The order of operations is PyDAL's (``pydal/objects.py``), because the quirks
live in it: the implicit ``id`` is decided from the *bare* Field arguments only;
a bare Field whose name is taken is silently skipped (so ``Field("id",
"big-id")`` vanishes behind the implicit id); list members and inherited fields
skip that check and a clash then raises; names differing only in case raise
(``ignore_field_case=True``); keyed tables force their key columns NOT NULL.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Mapping

from drift_guard.extract.pydal.model import (
    FieldSpec,
    Group,
    Item,
    Note,
    TableRef,
    TableSpec,
    Template,
    Unresolved,
    Virtual,
)
from drift_guard.schema import (
    UNKNOWN,
    Column,
    ColumnType,
    Family,
    ForeignKey,
    Layer,
    MaybeBool,
    Problem,
    ProblemKind,
    Table,
)
from drift_guard.types import pydal_column_type, pydal_reference_target

_ID_TYPES = ("id", "big-id")
ParentLookup = Callable[[str], "Table | None"]


@dataclass(frozen=True)
class Built:
    """A replayed table, what could not be read, and which of those problems may
    hide columns (the table is partial because of them)."""

    table: Table
    problems: list[Problem]
    hiding: list[Problem]


def build_table(spec: TableSpec, db_names: Mapping[str, str], parent: ParentLookup) -> Built:
    """The Table PyDAL would build for ``spec``, plus what could not be read."""
    return _Builder(spec, db_names, parent).run()


class _Builder:
    def __init__(self, spec: TableSpec, db_names: Mapping[str, str], parent: ParentLookup) -> None:
        self.spec = spec
        self.db_names = db_names
        self.parent = parent
        self.columns: list[Column] = []
        self.taken: set[str] = set()
        self.problems: list[Problem] = []
        self.hiding: list[Problem] = []
        self.options = list(spec.options)
        self.partial = spec.partial

    def run(self) -> Built:
        spec = self.spec
        for note in spec.notes:
            self.note(note)
        keyed = spec.primarykey is not None
        implicit = not keyed and not any(isinstance(i, FieldSpec) and i.type_text == "id" for i in spec.items)
        if implicit:
            self.columns.append(self.implicit_id())
            self.taken.add("id")
        for item in spec.items:
            self.top_level(item, implicit)
        self.drop_case_duplicates()
        self.apply_primarykey()
        table = Table(
            name=spec.db_name, layer=Layer.PYDAL, location=spec.location, columns=tuple(self.columns),
            symbol=spec.symbol, options=tuple(self.options), partial=self.partial,
        )  # fmt: skip
        return Built(table, self.problems, self.hiding)

    def note(self, note: Note) -> None:
        self.problem(note.message, note.location, note.column, hides=note.partial)
        self.partial = self.partial or note.partial

    def problem(self, message: str, location, column: str | None = None, *, hides: bool = False) -> None:
        problem = Problem(ProblemKind.UNRESOLVED, message, location, self.spec.db_name, column)
        self.problems.append(problem)
        if hides:
            self.hiding.append(problem)

    def implicit_id(self) -> Column:
        ctype = replace(pydal_column_type("id"), spelled="'id' (implicit)")
        loc = self.spec.call_location
        return Column("id", "id", ctype, loc, nullable=False, primary_key=True, autoincrement=True)

    def top_level(self, item: Item, implicit: bool) -> None:
        if isinstance(item, FieldSpec):
            for note in item.notes:
                self.note(note)
            if item.name not in self.taken:
                self.include(self.column(item))
            elif implicit and item.name == "id":
                self.options.append(("discarded_id", item.spelled))  # PyDAL drops it silently (DG112)
            else:
                self.options.append(("duplicate_field", item.name))  # PyDAL keeps the first silently
        elif isinstance(item, Group):
            for member in item.items:
                self.group_member(member)
        elif isinstance(item, TableRef):
            self.inherit(item)
        elif isinstance(item, Template):
            self.inherit_template(item)
        elif isinstance(item, Unresolved):
            self.unresolved(item)
        # Virtual: not a column

    def group_member(self, member: Item) -> None:
        if isinstance(member, FieldSpec):
            for note in member.notes:
                self.note(note)
            self.include(self.column(member))  # no name check here: a clash raises later
        elif isinstance(member, Unresolved):
            self.unresolved(member)
        elif not isinstance(member, Virtual):
            named = member if isinstance(member, (TableRef, Template)) else None  # else a nested list
            where = named.location if named is not None else self.spec.location
            shown = f"`{named.spelled}`: " if named is not None else ""
            self.unresolved(
                Unresolved(f"{shown}a list passed to define_table may only hold Fields (PyDAL fails)", where)
            )

    def unresolved(self, item: Unresolved) -> None:
        self.problem(item.message, item.location, hides=True)
        self.partial = True

    def inherit(self, ref: TableRef) -> None:
        parent = self.parent(ref.symbol)
        if parent is None:
            self.unresolved(
                Unresolved(
                    f"`{ref.spelled}`: no table `{ref.symbol}` is defined with define_table in this service",
                    ref.location,
                )
            )
            return
        if parent.partial:
            self.problem(
                f"`{ref.spelled}`: copies the fields of `{ref.symbol}`, which could not be read completely",
                ref.location,
                hides=True,
            )
            self.partial = True
        for col in parent.columns:
            if col.attribute not in self.taken and col.type.pydal_type != "id":
                # a clone: the parent's key is not this table's key (but stays NOT NULL)
                self.include(replace(col, primary_key=col.type.pydal_type in _ID_TYPES))

    def inherit_template(self, template: Template) -> None:
        """Copy a template's fields; ``reference <template>`` now points at this table."""
        spec = TableSpec(template.symbol, template.symbol, template.location, template.location, template.items)
        built = build_table(spec, self.db_names, self.parent)
        for problem in built.problems:
            self.problem(problem.message, problem.location, problem.column, hides=problem in built.hiding)
        self.partial = self.partial or built.table.partial
        for col in built.table.columns:
            if col.attribute not in self.taken and col.type.pydal_type != "id":
                self.include(self.repoint(col, template.symbol))

    def repoint(self, col: Column, template: str) -> Column:
        pydal_type = col.type.pydal_type or ""
        target = pydal_reference_target(pydal_type)
        if target is None or target[0] != template or col.foreign_key is None:
            return replace(col, primary_key=col.type.pydal_type in _ID_TYPES)
        kind = pydal_type.split(" ", 1)[0]
        new_type = f"{kind} {self.spec.symbol}" + (f".{target[1]}" if target[1] else "")
        ctype = replace(col.type, pydal_type=new_type)
        fk = replace(col.foreign_key, table=self.spec.db_name.lower())
        return replace(col, type=ctype, foreign_key=fk)

    def include(self, column: Column) -> None:
        self.columns.append(column)
        self.taken.add(column.attribute)

    def column(self, field: FieldSpec) -> Column:
        if field.custom or field.type_text is None:
            ctype = ColumnType(Family.UNKNOWN, field.spelled)
        else:
            ctype = pydal_column_type(field.type_text, field.length, field.spelled)
        is_id = field.type_text in _ID_TYPES
        nullable: MaybeBool
        if is_id:
            nullable = False
        else:
            nullable = UNKNOWN if field.notnull is UNKNOWN else not field.notnull
        return Column(
            name=field.name if field.rname is None else field.rname, attribute=field.name, type=ctype, location=field.location,
            nullable=nullable, primary_key=is_id, unique=field.unique,
            autoincrement=True if is_id else UNKNOWN, foreign_key=self.foreign_key(field), default=field.default,
            choices=field.choices,
        )  # fmt: skip

    def foreign_key(self, field: FieldSpec) -> ForeignKey | None:
        if field.type_text is None or field.custom:
            return None
        target = pydal_reference_target(field.type_text)
        if target is None or not target[0]:
            return None
        table, column = target
        return ForeignKey(
            table=self.db_names.get(table, table).lower(), column=column.lower() if column else None,
            ondelete=_action(field.ondelete), onupdate=_action(field.onupdate),
            location=field.location, spelled=field.spelled,
        )  # fmt: skip

    def drop_case_duplicates(self) -> None:
        seen: set[str] = set()
        kept: list[Column] = []
        for col in self.columns:
            key = col.attribute.lower()
            if key in seen:
                self.problem(
                    f"Field({col.attribute!r}): PyDAL raises `duplicate field {col.attribute} in table "
                    f"{self.spec.symbol}` (field names are compared case-insensitively)",
                    col.location,
                    col.attribute,
                )
                continue
            seen.add(key)
            kept.append(col)
        self.columns = kept

    def apply_primarykey(self) -> None:
        keys = self.spec.primarykey
        if not isinstance(keys, tuple):  # None or UNKNOWN
            return
        by_attr = {col.attribute: i for i, col in enumerate(self.columns)}
        for key in keys:
            index = by_attr.get(key)
            if index is None:
                if not self.partial:
                    self.problem(
                        f"primarykey={list(keys)!r}: `{key}` is not a field of `{self.spec.symbol}` (PyDAL raises)",
                        self.spec.location,
                    )
                continue
            self.columns[index] = replace(self.columns[index], primary_key=True, nullable=False)


def _action(value: object) -> str | None:
    """UNKNOWN (already reported) must not leak into ForeignKey, whose rules test truth."""
    return value if isinstance(value, str) else None
