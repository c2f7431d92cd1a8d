"""comments.body to Text

Revision ID: r17
Revises: r16
Create Date: 2026-02-01 10:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "r17"
down_revision: Union[str, Sequence[str], None] = 'r16'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.alter_column("comments", "body", type_=sa.Text(), existing_type=sa.String(length=500))


def downgrade() -> None:
    op.alter_column("comments", "body", type_=sa.String(length=500), existing_type=sa.Text())
