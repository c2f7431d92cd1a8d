"""A model file edited again and again between cached runs: after every edit,
the cached run reports exactly what a run without the cache reports.

The edits mix what the cache may carry over (constants, helper functions,
methods and docstrings that only bind names, comments) with what it must not: the same
statements binding names the models use (``String = 5`` shadows an import,
``NAME_LENGTH`` becomes a column's length), a class edited, a constant that a
column uses changed. Whether the layers were reused or read again is recorded
as a Hypothesis event (``--hypothesis-show-statistics``), so a run shows both
kinds happen.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from drift_guard.cli import main
from tests.fuzz_projects import budget
from tests.test_layout import computations

ROOT = Path(__file__).resolve().parents[1]
MODELS = Path("services") / "flask-backend" / "app" / "db" / "models.py"
# fresh names, names the models write (an import, a class, a column, a table in a string), and the constants' own
NAMES = ["PAGE_SIZE", "NAME_LENGTH", "helper", "String", "TeamMember", "sa", "users", "role", "Base", "email"]

_edit = st.one_of(
    st.tuples(st.just("constant"), st.integers(0, 30), st.sampled_from(NAMES), st.integers(1, 400)),
    st.tuples(st.just("helper"), st.integers(0, 30), st.sampled_from(NAMES), st.integers(1, 400)),
    st.tuples(st.just("method"), st.integers(0, 30), st.sampled_from([*NAMES, "__repr__"]), st.integers(1, 400)),
    st.tuples(st.just("comment"), st.integers(0, 30), st.just(""), st.integers(0, 9)),
    st.tuples(st.just("docstring"), st.just(0), st.just(""), st.integers(0, 9)),
    st.tuples(st.just("remove"), st.integers(0, 30), st.just(""), st.just(0)),
    st.tuples(st.just("use"), st.just(0), st.sampled_from(NAMES[:2]), st.just(0)),
    st.tuples(st.just("length"), st.just(0), st.just(""), st.integers(1, 400)),
)


def _apply(data: bytes, edit: tuple[str, int, str, int]) -> bytes:
    """``data`` with one edit made at the top-level statement ``edit[1]`` picks."""
    kind, at, name, number = edit
    tree = ast.parse(data)
    lines = data.splitlines(keepends=True)
    starts = [min([s.lineno, *(d.lineno for d in getattr(s, "decorator_list", []))]) for s in tree.body]
    line = starts[at % len(starts)] if starts and at % (len(starts) + 1) < len(starts) else len(lines) + 1
    if kind == "constant":
        return _insert(lines, line, f"{name} = {number}\n\n")
    if kind == "helper":
        # a body that builds a column: it runs only if called (and a call names it)
        return _insert(lines, line, f"def {name}(value={number}):\n    return sa.Column(sa.String(value))\n\n\n")
    if kind == "comment":
        return _insert(lines, line, f"# comment {number}\n")
    if kind == "docstring":
        return data.replace(b'"""SQLAlchemy models', f'"""{number} SQLAlchemy models'.encode(), 1)
    if kind == "method":  # at the end of a class's body
        classes = [s for s in tree.body if isinstance(s, ast.ClassDef)]
        end = (classes[at % len(classes)].end_lineno or 0) + 1
        return _insert(
            lines, end, f"\n    def {name}(self, value={number}):\n        return sa.Column(sa.String(value))\n"
        )
    if kind == "remove":  # a constant, helper or method added before, if any
        ours = [s for s in tree.body if isinstance(s, (ast.Assign, ast.FunctionDef))]
        ours += [m for c in tree.body if isinstance(c, ast.ClassDef) for m in c.body if isinstance(m, ast.FunctionDef)]
        if not ours:
            return data
        gone = ours[at % len(ours)]
        del lines[gone.lineno - 1 : gone.end_lineno]
        return b"".join(lines)
    if kind == "use":  # a column's length from a constant (defined or not: an unresolved length is a finding too)
        return data.replace(b"String(255)", f"String({name})".encode(), 1)
    return data.replace(b"String(100)", f"String({number})".encode(), 1)  # a class edited


def _insert(lines: list[bytes], line: int, text: str) -> bytes:
    return b"".join([*lines[: line - 1], text.encode(), *lines[line - 1 :]])


def _findings(*args: str) -> list[dict]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["check", "--format", "json", "--exit-zero", "--no-migrations", *args])
    return json.loads(out.getvalue())["findings"]


@settings(max_examples=budget(20), deadline=None)
@given(edits=st.lists(_edit, min_size=1, max_size=4))
def test_every_edit_reports_what_reading_the_models_again_reports(
    tmp_path_factory: pytest.TempPathFactory, edits: list[tuple[str, int, str, int]]
) -> None:
    base = tmp_path_factory.mktemp("inert")
    root = base / "project"
    shutil.copytree(ROOT / "fixtures" / "sample-drifted", root)
    models = root / MODELS
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.chdir(root)
        monkeypatch.delenv("DRIFT_GUARD_NO_CACHE", raising=False)
        monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
        cached = ["--cache-dir", str(base / "cache")]
        _findings(*cached)
        ran = computations(monkeypatch)
        for edit in edits:
            new = _apply(models.read_bytes(), edit)
            try:
                ast.parse(new)
            except SyntaxError:  # an edit this generator cannot place there: not a case of this test
                continue
            models.write_bytes(new)
            ran.clear()
            found = _findings(*cached)
            event(f"{edit[0]}: models {'read again' if 'models' in ran else 'reused'}")
            assert found == _findings("--no-cache"), edit
