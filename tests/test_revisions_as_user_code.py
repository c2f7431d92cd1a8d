"""Revision scripts are user code: one that calls sys.exit() (in upgrade() or at
import) is a located DG205, not the end of drift-guard with the revision's exit
status and no report (sys.exit(0) would be a silent pass in CI)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from drift_guard.cli import main

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "sample-clean"
VERSIONS = Path("services") / "flask-backend" / "alembic" / "versions"

HEADER = 'import sys\nfrom alembic import op\nrevision = "0003"\ndown_revision = "0002"\n'


@pytest.mark.parametrize(
    ("body", "line", "fragment"),
    [
        ("def upgrade():\n    sys.exit(0)\n\ndef downgrade():\n    sys.exit(0)\n", 6, "sys.exit(0)"),
        ("def upgrade():\n    raise SystemExit(3)\n\ndef downgrade():\n    raise SystemExit(3)\n", 6, "sys.exit(3)"),
        ("sys.exit()\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n", 5, "sys.exit()"),
        # stays quiet: an upgrade that works
        ('def upgrade():\n    op.execute("SELECT 1")\n\ndef downgrade():\n    op.execute("SELECT 1")\n', None, None),
    ],
)
def test_revision_calling_sys_exit_is_a_dg205(tmp_path, monkeypatch, body, line, fragment):
    root = tmp_path / "sample"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("__pycache__"))
    (root / VERSIONS / "20260301_0003.py").write_text(HEADER + body)
    monkeypatch.chdir(root)
    out = root / "report.json"
    code = main(["check", "--format", "json", "--output", str(out)])
    findings = json.loads(out.read_text())["findings"]
    if fragment is None:
        assert (code, findings) == (0, [])
        return
    assert code == 1
    assert [f["code"] for f in findings] == ["DG205"]
    assert findings[0]["location"]["path"].endswith("20260301_0003.py")
    assert findings[0]["location"]["line"] == line
    assert fragment in findings[0]["message"]


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_what_a_revision_prints_does_not_corrupt_the_report_on_stdout(tmp_path, monkeypatch, capsys, fmt):
    root = tmp_path / "sample"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("__pycache__"))
    body = 'print("loading 0003")\n\ndef upgrade():\n    print("upgrading")\n\ndef downgrade():\n    print("down")\n'
    (root / VERSIONS / "20260301_0003.py").write_text(HEADER + body)
    monkeypatch.chdir(root)
    assert main(["check", "--format", fmt]) == 0
    captured = capsys.readouterr()
    json.loads(captured.out)  # the whole of stdout is the report
    assert "loading 0003" in captured.err and "upgrading" in captured.err
