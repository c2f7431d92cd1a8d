"""Golden fixture projects for DG112, DG301-DG306, DG401 and DG402.

``tests/data/runtime/<CODE>/<case>/`` is a tiny dual-layer project (SQLAlchemy
models in ``app/db/models.py``, PyDAL in ``app/models.py``); ``expected.txt`` is
exactly what ``drift-guard check --select CODE --no-migrations`` prints there.
``fires*`` cases must report the code, ``quiet*`` cases nothing. Regenerate after
a deliberate change with ``DRIFT_GUARD_UPDATE_GOLDEN=1`` and review the diff.
Same layout and contract as tests/rules/ (tests/test_rule_golden.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from drift_guard.cli import main

CASES_DIR = Path(__file__).parent / "data" / "runtime"
CASES = sorted(p for p in CASES_DIR.glob("DG*/*") if p.is_dir())
CODES = ("DG112", "DG301", "DG302", "DG303", "DG304", "DG305", "DG306", "DG401", "DG402")


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_golden(case: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code = case.parent.name
    monkeypatch.chdir(case)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    status = main(["check", "--select", code, "--format", "text", "--no-migrations"])
    out = capsys.readouterr().out
    expected = case / "expected.txt"
    if os.environ.get("DRIFT_GUARD_UPDATE_GOLDEN"):
        expected.write_text(out)
    assert out == expected.read_text()
    reported = [line for line in out.splitlines() if f" {code} [" in line]
    if case.name.startswith("quiet"):
        assert reported == [] and status == 0
    else:
        assert case.name.startswith("fires"), f"case {case.name} must be named fires* or quiet*"
        assert reported, f"{code} did not fire"


@pytest.mark.parametrize("code", CODES)
def test_every_rule_has_a_firing_and_a_quiet_case(code: str) -> None:
    names = [p.name for p in (CASES_DIR / code).iterdir() if p.is_dir()]
    assert any(n.startswith("fires") for n in names) and any(n.startswith("quiet") for n in names), names
