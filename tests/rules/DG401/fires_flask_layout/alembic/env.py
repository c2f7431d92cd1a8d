from alembic import context

import app.db.models  # noqa: F401 - registers the models on db.metadata
from app.extensions import db

target_metadata = db.metadata


def run_migrations_online() -> None:
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
