"""handles: PostgreSQL default constraint names and server-only SQL

Revision ID: p03
Revises: p02
Create Date: 2026-03-03 10:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "p03"
down_revision: Union[str, None] = "p02"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS plpgsql")
    op.execute("COMMENT ON TABLE events IS 'what happened'")
    op.create_table(
        "handles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("handle", sa.String(length=40), unique=True),
        sa.Column("event_id", postgresql.UUID(as_uuid=True), sa.ForeignKey("events.id")),
    )
    # PostgreSQL named these itself; SQLite created them unnamed.
    op.drop_constraint("handles_handle_key", "handles", type_="unique")
    op.drop_constraint("handles_event_id_fkey", "handles", type_="foreignkey")
    op.execute("INSERT INTO handles (handle) VALUES ('first')")


def downgrade() -> None:
    op.drop_table("handles")
