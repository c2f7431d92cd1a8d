"""What the runtime scan can and cannot resolve statically (the basis of DG301-DG305)."""

from __future__ import annotations

import ast

import pytest

from drift_guard.extract.runtime.values import Scope, module_constants, resolve, sql_text, string_prefix
from drift_guard.schema import UNKNOWN


def expression(code: str) -> ast.expr:
    return ast.parse(code, mode="eval").body


MODULE = ast.parse("FLAG = True\nTWICE = 1\nTWICE = 2\nURI = 'mysql://h/d'\nSETTINGS = load()\n")
SCOPE = Scope(
    module_constants(MODULE),
    (
        ("outer", {"migrate": expression("False"), "uri": None}),
        ("inner", {"migrate": expression("True")}),  # innermost wins
    ),
)


@pytest.mark.parametrize(
    ("expr", "value", "via"),
    [
        ("True", True, None),
        ("0", 0, None),
        ("'users.table'", "users.table", None),
        ("not False", True, None),
        ("FLAG", True, None),
        ("not FLAG", False, None),
        ("migrate", True, "the default of parameter `migrate` of `inner()`"),
        ("TWICE", UNKNOWN, None),  # assigned twice: not a constant
        ("SETTINGS", UNKNOWN, None),
        ("uri", UNKNOWN, None),  # a parameter without a default
        ("os.environ.get('M')", UNKNOWN, None),
        ("settings.MIGRATE", UNKNOWN, None),
    ],
)
def test_resolve(expr: str, value: object, via: str | None) -> None:
    got = resolve(expression(expr), SCOPE, expr)
    assert (got.value, got.via, got.spelled) == (value, via, expr)


@pytest.mark.parametrize(
    ("expr", "prefix"),
    [
        ("'postgres://u@h/d'", "postgres://u@h/d"),
        ("URI", "mysql://h/d"),
        ("f'postgres3://{user}@{host}/db'", "postgres3://"),
        ("f'{scheme}://h/d'", None),
        ("'sqlite:' 'memory'", "sqlite:memory"),
        ("get_uri()", None),
    ],
)
def test_string_prefix(expr: str, prefix: str | None) -> None:
    assert string_prefix(expression(expr), SCOPE) == prefix


@pytest.mark.parametrize(
    ("expr", "sql"),
    [
        ("'DROP TABLE t'", "DROP TABLE t"),
        ("text('ALTER TABLE t ADD c int')", "ALTER TABLE t ADD c int"),
        ("sa.text('TRUNCATE t')", "TRUNCATE t"),
        ("f'CREATE INDEX {name} ON t (c)'", "CREATE INDEX x ON t (c)"),
        ("query", None),
        ("'SELECT ' + cols", None),
    ],
)
def test_sql_text(expr: str, sql: str | None) -> None:
    assert sql_text(expression(expr), SCOPE) == sql
