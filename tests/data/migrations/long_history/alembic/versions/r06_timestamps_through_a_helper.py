"""timestamps through a helper

Revision ID: r06
Revises: r05
Create Date: 2026-02-01 10:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "r06"
down_revision: Union[str, Sequence[str], None] = 'r05'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    for table in ("projects", "tasks"):
        _add_timestamp(table)


def _add_timestamp(table: str) -> None:
    op.add_column(table, sa.Column("created_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    for table in ("projects", "tasks"):
        op.drop_column(table, "created_at")
