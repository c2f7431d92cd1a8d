"""drop the staging table

Revision ID: r32
Revises: r31
Create Date: 2026-02-01 10:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "r32"
down_revision: Union[str, Sequence[str], None] = 'r31'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.drop_table("tmp_import")


def downgrade() -> None:
    op.create_table("tmp_import", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("raw", sa.Text()))
