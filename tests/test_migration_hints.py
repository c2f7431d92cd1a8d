"""DG201's hint for a table env.py never imports (DG206) says to import it
first: `alembic revision --autogenerate` alone cannot see that table."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from drift_guard.cli import main

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "sample-clean"
SERVICE = Path("services") / "flask-backend"
BILLS = """import sqlalchemy as sa
from app.db.base import Base


class Bill(Base):
    __tablename__ = "bills"
    id = sa.Column(sa.Integer, primary_key=True)
"""


@pytest.mark.parametrize(
    ("module", "imported", "hint_start"),
    [
        ("billing.py", False, "import its module where target_metadata is assembled (DG206), then: cd "),
        # stays as before: the same table in models.py, which env.py imports
        ("models.py", True, "cd "),
    ],
)
def test_dg201_hint_for_unreached_table(tmp_path, monkeypatch, module, imported, hint_start):
    root = tmp_path / "sample"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("__pycache__"))
    target = root / SERVICE / "app" / "db" / module
    if module == "models.py":
        target.write_text(target.read_text() + "\n\n" + BILLS.split("\n\n\n", 1)[1])
    else:
        target.write_text(BILLS)
    monkeypatch.chdir(root)
    out = root / "r.json"
    main(["check", "--select", "DG2", "--format", "json", "--output", str(out)])
    findings = json.loads(out.read_text())["findings"]
    assert sorted(f["code"] for f in findings) == (["DG201"] if imported else ["DG201", "DG206"])
    (dg201,) = [f for f in findings if f["code"] == "DG201"]
    assert dg201["table"] == "bills"
    assert dg201["hint"].startswith(hint_start)
    assert dg201["hint"].endswith("alembic revision --autogenerate -m 'add bills'")
