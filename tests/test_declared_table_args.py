"""A mixin's ``@declared_attr __table_args__`` naming its
index after ``cls.__tablename__`` (``Index(f"ix_{cls.__tablename__}_tenant",
...)``) lost the index name, so the migration check reported every such index
as "created by a migration but not in the model"."""

from __future__ import annotations

import textwrap

import pytest

from drift_guard.extract.sqlalchemy import extract_models

SOURCE = """\
from sqlalchemy import Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, declared_attr


class Base(DeclarativeBase):
    pass


class TenantMixin:
    tenant_id = Column(Integer, nullable=False)

    @declared_attr.directive
    def __table_args__(cls):
        return ({element},)


class Project(TenantMixin, Base):
    __tablename__ = "project"
    id = Column(Integer, primary_key=True)
"""

CASES = [
    ('Index(f"ix_{cls.__tablename__}_tenant", "tenant_id")', "indexes", "ix_project_tenant"),
    ('Index("ix_" + cls.__tablename__ + "_t", "tenant_id")', "indexes", "ix_project_t"),
    ('Index(f"ix_{cls.__name__.lower()}_tenant", "tenant_id")', "indexes", "ix_project_tenant"),
    ('UniqueConstraint("tenant_id", name=f"uq_{cls.__tablename__}_tenant")', "unique_constraints", "uq_project_tenant"),
    ('Index("ix_literal", "tenant_id")', "indexes", "ix_literal"),
    # not evaluated: stays unnamed, as before
    ('Index(make_name(cls), "tenant_id")', "indexes", None),
]


@pytest.mark.parametrize("element, kind, expected", CASES)
def test_declared_table_args_names(tmp_path, element, kind, expected):
    path = tmp_path / "models.py"
    path.write_text(SOURCE.format(element=element))
    schema = extract_models([path])
    (table,) = schema.tables
    (item,) = getattr(table, kind)
    assert item.name == expected
    assert item.columns == ("tenant_id",)


def test_plain_table_args_do_not_evaluate_cls(tmp_path):
    """``cls`` means nothing in a class-body ``__table_args__``: no evaluation there."""
    path = tmp_path / "models.py"
    path.write_text(
        textwrap.dedent("""\
        from sqlalchemy import Column, Index, Integer
        from sqlalchemy.orm import DeclarativeBase

        class Base(DeclarativeBase):
            pass

        class Project(Base):
            __tablename__ = "project"
            __table_args__ = (Index(f"ix_{cls.__tablename__}", "id"),)
            id = Column(Integer, primary_key=True)
    """)
    )
    (table,) = extract_models([path]).tables
    assert [i.name for i in table.indexes] == [None]
