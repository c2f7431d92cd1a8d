"""project titles optional

Revision ID: r31
Revises: r30
Create Date: 2026-02-01 10:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "r31"
down_revision: Union[str, Sequence[str], None] = 'r30'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.alter_column("projects", "title", existing_type=sa.String(length=200), nullable=True)


def downgrade() -> None:
    op.alter_column("projects", "title", existing_type=sa.String(length=200), nullable=False)
