"""more default labels (bulk_insert)

Revision ID: r14
Revises: r13
Create Date: 2026-02-01 10:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "r14"
down_revision: Union[str, Sequence[str], None] = 'r13'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    labels = sa.table("labels", sa.column("name", sa.String), sa.column("colour", sa.String))
    op.bulk_insert(labels, [{"name": "feature", "colour": "#00ff00"}, {"name": "chore", "colour": "#cccccc"}])


def downgrade() -> None:
    op.execute("DELETE FROM labels WHERE name IN ('feature', 'chore')")
