"""unique accounts.email

Revision ID: r25
Revises: r24
Create Date: 2026-02-01 10:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "r25"
down_revision: Union[str, Sequence[str], None] = 'r24'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_unique_constraint("uq_accounts_email", "accounts", ["email"])


def downgrade() -> None:
    op.drop_constraint("uq_accounts_email", "accounts", type_="unique")
