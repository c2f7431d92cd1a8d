"""Results reused across a comment edit (drift_guard.layout): only when provably
the same statements, and then exactly what reading the file again gives.

The unit tests pin what counts as "only comments and blank lines changed"; the
golden-case test edits the model files of every golden case and fixture that
way and asserts that the cached run reports exactly what a run without the
cache reports (locations included), with the schema layers not read again.
"""

from __future__ import annotations

import ast
import json
import shlex
import shutil
from pathlib import Path

import pytest

from drift_guard import session as session_module
from drift_guard.cli import main
from drift_guard.layout import Layout, layout_of, match, moved, relocate
from drift_guard.schema import Location
from drift_guard.source import SourceFile, parse_bytes

SOURCE = b'''"""Models."""

import sqlalchemy as sa
from app.db.base import Base  # the base


@decorate(
    1)
# between the decorators
@decorate
class User(Base):  # users
    __tablename__ = "users"
    id = sa.Column(sa.Integer, primary_key=True)
    # the body's last comment

x = (
    1
)
'''


def layout(data: bytes = SOURCE) -> Layout:
    parsed = parse_bytes(data, "m.py")
    assert isinstance(parsed, SourceFile)
    found = layout_of(data, parsed)
    assert found is not None
    return found


def test_statements_are_line_ranges_from_the_first_decorator():
    assert [(first, last) for first, last, _ in layout().blocks] == [(1, 1), (3, 3), (4, 4), (7, 13), (16, 18)]


@pytest.mark.parametrize(
    ("new", "starts"),
    [
        (SOURCE, (1, 3, 4, 7, 16)),
        (SOURCE + b"# bench-edit: 1\n", (1, 3, 4, 7, 16)),
        (b"# top\n\n" + SOURCE, (3, 5, 6, 9, 18)),
        (SOURCE.replace(b"    # the body's last comment\n", b""), (1, 3, 4, 7, 15)),
        (SOURCE.replace(b"\n\n@decorate(", b"\n  # indented, comment only\n\n\n@decorate("), (1, 3, 4, 9, 18)),
        (SOURCE.replace(b"x = (", b"# \xc3\xa9t\xc3\xa9\nx = ("), (1, 3, 4, 7, 17)),
    ],
)
def test_comment_and_blank_line_edits_match(new, starts):
    assert match(layout(), new) == starts


@pytest.mark.parametrize(
    "new",
    [
        SOURCE.replace(b"primary_key=True", b"primary_key=False"),  # a statement changed
        SOURCE.replace(b"class User(Base):  # users", b"class User(Base):  # the users"),  # its trailing comment
        SOURCE.replace(b"    # the body's last comment\n", b"    # the body's last comment\n    name = 1\n"),
        SOURCE + b"y = 2\n",  # a statement added
        SOURCE.replace(b"import sqlalchemy as sa\n", b""),  # one removed
        SOURCE.replace(b"x = (\n", b"x = (\n\n"),  # inside a statement
        b"# -*- coding: latin-1 -*-\n" + SOURCE,  # decides how every byte is read
        b"\xef\xbb\xbf" + SOURCE,
        SOURCE + b"# \x00\n",  # Python refuses the file
        SOURCE + b"# \xe9\n",  # not UTF-8
        SOURCE + b"\\\n",  # a continuation line
        SOURCE.rstrip(b"\n"),  # the last statement's line lost its newline
    ],
)
def test_anything_else_does_not(new):
    assert match(layout(), new) is None


def test_no_layout_for_a_file_with_an_encoding_cookie():
    data = b"# coding: utf-8\n" + SOURCE
    parsed = parse_bytes(data, "m.py")
    assert isinstance(parsed, SourceFile)
    assert layout_of(data, parsed) is None


def test_relocate_moves_locations_with_their_statement():
    old = layout()
    starts = match(old, b"# top\n\n" + SOURCE)
    assert starts is not None
    value = {"a": (Location("m.py", 12, 5), Location("other.py", 12, 5)), "b": [Location("m.py", 17, 1)]}
    assert relocate(value, "m.py", old, starts) == {
        "a": (Location("m.py", 14, 5), Location("other.py", 12, 5)),
        "b": [Location("m.py", 19, 1)],
    }
    assert moved(old, starts) == layout(b"# top\n\n" + SOURCE)


def test_relocate_refuses_what_it_cannot_place():
    old = layout()
    starts = match(old, b"# top\n\n" + SOURCE)
    assert starts is not None
    assert relocate([Location("m.py", 14, 1)], "m.py", old, starts) is None  # a comment line: not a statement's
    assert relocate([Location("m.py", 1, 1)], "m.py", old, starts) is None  # "the file", or the docstring?
    same = match(old, SOURCE + b"# end\n")
    assert same is not None
    value = [Location("m.py", 1, 1)]
    assert relocate(value, "m.py", old, same) is value  # nothing moved: the same object


