"""DG109-DG111: primary keys, foreign keys and ON DELETE, compared per column."""

from __future__ import annotations

from typing import Iterator

from drift_guard.findings import Finding, Severity
from drift_guard.rules._comparators import PairedColumn, column_rule
from drift_guard.schema import UNKNOWN, ForeignKey, Schema


def _pydal_target(fk: ForeignKey, pydal: Schema, table_map: dict[str, str]) -> tuple[str, str]:
    """Where a PyDAL reference points, as (model table, column): ``reference t``
    targets t's primary key (its implicit ``id`` unless the table is keyed)."""
    tables = pydal.first_tables()
    target = tables.get(fk.table)
    if target is None:  # referenced by PyDAL name while the table has an rname
        target = next((t for t in tables.values() if (t.symbol or "").lower() == fk.table), None)
    column = fk.column
    if column is None:
        pk = target.primary_key if target is not None else ()
        column = pk[0] if len(pk) == 1 else "id"
    table = target.key if target is not None else fk.table
    symbol = (target.symbol or "").lower() if target is not None else ""
    return table_map.get(symbol) or table_map.get(table) or table, column.lower()


def _model_target(fk: ForeignKey) -> tuple[str, str] | None:
    """(table, column) a model foreign key points at; None when the extractor
    could not resolve it (UNKNOWN is compared as a match, see DG002)."""
    if fk.table is UNKNOWN or fk.column is UNKNOWN:
        return None
    table = fk.table.lower().split(".")[-1] if fk.table.count(".") else fk.table.lower()
    return table, (fk.column or "id").lower()


def _delete_action(fk: ForeignKey) -> str:
    return (fk.ondelete or "NO ACTION").upper()


def _reference(target: tuple[str, str]) -> str:
    """The PyDAL reference for a model foreign key: ``reference t`` targets t's
    primary key; a key field other than ``id`` is named (``reference t.code``),
    the one form PyDAL keeps the field's type for (DG116)."""
    table, column = target
    return f"reference {table}" if column == "id" else f"reference {table}.{column}"


def _fk_phrase(fk: ForeignKey | None, target: tuple[str, str] | None) -> str:
    if fk is None or target is None:
        return "no foreign key"
    return f"a foreign key to `{target[0]}.{target[1]}`"


def _targets(pair: PairedColumn) -> tuple[tuple[str, str] | None, tuple[str, str] | None] | None:
    """Where the model's and PyDAL's foreign keys point, as (table, column) or
    None for no foreign key; None altogether when the model's target could not
    be resolved (reported as DG002 by the extractor, compared as a match)."""
    model_fk, pydal_fk = pair.model.foreign_key, pair.pydal.foreign_key
    if model_fk is not None and _model_target(model_fk) is None:
        return None
    ctx = pair.ctx
    table_map = ctx.memo("table-map", ctx.table_map)
    model_target = _model_target(model_fk) if model_fk else None
    pydal_target = _pydal_target(pydal_fk, ctx.pydal, table_map) if pydal_fk else None
    return model_target, pydal_target


@column_rule("DG109", "foreign-key-mismatch", Severity.ERROR)
def foreign_key_mismatch(pair: PairedColumn) -> Iterator[Finding]:
    """The foreign key of a column differs between the layers, or exists on one side only.

    ## What it does
    Compares the model's `ForeignKey("table.column")` with PyDAL's
    `"reference table"` (which targets the referenced table's primary key) or
    `"reference table.column"`. A `list:reference` never creates a foreign key.

    ## Why is this bad?
    PyDAL's reference fields drive its joins, cascading deletes and validators. A
    reference to the wrong table, or a plain integer where the database has a
    foreign key, means PyDAL code and the database disagree on what the column
    points at.

    ## Example
    ```python
    team_id = Column(Integer, ForeignKey("teams.id"))   # model
    Field("team_id", "integer")                           # PyDAL: no reference
    ```

    ## Use instead
    ```python
    team_id = Column(Integer, ForeignKey("teams.id"))   # model
    Field("team_id", "reference teams")                  # PyDAL
    ```

    ## How to fix
    Use `Field("team_id", "reference teams")` in PyDAL (or drop the foreign key
    from the model, with a migration).
    """
    targets = _targets(pair)
    if targets is None or targets[0] == targets[1]:
        return
    model_target, pydal_target = targets
    yield pair.report(
        foreign_key_mismatch.finding,
        f"column `{pair.name}` has {_fk_phrase(pair.model.foreign_key, model_target)} in the model "
        f"but {_fk_phrase(pair.pydal.foreign_key, pydal_target)} in PyDAL",
        f'use Field("{pair.pydal.attribute}", "{_reference(model_target)}")'
        if model_target
        else "remove the reference from the PyDAL field, or add the ForeignKey to the model",
    )


