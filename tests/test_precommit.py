"""Where users run drift-guard: the pre-commit hook (run for real by pre-commit on
the sample projects, against this checkout's committed HEAD) and the composite
GitHub action (its YAML, and its shell step run with the runner's variables)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
SCHEMA_FILE = Path(__file__).parent / "data" / "sarif" / "sarif-schema-2.1.0.json"


def _hooks() -> dict[str, dict]:
    from pre_commit.clientlib import load_manifest

    return {h["id"]: h for h in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}  # pre-commit's own validation


def _hook() -> dict:
    return _hooks()["drift-guard"]


def test_hook_manifest():
    hook = _hook()
    assert hook["id"] == "drift-guard"
    assert hook["language"] == "python"
    assert hook["entry"] == "drift-guard check"
    assert hook["pass_filenames"] is False
    assert hook["require_serial"] is True
    assert {"pre-commit", "pre-push", "manual"} <= set(hook["stages"])
    assert hook["minimum_pre_commit_version"] == "3.2.0"  # first version with the pre-* stage names


def test_fix_hook_manifest():
    hooks = _hooks()
    assert list(hooks) == ["drift-guard", "drift-guard-fix"]
    fix = hooks["drift-guard-fix"]
    assert fix["entry"] == "drift-guard fix --exit-non-zero-on-fix"  # fails when it rewrote a file
    assert fix["pass_filenames"] is False and fix["require_serial"] is True
    assert (fix["files"], fix["exclude"]) == (hooks["drift-guard"]["files"], hooks["drift-guard"]["exclude"])
    assert "pre-push" not in fix["stages"]  # a push cannot stage the rewrite


@pytest.mark.parametrize(
    ("path", "triggers"),
    [
        ("services/flask-backend/app/db/models.py", True),
        ("services/flask-backend/app/models.py", True),
        ("services/flask-backend/app/db/base.py", True),
        ("services/flask-backend/alembic/versions/20260101_0001_initial.py", True),
        ("services/flask-backend/alembic/env.py", True),
        ("services/flask-backend/alembic.ini", True),
        ("alembic.ini", True),
        ("pyproject.toml", True),
        ("services/flask-backend/app/views/users.py", True),  # runtime rules (DG3xx/DG4xx) read any module
        # cannot move a schema: stays quiet
        ("README.md", False),
        ("services/flask-backend/tests/test_users.py", False),
        ("tests/conftest.py", False),
        ("services/flask-backend/app/test_models.py", False),
        ("docs/conf.py", False),
        ("setup.cfg", False),
        ("services/flask-backend/alembic/script.py.mako", False),
        ("package.json", False),
    ],
)
def test_hook_file_patterns(path, triggers):
    hook = _hook()
    selected = bool(re.search(hook["files"], path)) and not re.search(hook["exclude"], path)
    assert selected is triggers


# ---------------------------------------------------------------------------
# the real pre-commit run


def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory) -> Path:
    """One PRE_COMMIT_HOME for the session: the hook's virtualenv is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="session")
def head_sha() -> str:
    sha = _git("rev-parse", "HEAD", cwd=ROOT)
    shown = subprocess.run(["git", "cat-file", "-e", f"{sha}:.pre-commit-hooks.yaml"], cwd=ROOT)
    assert shown.returncode == 0, ".pre-commit-hooks.yaml is not committed at HEAD"
    return sha


def _sample_repo(tmp_path: Path, sample: str, sha: str, hook: str = "drift-guard") -> Path:
    repo = tmp_path / sample
    shutil.copytree(FIXTURES / sample, repo, ignore=shutil.ignore_patterns("__pycache__"))
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {json.dumps(str(ROOT))}\n    rev: {sha}\n    hooks:\n      - id: {hook}\n",
        encoding="utf-8",
    )
    _git("init", "-q", cwd=repo)
    _git("add", ".", cwd=repo)  # pre-commit only sees tracked files
    return repo


def _pre_commit(repo: Path, home: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "PRE_COMMIT", "PYTHON"))}
    env.update(PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never", NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=1500,
    )


def test_pre_commit_passes_on_the_clean_sample(tmp_path, pre_commit_home, head_sha):
    repo = _sample_repo(tmp_path, "sample-clean", head_sha)
    run = _pre_commit(repo, pre_commit_home)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert re.search(r"^drift-guard\.+Passed$", output, re.MULTILINE), output


def test_pre_commit_fails_on_the_drifted_sample(tmp_path, pre_commit_home, head_sha):
    repo = _sample_repo(tmp_path, "sample-drifted", head_sha)
    run = _pre_commit(repo, pre_commit_home)
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "Traceback" not in output, output  # a crash also exits 1: it must be findings
    assert re.search(r"^drift-guard\.+Failed$", output, re.MULTILINE), output
    assert "- exit code: 1" in output, output
    expected = json.loads((FIXTURES / "sample-drifted" / "expected.json").read_text(encoding="utf-8"))
    reported = Counter(m.group(1) for m in re.finditer(r"^\S+:\d+:\d+: (DG\d{3}) \[", output, re.MULTILINE))
    # the hook's environment has no pgserver (no additional_dependencies): the sample, which runs on
    # PostgreSQL, is replayed on SQLite and one DG210 says so
    seeded = Counter(code for code, _, _ in expected["findings"]) + Counter({"DG210": 1})
    assert reported == seeded, output  # every seeded drift, nothing else
    for name in ("last_login", "api_keys", "audit_log", "slug", "full_name"):
        assert name in output, output


