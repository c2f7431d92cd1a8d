"""import staging table (data)

Revision ID: r26
Revises: r25
Create Date: 2026-02-01 10:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "r26"
down_revision: Union[str, Sequence[str], None] = 'r25'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table("tmp_import", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("raw", sa.Text()))
    op.execute("INSERT INTO tmp_import (raw) VALUES ('a'), ('b')")
    op.execute("INSERT INTO audit_log (entity, entity_id) SELECT 'import', id FROM tmp_import")


def downgrade() -> None:
    op.drop_table("tmp_import")
