"""Bad input gets a located message, never a traceback, and never a silent pass;
and nothing is ever imported."""

from __future__ import annotations

import json
from pathlib import Path

from drift_guard.cli import main

MODELS = """from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    email = Column(String(255))
"""
PYDAL = """from pydal import DAL, Field

db = DAL("sqlite:memory", migrate=False)
db.define_table("users", Field("email", length=255))
"""


def run_json(root: Path, monkeypatch, capsys) -> tuple[int, list[dict]]:
    monkeypatch.chdir(root)
    status = main(["check", "--format", "json", "--no-migrations"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return status, json.loads(captured.out)["findings"]


def project(tmp_path: Path, **files: str | bytes) -> Path:
    for name, content in {"models.py": MODELS, "tables.py": PYDAL, **files}.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return tmp_path


def test_clean_baseline(tmp_path, monkeypatch, capsys):
    status, findings = run_json(project(tmp_path), monkeypatch, capsys)
    assert (status, findings) == (0, [])


def test_syntax_error_is_located_and_other_files_still_checked(tmp_path, monkeypatch, capsys):
    broken = "from pydal import Field\ndb.define_table('orders',\n    Field('x'\n"
    status, findings = run_json(
        project(
            tmp_path,
            **{"broken_tables.py": broken, "tables.py": PYDAL.replace('Field("email", length=255)', 'Field("email")')},
        ),
        monkeypatch,
        capsys,
    )
    codes = {(f["code"], f["location"]["path"]) for f in findings}
    assert ("DG001", "broken_tables.py") in codes
    dg001 = next(f for f in findings if f["code"] == "DG001")
    assert dg001["location"]["line"] == 3 and "never closed" in dg001["message"]
    assert ("DG106", "tables.py") in codes  # the other files were still compared
    assert status == 1


def test_non_utf8_file(tmp_path, monkeypatch, capsys):
    status, findings = run_json(
        project(tmp_path, **{"latin.py": b"# models\nname = '\xe9'\nfrom pydal import Field\ndb.define_table('x')\n"}),
        monkeypatch,
        capsys,
    )
    [dg001] = [f for f in findings if f["code"] == "DG001"]
    assert dg001["location"] == {"path": "latin.py", "line": 2, "column": 9}
    assert "utf-8" in dg001["message"]


def test_empty_file_is_fine(tmp_path, monkeypatch, capsys):
    status, findings = run_json(project(tmp_path, **{"empty.py": ""}), monkeypatch, capsys)
    assert (status, findings) == (0, [])


def test_models_that_raise_or_exit_at_import_are_only_read(tmp_path, monkeypatch, capsys):
    """Proof that nothing is imported: these modules would kill the process."""
    hostile = "import sys\nraise SystemExit('imported!')\n" + MODELS + "\nsys.exit(3)\n"
    hostile_pydal = "import os\nos._exit(4)\n" + PYDAL
    status, findings = run_json(
        project(tmp_path, **{"models.py": hostile, "tables.py": hostile_pydal}), monkeypatch, capsys
    )
    assert (status, findings) == (0, [])


def test_five_megabyte_generated_file(tmp_path, monkeypatch, capsys):
    """Too large to parse in a hook's time and memory: reported at the file, and
    the other files are still checked."""
    header = "from sqlalchemy import Column, Integer, String\nfrom sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n"
    body = "".join(
        f"\n\nclass Model{i}(Base):\n    __tablename__ = 'gen_{i}'\n    id = Column(Integer, primary_key=True)\n"
        + "".join(f"    field_{j} = Column(String({j + 10}), nullable=False)\n" for j in range(20))
        for i in range(5200)
    )
    text = header + body
    assert len(text) > 5_000_000
    drifted = PYDAL.replace('Field("email", length=255)', 'Field("email")')
    status, findings = run_json(
        project(tmp_path, **{"generated_models.py": text, "tables.py": drifted}), monkeypatch, capsys
    )
    [dg001] = [f for f in findings if f["code"] == "DG001"]
    assert dg001["location"] == {"path": "generated_models.py", "line": 1, "column": 1}
    assert "over the 1 MB parse limit" in dg001["message"] and "max-file-size" in dg001["message"]
    assert [(f["code"], f["table"], f["column"]) for f in findings if f["code"] != "DG001"] == [
        ("DG106", "users", "email")
    ]
    assert status == 1


def test_max_file_size_is_configurable(tmp_path, monkeypatch, capsys):
    (tmp_path / "pyproject.toml").write_text("[tool.drift_guard]\nmax-file-size = 200\n")
    status, findings = run_json(project(tmp_path), monkeypatch, capsys)
    assert {f["code"] for f in findings} == {"DG001"} and status == 1
