"""comments.edited and index (batch)

Revision ID: r21
Revises: r20
Create Date: 2026-02-01 10:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "r21"
down_revision: Union[str, Sequence[str], None] = 'r20'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("comments") as batch_op:
        batch_op.add_column(sa.Column("edited", sa.Boolean(), nullable=True))
        batch_op.create_index("ix_comments_task_id", ["task_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("comments") as batch_op:
        batch_op.drop_index("ix_comments_task_id")
        batch_op.drop_column("edited")
