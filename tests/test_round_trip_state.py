"""The SQLite downgrade round trip (DG207) is committed only when it provably left
the state the first ``upgrade()`` did, and rolled back otherwise.

A rollback makes SQLite parse its whole schema again, once per revision, which
made long histories quadratic; committing instead must never change what the
replay goes on from: the schema (every ``sqlite_master`` row, views included),
and the rows earlier revisions wrote, which later revisions can depend on."""

from __future__ import annotations

import shutil
import sqlite3
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import event as statistic
from hypothesis import strategies as st
from sqlalchemy import event
from test_migrations_helpers import DATA, service_for

from drift_guard.migrations import round_trip
from drift_guard.migrations.head import _replay


def _history(tmp_path: Path, revisions: list[tuple[str, str]]) -> Path:
    """A service whose history is ``revisions`` (upgrade body, downgrade body), in order."""
    root = tmp_path / "svc"
    shutil.copytree(DATA / "dg208_raw_sql", root, ignore=shutil.ignore_patterns("__pycache__"))
    versions = root / "alembic" / "versions"
    shutil.rmtree(versions)
    versions.mkdir()
    down = None
    for number, (upgrade, downgrade) in enumerate(revisions):
        rev = f"{number:04d}"
        (versions / f"{rev}_step.py").write_text(
            "import sqlalchemy as sa\nfrom alembic import op\n\n"
            f"revision = {rev!r}\ndown_revision = {down!r}\nbranch_labels = None\ndepends_on = None\n\n\n"
            f"def upgrade():\n{textwrap.indent(textwrap.dedent(upgrade).strip(), '    ')}\n\n\n"
            f"def downgrade():\n{textwrap.indent(textwrap.dedent(downgrade).strip(), '    ')}\n"
        )
        down = rev
    return root


class _Rollbacks:
    """Counts the rollbacks (savepoint and transaction) of every engine while active."""

    def __init__(self) -> None:
        self.count = 0

    def __enter__(self) -> _Rollbacks:
        event.listen(sa.engine.Engine, "rollback", self._seen)
        event.listen(sa.engine.Engine, "rollback_savepoint", self._seen)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(sa.engine.Engine, "rollback", self._seen)
        event.remove(sa.engine.Engine, "rollback_savepoint", self._seen)

    def _seen(self, *args: object) -> None:
        self.count += 1


def _replayed(root: Path):
    service = service_for(root)
    head, _ = _replay(service, [root / "alembic" / "versions"], False, {})
    return head


def _rows(head, query: str) -> list[tuple]:
    with sqlite3.connect(":memory:") as db:
        db.deserialize(head.database)
        return db.execute(query).fetchall()


def _schema(head) -> list[tuple]:
    return sorted(_rows(head, "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL"))


CREATE = """
op.create_table("t{n}", sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(40)))
op.create_index("ix_t{n}_name", "t{n}", ["name"])
"""
DROP = 'op.drop_index("ix_t{n}_name", table_name="t{n}")\nop.drop_table("t{n}")'


def test_a_clean_history_is_replayed_without_one_rollback_and_to_the_same_head(tmp_path, monkeypatch):
    root = _history(tmp_path, [(CREATE.format(n=n), DROP.format(n=n)) for n in range(12)])
    with _Rollbacks() as rollbacks:
        committed = _replayed(root)
    assert rollbacks.count == 0
    assert committed.failure is None and committed.applied == 12 and not committed.downgrade_problems
    monkeypatch.setattr(round_trip.SameState, "start", classmethod(lambda cls, *a: None))
    with _Rollbacks() as rollbacks:
        rolled_back = _replayed(root)
    assert rollbacks.count >= 12  # the old way: one per revision
    assert _schema(committed) == _schema(rolled_back)
    assert len(_schema(committed)) == 24


def test_rows_a_downgrade_leaves_behind_are_rolled_back_so_a_later_unique_index_still_builds(tmp_path):
    """The data revision's downgrade keeps its row and the upgrade inserts it again: committed, the
    table would hold it twice and the next revision's unique index would fail (a false DG205)."""
    root = _history(
        tmp_path,
        [
            ('op.create_table("settings", sa.Column("key", sa.String(20)))', 'op.drop_table("settings")'),
            ("op.execute(\"INSERT INTO settings (key) VALUES ('mode')\")", "pass"),
            (
                'op.create_index("ux_settings_key", "settings", ["key"], unique=True)',
                'op.drop_index("ux_settings_key")',
            ),
        ],
    )
    head = _replayed(root)
    assert head.failure is None and head.applied == 3
    assert _rows(head, "SELECT key FROM settings") == [("mode",)]


