from __future__ import annotations

from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(255), unique=True)
    name: Mapped[Optional[str]] = mapped_column(sa.String(100))
    created_at: Mapped[Optional[sa.DateTime]] = mapped_column(sa.DateTime)
    nickname: Mapped[Optional[str]] = mapped_column(sa.String(50))


class Post(Base):
    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[Optional[str]] = mapped_column(sa.Text)
