"""Does each revision's ``downgrade()`` really undo its ``upgrade()`` (DG207)?

On a server (``--database-url``, the embedded PostgreSQL) the same round trip
runs where DDL is transactional (PostgreSQL), with the schema taken by
reflection (a handful of queries per state, whatever the number of tables).
MySQL/MariaDB commit every DDL statement implicitly, so a savepoint cannot
undo a downgrade there: the check does not run on them.

During the replay on the scratch SQLite database, right after a revision's
``upgrade()`` the check opens a savepoint, runs ``downgrade()``, reflects the
schema and compares it with the schema reflected before the ``upgrade()``, then
runs ``upgrade()`` again (a downgrade that leaves something behind often makes
the next upgrade fail, the way a redeploy after a rollback does) and rolls the
savepoint back. SQLite's DDL is transactional inside a savepoint, so the replay
goes on from exactly the state the first ``upgrade()`` left, whatever the
downgrade did (a round trip that provably left that state is committed instead,
which is cheaper: see :mod:`.round_trip`); the result is part of the replayed
head and cached with it.

The schema is compared as SQLite stores it (each table's ``CREATE TABLE`` and
``CREATE INDEX`` text: one query per state, so long histories stay cheap); a
table whose text differs is then compared as reflection shows it (columns with
type and nullability; the primary key; indexes; unique constraints and foreign
keys by their columns, since batch mode rewrites the text and names SQLite's
unnamed constraints), in a private in-memory copy of both versions. A
``downgrade()`` raising ``NotImplementedError`` declares the revision
irreversible and is skipped (DG204 accepts that too); a ``downgrade()`` with raw
DDL SQLite cannot run, even translated, is not judged on its schema: the
difference would be SQLite's, not the revision's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from drift_guard.schema import Location

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

_IGNORED = ("alembic_version",)
_INTERNAL = ("sqlite_", "_alembic_tmp_")

# SQLite: table -> its CREATE TABLE, then its CREATE INDEX statements;
# a server: table -> (_REFLECTED, its reflected parts)
Snapshot = dict[str, tuple[Any, ...]]
_REFLECTED = "reflected"
_TRANSACTIONAL_DDL = ("sqlite", "postgresql")


@dataclass(frozen=True)
class DowngradeProblem:
    """A revision whose downgrade() does not restore the schema before its upgrade() (DG207)."""

    revision: str | None
    location: Location  # the revision's `def downgrade`
    differences: tuple[str, ...]  # readable, e.g. "column `users.nickname` is still there"


def downgrades_checkable(connection: Connection) -> bool:
    """Whether a savepoint's rollback undoes DDL on this database, which the
    round trip relies on to go on from the state the upgrade left."""
    return connection.dialect.name in _TRANSACTIONAL_DDL


def snapshot(connection: Connection) -> Snapshot | SqliteSnapshot:
    """The schema as SQLite stores it: per table, its ``CREATE TABLE`` and
    ``CREATE INDEX`` statements (one query, so taking one per revision is cheap);
    on a server, each table's reflected parts."""
    if connection.dialect.name != "sqlite":
        return {table: (_REFLECTED, parts) for table, parts in _reflected_parts(connection).items()}
    # The DBAPI cursor, not SQLAlchemy's result: two snapshots per revision of
    # every row of sqlite_master is quadratic in the history (2 million rows at
    # 1,000 tables), and this is most of what it costs.
    # Views and triggers too: DG207 compares tables and indexes only, but the
    # round trip is kept only when it left every row as it was (round_trip.SameState).
    rows = connection.connection.driver_connection.execute(  # type: ignore[union-attr]
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL"
    ).fetchall()
    return SqliteSnapshot(rows)


class SqliteSnapshot:
    """A SQLite :data:`Snapshot` as read: its ``sqlite_master`` rows, turned into
    per-table statements only when asked. A correct downgrade leaves the very
    same rows (a savepoint keeps their order), so the usual comparison is one of
    two lists, done in C, and the statements are built only for the rare
    snapshot that differs."""

    __slots__ = ("rows", "_tables")

    def __init__(self, rows: list[tuple[str, str, str, str]]) -> None:
        self.rows = rows
        self._tables: dict[str, tuple[Any, ...]] | None = None

    @property
    def tables(self) -> dict[str, tuple[Any, ...]]:
        if self._tables is None:
            tables: dict[str, str] = {}
            indexes: dict[str, list[str]] = {}
            for kind, _name, table, sql in self.rows:
                if table in _IGNORED or table.lower().startswith(_INTERNAL):
                    continue
                if kind == "table":
                    tables[table.lower()] = sql
                elif kind == "index":
                    indexes.setdefault(table.lower(), []).append(sql)
            self._tables = {table: (sql, *sorted(indexes.get(table, ()))) for table, sql in tables.items()}
        return self._tables

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SqliteSnapshot):
            return self.rows == other.rows or self.tables == other.tables
        return self.tables == other

    __hash__ = None  # type: ignore[assignment]


def _tables(snap: Snapshot | SqliteSnapshot) -> Snapshot:
    return snap.tables if isinstance(snap, SqliteSnapshot) else snap


def _reflected(statements: dict[str, tuple[str, ...]]) -> dict[str, dict[str, Any]]:
    """The tables of ``statements``, created in a private in-memory database and
    reflected there: readable parts of the few tables whose stored text differs
    (batch mode rewrites a table's text while keeping its meaning)."""
    import sqlalchemy as sa

    engine = sa.create_engine("sqlite://")
    try:
        with engine.begin() as connection:
            for group in statements.values():
                for sql in group:
                    connection.exec_driver_sql(sql)
            return _reflected_parts(connection)
    finally:
        engine.dispose()


