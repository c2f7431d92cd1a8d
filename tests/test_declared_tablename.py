"""``@declared_attr __tablename__`` computed from the class name: what the
evaluator (used by the SQLAlchemy extractor) evaluates and what it refuses."""

from __future__ import annotations

import libcst as cst
import pytest

from drift_guard.extract.sqlalchemy.tablename import computed_tablename

CASES = [
    ("cls.__name__", "UserGroup"),
    ("cls.__name__.lower()", "usergroup"),
    ("klass.__name__.upper()", "USERGROUP"),
    ("cls.__name__.casefold()", "usergroup"),
    ("cls.__name__.lower() + 's'", "usergroups"),
    ("'tbl_' + cls.__name__.lower()", "tbl_usergroup"),
    ("f'{cls.__name__.lower()}s'", "usergroups"),
    ("f'app_{cls.__name__}'", "app_UserGroup"),
    ("re.sub(r'(?<!^)(?=[A-Z])', '_', cls.__name__).lower()", "user_group"),
    ("re.sub('([a-z])([A-Z])', r'\\1_\\2', cls.__name__).lower()", "user_group"),
    ("'fixed'", "fixed"),
]

# Spellings that are not evaluated: they stay "computed" (DG002), never guessed.
QUIET = [
    "cls.__name__.title()",
    "snake(cls.__name__)",
    "f'{cls.__name__!r}'",
    "f'{cls.__name__:>10}'",
    "cls.__qualname__",
    "cls.__name__.lower() + SUFFIX",
    "re.sub(PATTERN, '_', cls.__name__)",
    "re.sub('(', '_', cls.__name__)",
    "'%s' % cls.__name__",
    "pluralize(cls.__name__.lower())",
]


@pytest.mark.parametrize("source, expected", CASES)
def test_evaluated(source, expected):
    assert computed_tablename(cst.parse_expression(source), "UserGroup") == expected


@pytest.mark.parametrize("source", QUIET)
def test_not_evaluated(source):
    assert computed_tablename(cst.parse_expression(source), "UserGroup") is None


def test_nothing_returned():
    assert computed_tablename(None, "UserGroup") is None
