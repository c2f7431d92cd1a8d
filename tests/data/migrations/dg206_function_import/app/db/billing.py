"""Billing models: imported only under TYPE_CHECKING and in a helper nobody calls
while env.py loads, so Base.metadata lacks `invoices` when autogenerate compares."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models import Base


class Invoice(Base):
    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    amount: Mapped[int] = mapped_column(sa.Integer)