def test_relocate_keeps_the_file_location_when_no_statement_starts_on_line_one():
    data = b"# header\n" + SOURCE
    old = layout(data)
    starts = match(old, b"# header\n# more\n" + SOURCE)
    assert starts is not None
    assert relocate([Location("m.py", 1, 1), Location("m.py", 2, 1)], "m.py", old, starts) == [
        Location("m.py", 1, 1),
        Location("m.py", 3, 1),
    ]


# --- end to end: every golden case, its model files edited in comments only ------------------

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted(p for p in (ROOT / "tests" / "rules").glob("DG*/*") if p.is_dir() and not (p / "project.txt").exists())


def _model_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*.py") if "models" in p.name and "pydal" not in p.parts]


def _editable(path: Path) -> bool:
    """Whether :func:`_comment_edit` can edit the file (it parses, ends with a newline)."""
    data = path.read_bytes()
    try:
        ast.parse(data)
    except (SyntaxError, ValueError):
        return False
    return data.endswith((b"\n", b"\r")) or not data


# the cases with a model file a comment edit can be made in (the others have nothing to reuse)
PROJECTS = [
    p
    for p in (*CASES, ROOT / "fixtures" / "sample-clean", ROOT / "fixtures" / "sample-drifted")
    if any(_editable(m) for m in _model_files(p))
]


def _comment_edit(path: Path) -> bool:
    """Put comment and blank lines before every top-level statement past line 2
    (a coding cookie stays where it is) and at the end; False when the file
    cannot be parsed (nothing to reuse there)."""
    data = path.read_bytes()
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return False
    starts = {min([s.lineno, *(d.lineno for d in getattr(s, "decorator_list", []))]) for s in tree.body}
    lines = data.splitlines(keepends=True)
    out: list[bytes] = []
    for number, line in enumerate(lines, 1):
        if number in starts and number > 2:
            out.append(b"# a comment edit\n\n")
        out.append(line)
    if out and not out[-1].endswith((b"\n", b"\r")):
        return False
    path.write_bytes(b"".join(out) + b"\n# the end\n")
    return True


def _args(project: Path) -> list[str]:
    extra = project / "args.txt"
    if extra.exists():
        return shlex.split(extra.read_text())
    return ["--no-migrations"] if project.parent.name.startswith("DG") else []


def _findings(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict]:
    capsys.readouterr()
    main(["check", "--format", "json", "--exit-zero", *args])
    return json.loads(capsys.readouterr().out)["findings"]


@pytest.mark.parametrize("project", PROJECTS, ids=[f"{p.parent.name}/{p.name}" for p in PROJECTS])
def test_a_comment_edit_of_the_models_reports_what_reading_them_again_reports(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "project"
    shutil.copytree(project, root)
    if project.parent.name == "fixtures":
        (root / "pyproject.toml").write_text('[tool.drift_guard]\nscratch = "sqlite"\n')
    monkeypatch.chdir(root)
    monkeypatch.delenv("DRIFT_GUARD_NO_CACHE")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    cached = ["--cache-dir", str(tmp_path / "cache"), *_args(project)]
    _findings(capsys, *cached)
    assert any([_comment_edit(path) for path in _model_files(root)])
    ran = _spy(monkeypatch)
    found = _findings(capsys, *cached)
    computed = list(ran)
    assert found == _findings(capsys, "--no-cache", *_args(project))
    if project.parent.name == "fixtures":  # the sample's models file: the layers were not read again
        assert "models" not in computed and "discovery" not in computed


def test_comments_that_take_a_model_file_over_the_size_limit_are_a_dg001(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "project"
    shutil.copytree(ROOT / "fixtures" / "sample-clean", root)
    models = root / "services" / "flask-backend" / "app" / "db" / "models.py"
    limit = max(path.stat().st_size for path in root.rglob("*.py")) + 100
    (root / "pyproject.toml").write_text(f'[tool.drift_guard]\nscratch = "sqlite"\nmax-file-size = {limit}\n')
    monkeypatch.chdir(root)
    monkeypatch.delenv("DRIFT_GUARD_NO_CACHE")
    cached = ["--cache-dir", str(tmp_path / "cache")]
    assert _findings(capsys, *cached) == []
    models.write_bytes(models.read_bytes() + b"# a long comment " + b"x" * (limit - models.stat().st_size) + b"\n")
    ran = _spy(monkeypatch)
    found = _findings(capsys, *cached)
    assert "models" in ran and "discovery" in ran  # not the old layers: the file is not read at all now
    assert "DG001" in {f["code"] for f in found}
    assert found == _findings(capsys, "--no-cache")


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Namespaces whose computation ran (a miss)."""
    ran: list[str] = []
    original = session_module.Session.cached

    def spy(self, namespace, key_parts, compute, keep=None, **options):  # type: ignore[no-untyped-def]
        def counted():  # type: ignore[no-untyped-def]
            ran.append(namespace)
            return compute()

        return original(self, namespace, key_parts, counted, keep, **options)

    monkeypatch.setattr(session_module.Session, "cached", spy)
    return ran
