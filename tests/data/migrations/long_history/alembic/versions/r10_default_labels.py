"""default labels (data)

Revision ID: r10
Revises: r09
Create Date: 2026-02-01 10:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "r10"
down_revision: Union[str, Sequence[str], None] = 'r09'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.execute("INSERT INTO labels (name, color) VALUES ('bug', '#ff0000')")


def downgrade() -> None:
    op.execute("DELETE FROM labels WHERE name = 'bug'")
