"""DG305 reads SQL as SQL: comments do not hide DDL, quoted text is not DDL, and
DDL built with ``+``, ``%`` or ``.format`` is found from its literal start
(f-strings already were; their placeholders show as ``x``)."""

from __future__ import annotations

import pytest

from drift_guard.cli import main
from drift_guard.rules.runtime_safety import runtime_ddl_statement


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("-- why\nDROP TABLE x", "DROP TABLE x"),
        ("/* note */ DROP TABLE x", "DROP TABLE x"),
        ("SELECT 1; /* x */ TRUNCATE t", "TRUNCATE t"),
        ("ALTER TABLE t ADD c CHAR(3) DEFAULT 'a;b'", "ALTER TABLE t ADD c CHAR(3) DEFAULT 'a;b'"),
        # stays quiet
        ("SELECT 'x;DROP TABLE y'", None),
        ("INSERT INTO t VALUES ('CREATE TABLE z')", None),
        ("SELECT 1 -- DROP TABLE x", None),
        ("SELECT /* DROP TABLE x */ 1", None),
        ("CREATE TEMP TABLE t (a int)", None),
    ],
)
def test_runtime_ddl_statement(sql, expected):
    assert runtime_ddl_statement(sql) == expected


SOURCE = """from pydal import DAL
db = DAL("sqlite://", migrate=False)
name = "t"
db.executesql(f"DROP TABLE {name}")
db.executesql("DROP TABLE " + name)
db.executesql("DROP TABLE %s" % name)
db.executesql("DROP TABLE {}".format(name))
db.executesql("SELECT * FROM t WHERE a = %s" % name)
db.executesql(f"SELECT {name} FROM t")
"""


def test_built_sql_is_found_and_shown_as_written(tmp_path, monkeypatch, capsys):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "x.py").write_text(SOURCE)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--select", "DG305", "--quiet"]) == 1
    out = [line for line in capsys.readouterr().out.splitlines() if " DG305 " in line]
    assert [line.split("run time: ", 1)[1] for line in out] == [
        "`DROP TABLE x`",
        "`DROP TABLE {...}`",
        "`DROP TABLE %s`",
        "`DROP TABLE {}`",
    ]
    assert [line.split(":")[1] for line in out] == ["4", "5", "6", "7"]