def test_fix_hook_rewrites_the_drifted_sample_and_fails(tmp_path, pre_commit_home, head_sha):
    repo = _sample_repo(tmp_path, "sample-drifted", head_sha, hook="drift-guard-fix")
    pydal = repo / "services" / "flask-backend" / "app" / "models.py"
    before = pydal.read_text(encoding="utf-8")
    run = _pre_commit(repo, pre_commit_home)
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "Traceback" not in output, output
    assert re.search(r"^drift-guard fix\.+Failed$", output, re.MULTILINE), output
    after = pydal.read_text(encoding="utf-8")
    assert after != before and 'Field("last_login", "datetime"),' in after
    assert "fixed services/flask-backend/app/models.py (9 finding(s))" in output, output
    _git("add", ".", cwd=repo)  # the rewrite staged: nothing left to change
    again = _pre_commit(repo, pre_commit_home)
    assert again.returncode == 0, again.stdout + again.stderr


# ---------------------------------------------------------------------------
# the composite action


def _action() -> dict:
    return yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))


def test_action_inputs():
    inputs = _action()["inputs"]
    assert {name: spec.get("default") for name, spec in inputs.items()} == {
        "path": ".",
        "database-url": "",
        "format": "github",
        "sarif-file": "drift-guard.sarif",
        "html-report": "",
        "html-artifact-name": "drift-guard-report",
        "args": "",
        "python-version": "3.12",
    }
    assert all(spec.get("description") for spec in inputs.values())


def test_action_steps():
    action = _action()
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    assert all(step.get("shell") == "bash" for step in steps if "run" in step)  # composite run steps need one
    install = steps[1]
    assert "${{ github.action_path }}" in install["env"].values()
    assert "pip install" in install["run"]
    check = steps[2]
    assert check["id"] == "check"
    assert "--format sarif --output" in check["run"] and '--format "$DG_FORMAT"' in check["run"]
    for step in steps:
        assert "${{" not in step.get("run", ""), "inputs must reach scripts through env, not be pasted in"
    upload = steps[3]
    assert upload["uses"].startswith("actions/upload-artifact@") and "--format html --output" in check["run"]
    assert "!cancelled()" in upload["if"] and upload["with"]["path"] == "${{ steps.check.outputs.html-report }}"


def test_action_scripts_are_valid_bash():
    for step in _action()["runs"]["steps"]:
        if "run" in step:
            subprocess.run(["bash", "-n"], input=step["run"], text=True, check=True)


def _run_check_step(tmp_path: Path, workdir: Path, **inputs: str) -> tuple[int, dict[str, str]]:
    """Run the action's check step the way the runner does (``bash -e -o
    pipefail``, inputs as env) with drift-guard from this checkout."""
    runner_temp = tmp_path / "runner-temp"
    bindir = runner_temp / "drift-guard-venv" / "bin"
    bindir.mkdir(parents=True)
    shim = bindir / "drift-guard"
    shim.write_text(f'#!/bin/sh\nPYTHONPATH={ROOT} exec {sys.executable} -m drift_guard "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    step = _action()["runs"]["steps"][2]
    defaults = {name: spec["default"] for name, spec in _action()["inputs"].items()}
    values = {**defaults, **inputs}
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    output = tmp_path / "github-output"
    output.touch()
    env.update(
        RUNNER_TEMP=str(runner_temp),
        GITHUB_OUTPUT=str(output),
        GITHUB_ACTIONS="true",
        GITHUB_STEP_SUMMARY=str(tmp_path / "summary.md"),
        DG_PATH=values["path"],
        DG_DATABASE_URL=values["database-url"],
        DG_FORMAT=values["format"],
        DG_SARIF_FILE=values["sarif-file"],
        DG_ARGS=values["args"],
    )
    script = tmp_path / "step.sh"
    script.write_text(step["run"], encoding="utf-8")
    run = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    outputs = dict(line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines() if "=" in line)
    return run.returncode, outputs | {"stdout": run.stdout, "stderr": run.stderr}


@pytest.mark.parametrize(("sample", "status"), [("sample-clean", 0), ("sample-drifted", 1)])
def test_action_check_step(tmp_path, sample, status):
    import jsonschema

    workdir = tmp_path / "workspace"
    shutil.copytree(FIXTURES / sample, workdir, ignore=shutil.ignore_patterns("__pycache__"))
    code, outputs = _run_check_step(tmp_path, workdir, args="--no-migrations")
    assert code == status, outputs
    assert outputs["exit-code"] == str(status)
    assert outputs["sarif-file"] == "drift-guard.sarif"
    document = json.loads((workdir / "drift-guard.sarif").read_text(encoding="utf-8"))
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(document)
    results = document["runs"][0]["results"]
    annotations = [line for line in outputs["stdout"].splitlines() if line.startswith("::")]
    assert len(annotations) == len(results)
    errors = [r for r in results if r["level"] == "error"]
    assert bool(errors) is (status == 1)  # the gate fails on errors (the default --fail-on)
    assert (tmp_path / "summary.md").read_text(encoding="utf-8").startswith("## drift-guard")


def test_action_stops_on_a_usage_error(tmp_path):
    workdir = tmp_path / "workspace"
    workdir.mkdir()
    code, outputs = _run_check_step(tmp_path, workdir, path="does-not-exist")
    assert code == 2
    assert outputs["exit-code"] == "2"
    assert "::error title=drift-guard::" in outputs["stdout"]
