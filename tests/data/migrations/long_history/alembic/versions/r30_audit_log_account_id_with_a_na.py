"""audit_log.account_id with a named FK

Revision ID: r30
Revises: r29
Create Date: 2026-02-01 10:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "r30"
down_revision: Union[str, Sequence[str], None] = 'r29'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("account_id", sa.Integer(), nullable=True))
    op.create_foreign_key("fk_audit_account", "audit_log", "accounts", ["account_id"], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    op.drop_constraint("fk_audit_account", "audit_log", type_="foreignkey")
    op.drop_column("audit_log", "account_id")
