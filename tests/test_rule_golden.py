"""Golden fixtures: ``tests/rules/<CODE>/<case>/`` is a tiny project; ``expected.txt``
is exactly what ``drift-guard check --select CODE`` prints there.

A case may hold a ``project.txt`` naming the project folder (relative to the
case) instead of the project itself, so the migration cases share the fixture
projects of tests/data/migrations, and an ``args.txt`` with the CLI arguments
(default ``--no-migrations``), and a ``hidden.txt`` naming modules the run
must find not installed (one a line: the import is made to fail, as for a
package that is absent). Cases named ``fires*`` must report the code; cases named ``quiet*`` must report
nothing. Regenerate after a deliberate change with ``DRIFT_GUARD_UPDATE_GOLDEN=1``
and review the diff.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

import pytest

from drift_guard.cli import main

RULES_DIR = Path(__file__).parent / "rules"
CASES = sorted(p for p in RULES_DIR.glob("DG*/*") if p.is_dir())


def case_args(case: Path) -> list[str]:
    """Extra CLI arguments for a case, from an optional ``args.txt``."""
    extra = case / "args.txt"
    return shlex.split(extra.read_text()) if extra.exists() else ["--no-migrations"]


class _Hidden:
    """A meta-path finder that makes importing the given top-level modules fail."""

    def __init__(self, names: set[str]) -> None:
        self.names = names

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name.split(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def hide_modules(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    listed = case / "hidden.txt"
    if not listed.exists():
        return
    names = set(listed.read_text().split())
    for loaded in [m for m in sys.modules if m.split(".")[0] in names]:
        monkeypatch.delitem(sys.modules, loaded)
    monkeypatch.setattr(sys, "meta_path", [_Hidden(names), *sys.meta_path])


def case_project(case: Path) -> Path:
    pointer = case / "project.txt"
    return (case / pointer.read_text().strip()).resolve() if pointer.exists() else case


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_golden(case: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code = case.parent.name
    monkeypatch.chdir(case_project(case))
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    hide_modules(case, monkeypatch)
    args = case_args(case)
    select = [] if "--select" in args else ["--select", code]
    status = main(["check", *select, "--format", "text", *args])
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
