"""rename labels.color to colour

Revision ID: r12
Revises: r11
Create Date: 2026-02-01 10:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "r12"
down_revision: Union[str, Sequence[str], None] = 'r11'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.alter_column("labels", "color", new_column_name="colour", existing_type=sa.String(length=7))


def downgrade() -> None:
    op.alter_column("labels", "colour", new_column_name="color", existing_type=sa.String(length=7))
