"""A file or folder drift-guard cannot read is a DG001, and nothing that depends
on what it might hold is reported: an unreadable PyDAL file is no reason for
"table missing in PyDAL" (DG101), an unreadable model file none for "table
missing in the models" (DG102) or "created by the migrations but not in the
models" (DG201). An unreadable folder is never a traceback, an unreadable
alembic.ini never a warning with exit 0.

Tests run as root, who reads everything, so files are made unreadable in ways
that hold for root too (a dangling symlink, a folder where a file is expected);
permission denied is tested in a child process that runs without root's
CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH capabilities (or as the ordinary user
the suite runs as)."""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from drift_guard.cli import main

CLEAN = Path(__file__).resolve().parents[1] / "fixtures" / "sample-clean" / "services" / "flask-backend"
DEPENDENT = {"DG101", "DG102", "DG201", "DG206", "DG401", "DG402"}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    shutil.copytree(CLEAN, tmp_path / "svc")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _findings(capsys, *args: str) -> tuple[int, list[dict]]:
    status = main(["check", "--format", "json", *args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return status, json.loads(captured.out)["findings"]


def _codes(findings: list[dict]) -> list[tuple[str, str]]:
    return sorted((f["code"], f["location"]["path"]) for f in findings)


def _dangle(path: Path) -> None:
    path.unlink()
    path.symlink_to(path.with_name("gone-" + path.name))


def _configure(project: Path, body: str) -> None:
    (project / "pyproject.toml").write_text(textwrap.dedent(body).lstrip("\n"))


# --------------------------------------------------------------------------- unreadable files, root or not


def test_a_dangling_pydal_file_is_a_dg001_and_no_table_is_missing(project, capsys) -> None:
    _dangle(project / "svc/app/models.py")
    status, findings = _findings(capsys)
    assert status == 1
    assert _codes(findings) == [("DG001", "svc/app/models.py")], findings
    assert "symlink" in findings[0]["message"] and "does not exist" in findings[0]["message"]


def test_a_dangling_model_file_is_a_dg001_and_nothing_depends_on_it(project, capsys) -> None:
    _dangle(project / "svc/app/db/models.py")
    status, findings = _findings(capsys)
    assert status == 1
    assert [f for f in findings if f["code"] in DEPENDENT] == [], findings
    assert ("DG001", "svc/app/db/models.py") in _codes(findings)
    # the import of Base through the unreadable module is not a second finding
    assert [f for f in findings if f["code"] == "DG002"] == [], findings


@pytest.mark.parametrize(("key", "path"), [("pydal", "app/models.py"), ("models", "app/db/models.py")])
def test_a_folder_where_a_configured_file_is_expected_is_a_dg001(project, capsys, key, path) -> None:
    target = project / "svc" / path
    target.unlink()
    target.mkdir()
    _configure(
        project,
        f"""
        [tool.drift_guard]

        [[tool.drift_guard.services]]
        path = "svc"
        {key} = ["{path}"]
    """,
    )
    status, findings = _findings(capsys)
    assert status == 1
    assert [f for f in findings if f["code"] in DEPENDENT] == [], findings
    assert ("DG001", f"svc/{path}") in _codes(findings)


@pytest.mark.parametrize("key", ["pydal", "models"])
def test_a_configured_dangling_file_is_a_dg001_not_a_config_error(project, capsys, key) -> None:
    path = "app/models.py" if key == "pydal" else "app/db/models.py"
    _dangle(project / "svc" / path)
    _configure(
        project,
        f"""
        [tool.drift_guard]

        [[tool.drift_guard.services]]
        path = "svc"
        {key} = ["{path}"]
    """,
    )
    status, findings = _findings(capsys)
    assert status == 1
    assert [f for f in findings if f["code"] in DEPENDENT] == [], findings
    assert ("DG001", f"svc/{path}") in _codes(findings)


# --------------------------------------------------------------------------- permission denied


def _drop_file_access_override() -> None:  # runs in the child, before exec
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _unprivileged(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``drift-guard`` in a child process that permission bits apply to."""
    preexec = _drop_file_access_override if os.geteuid() == 0 else None
    env = {**os.environ, "DRIFT_GUARD_NO_CACHE": "1"}
    try:
        return subprocess.run(
            [sys.executable, "-m", "drift_guard", *args],
            check=False,
            cwd=project,
            capture_output=True,
            text=True,
            timeout=300,
            preexec_fn=preexec,
            env=env,
        )
    except subprocess.SubprocessError as exc:
        if "prctl" in str(exc):
            pytest.skip(f"cannot drop root's file access override here: {exc}")
        raise


@pytest.fixture
def locked(project: Path):
    """chmod 000 on what the test names; permissions restored afterwards so
    pytest can delete tmp_path."""
    changed: list[tuple[Path, int]] = []

    def lock(relative: str) -> Path:
        path = project / relative
        changed.append((path, path.stat().st_mode))
        path.chmod(0)
        return path

    yield lock
    for path, mode in reversed(changed):
        path.chmod(mode)


def _json(done: subprocess.CompletedProcess[str]) -> list[dict]:
    assert "Traceback" not in done.stderr, done.stderr
    return json.loads(done.stdout)["findings"]


@pytest.mark.parametrize("path", ["svc/app/models.py", "svc/app/db/models.py"])
def test_a_file_without_read_permission_is_a_dg001_and_nothing_depends_on_it(project, locked, path) -> None:
    locked(path)
    done = _unprivileged(project, "check", "--format", "json")
    findings = _json(done)
    assert done.returncode == 1, done.stderr
    assert [f for f in findings if f["code"] in DEPENDENT | {"DG002"}] == [], findings
    assert [(f["code"], f["message"]) for f in findings if f["location"]["path"] == path] == [
        ("DG001", "cannot read file: Permission denied")
    ]


@pytest.mark.parametrize("folder", ["svc/app/db", "svc/app", "svc/alembic/versions", "svc/alembic"])
def test_an_unreadable_folder_is_a_finding_not_a_traceback(project, locked, folder) -> None:
    locked(folder)
    done = _unprivileged(project, "check", "--format", "json")
    findings = _json(done)
    assert done.returncode == 1, done.stderr
    assert [f for f in findings if f["code"] in DEPENDENT] == [], findings
    errors = [f for f in findings if f["severity"] == "error"]
    assert errors and all(f["code"] in ("DG001", "DG203") for f in errors), findings
    assert any(f["location"]["path"].startswith(folder) for f in errors), findings


def test_an_unreadable_folder_in_drift_guard_config_is_not_a_traceback(project, locked) -> None:
    locked("svc/app/db")
    done = _unprivileged(project, "config")
    assert "Traceback" not in done.stderr and done.returncode == 0, done.stderr


def test_an_unreadable_alembic_ini_fails_the_gate(project, locked) -> None:
    locked("svc/alembic.ini")
    done = _unprivileged(project, "check", "--format", "json")
    findings = _json(done)
    assert done.returncode == 1, done.stderr
    errors = [(f["code"], f["location"]["path"], f["message"]) for f in findings if f["severity"] == "error"]
    assert errors == [("DG001", "svc/alembic.ini", "cannot read alembic.ini: Permission denied")], findings
