"""Property-based: generated projects whose layers agree give no finding, and
one generated change to the PyDAL layer gives exactly the finding that
describes it, at that column (see fuzz_projects.py for what is generated and
for the settings profiles: fixed budget, derandomized under CI).

In-process through ``drift_guard.engine.run`` (migrations replayed too: the
models and the revision agree, so DG2xx must stay quiet), and a few examples
through the ``drift-guard`` command in a subprocess.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from fuzz_projects import MODELS, PYDAL, budget, mutations, tables, write_project
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from drift_guard.config import load_config
from drift_guard.engine import run
from drift_guard.session import RunOptions

PER_EXAMPLE = timedelta(seconds=10)  # generous: the machine running CI may be busy


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """One folder for every example (rewritten each time); a first run here
    imports Alembic and SQLAlchemy, so no example pays for that in its deadline."""
    root = tmp_path_factory.mktemp("fuzz-layers") / "svc"
    write_project(root, ())
    run([root], load_config(root), options=RunOptions())
    return root


def _findings(root: Path) -> list:
    return run([root], load_config(root), options=RunOptions()).findings


@settings(max_examples=budget(20), deadline=PER_EXAMPLE)
@given(schema=tables())
def test_layers_that_agree_give_no_finding(workdir, schema):
    write_project(workdir, schema)
    findings = _findings(workdir)
    assert findings == [], [(f.code, f.message) for f in findings]


@settings(max_examples=budget(25), deadline=PER_EXAMPLE)
@given(data=st.data())
def test_one_change_to_the_pydal_layer_gives_its_finding(workdir, data):
    schema = data.draw(tables())
    what, pydal, code, column = data.draw(mutations(schema))
    write_project(workdir, schema, pydal)
    findings = _findings(workdir)
    assert [f.code for f in findings] == [code], (what, [(f.code, f.message) for f in findings])
    (finding,) = findings
    table, name = column.split(".")
    assert (finding.table, finding.column) == (table, name), what
    side = MODELS if code == "DG103" else PYDAL
    assert finding.location.path.endswith(str(side)) and finding.location.line > 1


# Each example is a process start: few of them, not shrunk (reported as generated).
@settings(max_examples=budget(3), deadline=timedelta(seconds=30), phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(data=st.data())
def test_the_command_agrees(workdir, data):
    """The same through the command: exit 0 and nothing, or exit 1 and the code."""
    schema = data.draw(tables(max_tables=2))
    mutate = data.draw(st.booleans())
    code = None
    pydal = None
    if mutate:
        _, pydal, code, _ = data.draw(mutations(schema))
    write_project(workdir, schema, pydal)
    done = subprocess.run(
        [sys.executable, "-m", "drift_guard", "check", "--format", "json", "--no-cache", "."],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Traceback" not in done.stderr
    codes = [f["code"] for f in json.loads(done.stdout)["findings"]]
    assert (done.returncode, codes) == ((1, [code]) if mutate else (0, [])), done.stderr
