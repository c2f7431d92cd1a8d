"""Usage and configuration mistakes are exit 2 with a clear message, never a
silent "No drift found" and never a traceback."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from drift_guard.cli import main

CLEAN = Path(__file__).resolve().parents[1] / "fixtures" / "sample-clean" / "services" / "flask-backend"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean one-service repository, entered."""
    (tmp_path / ".git").mkdir()
    shutil.copytree(CLEAN, tmp_path / "svc")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _pyproject(root: Path, body: str) -> None:
    (root / "pyproject.toml").write_text(textwrap.dedent(body).lstrip("\n"), encoding="utf-8")


# --------------------------------------------------------------------------- item 1: codes that match no rule


@pytest.mark.parametrize("option", ["--select", "--ignore"])
@pytest.mark.parametrize("value", ["ZZZ", "DG9", "DG999", "DG1,DG777"])
def test_a_command_line_code_matching_no_rule_is_a_usage_error(project, capsys, option, value) -> None:
    status = main(["check", "--no-migrations", option, value])
    captured = capsys.readouterr()
    assert status == 2
    assert "No drift found" not in captured.out
    bad = value.split(",")[-1]
    assert f"{option}: '{bad}' matches no rule" in captured.err
    assert "drift-guard rules" in captured.err  # says where the codes are listed


@pytest.mark.parametrize("value", ["DG1", "dg10", "DG", "DG103", "DG0,DG2"])
def test_prefixes_that_match_rules_stay_valid(project, capsys, value) -> None:
    assert main(["check", "--no-migrations", "--select", value]) == 0
    assert "No drift found" in capsys.readouterr().out


CONFIG_ERRORS = [
    # (pyproject text, location, message fragment)
    ('[tool.drift_guard]\nselect = ["DG9"]\n', "pyproject.toml:2:1", "'DG9' matches no rule"),
    ('[tool.drift_guard]\nignore = ["DG1", "DG199"]\n', "pyproject.toml:2:1", "'DG199' matches no rule"),
    (
        '[tool.drift_guard]\n\n[tool.drift_guard.severity]\nDG101 = "warning"\nDG199 = "info"\n',
        "pyproject.toml:5:1",
        "'DG199' in [tool.drift_guard.severity] is not a rule",
    ),
    (
        '[tool.drift_guard]\n\n[tool.drift_guard.per-file-ignores]\n"svc/*" = ["DG1"]\n"legacy/*" = ["DG8"]\n',
        "pyproject.toml:5:1",
        "'DG8' matches no rule",
    ),
]


@pytest.mark.parametrize(("text", "location", "fragment"), CONFIG_ERRORS)
def test_configured_codes_matching_no_rule_are_located_config_errors(project, capsys, text, location, fragment) -> None:
    _pyproject(project, text)
    status = main(["check", "--no-migrations"])
    captured = capsys.readouterr()
    assert status == 2
    assert "No drift found" not in captured.out
    assert f"drift-guard: error: {location}: " in captured.err
    assert fragment in captured.err


def test_configured_prefixes_that_match_rules_stay_valid(project, capsys) -> None:
    _pyproject(
        project,
        """
        [tool.drift_guard]
        select = ["DG1", "dg2"]
        ignore = ["DG108"]

        [tool.drift_guard.severity]
        DG111 = "error"

        [tool.drift_guard.per-file-ignores]
        "svc/legacy/*" = ["DG1", "DG305"]
    """,
    )
    assert main(["check", "--no-migrations"]) == 0


# --------------------------------------------------------------------------- item 8: outputs and globs


def _no_traceback(captured) -> None:
    assert "Traceback" not in captured.err and "Traceback" not in captured.out


@pytest.mark.parametrize("where", ["a-directory", "under-a-file", "missing-parent-under-a-file"])
def test_output_to_an_unwritable_path_is_a_clear_error(project, capsys, where) -> None:
    (project / "a-directory").mkdir()
    (project / "a-file").write_text("x")
    target = {
        "a-directory": "a-directory",
        "under-a-file": "a-file/report.json",
        "missing-parent-under-a-file": "a-file/sub/report.json",
    }[where]
    status = main(["check", "--no-migrations", "--format", "json", "--output", target])
    captured = capsys.readouterr()
    assert status == 2
    assert f"drift-guard: error: cannot write the report to {target}: " in captured.err
    _no_traceback(captured)


@pytest.mark.parametrize("target", ["a-directory", "a-file/baseline.json"])
def test_baseline_to_an_unwritable_path_is_a_clear_error(project, capsys, target) -> None:
    (project / "a-directory").mkdir()
    (project / "a-file").write_text("x")
    status = main(["baseline", target, "--no-migrations"])
    captured = capsys.readouterr()
    assert status == 2
    assert f"drift-guard: error: cannot write the baseline to {target}: " in captured.err
    assert "wrote" not in captured.out
    _no_traceback(captured)


def test_an_unwritable_step_summary_is_a_clear_error(project, capsys, monkeypatch) -> None:
    (project / "a-directory").mkdir()
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(project / "a-directory"))
    status = main(["check", "--no-migrations", "--format", "github"])
    captured = capsys.readouterr()
    assert status == 2
    assert "drift-guard: error: cannot write the step summary to " in captured.err
    _no_traceback(captured)


@pytest.mark.parametrize("key", ["models", "pydal"])
@pytest.mark.parametrize("glob", ["/etc/*.py", "../elsewhere/*.py", "app/../../x.py"])
def test_globs_outside_the_service_are_config_errors(project, capsys, key, glob) -> None:
    _pyproject(
        project,
        f"""
        [tool.drift_guard]

        [[tool.drift_guard.services]]
        path = "svc"
        {key} = ["app/db/models.py", "{glob}"]
    """,
    )
    status = main(["check", "--no-migrations"])
    captured = capsys.readouterr()
    assert status == 2
    assert "drift-guard: error: pyproject.toml:5:1: " in captured.err
    assert f"'{glob}'" in captured.err and "relative to the service folder" in captured.err
    _no_traceback(captured)


# --------------------------------------------------------------------------- item 9: a closed pipe


@pytest.mark.parametrize("argv", [["rules"], ["rule", "DG103"], ["check", "--no-migrations", "--format", "json"]])
def test_a_closed_standard_output_is_not_a_traceback(project, argv) -> None:
    """``drift-guard rules | head -1``: the reader is gone before drift-guard writes
    (the read end is closed before the process starts, so the outcome is certain)."""
    import os
    import subprocess
    import sys

    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "drift_guard", *argv],
            check=False,
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            cwd=project,
            timeout=120,
        )
    finally:
        os.close(write)
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr, done.stderr
    assert "Exception ignored" not in done.stderr, done.stderr
