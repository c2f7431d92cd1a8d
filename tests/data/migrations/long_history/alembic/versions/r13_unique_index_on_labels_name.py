"""unique index on labels.name

Revision ID: r13
Revises: r12
Create Date: 2026-02-01 10:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "r13"
down_revision: Union[str, Sequence[str], None] = 'r12'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index("ix_labels_name", "labels", ["name"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_labels_name", table_name="labels")
