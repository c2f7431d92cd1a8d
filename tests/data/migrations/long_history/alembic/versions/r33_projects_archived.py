"""projects.archived

Revision ID: r33
Revises: r32
Create Date: 2026-02-01 10:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "r33"
down_revision: Union[str, Sequence[str], None] = 'r32'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("projects", sa.Column("archived", sa.Boolean(), nullable=True))


def downgrade() -> None:
    op.drop_column("projects", "archived")
