"""labels.description

Revision ID: r15
Revises: r14
Create Date: 2026-02-01 10:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "r15"
down_revision: Union[str, Sequence[str], None] = 'r14'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("labels", sa.Column("description", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("labels", "description")
