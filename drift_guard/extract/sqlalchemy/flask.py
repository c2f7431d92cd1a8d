"""Flask-SQLAlchemy's ``db = SQLAlchemy()`` object, read as what it stands for.

Flask-SQLAlchemy projects write ``class User(db.Model)`` with ``db.Column``,
``db.String(120)``, ``db.ForeignKey``, ``db.relationship``: the extension object
re-exports every name of ``sqlalchemy`` and ``sqlalchemy.orm`` (its
``_include_sqlalchemy``), and ``db.Model`` is a declarative base whose metadata
is ``db.metadata``. Without this every model of such a project was an
unreadable base (DG002) and nothing was compared.

A model without ``__tablename__`` gets Flask-SQLAlchemy's automatic snake_case
name when it declares a primary key (its ``should_set_tablename``), as a plain
declarative class would be skipped and every table reported missing.

``db.Table("post_tags", db.Column(...), ...)`` (an association table) is a
model table too: Flask-SQLAlchemy's version puts it in ``db.metadata`` when no
MetaData is passed second (``db.metadatas[key]`` with ``bind_key=key``), so it
is not re-exported as ``sqlalchemy.Table`` but read by the table builder;
``sa.Table(..., db.metadata)`` and ``Table(..., db.Model.metadata)`` are on
the same metadata.
"""

from __future__ import annotations

import re
from typing import Callable

import libcst as cst

from drift_guard.extract.sqlalchemy.known import is_sa_export

FLASK_SQLALCHEMY = ("flask_sqlalchemy.SQLAlchemy", "flask_sqlalchemy.extension.SQLAlchemy")
_NOT_REEXPORTED = frozenset({"Table", "Model"})


def is_flask_sqlalchemy(value: cst.BaseExpression | None, qualify: Callable[[cst.BaseExpression], str | None]) -> bool:
    """Whether ``value`` is a ``SQLAlchemy(...)`` call of Flask-SQLAlchemy."""
    return isinstance(value, cst.Call) and qualify(value.func) in FLASK_SQLALCHEMY


def reexported(attr: str) -> str | None:
    """``db.<attr>`` -> the SQLAlchemy name it is (``sqlalchemy.Column``,
    ``sqlalchemy.orm.relationship``), or None."""
    if attr in _NOT_REEXPORTED or attr.startswith("_"):
        return None
    for package in ("sqlalchemy", "sqlalchemy.orm"):
        if is_sa_export(f"{package}.{attr}"):
            return f"{package}.{attr}"
    return None


def flask_tablename(class_name: str) -> str:
    """Flask-SQLAlchemy 3's automatic ``__tablename__`` (``camel_to_snake_case``
    in flask_sqlalchemy/model.py): ``UserGroup`` -> ``user_group``."""
    name = re.sub(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))", r"_\1", class_name)
    return name.lower().lstrip("_")


def declares_primary_key(call: cst.Call | None) -> bool:
    """``Column(..., primary_key=True)`` / ``mapped_column(primary_key=True)``."""
    if call is None:
        return False
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "primary_key":
            return isinstance(arg.value, cst.Name) and arg.value.value == "True"
    return False
