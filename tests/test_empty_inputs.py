"""Inputs that are there but say nothing fail the gate: an empty PyDAL file the
configuration names, an empty alembic.ini, a script_location that is missing or
that Alembic cannot use (Alembic itself refuses all of these)."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from drift_guard.cli import main

CLEAN = Path(__file__).resolve().parents[1] / "fixtures" / "sample-clean" / "services" / "flask-backend"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    shutil.copytree(CLEAN, tmp_path / "svc")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _findings(capsys, *args: str) -> tuple[int, list[dict]]:
    status = main(["check", "--format", "json", *args])
    return status, json.loads(capsys.readouterr().out)["findings"]


def _set_ini(project: Path, transform) -> None:
    ini = project / "svc/alembic.ini"
    ini.write_text(transform(ini.read_text()))


INIS = {
    "empty": lambda text: "",
    "no [alembic] section": lambda text: text.replace("[alembic]", "[migrations]"),
    "no script_location": lambda text: text.replace("script_location = %(here)s/alembic\n", ""),
    "empty script_location": lambda text: text.replace("script_location = %(here)s/alembic", "script_location ="),
    "unknown package resource": lambda text: text.replace("%(here)s/alembic", "nosuchpackage:alembic"),
    "a file, not a folder": lambda text: text.replace("%(here)s/alembic", "%(here)s/app/models.py"),
}


@pytest.mark.parametrize("case", list(INIS))
def test_an_unusable_alembic_setup_is_one_error(project, capsys, case) -> None:
    _set_ini(project, INIS[case])
    status, findings = _findings(capsys)
    errors = [f for f in findings if f["severity"] == "error"]
    assert status == 1
    assert [(f["code"], f["location"]["path"]) for f in errors] == [("DG203", "svc/alembic.ini")], findings
    assert "script_location" in errors[0]["message"]
    # nothing is replayed from a guessed folder: no DG201/DG205 against it
    assert not [f for f in findings if f["code"] in ("DG201", "DG205")]


def test_the_gate_fails_on_an_empty_alembic_ini_even_with_the_config_default(project, capsys) -> None:
    _set_ini(project, INIS["empty"])
    assert main(["check"]) == 1
    assert "DG203 [error]" in capsys.readouterr().out


def _configure(project: Path, body: str) -> None:
    (project / "pyproject.toml").write_text(textwrap.dedent(body).lstrip("\n"))


@pytest.mark.parametrize(
    "content", ["", "# the tables move to app/tables.py\n", "from pydal import DAL\n\ndb = DAL(None)\n"]
)
def test_a_configured_pydal_file_that_defines_no_table_is_an_error(project, capsys, content) -> None:
    (project / "svc/app/empty.py").write_text(content)
    _configure(
        project,
        """
        [tool.drift_guard]

        [[tool.drift_guard.services]]
        path = "svc"
        pydal = ["app/empty.py"]
    """,
    )
    status, findings = _findings(capsys, "--no-migrations")
    assert status == 1
    errors = [(f["code"], f["location"]["path"]) for f in findings if f["severity"] == "error"]
    assert errors == [("DG001", "svc/app/empty.py")], findings  # one finding, not a DG101 per model table
    assert "defines no table" in findings[0]["message"]


def test_an_empty_pydal_layer_fails_even_without_models(project, capsys) -> None:
    (project / "svc/app/empty.py").write_text("")
    (project / "svc/app/no_models.py").write_text("")
    _configure(
        project,
        """
        [tool.drift_guard]

        [[tool.drift_guard.services]]
        path = "svc"
        models = ["app/no_models.py"]
        pydal = ["app/empty.py"]
    """,
    )
    status, findings = _findings(capsys, "--no-migrations")
    assert status == 1
    assert ("DG001", "svc/app/empty.py") in [(f["code"], f["location"]["path"]) for f in findings]


def test_a_configured_pydal_file_with_tables_is_not_reported(project, capsys) -> None:
    (project / "svc/app/empty.py").write_text("")
    _configure(
        project,
        """
        [tool.drift_guard]

        [[tool.drift_guard.services]]
        path = "svc"
        pydal = ["app/models.py"]
    """,
    )
    status, findings = _findings(capsys, "--no-migrations")
    assert (status, [f["code"] for f in findings if f["severity"] == "error"]) == (0, [])
