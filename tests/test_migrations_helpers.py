"""Helpers for the migration tests: build the model Schema by hand, the way the
extractor would, with locations taken from the fixture's real models.py lines.

Also shared server fixtures (PostgreSQL / MariaDB URLs that FAIL under CI when
the server is unreachable, and skip otherwise).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from drift_guard.schema import Column as SchemaColumn
from drift_guard.schema import ForeignKey, Layer, Location, Schema, Table
from drift_guard.service import Service
from drift_guard.types import model_column_type

DATA = Path(__file__).parent / "data" / "migrations"
PG_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
MYSQL_URL = "mysql+pymysql://root@127.0.0.1:3306/"


@dataclass(frozen=True)
class Col:
    name: str
    sa_type: str
    args: tuple = ()
    nullable: bool = True
    pk: bool = False
    unique: bool = False
    index: bool = False
    fk: tuple[str, str, str | None] | None = None  # (table, column, ondelete)
    kwargs: tuple = ()
    item: str | None = None


def col(name: str, sa_type: str, *args, **kw) -> Col:
    return Col(name, sa_type, tuple(args), **kw)


def _line_of(lines: list[str], needle: str, start: int = 0, default: int | None = None) -> int:
    for number in range(start, len(lines)):
        if needle in lines[number]:
            return number + 1
    if default is not None:
        return default
    raise AssertionError(f"{needle!r} not in the fixture's models.py")


def table(models_py: Path, name: str, *cols: Col) -> Table:
    lines = models_py.read_text().splitlines()
    start = _line_of(lines, f'__tablename__ = "{name}"')
    columns = []
    for c in cols:
        line = _line_of(lines, f"    {c.name}:", start, default=start)
        item = model_column_type(f"sqlalchemy.{c.item}") if c.item else None
        ctype = model_column_type(f"sqlalchemy.{c.sa_type}", c.args, c.kwargs, spelled=_spelled(c), item=item)
        fk = ForeignKey(c.fk[0], c.fk[1], c.fk[2]) if c.fk else None
        columns.append(
            SchemaColumn(
                c.name,
                c.name,
                ctype,
                Location(str(models_py), line, 5),
                nullable=c.nullable and not c.pk,
                primary_key=c.pk,
                unique=c.unique,
                index=c.index,
                foreign_key=fk,
            )
        )
    return Table(name, Layer.MODELS, Location(str(models_py), start - 1, 1), tuple(columns))


def _spelled(c: Col) -> str:
    short = c.sa_type.rsplit(".", 1)[-1]
    return f"{short}({', '.join(repr(a) for a in c.args)})" if c.args else short


def schema(*tables: Table) -> Schema:
    return Schema(Layer.MODELS, tuple(tables))


def service_for(root: Path, **kw) -> Service:
    return Service(
        name=root.name,
        root=root,
        alembic_ini=root / "alembic.ini",
        script_location=root / "alembic",
        env_py=root / "alembic" / "env.py",
        import_roots=(root,),
        model_files=(root / "app" / "db" / "models.py",),
        **kw,
    )


def server_url(url: str) -> str:
    """``url`` if the server answers; under CI an unreachable server FAILS."""
    import sqlalchemy as sa
    from sqlalchemy.exc import OperationalError

    engine = sa.create_engine(url)
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"database server required under CI is unreachable: {exc.orig}")
        pytest.skip(f"database server unreachable: {exc.orig}")
    finally:
        engine.dispose()
    return url


@dataclass
class Fixture:
    """A fixture project under tests/data/migrations plus its model Schema."""

    root: Path
    models: Schema = field(default_factory=lambda: schema())

    @property
    def service(self) -> Service:
        return service_for(self.root)


def long_history_models() -> Schema:
    """The final state of tests/data/migrations/long_history (34 revisions)."""
    from drift_guard.schema import UniqueConstraint

    mp = DATA / "long_history" / "app" / "db" / "models.py"
    accounts = table(
        mp,
        "accounts",
        col("id", "Integer", pk=True),
        col("email", "String", 255, nullable=False),
        col("name", "String", 100),
        col("status", "String", 20, nullable=False),
        col("is_admin", "Boolean", nullable=False),
    )
    accounts = Table(
        accounts.name,
        accounts.layer,
        accounts.location,
        accounts.columns,
        unique_constraints=(UniqueConstraint("uq_accounts_email", ("email",), accounts.location),),
    )
    return schema(
        accounts,
        table(
            mp,
            "projects",
            col("id", "Integer", pk=True),
            col("account_id", "Integer", nullable=False, fk=("accounts", "id", None)),
            col("title", "String", 200),
            col("created_at", "DateTime"),
            col("updated_by", "Integer"),
            col("archived", "Boolean"),
        ),
        table(
            mp,
            "tasks",
            col("id", "Integer", pk=True),
            col("project_id", "Integer", nullable=False, index=True, fk=("projects", "id", None)),
            col("title", "String", 300, nullable=False),
            col("created_at", "DateTime"),
            col("priority", "Integer", nullable=False),
        ),
        table(
            mp,
            "labels",
            col("id", "Integer", pk=True),
            col("name", "String", 50, nullable=False, index=True),
            col("colour", "String", 7),
            col("description", "Text"),
        ),
        table(
            mp,
            "task_labels",
            col("task_id", "Integer", pk=True, fk=("tasks", "id", None)),
            col("label_id", "Integer", pk=True, fk=("labels", "id", None)),
        ),
        table(
            mp,
            "comments",
            col("id", "Integer", pk=True),
            col("task_id", "Integer", nullable=False, index=True, fk=("tasks", "id", None)),
            col("body", "Text"),
            col("edited", "Boolean"),
            col("updated_by", "Integer"),
        ),
        table(
            mp,
            "audit_log",
            col("id", "Integer", pk=True),
            col("entity", "String", 50, nullable=False),
            col("entity_id", "Integer", nullable=False),
            col("payload", "JSON"),
            col("account_id", "Integer", fk=("accounts", "id", "SET NULL")),
        ),
    )


def pg_style_models() -> Schema:
    """The final state of tests/data/migrations/pg_style (dialect types, named ENUM)."""
    from drift_guard.types import model_column_type as mct

    mp = DATA / "pg_style" / "app" / "db" / "models.py"
    pg = "sqlalchemy.dialects.postgresql."
    events = table(
        mp,
        "events",
        col("id", "Integer", pk=True),
        col("kind", "Integer", nullable=False, index=True),
        col("payload", "Integer", nullable=False),
        col("tags", "Integer"),
        col("source_ip", "Integer", nullable=False),
        col("created_at", "DateTime", nullable=False, kwargs=(("timezone", True),)),
        col("note", "Text"),
        col("score", "BigInteger"),
    )
    real_types = {
        "id": mct(pg + "UUID", (), (("as_uuid", True),), spelled="postgresql.UUID(as_uuid=True)"),
        "kind": mct(pg + "ENUM", ("created", "deleted"), (("name", "event_kind"),), spelled="postgresql.ENUM(...)"),
        "payload": mct(pg + "JSONB", spelled="postgresql.JSONB"),
        "tags": mct(
            pg + "ARRAY",
            (),
            (),
            spelled="postgresql.ARRAY(sa.String(30))",
            item=mct("sqlalchemy.String", (30,), spelled="String(30)"),
        ),
        "source_ip": mct(pg + "INET", spelled="postgresql.INET"),
    }
    from dataclasses import replace

    columns = tuple(replace(c, type=real_types.get(c.name, c.type)) for c in events.columns)
    handles = table(
        mp, "handles", col("id", "Integer", pk=True), col("handle", "String", 40), col("event_id", "Integer")
    )
    handles = replace(
        handles,
        columns=tuple(replace(c, type=real_types["id"]) if c.name == "event_id" else c for c in handles.columns),
    )
    return schema(replace(events, columns=columns), handles)
