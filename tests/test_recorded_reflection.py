"""A server's reflection recorded once and played back to Alembic's compare (issue #11).

Everything here runs against the real PostgreSQL on 127.0.0.1:5432 (under CI an
unreachable server FAILS): a scratch database gets a schema with the constructs
real histories use (serial and identity columns, enums, arrays, JSONB, partial and
expression indexes, foreign keys with ON DELETE, check constraints, comments, a
view), the reflection is recorded, and Alembic's compare against the record must
give exactly what it gives against the server, for models that match it and for
models that differ from it in each way the compare can tell.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from test_migrations_helpers import PG_URL, server_url

from drift_guard import codec
from drift_guard.migrations.recorded import NeedsServer, Reflection, Unrecordable, decode, encode, playback, record
from drift_guard.migrations.scratch import scratch_engine

pytestmark = pytest.mark.postgres

SCHEMA = """
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE TABLE accounts (
    id serial PRIMARY KEY,
    email varchar(120) NOT NULL DEFAULT 'x',
    balance numeric(10, 2),
    seen timestamp with time zone,
    profile jsonb,
    tags text[],
    feeling mood,
    serial_no integer GENERATED ALWAYS AS IDENTITY,
    doubled integer GENERATED ALWAYS AS (id * 2) STORED,
    code char(3),
    CONSTRAINT uq_accounts_code UNIQUE (code)
);
CREATE UNIQUE INDEX ix_accounts_lower_email ON accounts (lower(email)) WHERE balance > 0;
CREATE INDEX ix_accounts_seen ON accounts (seen DESC);
CREATE TABLE posts (
    id bigserial PRIMARY KEY,
    account_id integer REFERENCES accounts (id) ON DELETE CASCADE,
    title varchar(200) NOT NULL,
    CONSTRAINT ck_posts_title CHECK (length(title) > 0)
);
COMMENT ON TABLE posts IS 'what accounts write';
COMMENT ON COLUMN posts.title IS 'shown in lists';
CREATE VIEW recent_posts AS SELECT id, title FROM posts;
"""


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[Reflection, Any]]:
    """The recorded reflection, and an open connection to the live scratch database it came from."""
    with scratch_engine(server_url(PG_URL)) as engine, engine.connect() as connection:
        connection.exec_driver_sql(SCHEMA)
        connection.commit()
        yield record(connection), connection


def _matching(ondelete: str = "CASCADE") -> sa.MetaData:
    md = sa.MetaData()
    feeling = pg.ENUM("sad", "ok", name="mood", create_type=False)
    accounts = sa.Table(
        "accounts",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(120), nullable=False, server_default="x"),
        sa.Column("balance", sa.Numeric(10, 2)),
        sa.Column("seen", sa.DateTime(timezone=True)),
        sa.Column("profile", pg.JSONB),
        sa.Column("tags", pg.ARRAY(sa.Text)),
        sa.Column("feeling", feeling),
        sa.Column("serial_no", sa.Integer, sa.Identity(always=True), nullable=False),
        sa.Column("doubled", sa.Integer, sa.Computed("id * 2")),
        sa.Column("code", sa.CHAR(3)),
        sa.UniqueConstraint("code", name="uq_accounts_code"),
    )
    sa.Index(
        "ix_accounts_lower_email", sa.func.lower(accounts.c.email), unique=True, postgresql_where=sa.text("balance > 0")
    )
    sa.Index("ix_accounts_seen", accounts.c.seen.desc())
    sa.Table(
        "posts",
        md,
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete=ondelete)),
        sa.Column("title", sa.String(200), nullable=False, comment="shown in lists"),
        sa.CheckConstraint("length(title) > 0", name="ck_posts_title"),
        comment="what accounts write",
    )
    return md


def _changed(change: Callable[[sa.MetaData], None]) -> sa.MetaData:
    md = _matching()
    change(md)
    return md


VARIANTS: dict[str, Callable[[], sa.MetaData]] = {
    "matching": _matching,
    "empty models": sa.MetaData,
    "a column added": lambda: _changed(lambda md: md.tables["posts"].append_column(sa.Column("body", sa.Text))),
    "a length changed": lambda: _changed(lambda md: setattr(md.tables["accounts"].c.email.type, "length", 64)),
    "nullability changed": lambda: _changed(lambda md: setattr(md.tables["posts"].c.title, "nullable", True)),
    "a type changed": lambda: _changed(lambda md: setattr(md.tables["accounts"].c.tags, "type", pg.JSONB())),
    "a table added": lambda: _changed(lambda md: sa.Table("extra", md, sa.Column("id", sa.Integer, primary_key=True))),
    "a table removed": lambda: _changed(lambda md: md.remove(md.tables["posts"])),
    "an index removed": lambda: _changed(lambda md: md.tables["accounts"].indexes.clear()),
    "a comment changed": lambda: _changed(lambda md: setattr(md.tables["posts"], "comment", "other")),
    "on delete changed": lambda: _matching(ondelete="SET NULL"),
}


def _diffs(connection: Any, metadata: sa.MetaData) -> list[str]:
    """Alembic's diffs, as text without object addresses."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    context = MigrationContext.configure(connection, opts={"compare_type": True, "target_metadata": metadata})
    found = compare_metadata(context, metadata)
    return sorted(re.sub(r" at 0x[0-9a-f]+", "", repr(item)) for item in found)


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_the_compare_on_the_record_equals_the_compare_on_the_server(server, variant):
    reflection, live = server
    stored = codec.loads(codec.dumps(reflection))  # as the cache keeps it
    expected = _diffs(live, VARIANTS[variant]())
    assert _diffs(playback(stored), VARIANTS[variant]()) == expected
    if variant == "matching":
        assert expected == []
    else:
        assert expected  # each variant is a real difference