def _reflected_parts(connection: Connection) -> dict[str, dict[str, Any]]:
    """Each table's readable parts in the default schema, with SQLAlchemy's
    ``get_multi_*`` reflection (one query per kind of part for all tables on a
    server; the same calls on the private SQLite copy of :func:`_reflected`)."""
    import sqlalchemy as sa

    inspector = sa.inspect(connection)
    columns = inspector.get_multi_columns()
    pks = inspector.get_multi_pk_constraint()
    indexes = inspector.get_multi_indexes()
    uniques = inspector.get_multi_unique_constraints()
    fks = inspector.get_multi_foreign_keys()
    result: dict[str, dict[str, Any]] = {}
    for key, table_columns in columns.items():
        table = key[1].lower()
        if table in _IGNORED:
            continue
        result[table] = {
            "columns": {
                c["name"].lower(): (_type_text(c["type"], connection), bool(c["nullable"])) for c in table_columns
            },
            "pk": tuple(c.lower() for c in _pk_columns(pks.get(key))),
            "indexes": {
                (i["name"] or "").lower(): (tuple(str(c).lower() for c in i["column_names"]), bool(i["unique"]))
                for i in indexes.get(key, ())
            },
            "uniques": {tuple(sorted(c.lower() for c in u["column_names"])) for u in uniques.get(key, ())},
            "fks": {
                (
                    tuple(c.lower() for c in fk["constrained_columns"]),
                    fk["referred_table"].lower(),
                    tuple(c.lower() for c in fk["referred_columns"]),
                )
                for fk in fks.get(key, ())
            },
        }
    return result


def _pk_columns(pk: Any) -> list[str]:
    return list(pk.get("constrained_columns") or ()) if pk else []


def _type_text(type_: Any, connection: Connection) -> str:
    from sqlalchemy.exc import CompileError

    try:
        return str(type_.compile(dialect=connection.dialect))
    except CompileError:
        return type(type_).__name__


def differences(before: Snapshot | SqliteSnapshot, after: Snapshot | SqliteSnapshot) -> list[str]:
    """What ``after`` (the schema after downgrade()) has that ``before`` (before upgrade()) has not, and back."""
    if isinstance(before, SqliteSnapshot) and isinstance(after, SqliteSnapshot) and before.rows == after.rows:
        return []
    before, after = _tables(before), _tables(after)
    found: list[str] = []
    for table in sorted(after.keys() - before.keys()):
        found.append(f"table `{table}` is still there")
    for table in sorted(before.keys() - after.keys()):
        found.append(f"table `{table}` is missing")
    changed = sorted(t for t in before.keys() & after.keys() if before[t] != after[t])
    if changed:
        if before[changed[0]][0] == _REFLECTED:  # a server's snapshot: already reflected
            was = {t: before[t][1] for t in changed}
            now = {t: after[t][1] for t in changed}
        else:
            was = _reflected({t: before[t] for t in changed})
            now = _reflected({t: after[t] for t in changed})
        for table in changed:
            found.extend(_table_differences(table, was[table], now[table]))
    return found


def _table_differences(table: str, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    found: list[str] = []
    was, now = before["columns"], after["columns"]
    for column in sorted(now.keys() - was.keys()):
        found.append(f"column `{table}.{column}` is still there")
    for column in sorted(was.keys() - now.keys()):
        found.append(f"column `{table}.{column}` is missing")
    for column in sorted(was.keys() & now.keys()):
        (old_type, old_null), (new_type, new_null) = was[column], now[column]
        if old_type != new_type:
            found.append(f"column `{table}.{column}` is `{new_type}`, was `{old_type}`")
        if old_null != new_null:
            state = "nullable" if new_null else "NOT NULL"
            found.append(f"column `{table}.{column}` is {state}, was {'nullable' if old_null else 'NOT NULL'}")
    if before["pk"] != after["pk"]:
        found.append(f"the primary key of `{table}` is ({', '.join(after['pk'])}), was ({', '.join(before['pk'])})")
    for name in sorted(after["indexes"].keys() - before["indexes"].keys()):
        found.append(f"index `{name}` on `{table}` is still there")
    for name in sorted(before["indexes"].keys() - after["indexes"].keys()):
        found.append(f"index `{name}` on `{table}` is missing")
    for columns in sorted(after["uniques"] - before["uniques"]):
        found.append(f"unique constraint on `{table}({', '.join(columns)})` is still there")
    for columns in sorted(before["uniques"] - after["uniques"]):
        found.append(f"unique constraint on `{table}({', '.join(columns)})` is missing")
    for cols, target, refs in sorted(after["fks"] - before["fks"]):
        found.append(f"foreign key `{table}({', '.join(cols)})` -> `{target}({', '.join(refs)})` is still there")
    for cols, target, refs in sorted(before["fks"] - after["fks"]):
        found.append(f"foreign key `{table}({', '.join(cols)})` -> `{target}({', '.join(refs)})` is missing")
    return found


def downgrade_location(module: Any, display: str) -> Location | None:
    """The ``def downgrade`` line of a loaded revision module."""
    function = getattr(module, "downgrade", None)
    code = getattr(function, "__code__", None)
    return Location(display, code.co_firstlineno) if code is not None else None
