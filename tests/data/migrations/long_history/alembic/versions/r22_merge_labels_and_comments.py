"""merge labels and comments

Revision ID: r22
Revises: r15, r21
Create Date: 2026-02-01 10:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "r22"
down_revision: Union[str, Sequence[str], None] = ('r15', 'r21')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
