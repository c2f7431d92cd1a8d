"""A code that did not run (--no-migrations, --select) never makes a suppression
"unused" (DG003) or a baseline entry "stale" (DG004)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from drift_guard.cli import main

CASE = Path(__file__).parent / "rules" / "DG106"


def codes(argv, monkeypatch, capsys, where: Path) -> list[str]:
    monkeypatch.chdir(where)
    main(["check", "--format", "json", *argv])
    return [f["code"] for f in json.loads(capsys.readouterr().out)["findings"]]


def test_suppression_of_a_code_that_did_not_run(tmp_path, monkeypatch, capsys):
    for source in (CASE / "quiet_same_length").glob("*.py"):
        shutil.copy(source, tmp_path)
    tables = tmp_path / "pydal_tables.py"
    tables.write_text(tables.read_text().replace("length=255))", "length=255))  # drift-guard: ignore[DG201]"))
    assert codes(["--no-migrations"], monkeypatch, capsys, tmp_path) == []
    assert codes([], monkeypatch, capsys, tmp_path) == ["DG003"]  # DG201 ran and found nothing there


def test_baseline_entries_of_unselected_codes_are_not_stale(tmp_path, monkeypatch, capsys):
    for source in (CASE / "fires_implicit_512").glob("*.py"):
        shutil.copy(source, tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["baseline", "baseline.json", "--no-migrations"]) == 0
    capsys.readouterr()
    assert (
        codes(["--no-migrations", "--baseline", "baseline.json", "--select", "DG101"], monkeypatch, capsys, tmp_path)
        == []
    )
    (tmp_path / "pydal_tables.py").write_text(
        (tmp_path / "pydal_tables.py").read_text().replace('"string")', '"string", length=255)')
    )
    assert codes(["--no-migrations", "--baseline", "baseline.json"], monkeypatch, capsys, tmp_path) == ["DG004"]
