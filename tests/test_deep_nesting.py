"""Found by the fuzz suite: deeply nested code crashed drift-guard.

libcst's native parser recurses without a limit: a models file with a few
thousand nested brackets ended the process with SIGSEGV (no report, no exit
status 0/1/2), and a few hundred nested calls took seconds each, growing faster
than the depth. Such a file is now a located DG001 and nothing is given to
libcst. Checked in a subprocess, so a regression fails here instead of
crashing the test run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from drift_guard.schema import Problem
from drift_guard.source import MAX_NESTING, parse_bytes

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "sample-clean"
MODELS = Path("services") / "flask-backend" / "app" / "db" / "models.py"
SHAPES = {
    "brackets": lambda n: "(" * n + "1" + ")" * n,
    "lists": lambda n: "[" * n + "1" + "]" * n,
    "calls": lambda n: "f(" * n + "1" + ")" * n,
    "not": lambda n: "not " * n + "x",
    "sum": lambda n: "1 + " * n + "1",
    "attributes": lambda n: "x" + ".a" * n,
    "lambdas": lambda n: "lambda: " * n + "1",
}


@pytest.mark.parametrize("depth", [1_000, 20_000])
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_deep_code_is_a_located_problem(tmp_path, shape, depth):
    path = tmp_path / "deep.py"
    path.write_text(f"import os\n\nnested = {SHAPES[shape](depth)}\n")
    code = f"from pathlib import Path\nfrom drift_guard.source import parse_bytes\nprint(repr(parse_bytes(Path({str(path)!r}).read_bytes(), 'deep.py')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("Problem(") and "deep.py" in done.stdout


def test_code_within_the_limit_still_parses():
    source = f"nested = {SHAPES['sum'](MAX_NESTING // 2)}\n".encode()
    assert not isinstance(parse_bytes(source, "ok.py"), Problem)


def test_the_deepest_point_is_the_location():
    source = b"import os\n\n\nvalue = f(\n" + b"1 + " * (MAX_NESTING + 50) + b"1)\n"
    problem = parse_bytes(source, "deep.py")
    assert isinstance(problem, Problem)
    assert (problem.location.path, problem.location.line) == ("deep.py", 5)
    assert "nested" in problem.message


def test_a_deep_models_file_is_a_dg001_not_a_crash(tmp_path):
    root = tmp_path / "sample"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("__pycache__"))
    with (root / MODELS).open("a") as models:
        models.write("\nnested = " + "(" * 5000 + "1" + ")" * 5000 + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "drift_guard", "check", "--format", "json", "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr[-2000:]
    (finding,) = [f for f in json.loads(done.stdout)["findings"] if f["code"] == "DG001"]
    assert finding["location"]["path"].endswith("models.py") and finding["location"]["line"] > 1


def test_a_syntax_error_elsewhere_does_not_hand_a_deep_file_to_libcst(tmp_path):
    """Found by the fuzz suite (a long line inserted at an indented spot): the
    file failed Python's parser for an unexpected indent, went on to libcst,
    and libcst hung on the 50,000-term sum, then crashed."""
    path = tmp_path / "broken.py"
    path.write_text("def f():\n    pass\n        oops = 1\ntotal = " + "1 + " * 50_000 + "1\n")
    code = f"from pathlib import Path\nfrom drift_guard.source import parse_bytes\nprint(repr(parse_bytes(Path({str(path)!r}).read_bytes(), 'broken.py')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "unexpected indent" in done.stdout and "line=3" in done.stdout


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("shape", ["sum", "not", "attributes", "lambdas"])
def test_the_limit_holds_after_long_lines_and_any_line_ending(shape, newline):
    """The check skips statements too short to reach the limit; a deep one after
    long lines, in a file with any line ending, is still measured in full."""
    filler = newline.join(f"x{i} = '{'y' * 300}'" for i in range(50))
    deep = f"nested = {SHAPES[shape](MAX_NESTING + 20)}"
    problem = parse_bytes(f"{filler}{newline}{deep}{newline}".encode(), "deep.py")
    assert isinstance(problem, Problem) and problem.location.line == 51, problem
    assert "levels deep" in problem.message


def test_the_depth_reported_past_the_limit_is_exact():
    from drift_guard.source import _checked_for_libcst

    problem = _checked_for_libcst("import os\nv = " + "-" * (MAX_NESTING + 7) + "x\n", "deep.py")
    assert isinstance(problem, Problem)
    # Module (0) > Assign (1) > UnaryOp x (MAX+7) > Name > Load
    assert f"nested {1 + (MAX_NESTING + 7) + 2} levels deep" in problem.message, problem.message
