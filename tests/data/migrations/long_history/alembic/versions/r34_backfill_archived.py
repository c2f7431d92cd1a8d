"""backfill archived (depends on the labels branch)

Revision ID: r34
Revises: r33
Create Date: 2026-02-01 10:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "r34"
down_revision: Union[str, Sequence[str], None] = 'r33'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = ('r13',)


def upgrade() -> None:
    op.execute("UPDATE projects SET archived = false")


def downgrade() -> None:
    op.execute("UPDATE projects SET archived = NULL")
