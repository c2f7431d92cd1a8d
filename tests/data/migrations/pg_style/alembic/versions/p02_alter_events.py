"""alter events the PostgreSQL way

Revision ID: p02
Revises: p01
Create Date: 2026-03-02 10:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "p02"
down_revision: Union[str, None] = "p01"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.alter_column("events", "score", type_=sa.BigInteger(), existing_type=sa.Integer(),
                    postgresql_using="score::bigint")
    op.alter_column("events", "source_ip", existing_type=postgresql.INET(), nullable=False,
                    server_default=sa.text("'0.0.0.0'::inet"))
    op.add_column("events", sa.Column("note", sa.String(length=100), nullable=True))
    op.alter_column("events", "note", type_=sa.Text(), existing_type=sa.String(length=100))
    op.create_index("ix_events_kind", "events", ["kind"])
    op.drop_column("events", "score")
    op.add_column("events", sa.Column("score", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    op.drop_index("ix_events_kind", table_name="events")
    op.drop_column("events", "note")
    op.alter_column("events", "source_ip", existing_type=postgresql.INET(), nullable=True, server_default=None)
