"""labels.color

Revision ID: r09
Revises: r08
Create Date: 2026-02-01 10:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "r09"
down_revision: Union[str, Sequence[str], None] = 'r08'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("labels", sa.Column("color", sa.String(length=7), nullable=True))


def downgrade() -> None:
    op.drop_column("labels", "color")
