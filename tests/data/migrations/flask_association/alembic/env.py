"""Alembic environment (never executed by drift-guard's static replay)."""
from alembic import context

import app.db.follows  # noqa: F401  (registers user_follows)
import app.db.models  # noqa: F401
import app.db.tags  # noqa: F401  (registers post_tags)
from app.db import db

target_metadata = db.metadata


def run_migrations_online() -> None:
    connectable = db.engine
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
