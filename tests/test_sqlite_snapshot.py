"""The SQLite snapshot of the downgrade round trip (DG207): compared by its raw
``sqlite_master`` rows first, by per-table statements only when they differ."""

from __future__ import annotations

import sqlalchemy as sa

from drift_guard.migrations.reversal import SqliteSnapshot, differences, snapshot


def _snap(statements: list[str]) -> SqliteSnapshot:
    engine = sa.create_engine("sqlite://")
    with engine.connect() as connection:
        for sql in statements:
            connection.exec_driver_sql(sql)
        taken = snapshot(connection)
    engine.dispose()
    assert isinstance(taken, SqliteSnapshot)
    return taken


USERS = "CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(64))"
POSTS = "CREATE TABLE posts (id INTEGER PRIMARY KEY)"


def test_the_same_schema_is_equal_without_building_the_tables():
    a, b = _snap([USERS, POSTS]), _snap([USERS, POSTS])
    assert differences(a, b) == [] and a == b
    assert a._tables is None and b._tables is None  # compared as rows only


def test_tables_created_in_another_order_are_still_the_same_schema():
    a, b = _snap([USERS, POSTS]), _snap([POSTS, USERS])
    assert a.rows != b.rows
    assert differences(a, b) == [] and a == b


def test_a_difference_is_named():
    before = _snap([USERS])
    after = _snap([USERS, POSTS, "ALTER TABLE users ADD COLUMN nick VARCHAR(10)"])
    found = differences(before, after)
    assert "table `posts` is still there" in found
    assert "column `users.nick` is still there" in found
    assert before != after


def test_alembic_version_and_sqlite_internals_are_not_the_schema():
    a = _snap([USERS])
    b = _snap([USERS, "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"])
    assert differences(a, b) == [] and a == b
