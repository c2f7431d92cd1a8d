"""longer task titles

Revision ID: r18
Revises: r17
Create Date: 2026-02-01 10:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "r18"
down_revision: Union[str, Sequence[str], None] = 'r17'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.alter_column("tasks", "title", type_=sa.String(length=300), existing_type=sa.String(length=200), existing_nullable=False)


def downgrade() -> None:
    op.alter_column("tasks", "title", type_=sa.String(length=200), existing_type=sa.String(length=300))
