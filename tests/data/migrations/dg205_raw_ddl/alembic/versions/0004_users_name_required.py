"""users.name is required, in PostgreSQL's words

Revision ID: 0004
Revises: 0003
Create Date: 2026-01-04 10:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: Union[str, None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.execute("UPDATE users SET name = '' WHERE name IS NULL")
    op.execute("ALTER TABLE users ALTER COLUMN name SET NOT NULL")


def downgrade() -> None:
    op.execute("ALTER TABLE users ALTER COLUMN name DROP NOT NULL")
