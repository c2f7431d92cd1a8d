"""accounts.status with a data migration

Revision ID: r03
Revises: r02
Create Date: 2026-02-01 10:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "r03"
down_revision: Union[str, Sequence[str], None] = 'r02'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("status", sa.String(length=20), nullable=True))
    op.execute("UPDATE accounts SET status = 'active'")


def downgrade() -> None:
    op.drop_column("accounts", "status")
