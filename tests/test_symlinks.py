"""Symlinks: a link to a broken file is reported like the broken file itself,
and a link out of the repository is never followed, whatever drift-guard reads
(pyproject.toml, alembic.ini, env.py, models, PyDAL, revisions): such a file is
a DG001 "symlink points outside the repository; not read". No message ever
quotes a file's content (an alembic.ini linked to /proc/self/environ)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from drift_guard.cli import main

CLEAN = Path(__file__).resolve().parents[1] / "fixtures" / "sample-clean" / "services" / "flask-backend"
OUTSIDE = "symlink points outside the repository; not read"
REVISION = "alembic/versions/20260201_0002_invoices.py"
LINKED = {  # what is linked, relative to the service
    "pydal": "app/models.py",
    "models": "app/db/models.py",
    "env.py": "alembic/env.py",
    "revision": REVISION,
}


def _project(root: Path) -> Path:
    (root / ".git").mkdir(parents=True)
    shutil.copytree(CLEAN, root / "svc")
    return root


def _findings(capsys, *args: str) -> tuple[int, list[dict]]:
    status = main(["check", "--format", "json", *args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err, captured.err
    return status, json.loads(captured.out)["findings"]


def _link(link: Path, target: Path) -> None:
    link.unlink()
    link.symlink_to(os.path.relpath(target, link.parent))


# --------------------------------------------------------------------------- a link to a broken file


@pytest.mark.parametrize("kind", list(LINKED))
def test_a_symlink_to_a_file_with_a_syntax_error_is_reported_like_the_file(tmp_path, monkeypatch, capsys, kind) -> None:
    relative = LINKED[kind]
    plain, linked = _project(tmp_path / "plain"), _project(tmp_path / "linked")
    for project in (plain, linked):
        source = project / "svc" / relative
        source.write_text(source.read_text() + "\ndef broken(:\n")
    # the same broken file, reached through a link from elsewhere in the repository
    shared = linked / "shared" / Path(relative).name
    shared.parent.mkdir()
    shutil.move(linked / "svc" / relative, shared)
    (linked / "svc" / relative).symlink_to(os.path.relpath(shared, (linked / "svc" / relative).parent))

    monkeypatch.chdir(plain)
    expected = _findings(capsys)
    monkeypatch.chdir(linked)
    got = _findings(capsys)
    assert got[0] == expected[0] == 1
    assert sorted((f["code"], f["message"]) for f in got[1]) == sorted((f["code"], f["message"]) for f in expected[1])
    code = "DG203" if kind == "revision" else "DG001"
    assert [f["code"] for f in got[1] if f["severity"] == "error"] == [code], got[1]


# --------------------------------------------------------------------------- links out of the repository


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    project = _project(tmp_path / "repo")
    (tmp_path / "outside").mkdir()
    monkeypatch.chdir(project)
    return project


@pytest.mark.parametrize("kind", list(LINKED))
def test_a_symlink_out_of_the_repository_is_a_dg001_and_not_read(repo, capsys, kind) -> None:
    link = repo / "svc" / LINKED[kind]
    outside = repo.parent / "outside" / link.name
    # what is outside parses and would be read without complaint, so any other
    # outcome than "not read" shows that it was read
    shutil.copy(link, outside)
    if kind == "revision":  # executed, it would leave a trace
        outside.write_text(f"open({str(repo.parent / 'executed')!r}, 'w').close()\n" + outside.read_text())
    _link(link, outside)
    status, findings = _findings(capsys)
    assert status == 1
    shown = f"svc/{LINKED[kind]}"
    assert ("DG001", shown, OUTSIDE) in [(f["code"], f["location"]["path"], f["message"]) for f in findings], findings
    assert not [f for f in findings if f["code"] in ("DG101", "DG102", "DG201", "DG205", "DG206", "DG401", "DG402")], (
        findings
    )
    assert not (repo.parent / "executed").exists()  # no revision outside the repository ran
    assert str(repo.parent / "outside") not in json.dumps(findings)  # where the link points is not disclosed


def test_a_symlinked_folder_out_of_the_repository_is_not_read(repo, capsys) -> None:
    folder = repo / "svc/app/db"
    shutil.move(folder, repo.parent / "outside" / "db")
    folder.symlink_to(repo.parent / "outside" / "db")
    status, findings = _findings(capsys)
    assert status == 1
    reported = {(f["code"], f["location"]["path"], f["message"]) for f in findings}
    assert ("DG001", "svc/app/db/models.py", OUTSIDE) in reported, findings
    assert not [f for f in findings if f["code"] in ("DG102", "DG201", "DG206", "DG401", "DG402")], findings


def test_an_alembic_ini_out_of_the_repository_is_a_dg001(repo, capsys) -> None:
    outside = repo.parent / "outside" / "alembic.ini"
    shutil.copy(repo / "svc/alembic.ini", outside)
    _link(repo / "svc/alembic.ini", outside)
    status, findings = _findings(capsys)
    assert status == 1
    errors = [(f["code"], f["location"]["path"], f["message"]) for f in findings if f["severity"] == "error"]
    assert errors == [("DG001", "svc/alembic.ini", OUTSIDE)], findings


def test_an_alembic_ini_linked_to_the_environment_discloses_nothing(repo) -> None:
    """The configparser error path would quote the first line of
    /proc/self/environ; the file must not even be opened."""
    (repo / "svc/alembic.ini").unlink()
    (repo / "svc/alembic.ini").symlink_to("/proc/self/environ")
    secret = "dg-secret-value-4711"
    env = {**os.environ, "DRIFT_GUARD_TEST_SECRET": secret, "DRIFT_GUARD_NO_CACHE": "1"}
    outputs = []
    for args in (
        ["check"],
        ["check", "--format", "json"],
        ["check", "--format", "github"],
        ["check", "--format", "sarif"],
        ["config"],
        ["baseline", "baseline.json"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "drift_guard", *args],
            check=False,
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert "Traceback" not in done.stderr, done.stderr
        outputs.append(done.stdout + done.stderr)
    outputs.append((repo / "baseline.json").read_text())
    assert not [text for text in outputs if secret in text or "DRIFT_GUARD_TEST_SECRET" in text]
    assert OUTSIDE in outputs[0]


def test_a_pyproject_out_of_the_repository_is_not_read(repo, capsys) -> None:
    outside = repo.parent / "outside" / "pyproject.toml"
    outside.write_text('[tool.drift_guard]\nselect = ["DG1"]\n')
    (repo / "pyproject.toml").symlink_to(outside)
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"drift-guard: error: pyproject.toml: {OUTSIDE}"), err


def test_an_explicit_path_outside_the_repository_is_still_read(repo, capsys, tmp_path) -> None:
    """Only links are refused: a configuration given on the command line that
    lives elsewhere is what the user asked for."""
    config = tmp_path / "elsewhere.toml"
    config.write_text('[tool.drift_guard]\nselect = ["DG1"]\n')
    assert main(["check", "--config", str(config)]) in (0, 1)
    assert OUTSIDE not in capsys.readouterr().err


# --------------------------------------------------------------------------- no content in messages


@pytest.mark.parametrize(
    "content",
    [
        "DATABASE_PASSWORD=hunter2\n[alembic]\nscript_location = %(here)s/alembic\n",  # no section header first
        "[alembic]\nscript_location = %(here)s/alembic\n  hunter2 continues\n[x\nhunter2 again\n",  # parsing errors
        "[alembic]\nscript_location = %(here)s/alembic\n[alembic]\nsqlalchemy.url = postgresql://u:hunter2@h/db\n",  # duplicate section
        "[alembic]\nscript_location = %(hunter2)s/alembic\n",  # interpolation of an unknown key
    ],
)
def test_alembic_ini_errors_never_quote_the_file(repo, capsys, content) -> None:
    (repo / "svc/alembic.ini").write_text(content)
    status, findings = _findings(capsys)
    assert status == 1
    assert "hunter2" not in json.dumps(findings), findings
    assert any(f["location"]["path"] == "svc/alembic.ini" and f["severity"] == "error" for f in findings), findings
