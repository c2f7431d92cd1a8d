"""Names come from the checked code: a table, column or file name may hold a
newline, an escape sequence or Markdown. No output format may let one forge a
line (``::error`` is a GitHub workflow command), colour a terminal, render an
image in the step summary, or run a command from a copied hint."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from drift_guard.cli import main

CLEAN = Path(__file__).resolve().parents[1] / "fixtures" / "sample-clean" / "services" / "flask-backend"

FORGED = "evil\n::error file=app/x.py,line=1::forged\x1b[2J\u202e"
IMAGE = "x` ![pixel](https://evil.example/p.png) `y"
MODELS = """\
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    nick = Column("nick\\n::warning::col", String(20))
"""
TABLES = f"""\
from pydal import DAL, Field

db = DAL("sqlite://x.db", migrate=False, fake_migrate_all=True)
db.define_table("users", Field("nick", "string", length=20))
db.define_table({FORGED!r}, Field("x"))
db.define_table({IMAGE!r}, Field("y"))
"""
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "app").mkdir()
    (tmp_path / "app/models.py").write_text(MODELS)
    (tmp_path / "app/tables.py").write_text(TABLES)
    # a file whose very name forges a line, and that does not parse (DG001 at its path)
    (tmp_path / "app/bad\n::error::name.py").write_text("def broken(:\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


def _outside_code_spans(line: str) -> str:
    """``line`` without its code spans (CommonMark: a run of N unescaped
    backticks up to the next run of exactly N), where nothing is Markdown."""
    return re.sub(r"(?<![`\\])(`+)(?!`)(.+?)(?<!`)\1(?!`)", "", line)


def _check(capsys, fmt: str) -> str:
    assert main(["check", "--no-migrations", "--format", fmt]) == 1
    return capsys.readouterr().out


def test_text_output_escapes_control_characters(project, capsys) -> None:
    out = _check(capsys, "text")
    assert not any(line.startswith("::") for line in out.splitlines()), out
    assert CONTROL.search(out) is None
    assert "table `evil\\n::error file=app/x.py,line=1::forged\\x1b[2J\\u202e` is defined in PyDAL" in out
    assert "column `nick\\n::warning::col` (String(20)) of table `users`" in out  # DG103 names the column
    assert "app/bad\\n::error::name.py:1:" in out  # the path of a DG001


def test_github_output_has_one_command_line_per_finding(project, capsys) -> None:
    out = _check(capsys, "github")
    lines = out.splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == len(lines) - 1  # every line but the summary is one finding
    assert all(re.match(r"::(error|warning|notice) file=", line) for line in commands)
    assert CONTROL.search(out) is None


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_json_formats_keep_names_exact_and_escaped(project, capsys, fmt) -> None:
    out = _check(capsys, fmt)
    assert CONTROL.search(out) is None and "\n::" not in out
    document = json.loads(out)
    messages = (
        [f["message"] for f in document["findings"]]
        if fmt == "json"
        else [r["message"]["text"] for r in document["runs"][0]["results"]]
    )
    assert any(FORGED in message for message in messages)  # the name itself, not an escape of it


def test_step_summary_renders_names_as_text(project, capsys, monkeypatch) -> None:
    summary = project / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    _check(capsys, "github")
    text = summary.read_text()
    assert CONTROL.search(text) is None
    assert not any(line.startswith("::") for line in text.splitlines())
    # no image, no link, no autolink: outside code spans the Markdown of the name is escaped
    prose = "\n".join(_outside_code_spans(line) for line in text.splitlines())
    assert "![" not in prose and "](" not in prose and "https://" not in prose
    assert "pixel" in prose  # the message still names the table, as text
    # headings stay one line each, followed by their table
    for number, line in enumerate(lines := text.splitlines()):
        if line.startswith("### "):
            assert lines[number + 1] == "" and lines[number + 2].startswith("| Severity |")
    # every finding still has its row
    rows = [line for line in text.splitlines() if line.startswith(("| error", "| warning"))]
    assert len(rows) == len(
        [line for line in _check(capsys, "text").splitlines() if " [error] " in line or " [warning] " in line]
    )


def test_config_output_escapes_control_characters(project, capsys) -> None:
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    assert CONTROL.search(out) is None and not any(line.startswith("::") for line in out.splitlines())


def test_error_messages_escape_control_characters(project, capsys) -> None:
    (project / "pyproject.toml").write_text('[tool.drift_guard]\n"x\\n::error::forged" = 1\n')
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and not any(line.startswith("::") for line in err.splitlines()), err


# --------------------------------------------------------------------------- shell commands in hints

EVIL_COLUMN = "nick$(touch pwned-column)"
EVIL_SERVICE = "svc; touch pwned-service"


def _run_hint(command: str, cwd: Path, stub: str) -> str:
    """Run a hint's command with bash, the tool it calls replaced by a function
    that prints its arguments one per line."""
    script = f'{stub}() {{ printf "%s\\n" "$@"; }}\n{command}\n'
    done = subprocess.run(["bash", "-c", script], cwd=cwd, capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_migration_hints_quote_names_for_the_shell(tmp_path, monkeypatch, capsys) -> None:
    (tmp_path / ".git").mkdir()
    service = tmp_path / EVIL_SERVICE
    shutil.copytree(CLEAN, service)
    models = service / "app/db/models.py"
    models.write_text(
        models.read_text().replace(
            "    full_name = Column(String(255))",
            f'    full_name = Column(String(255))\n    nick = Column("{EVIL_COLUMN}", String(20))',
        )
    )
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--select", "DG201", "--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    hints = [f["hint"] for f in findings if f["column"] == EVIL_COLUMN.lower()]
    assert len(hints) == 1
    printed = _run_hint(hints[0], tmp_path, "alembic")
    assert printed.splitlines() == ["revision", "--autogenerate", "-m", f"add users.{EVIL_COLUMN.lower()}"]
    assert not list(tmp_path.rglob("pwned*"))  # nothing ran


def test_baseline_hints_quote_the_file_for_the_shell(tmp_path, monkeypatch, capsys) -> None:
    (tmp_path / ".git").mkdir()
    shutil.copytree(CLEAN, tmp_path / "svc")
    monkeypatch.chdir(tmp_path)
    name = "base line; touch pwned-baseline.json"
    (tmp_path / name).write_text(
        json.dumps(
            {
                "version": 1,
                "entries": [{"code": "DG103", "service": "svc", "table": "gone", "column": "gone", "count": 1}],
            }
        )
    )
    assert main(["check", "--no-migrations", "--format", "json", "--baseline", name, "--fail-on", "info"]) == 1
    stale = [f for f in json.loads(capsys.readouterr().out)["findings"] if f["code"] == "DG004"]
    assert len(stale) == 1
    hint = stale[0]["hint"]
    command = hint[hint.index("`") + 1 : hint.rindex("`")]
    assert _run_hint(command, tmp_path, "drift-guard").splitlines() == ["baseline", name]
    assert not list(tmp_path.rglob("pwned*"))