def test_a_table_the_downgrade_drops_and_rebuilds_keeps_its_rows(tmp_path):
    """DROP TABLE writes no row, so the count of rows written cannot see what it lost: the round
    trip is committed only when every table the downgrade dropped or rebuilt was empty."""
    recreate = 'op.drop_table("a")\nop.create_table("a", sa.Column("k", sa.String(20)))'
    root = _history(
        tmp_path,
        [
            (
                'op.create_table("a", sa.Column("k", sa.String(20)))\n'
                "op.execute(\"INSERT INTO a (k) VALUES ('kept')\")",
                'op.drop_table("a")',
            ),
            ('op.add_column("a", sa.Column("extra", sa.Integer))', recreate),
        ],
    )
    head = _replayed(root)
    assert head.failure is None and head.applied == 2 and not head.downgrade_problems
    assert _rows(head, "SELECT k, extra FROM a") == [("kept", None)]


def test_a_view_the_downgrade_drops_and_the_upgrade_does_not_recreate_is_still_there(tmp_path):
    """DG207 compares tables and indexes only; the state kept must also hold every view."""
    root = _history(
        tmp_path,
        [
            (
                'op.create_table("a", sa.Column("k", sa.String(20)))\nop.execute("CREATE VIEW v AS SELECT k FROM a")',
                'op.execute("DROP VIEW v")\nop.drop_table("a")',
            ),
            ('op.create_table("b", sa.Column("id", sa.Integer))', 'op.execute("DROP VIEW v")\nop.drop_table("b")'),
        ],
    )
    head = _replayed(root)
    assert head.failure is None and head.applied == 2 and not head.statement_failures
    assert ("view", "v") in [row[:2] for row in _schema(head)]


@pytest.mark.parametrize("empty", [True, False])
def test_same_state_judges_rows_written_and_tables_dropped(empty):
    """The unit: a round trip that dropped and recreated a table holds only if the table was empty
    and no row was written meanwhile."""
    from drift_guard.migrations.reversal import snapshot

    engine = sa.create_engine("sqlite://")
    with engine.connect() as connection:
        before = snapshot(connection)
        connection.exec_driver_sql("CREATE TABLE a (k VARCHAR(20))")
        if not empty:
            connection.exec_driver_sql("INSERT INTO a VALUES ('x')")
        connection.commit()
        after = snapshot(connection)
        same = round_trip.SameState.start(connection, before, after)
        assert same is not None
        with connection.begin():
            connection.exec_driver_sql("DROP TABLE a")
            down = snapshot(connection)
            connection.exec_driver_sql("CREATE TABLE a (k VARCHAR(20))")
            assert same.holds(connection, down) is empty
            connection.exec_driver_sql("INSERT INTO a VALUES ('y')")
            assert same.holds(connection, down) is False  # a row written
    engine.dispose()


# -- any history: committing where allowed leaves what rolling back always leaves ------------------------------------


