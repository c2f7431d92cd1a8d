"""Inputs the fuzz suite found that made drift-guard raise (a traceback)."""

from __future__ import annotations

import shutil
from pathlib import Path

from drift_guard.config import load_config
from drift_guard.engine import run
from drift_guard.session import RunOptions

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "sample-clean"
MODELS = Path("services") / "flask-backend" / "app" / "db" / "models.py"


def test_a_foreign_key_to_a_column_the_models_lack_is_no_crash(tmp_path):
    """Deleting `from sqlalchemy.orm import Mapped, mapped_column, ...` leaves
    `teams` without the `id` column `ForeignKey("teams.id")` refers to; the
    migration compare built a MetaData SQLAlchemy refused
    (NoReferencedColumnError). The key is now left out of the compare."""
    root = tmp_path / "sample"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("__pycache__"))
    models = root / MODELS
    lines = models.read_text().splitlines(keepends=True)
    assert lines[6].startswith("from sqlalchemy.orm import")
    models.write_text("".join(lines[:6] + lines[7:]))
    findings = run([root], load_config(root), options=RunOptions()).findings
    assert findings  # the damaged models differ from the migrations and from PyDAL
    assert all(f.location.path and f.location.line >= 1 for f in findings)
