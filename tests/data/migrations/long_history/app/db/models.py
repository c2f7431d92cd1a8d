from __future__ import annotations

from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (sa.UniqueConstraint("email", name="uq_accounts_email"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(255))
    name: Mapped[Optional[str]] = mapped_column(sa.String(100))
    status: Mapped[str] = mapped_column(sa.String(20))
    is_admin: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    title: Mapped[Optional[str]] = mapped_column(sa.String(200))
    created_at: Mapped[Optional[Any]] = mapped_column(sa.DateTime)
    updated_by: Mapped[Optional[int]] = mapped_column(sa.Integer)
    archived: Mapped[Optional[bool]] = mapped_column(sa.Boolean)


class Task(Base):
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    created_at: Mapped[Optional[Any]] = mapped_column(sa.DateTime)
    priority: Mapped[int] = mapped_column(sa.Integer, server_default="0")


class Label(Base):
    __tablename__ = "labels"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50), index=True)
    colour: Mapped[Optional[str]] = mapped_column(sa.String(7))
    description: Mapped[Optional[str]] = mapped_column(sa.Text)


class TaskLabel(Base):
    __tablename__ = "task_labels"

    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id"), primary_key=True)
    label_id: Mapped[int] = mapped_column(sa.ForeignKey("labels.id"), primary_key=True)


class Comment(Base):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id"), index=True)
    body: Mapped[Optional[str]] = mapped_column(sa.Text)
    edited: Mapped[Optional[bool]] = mapped_column(sa.Boolean)
    updated_by: Mapped[Optional[int]] = mapped_column(sa.Integer)


class AuditLog(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    entity: Mapped[str] = mapped_column(sa.String(50))
    entity_id: Mapped[int] = mapped_column(sa.Integer)
    payload: Mapped[Optional[Any]] = mapped_column(sa.JSON)
    account_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="SET NULL", name="fk_audit_account")
    )