@column_rule("DG110", "primary-key-mismatch", Severity.ERROR)
def primary_key_mismatch(pair: PairedColumn) -> Iterator[Finding]:
    """A column is part of the primary key on one side only.

    ## What it does
    Compares `primary_key=True` (and `PrimaryKeyConstraint`) in the model with
    PyDAL's key: the implicit `id`, a field of type `id`, or `primarykey=[...]`.

    ## Why is this bad?
    PyDAL fetches the new row's id after every insert and uses the key for
    `db.table[id]`, updates and references. If the database's key is another
    column, inserts return the wrong value and references point at the wrong
    rows.

    ## Example
    ```python
    key = Column(String(64), primary_key=True)     # model
    db.define_table("settings", Field("key"))       # PyDAL: implicit id is the key
    ```

    ## Use instead
    ```python
    key = Column(String(64), primary_key=True)                                # model
    db.define_table("settings", Field("key", length=64), primarykey=["key"])  # PyDAL
    ```

    ## How to fix
    Declare the same key in PyDAL: `db.define_table("settings", Field("key",
    length=64), primarykey=["key"])`.
    """
    model_c = pair.model
    if model_c.primary_key == pair.pydal.primary_key:
        return
    where = "the model" if model_c.primary_key else "PyDAL"
    yield pair.report(
        primary_key_mismatch.finding,
        f"column `{pair.name}` is part of the primary key in {where} only",
        "declare the model's key in PyDAL with primarykey=[...]"
        if model_c.primary_key
        else "make the PyDAL key match the model's primary key",
    )


def _action_phrase(fk: ForeignKey, layer: str) -> str:
    if fk.ondelete is None:
        return "no ON DELETE (NO ACTION)" if layer == "model" else "ON DELETE CASCADE (PyDAL's default)"
    return f"ON DELETE {fk.ondelete.upper()}"


@column_rule("DG111", "ondelete-mismatch", Severity.WARNING)
def ondelete_mismatch(pair: PairedColumn) -> Iterator[Finding]:
    """The two layers disagree on what deleting the referenced row does.

    ## What it does
    For a foreign key present on both sides with the same target, compares the
    model's `ForeignKey(..., ondelete=...)` (none means NO ACTION) with PyDAL's
    `ondelete=` (which defaults to CASCADE).

    ## Why is this bad?
    The database does what the migration created. PyDAL's SQLite adapter also
    emulates `CASCADE` in Python, deleting child rows the database would have
    protected; elsewhere, code written for cascading deletes meets an
    IntegrityError.

    ## Example
    ```python
    user_id = Column(Integer, ForeignKey("users.id"))   # model: NO ACTION
    Field("user_id", "reference users")                  # PyDAL: CASCADE
    ```

    ## Use instead
    ```python
    user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"))   # model
    Field("user_id", "reference users")                                      # PyDAL: CASCADE
    ```

    ## How to fix
    Make them agree: `ondelete="NO ACTION"` on the PyDAL field, or
    `ForeignKey("users.id", ondelete="CASCADE")` in the model (with a migration).
    """
    targets = _targets(pair)
    if targets is None or targets[0] is None or targets[0] != targets[1]:
        return  # DG109 covers missing or different references
    model_fk, pydal_fk = pair.model.foreign_key, pair.pydal.foreign_key
    assert model_fk is not None and pydal_fk is not None
    if _delete_action(model_fk) == (pydal_fk.ondelete or "CASCADE").upper():
        return
    yield pair.report(
        ondelete_mismatch.finding,
        f"column `{pair.name}` has {_action_phrase(model_fk, 'model')} in the model "
        f"vs {_action_phrase(pydal_fk, 'pydal')} in PyDAL",
        f'set ondelete="{_delete_action(model_fk)}" on the PyDAL field, or change the model (with a migration)',
    )