# (upgrade, downgrade) for a table `{t}` that does not exist yet / does exist; `{c}` a fresh column name
_NEW_TABLE = [
    ('op.create_table("{t}", sa.Column("k", sa.String(20)))', 'op.drop_table("{t}")'),
    (
        'op.create_table("{t}", sa.Column("k", sa.String(20)))\nop.execute("INSERT INTO {t} (k) VALUES (\'seed\')")',
        'op.drop_table("{t}")',
    ),
    ('op.create_table("{t}", sa.Column("k", sa.String(20)))', "pass"),  # leaves the table behind: DG207
]
_OLD_TABLE = [
    ('op.add_column("{t}", sa.Column("{c}", sa.Integer))', 'op.drop_column("{t}", "{c}")'),
    ('op.add_column("{t}", sa.Column("{c}", sa.Integer))', "pass"),
    ("op.execute(\"INSERT INTO {t} (k) VALUES ('{c}')\")", "op.execute(\"DELETE FROM {t} WHERE k = '{c}'\")"),
    ("op.execute(\"INSERT INTO {t} (k) VALUES ('{c}')\")", "pass"),  # the row stays: the upgrade adds it again
    ('op.create_index("ix_{c}", "{t}", ["k"])', 'op.drop_index("ix_{c}", table_name="{t}")'),
    ('op.execute("CREATE VIEW v_{c} AS SELECT k FROM {t}")', 'op.execute("DROP VIEW v_{c}")'),
    ('op.execute("CREATE VIEW v_{c} AS SELECT k FROM {t}")', "pass"),
    (  # the downgrade leaves a temporary table behind, which a later revision may create
        'op.create_index("ix_{c}", "{t}", ["k"])',
        'op.drop_index("ix_{c}", table_name="{t}")\nop.execute("CREATE TEMP TABLE scratch (x INTEGER)")',
    ),
    ('op.execute("CREATE TEMP TABLE scratch (x INTEGER)")\nop.execute("DROP TABLE scratch")', 'op.execute("SELECT 1")'),
    (  # the downgrade changes the database header
        'op.create_index("ix_{c}", "{t}", ["k"])',
        'op.drop_index("ix_{c}", table_name="{t}")\nop.execute("PRAGMA user_version = 7")',
    ),
    (  # a downgrade that rebuilds the table: its rows are gone
        'op.create_index("ix_{c}", "{t}", ["k"])',
        'op.drop_index("ix_{c}", table_name="{t}")\n'
        'op.rename_table("{t}", "{t}_old")\n'
        'op.create_table("{t}", sa.Column("k", sa.String(20)))\n'
        'op.execute("INSERT INTO {t} SELECT k FROM {t}_old WHERE 0")\n'
        'op.drop_table("{t}_old")',
    ),
]


def _mostly_reversible(menu: list[tuple[str, str]]) -> st.SearchStrategy[tuple[str, str]]:
    """Reversible steps three times as often as sloppy ones (a `pass` downgrade), so that most
    histories have round trips that are committed and some that are not."""
    reversible = [step for step in menu if step[1] != "pass"]
    return st.sampled_from(reversible * 3 + [step for step in menu if step[1] == "pass"])


@st.composite
def _histories(draw):
    tables: list[str] = []
    steps = []
    for number in range(draw(st.integers(1, 6))):
        column = f"c{number}"
        if not tables or draw(st.booleans()) and len(tables) < 3:
            table = f"t{len(tables)}"
            upgrade, downgrade = draw(_mostly_reversible(_NEW_TABLE))
            tables.append(table)
        else:
            table = draw(st.sampled_from(tables))
            upgrade, downgrade = draw(_mostly_reversible(_OLD_TABLE))
        steps.append((upgrade.format(t=table, c=column), downgrade.format(t=table, c=column)))
    return steps


def _state(head) -> tuple:
    schema = _schema(head)
    tables = [name for kind, name, _, _ in schema if kind == "table" and name != "alembic_version"]
    with sqlite3.connect(":memory:") as db:
        db.deserialize(head.database)
        rows = {t: sorted(db.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
        header = db.execute("PRAGMA user_version").fetchall()
    return schema, rows, header


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=_histories())
def test_any_history_ends_where_rolling_back_every_round_trip_ends(tmp_path_factory, steps):
    root = _history(tmp_path_factory.mktemp("history"), steps)
    with _Rollbacks() as rollbacks:
        committed = _replayed(root)
    statistic(f"rollbacks (2 per round trip rolled back): {rollbacks.count}, steps: {len(steps)}")
    statistic(f"replay failed: {committed.failure is not None}; DG207: {bool(committed.downgrade_problems)}")
    original = round_trip.SameState.start
    round_trip.SameState.start = classmethod(lambda cls, *a: None)  # type: ignore[method-assign]
    try:
        rolled_back = _replayed(root)
    finally:
        round_trip.SameState.start = original  # type: ignore[method-assign]
    assert (committed.failure, committed.applied) == (rolled_back.failure, rolled_back.applied)
    assert committed.downgrade_problems == rolled_back.downgrade_problems
    assert committed.statement_failures == rolled_back.statement_failures
    if committed.failure is None:
        assert _state(committed) == _state(rolled_back)
