"""The rules of a service run in any order and give the same findings.

DG001 used to run last on purpose, reporting the files the other rules had
failed to read; now it reads every input itself (models, PyDAL, runtime
modules, revision files), so no rule depends on another having run first.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from drift_guard.config import load_config
from drift_guard.context import ServiceContext
from drift_guard.discovery import discover_cached
from drift_guard.engine import _service_findings
from drift_guard.rules import Phase, selected_rules
from drift_guard.session import RunOptions, Session

CLEAN = Path(__file__).resolve().parents[1] / "fixtures" / "sample-clean" / "services" / "flask-backend"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The clean sample with an unreadable revision (a dangling symlink: unreadable
    for root too) and a runtime module that does not parse."""
    (tmp_path / ".git").mkdir()
    service = tmp_path / "svc"
    shutil.copytree(CLEAN, service)
    revision = service / "alembic" / "versions" / "20260201_0002_invoices.py"
    revision.unlink()
    revision.symlink_to(revision.with_name("gone.py"))
    (service / "app" / "views.py").write_text("def broken(:\n    pass\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _findings(project: Path, reverse: bool) -> list[tuple[str, str, int, str]]:
    config = load_config(project)
    session = Session(config, RunOptions(use_cache=False))
    with session.active():
        rules = [r for r in selected_rules((), ()) if r.phase is Phase.CHECK]
        if reverse:
            rules.reverse()
        found = []
        for service in discover_cached([project], session):
            ctx = ServiceContext(service, session)
            found.extend(_service_findings(ctx, rules))
    # locations are canonical (absolute): shown from the project, as the text report would
    return sorted((f.code, f.location.shown_from(project).path, f.location.line, f.message) for f in found)


def test_dg001_reports_every_input_whichever_rule_ran_first(project):
    first = _findings(project, reverse=False)
    assert first == _findings(project, reverse=True)
    unreadable = {(path, message) for code, path, _, message in first if code == "DG001"}
    assert unreadable == {
        (
            "svc/alembic/versions/20260201_0002_invoices.py",
            "cannot read file: it is a symlink whose target does not exist",
        ),
        ("svc/app/views.py", "syntax error: invalid syntax"),
    }


def test_dg001_alone_reports_an_unreadable_revision(project):
    """``--select DG001``: no migration rule runs, the revision is still reported."""
    import contextlib
    import io
    import json

    from drift_guard.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["check", "--select", "DG001", "--format", "json"])
    findings = json.loads(out.getvalue())["findings"]
    assert status == 1
    assert "svc/alembic/versions/20260201_0002_invoices.py" in {f["location"]["path"] for f in findings}
