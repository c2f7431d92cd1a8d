"""Make a PostgreSQL-style migration history replay on SQLite.

Most histories are written for PostgreSQL. SQLite cannot ``ALTER COLUMN`` and
knows no JSONB/ARRAY/INET/ENUM types, so on the scratch SQLite database:

* dialect-specific types are rendered as their nearest generic type by a type
  compiler that falls back along the type's class hierarchy (pg ``ENUM`` -> the
  generic ``Enum`` rendering, ``BYTEA`` -> ``LargeBinary``, ``ARRAY`` -> JSON,
  anything else -> TEXT);
* ``::type`` casts are stripped from server defaults (``'{}'::jsonb``);
* ``alter_column``, ``drop_column`` and the constraint operations are rerouted
  through ``batch_alter_table`` (Alembic's own "move and copy" mode), naming
  SQLite's unnamed constraints the way PostgreSQL would so drops by name work;
* raw SQL runs statement by statement (:mod:`.raw_sql`): what only moves data
  or privileges, or creates server objects SQLite lacks (extensions, types,
  functions), is skipped when SQLite cannot run it; DDL is translated.

Everything is scoped to one engine (its dialect instance) and one Operations
instance: no global ``@compiles`` registration leaks into the user's process.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from drift_guard.migrations.raw_sql import server_object

if TYPE_CHECKING:
    from alembic.operations import Operations
    from sqlalchemy.engine import Engine

    from drift_guard.migrations.raw_sql import RawSqlRunner

_CAST = re.compile(r"::\s*[A-Za-z_][\w ]*(\[\])?")
# PostgreSQL's default constraint names, so a history written for PostgreSQL
# can drop `users_email_key` that SQLite created unnamed (batch mode names the
# reflected constraints with this convention before applying the drop).
PG_DEFAULT_NAMES = {
    "uq": "%(table_name)s_%(column_0_N_name)s_key",
    "fk": "%(table_name)s_%(column_0_N_name)s_fkey",
    "pk": "%(table_name)s_pkey",
    "ck": "%(table_name)s_%(constraint_name)s_check",
}


def adapt_sqlite_engine(engine: Engine) -> None:
    """Install the fallback type and DDL compilers on ``engine``'s dialect only."""
    from sqlalchemy.dialects.sqlite.base import SQLiteDDLCompiler, SQLiteTypeCompiler

    class ScratchTypeCompiler(SQLiteTypeCompiler):
        def visit_UUID(self, type_: Any, **kw: Any) -> str:
            return "CHAR(32)"

        def visit_ARRAY(self, type_: Any, **kw: Any) -> str:
            return "JSON"

        def visit_null(self, type_: Any, **kw: Any) -> str:
            # a column SQLite reflected without a type (raw SQL, a stand-in type: see stubs.py) is
            # created without one again when batch mode copies its table, as SQLite allows
            return ""

        def __getattr__(self, name: str) -> Any:
            if not name.startswith("visit_"):
                raise AttributeError(name)
            return lambda type_, **kw: self._nearest_generic(type_, **kw)

        def _nearest_generic(self, type_: Any, **kw: Any) -> str:
            for cls in type(type_).__mro__[1:]:
                visit = getattr(type(self), f"visit_{getattr(cls, '__visit_name__', '')}", None)
                if visit is not None:
                    return visit(self, type_, **kw)
            return "TEXT"

    class ScratchDDLCompiler(SQLiteDDLCompiler):
        def get_column_default_string(self, column: Any) -> str | None:
            text = super().get_column_default_string(column)
            return _CAST.sub("", text) if text else text

    dialect = engine.dialect
    dialect.type_compiler_instance = dialect.type_compiler = ScratchTypeCompiler(dialect)
    dialect.ddl_compiler = ScratchDDLCompiler


def _plain_text(sqltext: Any) -> str | None:
    """The SQL of ``op.execute("...")`` or ``op.execute(sa.text("..."))`` without
    bound values; None for SQLAlchemy constructs, which SQLite compiles itself."""
    from sqlalchemy.sql.elements import TextClause

    if isinstance(sqltext, str):
        return sqltext
    if isinstance(sqltext, TextClause) and not sqltext._bindparams:
        return sqltext.text
    return None


def reroute_through_batch(ops: Operations, raw_sql: RawSqlRunner | None = None) -> None:
    """Bind batch-mode versions of the ALTER operations on this instance, and
    ``execute`` through ``raw_sql`` for SQL given as text.

    ``alembic.op``'s module functions call ``_proxy.<name>``, so instance
    attributes take precedence over the class methods for this replay only.
    """
    user_batch = ops.batch_alter_table
    original_execute = ops.execute

    def batch(table_name: str, schema: str | None = None) -> Any:
        return user_batch(table_name, schema=schema, naming_convention=PG_DEFAULT_NAMES)

    def execute(sqltext: Any, *args: Any, **kw: Any) -> Any:
        text = _plain_text(sqltext)
        if text is not None and raw_sql is not None:
            raw_sql.run(text)
            return None
        if text is not None and server_object(text):
            return None
        return original_execute(sqltext, *args, **kw)

    def alter_column(table_name: str, column_name: str, *, schema: str | None = None, **kw: Any) -> None:
        with batch(table_name, schema=schema) as b:
            b.alter_column(column_name, **kw)

    def drop_column(table_name: str, column_name: str, *, schema: str | None = None, **kw: Any) -> None:
        with batch(table_name, schema=schema) as b:
            b.drop_column(column_name, **kw)

    def create_foreign_key(
        name, source_table, referent_table, local_cols, remote_cols, *, source_schema=None, **kw: Any
    ) -> None:
        with batch(source_table, schema=source_schema) as b:
            b.create_foreign_key(name, referent_table, local_cols, remote_cols, **kw)

    def drop_constraint(name, table_name, type_=None, *, schema=None, **kw: Any) -> None:
        with batch(table_name, schema=schema) as b:
            b.drop_constraint(name, type_=type_)

    def create_unique_constraint(name, table_name, columns, *, schema=None, **kw: Any) -> None:
        with batch(table_name, schema=schema) as b:
            b.create_unique_constraint(name, columns, **kw)

    def create_check_constraint(name, table_name, condition, *, schema=None, **kw: Any) -> None:
        with batch(table_name, schema=schema) as b:
            b.create_check_constraint(name, condition, **kw)

    def create_primary_key(name, table_name, columns, *, schema=None) -> None:
        with batch(table_name, schema=schema) as b:
            b.create_primary_key(name, columns)

    for fn in (
        execute,
        alter_column,
        drop_column,
        create_foreign_key,
        drop_constraint,
        create_unique_constraint,
        create_check_constraint,
        create_primary_key,
    ):
        setattr(ops, fn.__name__, fn)
