"""DG306 reports PyDAL `.table` pickles that are evidence in the repository:
not those a test suite's throwaway database left, and not those git ignores
(`*.table` in .gitignore is the rule's own fix)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from drift_guard.cli import main

FILES = ["databases/a_users.table", "tests/databases/b_users.table", "app/c_users.table"]


@pytest.mark.parametrize(
    ("gitignore", "expected"),
    [
        (None, ["app/c_users.table", "databases/a_users.table"]),
        ("databases/\n", ["app/c_users.table"]),
        ("*.table\n", []),
    ],
)
def test_reported_table_files(tmp_path, monkeypatch, capsys, gitignore, expected):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "db.py").write_text('from pydal import DAL\ndb = DAL("sqlite://", migrate=False)\n')
    for rel in FILES:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("pickle")
    if gitignore is not None:
        if shutil.which("git") is None:
            pytest.fail("git is required for this test")
        subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
        (tmp_path / ".gitignore").write_text(gitignore)
    monkeypatch.chdir(tmp_path)
    main(["check", "--select", "DG306", "--quiet"])
    found = [line.split(":", 1)[0] for line in capsys.readouterr().out.splitlines() if " DG306 " in line]
    assert found == expected
