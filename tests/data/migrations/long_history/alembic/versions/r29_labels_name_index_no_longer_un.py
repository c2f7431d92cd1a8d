"""labels.name index no longer unique

Revision ID: r29
Revises: r28
Create Date: 2026-02-01 10:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "r29"
down_revision: Union[str, Sequence[str], None] = 'r28'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.drop_index("ix_labels_name", table_name="labels")
    op.create_index("ix_labels_name", "labels", ["name"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_labels_name", table_name="labels")
    op.create_index("ix_labels_name", "labels", ["name"], unique=True)
