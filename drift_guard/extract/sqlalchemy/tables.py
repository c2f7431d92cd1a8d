"""Tables from mapped classes and from ``Table(...)`` calls, as mutable drafts.

A draft stays mutable until every file is read: single-table-inheritance
subclasses add their columns to the parent's draft, and a type-less
``Column(ForeignKey(...))`` gets the referenced column's type in a last pass
(:mod:`drift_guard.extract.sqlalchemy`). What cannot be read becomes a located
Problem; a table whose column list may be incomplete is marked ``partial``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import libcst as cst

from drift_guard.extract.sqlalchemy.body import Member
from drift_guard.extract.sqlalchemy.classes import ClassModel
from drift_guard.extract.sqlalchemy.columns import ColumnReader
from drift_guard.extract.sqlalchemy.constraints import ConstraintReader, Constraints
from drift_guard.extract.sqlalchemy.known import Role
from drift_guard.extract.sqlalchemy.literals import literal, string_literal
from drift_guard.extract.sqlalchemy.modules import External, Module, ModuleIndex, Ref
from drift_guard.schema import (
    Column,
    ForeignKey,
    Layer,
    Location,
    Problem,
    ProblemKind,
    Table,
)


@dataclass
class Draft:
    name: str
    location: Location
    symbol: str | None
    mids: tuple[str, ...] = ()  # metadata identities it may land in, for the layer filter
    columns: list[Column] = field(default_factory=list)
    constraints: Constraints = field(default_factory=Constraints)
    partial: bool = False
    problems: list[Problem] = field(default_factory=list)
    # its base could not be read: whether it is on the target metadata is unknown
    uncertain_base: str | None = None
    # a module-level Table(..., autoload_with=engine): it reads a table, it defines none
    reflected: bool = False

    def note(self, message: str, location: Location, column: str | None = None) -> None:
        self.problems.append(Problem(ProblemKind.UNRESOLVED, message, location, self.name, column))

    def hide(self, message: str, location: Location, column: str | None = None) -> None:
        """A construct that may define columns could not be read: the table is
        partial, and the note says what that switches off (only "column missing
        in the models", DG104, for this table) and that the rest is compared."""
        self.partial = True
        self.note(
            f"{message}; the columns it may define are unknown, so columns missing in the models (DG104) are not "
            f"reported for table `{self.name}` (the columns that were read are still compared)",
            location,
            column,
        )

    def db_name(self, attribute: str) -> str:
        for column in self.columns:
            if column.attribute == attribute:
                return column.name
        return attribute

    def finish(self) -> Table:
        out = self.constraints
        pk = {c.lower() for c in out.primary_key}
        columns = [replace(c, primary_key=True, nullable=False) if c.key in pk else c for c in self.columns]
        for fk in out.foreign_keys:
            if len(fk.columns) == 1 and len(fk.ref_columns) == 1:
                columns = [_with_fk(c, fk) if c.key == fk.columns[0].lower() else c for c in columns]
        return Table(
            name=self.name,
            layer=Layer.MODELS,
            location=self.location,
            columns=tuple(columns),
            symbol=self.symbol,
            indexes=tuple(out.indexes),
            unique_constraints=tuple(out.uniques),
            foreign_key_constraints=tuple(out.foreign_keys),
            partial=self.partial,
        )


def reflects(keywords: dict[str, cst.BaseExpression]) -> bool:
    """``Table(..., autoload_with=engine)`` or ``autoload=True`` (SQLAlchemy 1.x):
    the columns come from the database; ``autoload=False`` reflects nothing."""
    autoload = keywords.get("autoload")
    return "autoload_with" in keywords or (
        autoload is not None and not (isinstance(autoload, cst.Name) and autoload.value in ("False", "None"))
    )


def _with_fk(column: Column, fk) -> Column:  # noqa: ANN001 - a schema.ForeignKeyConstraint
    """A single-column ForeignKeyConstraint also sets Column.foreign_key (rules look there)."""
    if column.foreign_key is not None:
        return column
    table = fk.ref_table.lower() if isinstance(fk.ref_table, str) else fk.ref_table
    ref = fk.ref_columns[0]
    target = ForeignKey(table, ref.lower() if isinstance(ref, str) else ref, fk.ondelete, fk.onupdate, fk.location, "")
    return replace(column, foreign_key=target)


class TableBuilder:
    def __init__(
        self, index: ModuleIndex, classes: ClassModel, columns: ColumnReader, constraints: ConstraintReader
    ) -> None:
        self.index = index
        self.classes = classes
        self.columns = columns
        self.constraints = constraints
        self._reported: set[str] = set()

    # ------------------------------------------------------------------ classes

    def class_table(self, ref: Ref, problems: list[Problem]) -> Draft | None:
        node = ref.module.classes[ref.name]
        where = ref.module.source.location(node.name)
        table_call = self.classes.body(ref).directives.get("__table__")
        if table_call is not None and isinstance(table_call.value, cst.Call):
            return self.imperative(ref.module, table_call.value, ref.name, where)
        found = self.classes.tablename(ref)
        if found.kind == "computed":
            problems.append(
                Problem(
                    ProblemKind.UNRESOLVED,
                    f"cannot resolve `__tablename__` of `{ref.name}` statically; table skipped",
                    where,
                )
            )
            return None
        if found.kind != "name" or found.name is None:
            return None
        roots, unread = self.classes.roots(ref)
        mids = [r.mid for r in roots] + [m for q in unread for m in (q, f"{q}.metadata")]
        draft = Draft(found.name, where, ref.name, tuple(mids))
        if not roots and unread:
            draft.uncertain_base = unread[0]
        self.add_columns(draft, ref)
        self._table_args(draft, ref)
        return draft

    def add_columns(self, draft: Draft, ref: Ref) -> None:
        """The class's own and mixin-inherited columns (also used for STI subclasses)."""
        roots, _ = self.classes.roots(ref)
        type_map = roots[0].types if roots else {}
        for root in roots:
            if root.type_map_unread and root.key not in self._reported:
                self._reported.add(root.key)  # once per base, not once per model
                draft.note(
                    f"`type_annotation_map` of `{root.key}` is not a literal dict; default types used", draft.location
                )
        for qualname in self.classes.unreadable_bases(ref):
            draft.hide(f"base class `{qualname}` of `{ref.name}` cannot be read", draft.location)
        for klass in self.classes.mro(ref):
            if isinstance(klass, Ref) and klass.is_class and (klass == ref or not self.classes.is_mapped(klass)):
                for message, stmt in self.classes.body(klass).unresolved:
                    draft.hide(f"{message} in `{klass.name}`", klass.module.source.location(stmt))
        known = {c.attribute for c in draft.columns}
        for attr in self.classes.columns(ref):
            if attr.member.name not in known:
                self.add_column(draft, attr.member, type_map)
        for attr in self.classes.attributes(ref).values():
            if attr.member.unresolved and not attr.member.is_column and not attr.inherited_mapped:
                draft.hide(attr.member.unresolved, attr.member.module.source.location(attr.member.node))

    def add_column(self, draft: Draft, member: Member, type_map: dict) -> None:
        location = member.module.source.location(member.node)
        if member.unresolved:
            draft.hide(member.unresolved, location, member.name)
            return
        column, notes = self.columns.declarative(member, type_map)
        for message in notes:
            draft.note(message, location, column.name)
        draft.columns.append(column)

    def _table_args(self, draft: Draft, ref: Ref) -> None:
        for klass in self.classes.mro(ref):
            if not (isinstance(klass, Ref) and klass.is_class):
                continue
            member = self.classes.body(klass).directives.get("__table_args__")
            if member is None or (klass != ref and self.classes.is_mapped(klass) and not member.declared):
                continue
            if member.value is None:
                draft.note(
                    f"cannot read `__table_args__` of `{klass.name}` statically",
                    member.module.source.location(member.node),
                )
            else:
                owner = (ref.name, draft.name) if member.declared else None
                self.constraints.table_args(member.module, member.value, draft.db_name, draft.constraints, owner)
                self._located_notes(draft)
            return

    def _located_notes(self, draft: Draft) -> None:
        for message, module, node in draft.constraints.notes:
            draft.note(message, module.source.location(node))
        draft.constraints.notes.clear()

    # ------------------------------------------------------------------ Table(...)

    def imperative(
        self,
        module: Module,
        call: cst.Call,
        symbol: str | None,
        where: Location | None = None,
        flask_db: Ref | None = None,
    ) -> Draft | None:
        """``Table("name", metadata, Column(...), UniqueConstraint(...), ...)``, or
        Flask-SQLAlchemy's ``db.Table("name", Column(...), ...)`` (``flask_db``: that ``db``)."""
        positional = [a for a in call.args if a.keyword is None]
        keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
        in_class = where is not None  # a mapped class's __table__
        where = where or module.source.location(call)
        name = (
            string_literal(positional[0].value, self.index.lookup(module))
            if positional and not positional[0].star
            else None
        )
        if name is None:
            return None
        reflected = reflects(keywords)
        draft = Draft(name, where, symbol, reflected=reflected and not in_class)
        if flask_db is not None and not self._metadata_given(module, positional):
            self._flask_metadata(draft, module, keywords.get("bind_key"), flask_db)
            items = positional[1:]
        else:
            meta = keywords.get("metadata", positional[1].value if len(positional) > 1 else None)
            self._table_metadata(draft, module, meta)
            items = positional[2:]
        for arg in items:
            self._table_item(draft, module, arg)
        if reflected:
            draft.hide(f"table `{name}` is reflected from the database", where)
        self._located_notes(draft)
        return draft

    def _table_metadata(self, draft: Draft, module: Module, meta: cst.BaseExpression | None) -> None:
        if isinstance(meta, cst.Call) and self.columns.role_of(module, meta.func) is Role.METADATA:
            draft.mids = (f"<MetaData() of {draft.name}>",)  # a fresh MetaData: never the target
            return
        mid = self.metadata_id(module, meta) if meta is not None else None
        draft.mids = (mid,) if mid is not None else ()
        target = self.index.resolve(module, meta) if meta is not None else None
        if isinstance(target, External):
            draft.uncertain_base = target.qualname

    def _metadata_given(self, module: Module, positional: list[cst.Arg]) -> bool:
        """Flask-SQLAlchemy's ``db.Table`` takes a MetaData second, like ``sa.Table``, or
        none at all: a second argument that is not a call (``db.metadata``,
        ``other_metadata``) or is ``MetaData(...)`` is one; ``Column(...)`` is not."""
        if len(positional) < 2 or positional[1].star:
            return False
        second = positional[1].value
        return not isinstance(second, cst.Call) or self.columns.role_of(module, second.func) is Role.METADATA

    def _flask_metadata(self, draft: Draft, module: Module, bind_key: cst.BaseExpression | None, db: Ref) -> None:
        """``db.metadata`` (the one ``db.Model`` uses), or ``db.metadatas[key]`` with ``bind_key=key``."""
        key = literal(bind_key, self.index.lookup(module)) if bind_key is not None else None
        if key is None:
            draft.mids = (self.classes.root_reader.flask_root(db).mid,)
        elif isinstance(key, str):
            draft.mids = (f"{db.key}.metadatas[{key!r}]",)  # another bind: not Alembic's target
        else:
            draft.mids = ()  # which MetaData cannot be told: reported when the layer is filtered

    def _table_item(self, draft: Draft, module: Module, arg: cst.Arg) -> None:
        value = arg.value
        location = module.source.location(value)
        spliced = self._spliced(module, value) if arg.star == "*" else None
        if spliced is not None:  # *audit_columns(): each element is an argument of Table(...)
            home, elements = spliced
            for element in elements:
                self._table_item(draft, home, cst.Arg(element))
            return
        if arg.star or not isinstance(value, cst.Call):
            draft.hide(f"cannot read `{arg.star}{module.code(value)}` in `Table(...)` statically", location)
            return
        if self.columns.role_of(module, value.func) is Role.COLUMN:
            column, notes = self.columns.imperative(module, value)
            for message in notes:
                draft.note(message, location, column.name if column is not None else None)
            if column is None:
                draft.partial = True
            else:
                draft.columns.append(column)
        elif not self.constraints.element(module, value, draft.db_name, draft.constraints):
            draft.note(f"cannot read `{module.code(value.func)}(...)` in `Table(...)` statically", location)

    def _spliced(self, module: Module, value: cst.BaseExpression) -> tuple[Module, list[cst.BaseExpression]] | None:
        """``*helper()`` whose function takes no parameters and is only ``return [...]``:
        the elements, read in the helper's module. (A ``*name`` is not read: a module-level
        list may be changed after its definition, which this index does not track.)"""
        if not isinstance(value, cst.Call) or value.args:
            return None
        target = self.index.resolve(module, value.func)
        if not isinstance(target, Ref) or target.attrs:
            return None
        found = _single_return(target.function)
        if not isinstance(found, (cst.List, cst.Tuple)) or any(
            isinstance(e, cst.StarredElement) for e in found.elements
        ):
            return None
        return target.module, [e.value for e in found.elements]

    def metadata_id(self, module: Module, expr: cst.BaseExpression) -> str | None:
        """The metadata identity of a ``Table``'s second argument (``Base.metadata`` too)."""
        return self.classes.root_reader.metadata_id(expr, module)


def _single_return(func: cst.FunctionDef | None) -> cst.BaseExpression | None:
    """The value of a parameterless function whose body is (a docstring and) one ``return``."""
    if func is None or not isinstance(func.body, cst.IndentedBlock):
        return None
    params = func.params
    if params.params or params.kwonly_params or params.posonly_params or isinstance(params.star_arg, cst.Param):
        return None
    if isinstance(params.star_kwarg, cst.Param):
        return None
    body = [s for s in func.body.body if not _is_docstring(s)]
    if len(body) != 1 or not isinstance(body[0], cst.SimpleStatementLine) or len(body[0].body) != 1:
        return None
    stmt = body[0].body[0]
    return stmt.value if isinstance(stmt, cst.Return) else None


def _is_docstring(stmt: cst.BaseStatement) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )
