"""DG112: both layers agree on a column's type, but not on how its values are stored.

The physical types come from :mod:`drift_guard.dialect` (PyDAL's own dialect
classes and SQLAlchemy's type compiler) for the database the service really
runs on. Each case and its severity was checked by a real round trip on SQLite,
PostgreSQL and MariaDB (tests/test_representation_roundtrip.py): an error where
a value fails or changes, nothing where it round-trips (the one warning left is
PyDAL silently discarding a declared ``big-id``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable, Iterator

from drift_guard.dialect import Target, model_physical, pydal_physical, target_dialects
from drift_guard.findings import Finding, Severity
from drift_guard.pairing import both_columns, both_tables
from drift_guard.rules import Group, rule
from drift_guard.schema import Column, Family, Table
from drift_guard.types import families_compatible, pydal_base_type

if TYPE_CHECKING:
    from drift_guard.context import ServiceContext

_TEXTUAL = (Family.TEXT, Family.STRING)
_NATIVE_BOOLEAN = ("BOOLEAN", "BOOL", "BIT")


@dataclass(frozen=True)
class Mismatch:
    severity: Severity
    message: str
    hint: str


@dataclass(frozen=True)
class Sides:
    """One paired column on one target: the two physical types, spelled."""

    model: Column
    pydal: Column
    target: Target
    model_sql: str
    pydal_sql: str

    def head(self, what: str) -> str:
        where = self.target.shown
        if self.target.source != "the DAL URI":  # say where the dialect came from when it is inferred
            where += f" ({self.target.source})"
        return (
            f"PyDAL `{self.pydal.type.pydal_type}` is {self.pydal_sql} {what}on {where}, "
            f"the model's `{self.model.type.spelled}` creates {self.model_sql}"
        )


def _boolean(s: Sides) -> Mismatch | None:
    if s.model.type.family is Family.STRING:
        return _boolean_in_text(s)
    if s.model.type.family is not Family.BOOLEAN or s.pydal_sql.upper() in _NATIVE_BOOLEAN:
        return None
    if s.target.family == "postgres":
        return None  # PostgreSQL casts PyDAL's 'T'/'F' into the BOOLEAN column, PyDAL reads True/False back
    head = s.head("holding 'T'/'F' ")
    # no PyDAL scheme gives native booleans here: the model must follow PyDAL
    hint = "make the model column `String(1)` holding 'T'/'F' (PyDAL's boolean storage on this database)"
    if s.target.family == "mysql":
        why = "'T' is stored as 0, so every value PyDAL writes reads back False"
    else:
        why = "PyDAL reads SQLAlchemy's 1 as False and SQLAlchemy reads PyDAL's 'F' as True"
    return Mismatch(Severity.ERROR, f"{head}: {why}", hint)


def _boolean_in_text(s: Sides) -> Mismatch | None:
    """A CHAR(1) model column holding 'T'/'F' (DG105 pairs only length 1 with
    ``boolean``): PyDAL's own storage, except where its boolean is native."""
    if s.pydal_sql.upper() not in _NATIVE_BOOLEAN:
        return None
    why = "PyDAL reads the column's 'T'/'F' back as the strings 'T'/'F', not as booleans"
    hint = "make the model column `Boolean`: PyDAL's boolean is a native boolean on this database"
    if s.target.scheme == "postgres3":
        hint += " (or use `postgres://`, whose boolean is CHAR(1) holding 'T'/'F')"
    return Mismatch(Severity.ERROR, f"{s.head('')}: {why}", hint)


def _list(s: Sides) -> Mismatch | None:
    pydal_array = s.pydal_sql.endswith("[]")
    family = s.model.type.family
    hint = "pair `list:*` with Text (postgres://, mysql, sqlite) or ARRAY (postgres2/3://), never JSON"
    if not pydal_array and family in (Family.JSON, Family.ARRAY):
        why = "PyDAL writes bar-encoded text ('|a|b|'), which the column rejects or SQLAlchemy misreads"
    elif pydal_array and family is not Family.ARRAY and family in (*_TEXTUAL, Family.JSON):
        why = "PyDAL writes an array literal ('{a,b}') and reads it back as a plain string"
    else:
        return None
    return Mismatch(Severity.ERROR, f"{s.head('')}: {why}", hint)


def _json(s: Sides) -> Mismatch | None:
    pydal_json = s.pydal_sql.upper() in ("JSON", "JSONB")
    model_json = s.model_sql.upper() in ("JSON", "JSONB")
    hint = "declare both sides as JSON (`json` in PyDAL, `JSON` in the model), or both as text"
    if pydal_json and s.model.type.family in _TEXTUAL:
        why = "the driver returns the text undecoded, so PyDAL reads strings where it wrote objects"
    elif model_json and s.target.family == "postgres" and s.pydal.type.family in _TEXTUAL:
        why = "the driver decodes JSON columns, so PyDAL reads dicts/lists where it wrote strings"
    else:
        return None
    return Mismatch(Severity.ERROR, f"{s.head('')}: {why}", hint)


def _blob(s: Sides) -> Mismatch | None:
    if s.model.type.family is not Family.BINARY:
        return None
    why = "PyDAL stores base64 text and base64-decodes on read, so bytes written by SQLAlchemy fail to load"
    hint = "give PyDAL and SQLAlchemy one encoding (e.g. a Text column holding base64 on both sides)"
    return Mismatch(Severity.ERROR, f"{s.head('holding base64 text ')}: {why}", hint)


def _primary_key(s: Sides) -> Mismatch | None:
    if s.target.family != "sqlite" or not s.model.primary_key or s.model_sql.upper() == "INTEGER":
        return None
    if s.model.type.family is not Family.INTEGER:
        return None
    why = (
        f"on SQLite only an INTEGER primary key auto-increments; {s.model_sql} does not, "
        "so every PyDAL insert fails with NOT NULL on the id"
    )
    hint = "declare the id `Integer` on SQLite (e.g. `BigInteger().with_variant(Integer, 'sqlite')`)"
    return Mismatch(Severity.ERROR, f"{s.head('')}: {why}", hint)


_CHECKS: dict[str, Callable[[Sides], Mismatch | None]] = {
    "boolean": _boolean,
    "list:string": _list,
    "list:integer": _list,
    "list:reference": _list,
    "json": _json,
    "jsonb": _json,
    "text": _json,
    "string": _json,
    "blob": _blob,
    "id": _primary_key,
    "big-id": _primary_key,
}


def compare_column(model: Column, pydal: Column, target: Target) -> Mismatch | None:
    """The representation mismatch of one paired column on ``target``, if any."""
    model = replace(model, type=model.type.on(target.sa_dialect))  # its with_variant for this database
    if model.type.is_unknown or pydal.type.is_unknown or not pydal.type.pydal_type:
        return None
    if not families_compatible(model.type, pydal.type):
        return None  # one defect, one finding: DG105 reports types of different families
    check = _CHECKS.get(pydal_base_type(pydal.type.pydal_type))
    if check is None:
        return None
    model_sql = model_physical(model.type, target.scheme)
    pydal_sql = pydal_physical(pydal.type, target.scheme)
    if model_sql is None or pydal_sql is None:
        return None
    return check(Sides(model, pydal, target, model_sql, pydal_sql))


def _discarded_id(model_t: Table, pydal_t: Table) -> Finding | None:
    spelled = pydal_t.option("discarded_id")
    if spelled is None:
        return None
    model_id = model_t.column("id")
    against = f" while the model declares `{model_id.type.spelled}`" if model_id is not None else ""
    name = pydal_t.symbol or pydal_t.name  # as PyDAL code spells it (db.people), not its rname
    return representation_mismatch.finding(
        f'PyDAL silently discards `Field("id", {spelled})`: `{name}` keeps its implicit 32-bit `id`{against}',
        "remove the field; 64-bit ids in PyDAL only come from `DAL(..., bigint_id=True)`",
        pydal_t.location,
        table=pydal_t.name,
        column="id",
        related=(model_id.location if model_id is not None else None,),
        severity=Severity.WARNING,
    )


@rule("DG112", "representation-mismatch", Severity.ERROR, group=Group.CROSS_LAYER, needs=("models", "pydal", "runtime"))
def representation_mismatch(ctx: ServiceContext) -> Iterator[Finding]:
    """Both layers describe the column, but store its values differently on the database in use.

    ## What it does
    Works out the target database (the literal `DAL` URI scheme, or the literal
    default of `DAL(os.environ.get("DATABASE_URL", "postgres3://..."))`, else alembic.ini's
    `sqlalchemy.url`, else `[tool.drift_guard] dialect`; unknown: silent, with a
    DG002 note) and compares, for each paired column, the SQL type PyDAL's own
    dialect class declares with the one SQLAlchemy's type compiler creates:

    - PyDAL `boolean` is `CHAR(1)` holding 'T'/'F' except on `postgres3://`. Against
      a `Boolean` column: error on SQLite (SQLAlchemy's 1 reads as False in PyDAL,
      PyDAL's 'F' as True in SQLAlchemy) and MySQL/MariaDB ('T' is stored as 0);
      quiet on PostgreSQL, which casts 'T'/'F' into the column (every
      `postgres*://` round-trips). A model `String(1)`/`CHAR(1)` (or a TypeDecorator
      over one) holding 'T'/'F' is PyDAL's own storage: quiet, except where
      PyDAL's boolean is native (`postgres3://`, MSSQL): error, PyDAL reads the
      strings 'T'/'F' back.
    - `list:*` is `|`-encoded text except on `postgres2/3://` (arrays): error
      against a JSON column everywhere, against ARRAY on `postgres://`, and against
      Text on `postgres2/3://`.
    - PyDAL `json` (JSON on PostgreSQL) against a Text column, and PyDAL text
      against a JSON column: error on PostgreSQL, whose driver decodes JSON
      columns (quiet where both are text underneath: SQLite, MySQL/MariaDB).
    - `blob` is base64 text in PyDAL against `LargeBinary`: error.
    - A `BigInteger` primary key on SQLite is not a rowid alias and never
      auto-increments, while PyDAL's `id` expects it to: error.
    - `Field("id", "big-id")` is silently discarded by PyDAL: warning.

    Only a round trip that fails or changes a value is reported: `decimal(p,s)`
    (DOUBLE on SQLite) against `Numeric` is quiet, because SQLite has no exact
    decimal storage whichever layer writes. A model type with `with_variant(...)`
    is compared as the type SQLAlchemy uses on that database
    (`BigInteger().with_variant(Integer, "sqlite")` is an `Integer` on SQLite).

    ## Why is this bad?
    The types look compatible, so the DG1xx rules are quiet, yet one layer cannot
    read back what the other wrote: booleans flip, lists and JSON fail to decode,
    inserts fail. It only shows up at run time, on the real database.

    ## Example
    ```python
    is_active = Column(Boolean)             # app/db/models.py
    Field("is_active", "boolean")           # app/models.py, DAL("mysql://...")
    ```

    ## Use instead
    ```python
    is_active = Column(String(1))           # app/db/models.py: PyDAL's 'T'/'F'
    Field("is_active", "boolean")           # app/models.py, DAL("mysql://...")
    ```

    ## How to fix
    Follow the hint for the case: pick the PyDAL URI scheme (`postgres3://`) or the
    model type that gives both layers the same storage.
    """
    targets = target_dialects(ctx)
    if not targets:
        return
    # The physical types come from SQLAlchemy's type compiler and PyDAL's dialect
    # classes (two heavy imports): the result is kept while the two layers, the
    # table pairing and the target dialects are what they were.
    from drift_guard.context import schema_digest

    if ctx.session.cache is None:
        yield from _mismatches(ctx, targets)
        return
    key = [schema_digest(ctx.models, ctx.session), schema_digest(ctx.pydal, ctx.session), repr(targets)]
    # the layers' files are in the key as the digests of what was read from them:
    # a models edit that extracts the same schema (a comment) keeps the entry
    covered = ctx.layer_reads("models", "pydal")
    yield from ctx.session.cached("dg112", key, lambda: list(_mismatches(ctx, targets)), covered=covered)


def _mismatches(ctx: ServiceContext, targets: tuple) -> Iterator[Finding]:
    for model_t, pydal_t in both_tables(ctx.table_pairs):
        discarded = _discarded_id(model_t, pydal_t)
        if discarded is not None:
            yield discarded
        for model_col, pydal_col in both_columns(model_t, pydal_t):
            for target in targets:
                found = compare_column(model_col, pydal_col, target)
                if found is not None:
                    yield representation_mismatch.finding(
                        f"column `{model_t.name}.{model_col.name}`: {found.message}",
                        found.hint,
                        pydal_col.location,
                        table=model_t.key,
                        column=model_col.key,
                        related=(model_col.location,),
                        severity=found.severity,
                    )
