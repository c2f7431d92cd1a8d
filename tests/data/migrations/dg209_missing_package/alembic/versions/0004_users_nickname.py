"""users.nickname

Revision ID: 0004
Revises: 0003
Create Date: 2026-01-04 10:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlalchemy_utils
from alembic import op

from app.db.types import Tags, short_string

revision: str = "0004"
down_revision: Union[str, None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("users", sa.Column("nickname", short_string(), nullable=True))
    op.add_column("users", sa.Column("uid", sqlalchemy_utils.types.uuid.UUIDType(binary=False), nullable=True))
    op.add_column("users", sa.Column("tags", Tags(), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "tags")
    op.drop_column("users", "uid")
    op.drop_column("users", "nickname")
