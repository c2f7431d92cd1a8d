"""DG401 must not call the schema layer's own plumbing "runtime": a package
``__init__`` that re-exports ``Base`` for env.py is part of the schema layer."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from drift_guard.cli import main

CLEAN = Path(__file__).resolve().parents[1] / "fixtures" / "sample-clean"


def test_reexporting_package_init_is_schema_layer_but_views_are_not(tmp_path, monkeypatch, capsys):
    project = tmp_path / "repo"
    shutil.copytree(CLEAN, project)
    service = project / "services" / "flask-backend"
    (service / "app" / "db" / "__init__.py").write_text(
        '"""Schema layer."""\nfrom .base import Base\nfrom .models import *  # noqa: F403\n'
    )
    env = service / "alembic" / "env.py"
    env.write_text(env.read_text().replace("from app.db.models import Base", "from app.db import Base"))
    (service / "app" / "views.py").write_text(
        "from app.db.models import User\n\n\ndef users(session):\n    return session.query(User).all()\n"
    )
    monkeypatch.chdir(project)
    status = main(["check", "--format", "json", "--select", "DG401", "--no-migrations"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["location"]["path"], f["location"]["line"]) for f in findings] == [
        ("services/flask-backend/app/views.py", 1)
    ]
    assert status == 1
