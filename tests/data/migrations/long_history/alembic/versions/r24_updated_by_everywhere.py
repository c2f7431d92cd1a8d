"""updated_by everywhere (helper in a loop)

Revision ID: r24
Revises: r23
Create Date: 2026-02-01 10:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "r24"
down_revision: Union[str, Sequence[str], None] = 'r23'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    for table in ("projects", "tasks", "comments"):
        _add_column(table, "updated_by", sa.Integer())


def _add_column(table: str, name: str, type_: sa.types.TypeEngine) -> None:
    op.add_column(table, sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    for table in ("projects", "tasks", "comments"):
        op.drop_column(table, "updated_by")
