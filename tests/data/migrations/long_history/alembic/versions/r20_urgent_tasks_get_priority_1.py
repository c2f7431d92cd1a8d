"""urgent tasks get priority 1 (data)

Revision ID: r20
Revises: r19
Create Date: 2026-02-01 10:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "r20"
down_revision: Union[str, Sequence[str], None] = 'r19'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.execute("UPDATE tasks SET priority = 1 WHERE title LIKE 'urgent%'")


def downgrade() -> None:
    op.execute("UPDATE tasks SET priority = 0")
