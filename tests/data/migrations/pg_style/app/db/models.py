from __future__ import annotations

import uuid
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Event(Base):
    __tablename__ = "events"

    id: Mapped[uuid.UUID] = mapped_column(postgresql.UUID(as_uuid=True), primary_key=True)
    kind: Mapped[str] = mapped_column(postgresql.ENUM("created", "deleted", name="event_kind"), index=True)
    payload: Mapped[Any] = mapped_column(postgresql.JSONB, server_default=sa.text("'{}'::jsonb"))
    tags: Mapped[Optional[list[str]]] = mapped_column(postgresql.ARRAY(sa.String(30)))
    source_ip: Mapped[str] = mapped_column(postgresql.INET)
    created_at: Mapped[Any] = mapped_column(sa.DateTime(timezone=True), server_default=sa.text("now()"))
    note: Mapped[Optional[str]] = mapped_column(sa.Text)
    score: Mapped[Optional[int]] = mapped_column(sa.BigInteger)


class Handle(Base):
    __tablename__ = "handles"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    handle: Mapped[Optional[str]] = mapped_column(sa.String(40))
    event_id: Mapped[Optional[uuid.UUID]] = mapped_column(postgresql.UUID(as_uuid=True))
