"""Billing models: env.py imports them inside run_migrations_online(), which it
calls at load time, so `invoices` is on target_metadata when autogenerate runs."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models import Base


class Invoice(Base):
    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    amount: Mapped[int] = mapped_column(sa.Integer)