def test_serial_columns_are_answered_as_alembic_asked_the_server(server):
    """Alembic asks PostgreSQL which sequence a nextval() default belongs to: the record holds the answers."""
    reflection, _ = server
    asked = {params for (_, params), _ in reflection.answers}
    assert (("seqname", "accounts_id_seq"),) in asked and (("seqname", "posts_id_seq"),) in asked


def test_reflection_types_round_trip_through_the_record(server):
    reflection, live = server
    played = {c["name"]: c["type"] for c in sa.inspect(playback(reflection)).get_columns("accounts")}
    real = {c["name"]: c["type"] for c in sa.inspect(live).get_columns("accounts")}
    assert {k: repr(v) for k, v in played.items()} == {k: repr(v) for k, v in real.items()}
    assert isinstance(played["feeling"], pg.ENUM) and played["feeling"].enums == ["sad", "ok"]


def test_a_view_is_listed_and_reflected_like_on_the_server(server):
    reflection, live = server
    played, real = sa.inspect(playback(reflection)), sa.inspect(live)
    assert played.get_view_names() == real.get_view_names() == ["recent_posts"]
    assert [c["name"] for c in played.get_columns("recent_posts")] == ["id", "title"]
    assert played.has_table("posts") and not played.has_table("nothing")


def test_questions_the_record_cannot_answer_need_the_server(server):
    reflection, _ = server
    inspector = sa.inspect(playback(reflection))
    with pytest.raises(NeedsServer):
        inspector.get_table_names(schema="elsewhere")
    with pytest.raises(NeedsServer):
        playback(reflection).execute(sa.text("SELECT 1"))
    with pytest.raises(NeedsServer):
        inspector.get_sequence_names(schema="elsewhere")


def test_a_domain_type_is_not_recorded():
    """A DOMAIN's repr leaves out its CHECK: it would not come back equal, so such a head is not recorded
    (the next run asks the server instead)."""
    with scratch_engine(server_url(PG_URL)) as engine, engine.connect() as connection:
        connection.exec_driver_sql("CREATE DOMAIN posint AS integer CHECK (VALUE > 0); CREATE TABLE t (n posint)")
        with pytest.raises(Unrecordable, match="DOMAIN"):
            record(connection)
        connection.rollback()


