"""Fixed texts of a generated benchmark service (what does not depend on the table count).

Kept apart from ``generate.py`` so that the generator reads as the schema logic it is.
These texts mirror what ``alembic init`` writes and what the sample project in
``fixtures/sample-clean`` uses, because the benchmark is only meaningful on the layout
drift-guard is built for (and because ``alembic check`` runs the real ``env.py``).
"""

from __future__ import annotations

ALEMBIC_INI = """\
# Alembic configuration of the generated benchmark service.
[alembic]
script_location = alembic
prepend_sys_path = .
path_separator = os
sqlalchemy.url = sqlite:///bench.db

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
"""

ENV_PY = '''\
"""Alembic environment: the models in app.db own the schema."""

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool

from app.db.models import Base

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)
if os.environ.get("DATABASE_URL"):
    config.set_main_option("sqlalchemy.url", os.environ["DATABASE_URL"])

target_metadata = Base.metadata


def run_migrations_offline() -> None:
    """Emit SQL without a connection (``alembic upgrade --sql``)."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on a real connection."""
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
'''

# Alembic's own templates/generic/script.py.mako (Alembic 1.13+).
SCRIPT_MAKO = '''\
"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

# revision identifiers, used by Alembic.
revision: str = ${repr(up_revision)}
down_revision: Union[str, Sequence[str], None] = ${repr(down_revision)}
branch_labels: Union[str, Sequence[str], None] = ${repr(branch_labels)}
depends_on: Union[str, Sequence[str], None] = ${repr(depends_on)}


def upgrade() -> None:
    """Upgrade schema."""
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    """Downgrade schema."""
    ${downgrades if downgrades else "pass"}
'''

REVISION = '''\
"""create table {table}

Revision ID: {revision}
Revises: {down_label}
Create Date: 2026-01-01 00:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "{revision}"
down_revision: Union[str, Sequence[str], None] = {down_revision}
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "{table}",
{body}
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("{table}")
'''

MODELS_HEADER = '''\
"""SQLAlchemy models: the source of truth for the schema (see alembic/versions)."""

from datetime import datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import DateTime, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base: its metadata is Alembic's target_metadata."""
'''

PYDAL_HEADER = '''\
"""PyDAL runtime layer: every query goes through these tables.

PyDAL never touches the schema here (migrate=False); Alembic owns it.
"""

import os

from pydal import DAL, Field

db = DAL(
    os.environ.get("DATABASE_URL", "sqlite://storage.sqlite"),
    migrate=False,
    fake_migrate_all=True,
)
'''

ROUTE_HEADER = '''\
"""Runtime queries on {tables}: generated route module {index}."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.models import db

PAGE_SIZE = 50
'''

APP_INIT = '"""The generated benchmark application."""\n'
DB_INIT = '"""Schema layer: SQLAlchemy models, owned by Alembic migrations."""\n'
ROUTES_INIT = '"""Request handlers: they query the database through PyDAL only."""\n'
