"""The HTML report without a browser: its data, its escaping, and what the run collects for it.

``tests/test_html_report_browser.py`` renders the same pages in headless Chromium.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from drift_guard.cli import main
from drift_guard.config import load_config
from drift_guard.engine import RunResult, run
from drift_guard.findings import Finding, Severity
from drift_guard.report.html import embed_json, render_html, report_data
from drift_guard.schema import Location

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CLEAN = FIXTURES / "sample-clean"
DRIFTED = FIXTURES / "sample-drifted"
SERVICE = "services/flask-backend"
HOSTILE_TABLE = "</script><script>document.documentElement.setAttribute('data-pwned','1')</script>"
HOSTILE_COLUMN = "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','2')\">"
SEPARATOR_TABLE = "line\u2028sep\u2029&amp;<!--"
SUPPRESSION_REASON = "legacy length, fixed in Q3 <b>bold</b>"

_DATA = re.compile(r'<script type="application/json" id="dg-data">(.*?)</script>', re.S)


def embedded(page: str) -> dict:
    """The JSON document a page embeds."""
    match = _DATA.search(page)
    assert match is not None
    return json.loads(match.group(1))


def drifted_copy(tmp_path: Path, *, hostile: bool = False, silenced: bool = False) -> Path:
    """The drifted sample in ``tmp_path``; with hostile table and column names in
    the models (``hostile``), a suppression with a reason and a one-entry
    baseline (``silenced``: DG106 users.full_name suppressed, DG108 users.email
    baselined in ``baseline.json``)."""
    project = tmp_path / "project"
    shutil.copytree(DRIFTED, project)
    service = project / SERVICE
    if hostile:
        models = service / "app" / "db" / "models.py"
        models.write_text(
            models.read_text(encoding="utf-8")
            + "\n\nclass Evil(Base):\n"
            + f"    __tablename__ = {HOSTILE_TABLE!r}\n\n"
            + "    id = Column(Integer, primary_key=True)\n"
            + f"    name = Column({HOSTILE_COLUMN!r}, String(10))\n"
            + "\n\nclass Separators(Base):\n"
            # the raw characters in the source, not escapes: they reach the names as they are
            + f'    __tablename__ = "{SEPARATOR_TABLE}"\n\n'
            + "    id = Column(Integer, primary_key=True)\n",
            encoding="utf-8",
        )
    if silenced:
        pydal = service / "app" / "models.py"
        text = pydal.read_text(encoding="utf-8")
        line = '        Field("full_name", "string"),'
        assert line in text
        pydal.write_text(
            text.replace(line, f"{line}  # drift-guard: ignore[DG106] -- {SUPPRESSION_REASON}"), encoding="utf-8"
        )
        entry = {"code": "DG108", "service": SERVICE, "table": "users", "column": "email", "message": None, "count": 1}
        (project / "baseline.json").write_text(
            '{\n  "version": 1,\n  "entries": [\n    ' + json.dumps(entry) + "\n  ]\n}\n", encoding="utf-8"
        )
    return project


def write_report(project: Path, target: Path, monkeypatch, *extra: str) -> tuple[int, str]:
    monkeypatch.chdir(project)
    status = main(["check", "--format", "html", "--output", str(target), *extra])
    return status, target.read_text(encoding="utf-8")


def test_embedded_json_cannot_close_the_script_or_break_a_line():
    document = {"name": "</script><!--<script>&amp;\u2028\u2029]]>", "n": 1}
    text = embed_json(document)
    for forbidden in ("<", ">", "&", "\u2028", "\u2029"):
        assert forbidden not in text
    assert json.loads(text) == document


def test_drifted_sample_page_holds_three_layers_marks_and_findings(tmp_path, monkeypatch):
    status, page = write_report(DRIFTED, tmp_path / "report.html", monkeypatch)
    assert status == 1
    assert "http://" not in page and "https://" not in page  # nothing fetched: no CDN, no fonts
    data = embedded(page)
    (service,) = data["services"]
    assert service["name"] == SERVICE and service["hasHead"]
    assert [d[0] for d in service["dialects"]] == ["postgres3"]
    tables = {t["key"]: t for t in service["tables"]}
    assert set(tables["audit_log"]["layers"]) == {"p"}  # only in PyDAL: no model, so no migration
    assert set(tables["api_keys"]["layers"]) == {"m", "h"}
    users = tables["users"]
    full_name = next(c for c in users["cols"] if c[0] == "full_name")
    model, pydal, head = full_name[1:]
    assert (model[0], model[1], pydal[1], head[0]) == ("String(255)", 255, 512, "VARCHAR(255)")
    (mark,) = [f for f in data["findings"] if f["c"] == "DG106"]
    table_index = service["tables"].index(users)
    assert mark["at"] == [0, table_index, users["cols"].index(full_name), 3, "length"]
    assert data["counts"] == {"error": 12, "warning": 2, "info": 0}
    assert all(f["st"] == "active" for f in data["findings"])


def test_names_from_the_code_stay_in_the_json(tmp_path, monkeypatch):
    project = drifted_copy(tmp_path, hostile=True)
    _, page = write_report(project, tmp_path / "report.html", monkeypatch, "--no-migrations")
    template = (Path(__file__).resolve().parents[1] / "drift_guard" / "report" / "report_template.html").read_text()
    assert page.count("<script") == template.count("<script")
    assert page.count("</script>") == template.count("</script>")
    assert "<img" not in page and "\u2028" not in page and "<!--" not in page
    keys = {t["key"] for t in embedded(page)["services"][0]["tables"]}
    assert {HOSTILE_TABLE.lower(), SEPARATOR_TABLE.lower()} <= keys


def test_suppressed_and_baselined_findings_are_kept_with_their_reasons(tmp_path, monkeypatch):
    project = drifted_copy(tmp_path, silenced=True)
    status, page = write_report(
        project, tmp_path / "report.html", monkeypatch, "--no-migrations", "--baseline", "baseline.json"
    )
    assert status == 1
    findings = embedded(page)["findings"]
    states = {(f["c"], f["st"]): f for f in findings if f["st"] != "active"}
    assert set(states) == {("DG106", "suppressed"), ("DG108", "baselined")}
    assert states["DG106", "suppressed"]["r"] == SUPPRESSION_REASON
    assert states["DG106", "suppressed"]["ra"].startswith(f"{SERVICE}/app/models.py:24:")
    assert states["DG108", "baselined"]["r"] == "in baseline baseline.json"
    assert states["DG108", "baselined"]["ra"] == "baseline.json:4:1"
    assert {f["c"] for f in findings if f["st"] == "active"}.isdisjoint({"DG106", "DG108"})


def test_the_default_run_collects_no_schemas(monkeypatch):
    monkeypatch.chdir(CLEAN)
    result = run([CLEAN], load_config(CLEAN), options=None)
    assert result.schemas == [] and result.silenced == []


def test_report_command_is_check_with_the_html_format(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(CLEAN, tmp_path / "clean")
    status = main(["report", "clean", "--no-migrations"])
    assert status == 0
    assert "drift-guard-report.html" in capsys.readouterr().out
    data = embedded((tmp_path / "drift-guard-report.html").read_text(encoding="utf-8"))
    assert data["findings"] == [] and data["services"][0]["headNote"].startswith("the migration check did not run")


def test_a_result_without_schemas_still_renders_its_findings():
    item = Finding("DG103", "column-missing-in-pydal", Severity.ERROR, "m <x>", "h", Location("a.py", 3, 1), "t", "c")
    data = report_data(RunResult([item], 1, ["svc"]))
    assert data["services"] == [] and data["findings"][0]["m"] == "m <x>" and "at" not in data["findings"][0]
    assert "m \\u003cx\\u003e" in render_html(RunResult([item], 1, ["svc"]))


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_other_formats_ignore_silenced_findings(tmp_path, monkeypatch, capsys, fmt):
    project = drifted_copy(tmp_path, silenced=True)
    monkeypatch.chdir(project)
    main(["check", "--format", fmt, "--no-migrations", "--baseline", "baseline.json"])
    out = capsys.readouterr().out
    assert "DG106" not in out and "DG108" not in out


def test_the_head_comes_from_the_cache_on_a_warm_run(tmp_path, monkeypatch):
    """With the cache on, the report reads the head the check stored (no second
    replay, no revision graph) and shows the same page as on the cold run."""
    monkeypatch.delenv("DRIFT_GUARD_NO_CACHE")
    project = drifted_copy(tmp_path)
    cache = ("--cache-dir", str(tmp_path / "cache"))
    pages = [embedded(write_report(project, tmp_path / "run1.html", monkeypatch, *cache)[1])]

    def not_again(*args, **kwargs):
        raise AssertionError("the revision graph was built again for the report")

    monkeypatch.setattr("drift_guard.extract.alembic.build_revision_graph", not_again)
    pages.append(embedded(write_report(project, tmp_path / "run2.html", monkeypatch, *cache)[1]))
    for data in pages:
        data.pop("generated")
    assert pages[0] == pages[1]
    (service,) = pages[0]["services"]
    # the sample runs on PostgreSQL: the head is the embedded server's, read back from its recorded reflection
    note = "the head after 3 revision(s), replayed on the embedded PostgreSQL"
    assert service["hasHead"] and service["headNote"] == note
    assert [d[0] for d in service["dialects"]] == ["postgres3"]


def test_no_head_when_the_migrations_ran_on_a_server(monkeypatch):
    from drift_guard.context import ServiceContext
    from drift_guard.discovery import discover
    from drift_guard.session import RunOptions, Session
    from drift_guard.snapshot import service_schemas

    monkeypatch.chdir(DRIFTED)
    config = load_config(DRIFTED)
    (service,) = discover([DRIFTED], config)
    session = Session(config, RunOptions(database_url="postgresql://nowhere/none"))
    with session.active():
        view = service_schemas(ServiceContext(service, session), migrations_ran=True)
    assert view.head is None and "--database-url" in view.head_note
    assert {t.key for t in view.models.tables} == {p.key for p in view.pairs if p.model is not None}
