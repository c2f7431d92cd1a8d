"""Property-based: damaged input files never crash drift-guard.

One file of the sample project (the SQLAlchemy models, the PyDAL module or a
revision) is damaged the way real files are: lines deleted, tokens swapped,
cut short, random bytes, very deep nesting, very long lines, another encoding,
other line endings. For every such input the run ends normally (no exception
in-process; exit status 0, 1 or 2 and no traceback from the command), and a
file Python itself cannot compile is reported at a location in that file:
DG001 (a revision Alembic cannot load may instead be its DG203).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from fuzz_projects import budget  # importing it also loads the settings profile
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from drift_guard.config import load_config
from drift_guard.engine import run
from drift_guard.session import RunOptions

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "sample-clean"
SERVICE = Path("services") / "flask-backend"
TARGETS = [
    SERVICE / "app" / "db" / "models.py",
    SERVICE / "app" / "models.py",
    SERVICE / "alembic" / "versions" / "20260201_0002_invoices.py",
]
PER_EXAMPLE = timedelta(seconds=10)
_TOKEN = re.compile(rb"\w+|[^\w\s]")


def _delete_lines(data: st.DataObject, text: bytes) -> bytes:
    lines = text.splitlines(keepends=True)
    start = data.draw(st.integers(0, max(0, len(lines) - 1)))
    count = data.draw(st.integers(1, 5))
    return b"".join(lines[:start] + lines[start + count :])


def _swap_tokens(data: st.DataObject, text: bytes) -> bytes:
    spans = [m.span() for m in _TOKEN.finditer(text)]
    first, second = sorted(data.draw(st.lists(st.sampled_from(spans), min_size=2, max_size=2, unique=True)))
    (a, b), (c, d) = first, second
    return text[:a] + text[c:d] + text[b:c] + text[a:b] + text[d:]


def _truncate(data: st.DataObject, text: bytes) -> bytes:
    return text[: data.draw(st.integers(0, len(text)))]


def _random_bytes(data: st.DataObject, text: bytes) -> bytes:
    at = data.draw(st.integers(0, len(text)))
    return text[:at] + data.draw(st.binary(min_size=1, max_size=64)) + text[at:]


def _deep_nesting(data: st.DataObject, text: bytes) -> bytes:
    depth = data.draw(st.sampled_from([50, 200, 1000, 5000, 20000]))
    opener, closer = data.draw(st.sampled_from([(b"(", b")"), (b"[", b"]"), (b"{", b"}"), (b"f(", b")")]))
    line = b"nested = " + opener * depth + b"1" + closer * depth + b"\n"
    lines = text.splitlines(keepends=True)
    at = data.draw(st.integers(0, len(lines)))
    return b"".join(lines[:at] + [line] + lines[at:])


def _long_line(data: st.DataObject, text: bytes) -> bytes:
    size = data.draw(st.sampled_from([10_000, 200_000, 1_000_000]))
    line = data.draw(
        st.sampled_from(
            [
                b"padding = '" + b"x" * size + b"'\n",
                b"total = " + b"1 + " * (size // 4) + b"1\n",
                b"# " + b"y" * size + b"\n",
            ]
        )
    )
    lines = text.splitlines(keepends=True)
    at = data.draw(st.integers(0, len(lines)))
    return b"".join(lines[:at] + [line] + lines[at:])


def _encoding(data: st.DataObject, text: bytes) -> bytes:
    decoded = text.decode("utf-8") + "# caf\u00e9 \u00fcber \u2603\n"
    choice = data.draw(st.sampled_from(["utf-16", "utf-8-sig", "latin-1", "latin-1-cookie", "cp1252", "utf-32"]))
    if choice == "latin-1-cookie":
        return ("# -*- coding: latin-1 -*-\n" + decoded.replace("\u2603", "")).encode("latin-1")
    return decoded.encode(choice, errors="replace")


def _line_endings(data: st.DataObject, text: bytes) -> bytes:
    ending = data.draw(st.sampled_from([b"\r\n", b"\r", b"\n\r", b"\x0c\n", b"\x0b"]))
    return text.replace(b"\n", ending)


MUTATIONS = {
    "delete-lines": _delete_lines,
    "swap-tokens": _swap_tokens,
    "truncate": _truncate,
    "random-bytes": _random_bytes,
    "deep-nesting": _deep_nesting,
    "long-line": _long_line,
    "encoding": _encoding,
    "line-endings": _line_endings,
}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fuzz-inputs") / "sample"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("__pycache__"))
    run([root], load_config(root), options=RunOptions())  # imports paid once, not by an example's deadline
    return root


def _damage(root: Path, data: st.DataObject) -> tuple[Path, bytes, str]:
    """Restore the sample, then damage one of its files; (path, new bytes, how)."""
    for target in TARGETS:
        (root / target).write_bytes((SAMPLE / target).read_bytes())
    target = data.draw(st.sampled_from(TARGETS))
    how = data.draw(st.sampled_from(sorted(MUTATIONS)))
    damaged = MUTATIONS[how](data, (SAMPLE / target).read_bytes())
    (root / target).write_bytes(damaged)
    return root / target, damaged, how


def _compiles(path: Path, text: bytes) -> bool:
    try:
        compile(text, str(path), "exec", dont_inherit=True)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    return True


def _check_unreadable(path: Path, text: bytes, located: list[tuple[str, str, int, int]], how: str) -> None:
    """A file Python cannot compile is reported, located, in that file."""
    if _compiles(path, text):
        return
    codes = ("DG001", "DG203") if "versions" in path.parts else ("DG001",)
    here = [f for f in located if f[0] in codes and f[1].endswith(path.name)]
    assert here, (how, located)
    assert all(line >= 1 and column >= 1 for _, _, line, column in here), (how, here)


@settings(max_examples=budget(40), deadline=PER_EXAMPLE)
@given(data=st.data())
def test_damaged_files_are_findings_not_crashes(workdir, data):
    path, text, how = _damage(workdir, data)
    result = run([workdir], load_config(workdir), options=RunOptions(migration_timeout=5))
    located = [(f.code, f.location.path, f.location.line, f.location.column) for f in result.findings]
    _check_unreadable(path, text, located, how)


# Each example is a process start (seconds on a loaded machine): few of them, and
# not shrunk (the failing input is reported as generated).
@settings(max_examples=budget(3), deadline=timedelta(seconds=30), phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(data=st.data())
def test_the_command_survives_damaged_files(workdir, data):
    path, text, how = _damage(workdir, data)
    done = subprocess.run(
        [sys.executable, "-m", "drift_guard", "check", "--format", "json", "--no-cache", "--migration-timeout", "5"],
        cwd=workdir,
        capture_output=True,
        timeout=60,
        check=False,
    )
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode in (0, 1, 2), (how, stderr)
    assert "Traceback" not in stderr, (how, stderr)
    if done.returncode != 2:
        findings = json.loads(done.stdout)["findings"]
        located = [(f["code"], f["location"]["path"], f["location"]["line"], f["location"]["column"]) for f in findings]
        _check_unreadable(path, text, located, how)
