"""An alembic.ini whose script_location does not exist is one DG203, not a
DG201 "no migration creates it" for every model table."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from drift_guard.cli import main

CLEAN = Path(__file__).resolve().parents[1] / "fixtures" / "sample-clean" / "services" / "flask-backend"


def test_missing_script_location(tmp_path, monkeypatch, capsys):
    service = tmp_path / "svc"
    shutil.copytree(CLEAN, service)
    ini = service / "alembic.ini"
    ini.write_text(ini.read_text().replace("%(here)s/alembic", "%(here)s/migrations"))
    monkeypatch.chdir(service)
    status = main(["check", "--format", "json", "--select", "DG2"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["code"], f["location"]["path"]) for f in findings] == [("DG203", "alembic.ini")]
    assert "script_location `migrations` does not exist" in findings[0]["message"]
    assert status == 1