def test_the_type_reader_calls_only_sqlalchemy_types():
    assert repr(decode(encode(pg.ARRAY(sa.String(12))))) == "ARRAY(String(length=12))"
    from drift_guard.migrations.recorded import SqlType

    for text in (
        "__import__('os').system('true')",
        "VARCHAR(length=len('abc'))",
        "open('x')",
        "VARCHAR(**{'length': 3})",
    ):
        with pytest.raises(NeedsServer):
            decode(SqlType(text))


def test_the_html_reports_head_is_read_from_the_record(server):
    """The report's head column for a PostgreSQL service: the recorded reflection read back as drift-guard
    records, with no server."""
    from drift_guard.migrations.head import ReplayedHead
    from drift_guard.snapshot import reflect_recorded_head

    reflection, _ = server
    schema = reflect_recorded_head(ReplayedHead(2, None, (), (), b"", reflection=reflection))
    tables = {t.name: {c.name: c for c in t.columns} for t in schema.tables}
    assert set(tables) == {"accounts", "posts"}  # the view is not a table
    email, code, ident = tables["accounts"]["email"], tables["accounts"]["code"], tables["accounts"]["id"]
    assert (email.type.spelled, email.type.length, email.nullable) == ("VARCHAR(120)", 120, False)
    assert code.unique and ident.primary_key and not ident.nullable
    reference = tables["posts"]["account_id"].foreign_key
    assert (reference.table, reference.column, reference.ondelete) == ("accounts", "id", "CASCADE")
    assert tables["posts"]["title"].nullable is False and tables["posts"]["account_id"].nullable is True


def test_a_head_is_kept_unless_the_environment_decided_it(server, tmp_path):
    """The recorded head is kept for the next run; a replay stopped by a timeout or by a package missing
    where drift-guard runs is this environment's outcome, not the files': never kept."""
    import shutil

    from test_migrations_helpers import DATA, service_for

    from drift_guard.config import load_config
    from drift_guard.migrations import version_locations
    from drift_guard.migrations.head import ReplayedHead
    from drift_guard.migrations.report import ReplayFailure
    from drift_guard.migrations.server_head import keep, stored_head
    from drift_guard.schema import Location
    from drift_guard.session import RunOptions, Session

    reflection, _ = server
    root = tmp_path / "svc"
    shutil.copytree(DATA / "clean", root, ignore=shutil.ignore_patterns("__pycache__"))
    service = service_for(root)
    dirs, recursive = version_locations(service)
    where = Location(str(root / "alembic" / "versions" / "0001.py"), 3)
    heads = {
        "recorded": ReplayedHead(3, None, (), (), b"", reflection=reflection),
        "timed out": ReplayedHead(0, ReplayFailure("0001", where, "timed out", interrupted=True), (), (), b""),
        "missing package": ReplayedHead(
            0, ReplayFailure("0001", where, "no module", failed_import="nope"), (), (), b""
        ),
        "failed": ReplayedHead(1, ReplayFailure("0002", where, 'relation "userz" does not exist'), (), (), b""),
    }
    for name, head in heads.items():
        session = Session(load_config(root), RunOptions(use_cache=True, cache_dir=tmp_path / name))
        with session.active():
            assert stored_head(service, dirs, recursive) is None
            keep(service, dirs, recursive, head, [])
        session = Session(load_config(root), RunOptions(use_cache=True, cache_dir=tmp_path / name))
        with session.active():
            found = stored_head(service, dirs, recursive)
        assert (found == head) is (name in ("recorded", "failed")), name
        if name == "recorded":  # and a revision edit makes it a miss
            revision = next((root / "alembic" / "versions").glob("*.py"))
            revision.write_text(revision.read_text() + "\n# edited\n")
            session = Session(load_config(root), RunOptions(use_cache=True, cache_dir=tmp_path / name))
            with session.active():
                assert stored_head(service, dirs, recursive) is None
