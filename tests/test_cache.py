"""The persistent cache: reused only while nothing it was computed from changed.

Every test runs the real CLI on a copy of the clean sample (models, PyDAL,
migrations replayed for real on SQLite) with the cache in tmp_path, changes one
input, and asserts that the next run reports what a run without the cache
reports. ``computed`` counts the cached computations that actually ran, which
shows when an answer came from the cache.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from drift_guard import session as session_module
from drift_guard.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sample-clean"
SERVICE = "services/flask-backend"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(SAMPLE, root)
    # the sample runs on PostgreSQL: these tests are about the SQLite replay's cached head
    # (the embedded PostgreSQL's caching is tested in test_embedded_postgres.py)
    (root / "pyproject.toml").write_text('[tool.drift_guard]\nscratch = "sqlite"\n')
    monkeypatch.chdir(root)
    monkeypatch.delenv("DRIFT_GUARD_NO_CACHE")
    return root


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Namespaces whose computation ran (a miss), in order."""
    ran: list[str] = []
    original = session_module.Session.cached

    def spy(self, namespace, key_parts, compute, keep=None, **options):
        def counted():
            ran.append(namespace)
            return compute()

        return original(self, namespace, key_parts, counted, keep, **options)

    monkeypatch.setattr(session_module.Session, "cached", spy)
    return ran


def check(capsys: pytest.CaptureFixture[str], *extra: str) -> list[tuple[str, str]]:
    capsys.readouterr()
    main(["check", "--format", "json", "--cache-dir", "../cache", *extra])
    report = json.loads(capsys.readouterr().out)
    return sorted((f["code"], f.get("message", "")) for f in report["findings"])


def uncached(capsys: pytest.CaptureFixture[str]) -> list[tuple[str, str]]:
    return check(capsys, "--no-cache")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_warm_run_reads_nothing_again(project, capsys, computed):
    assert check(capsys) == []
    assert {"discovery", "models", "pydal", "findings", "replay"} <= set(computed)
    computed.clear()
    assert check(capsys) == []
    assert computed == []
    assert (project.parent / "cache" / ".gitignore").read_text().strip().endswith("*")


def test_default_folder_is_next_to_the_configuration(project, capsys):
    capsys.readouterr()
    assert main(["check"]) == 0
    assert (project / ".drift_guard_cache" / "CACHEDIR.TAG").is_file()
    assert main(["clean"]) == 0
    assert not (project / ".drift_guard_cache").exists()


@pytest.mark.parametrize(
    ("relative", "old", "new", "code"),
    [
        ("app/db/models.py", "full_name = Column(String(255))", "full_name = Column(String(200))", "DG106"),
        (
            "app/models.py",
            'Field("full_name", "string", length=255)',
            'Field("full_name", "string", length=100)',
            "DG106",
        ),
        ("app/models.py", "migrate=False", "migrate=True", "DG301"),
    ],
)
def test_a_changed_file_is_read_again(project, capsys, computed, relative, old, new, code):
    assert check(capsys) == []
    edit(project / SERVICE / relative, old, new)
    computed.clear()
    found = check(capsys)
    assert code in {c for c, _ in found}
    assert "replay" not in computed  # no revision changed: the head came from the cache
    assert found == uncached(capsys)


def test_a_runtime_module_edit_keeps_the_schema_layers(project, capsys, computed):
    assert check(capsys) == []
    routes = project / SERVICE / "app" / "routes.py"
    routes.write_text(
        "from app.models import get_db\n\n\ndef names():\n    db = get_db()\n"
        "    return db(db.users.nickname != None).select()\n"
    )
    computed.clear()
    found = check(capsys)
    assert "DG402" in {c for c, _ in found}
    assert "models" not in computed and "replay" not in computed
    assert found == uncached(capsys)


def test_added_deleted_and_renamed_files(project, capsys):
    assert check(capsys) == []
    extra = project / SERVICE / "app" / "extra.py"
    extra.write_text("from pydal import DAL\ndb = DAL('sqlite://x.db', migrate=True)\n")
    assert "DG301" in {c for c, _ in check(capsys)}
    renamed = extra.with_name("moved.py")
    extra.rename(renamed)
    assert check(capsys) == uncached(capsys)
    renamed.unlink()
    assert check(capsys) == []


def test_revision_files_and_alembic_ini(project, capsys, computed):
    assert check(capsys) == []
    versions = project / SERVICE / "alembic" / "versions"
    initial = next(versions.glob("*0001*.py"))
    edit(
        initial,
        'sa.Column("full_name", sa.String(length=255)',
        'sa.Column("full_name", sa.String(length=255)), sa.Column("nick", sa.String(10)',
    )
    computed.clear()
    found = check(capsys)
    assert "replay" in computed
    assert "DG201" in {c for c, _ in found} and found == uncached(capsys)
    edit(initial, '), sa.Column("nick", sa.String(10)', "")
    assert check(capsys) == []
    ini = project / SERVICE / "alembic.ini"
    edit(ini, "script_location = %(here)s/alembic", "script_location = %(here)s/nowhere")
    found = check(capsys)
    assert "DG203" in {c for c, _ in found} and found == uncached(capsys)


@pytest.mark.parametrize("cache", [["--no-cache"], ["--cache-dir", "../cache"]])
def test_the_html_report_uses_the_head_the_check_replayed(project, capsys, computed, cache):
    """The report shows the migrated head: the one the check replayed this run,
    not a second replay (with --no-cache there is no stored one to read back)."""
    main(["check", "--format", "html", "--output", "../report.html", *cache])
    assert computed.count("replay") == 1
    assert "alembic" in (project.parent / "report.html").read_text()


def test_configuration_and_dialect(project, capsys):
    edit(project / SERVICE / "app/models.py", "migrate=False", "migrate=True")
    (project / "pyproject.toml").write_text('[tool.drift_guard]\nruntime-exclude = ["app/models.py"]\n')
    assert "DG301" not in {c for c, _ in check(capsys)}
    (project / "pyproject.toml").write_text("")
    found = check(capsys)
    assert "DG301" in {c for c, _ in found}
    assert found == uncached(capsys)
    edit(project / SERVICE / "app/models.py", "migrate=True", "migrate=False")
    # The target dialect: PyDAL's boolean is CHAR(1) on MySQL, not the model's BOOLEAN.
    (project / "pyproject.toml").write_text("")
    edit(project / SERVICE / "app/models.py", "postgres3://app@localhost:5432/app", "mysql://app@localhost/app")
    found = check(capsys)
    assert "DG112" in {c for c, _ in found}
    assert found == uncached(capsys)


def test_another_version_misses(project, capsys, computed, monkeypatch):
    assert check(capsys) == []
    import drift_guard.cache

    # What a new release (or an edit of an editable install) does to the package files.
    monkeypatch.setattr(drift_guard.cache, "tool_fingerprint", lambda: "another drift-guard")
    computed.clear()
    assert check(capsys) == []
    assert "findings" in computed


def test_corrupt_and_foreign_entries_are_ignored(project, capsys, computed, monkeypatch, tmp_path):
    edit(project / SERVICE / "app/models.py", "migrate=False", "migrate=True")
    expected = check(capsys)
    assert "DG301" in {c for c, _ in expected}
    entries = sorted((project.parent / "cache").rglob("*.entry"))
    assert entries
    # A forged entry: the findings emptied, the signature kept.
    import pickle

    findings_entry = next(p for p in entries if "/findings/" in str(p))
    mac, _, text = findings_entry.read_bytes().partition(b"\n")
    header, _, _value = text.partition(b"\n")
    findings_entry.write_bytes(mac + b"\n" + header + b"\n" + pickle.dumps(([], []), protocol=5))
    for path in entries:
        if path != findings_entry:
            path.write_bytes(b"\x00not an entry")
    computed.clear()
    assert check(capsys) == expected
    assert "findings" in computed and "models" in computed
    # Another machine's cache: same files, other secret.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "other-home"))
    computed.clear()
    assert check(capsys) == expected
    assert "findings" in computed


def test_read_only_tree_runs_without_a_cache(project, capsys):
    os.chmod(project, 0o555)
    try:
        capsys.readouterr()
        if os.access(project, os.W_OK):  # root ignores mode bits: use an unwritable cache folder instead
            blocker = project.parent / "blocker"
            blocker.write_text("a file, so no folder can be made below it")
            assert main(["check", "--format", "json", "--cache-dir", str(blocker / "cache")]) == 0
        else:
            assert main(["check", "--format", "json"]) == 0
        assert json.loads(capsys.readouterr().out)["findings"] == []
    finally:
        os.chmod(project, 0o755)
    assert not (project / ".drift_guard_cache").exists()


def test_clean_refuses_a_folder_that_is_not_a_cache(project, capsys):
    (project / "precious").mkdir()
    assert main(["clean", "--cache-dir", "precious"]) == 2
    assert (project / "precious").is_dir()


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DRIFT_GUARD_NO_CACHE"}
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_two_concurrent_runs(project):
    edit(project / SERVICE / "app/models.py", "migrate=False", "migrate=True")
    env = {k: v for k, v in os.environ.items() if k != "DRIFT_GUARD_NO_CACHE"}
    command = [sys.executable, "-m", "drift_guard", "check", "--format", "json", "--cache-dir", "../cache"]
    runs = [subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [json.loads(run.communicate(timeout=300)[0]) for run in runs]
    assert outputs[0]["findings"] == outputs[1]["findings"]
    assert {f["code"] for f in outputs[0]["findings"]} == {"DG301"}
    again = _cli(project, *command[1:])
    assert json.loads(again.stdout)["findings"] == outputs[0]["findings"]
    assert not list((project.parent / "cache").rglob("*.tmp"))


# run as `python -c HEAVY_PROBE`: a check, then which heavy libraries it imported (on standard error)
HEAVY_PROBE = (
    "import sys, runpy\n"
    "sys.argv = ['drift-guard', 'check', '--cache-dir', '../cache']\n"
    "try:\n    runpy.run_module('drift_guard', run_name='__main__')\n"
    "except SystemExit:\n    pass\n"
    "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'libcst', 'sqlalchemy', 'alembic', 'pydal'})\n"
    "print('HEAVY', heavy, file=sys.stderr)\n"
)


def test_a_fully_cached_run_imports_no_heavy_library(project):
    command = ["-m", "drift_guard", "check", "--cache-dir", "../cache"]
    assert _cli(project, *command).returncode == 0
    done = _cli(project, "-c", HEAVY_PROBE)
    assert "HEAVY []" in done.stderr, done.stderr


def test_a_revision_file_outside_the_versions_folder(project, capsys):
    """A stray revision in script_location (not in versions/) breaks the graph
    (DG203); the cached migration report must not hide it."""
    assert check(capsys) == []
    stray = project / SERVICE / "alembic" / "0003_stray.py"
    stray.write_text(
        'revision = "0003"\ndown_revision = "0002"\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n'
    )
    found = check(capsys)
    assert "DG203" in {c for c, _ in found}
    assert found == uncached(capsys)


@pytest.fixture
def groups(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """The rule groups whose findings were computed (a miss), by their codes."""
    ran: list[tuple[str, ...]] = []
    original = session_module.Session.cached

    def spy(self, namespace, key_parts, compute, keep=None, **options):
        def counted():
            if namespace == "findings":
                ran.append(tuple(key_parts[-1]))
            return compute()

        return original(self, namespace, key_parts, counted, keep, **options)

    monkeypatch.setattr(session_module.Session, "cached", spy)
    return ran


def _reads(codes: tuple[str, ...], layer: str) -> bool:
    from drift_guard.rules import load_rules

    return any(layer in load_rules()[code].needs for code in codes)


def test_a_route_edit_recomputes_only_the_rules_that_read_the_runtime_modules(project, capsys, groups):
    routes = project / SERVICE / "app" / "routes.py"
    routes.write_text("from app.models import get_db\n\n\ndef names():\n    return get_db()\n")
    assert check(capsys) == []
    routes.write_text(routes.read_text() + "\n# an edit that changes nothing\n")
    groups.clear()
    assert check(capsys) == []
    assert groups and all(_reads(codes, "runtime") for codes in groups)
    assert not any(_reads(codes, "migrations") for codes in groups)
    routes.write_text(
        "from app.models import get_db\n\n\ndef names():\n    db = get_db()\n"
        "    return db(db.users.nickname != None).select()\n"
    )
    found = check(capsys)
    assert "DG402" in {c for c, _ in found} and found == uncached(capsys)


def test_a_model_edit_that_keeps_the_schema_keeps_the_migration_check(project, capsys, computed, groups):
    assert check(capsys) == []
    models = project / SERVICE / "app" / "db" / "models.py"
    # a call, so not an inert statement (those are reused without reading the file: test_layout)
    models.write_text(models.read_text() + "\nUNUSED = len('the schema is what it was')\n")
    computed.clear()
    groups.clear()
    assert check(capsys) == []
    assert "models" in computed and "migrations" not in computed and "replay" not in computed
    assert computed.count("runtime") == 1  # the models file is a runtime module too: only it is summarised again
    assert groups and all(_reads(codes, "models") or _reads(codes, "runtime") for codes in groups)
    edit(models, "full_name = Column(String(255))", "full_name = Column(String(200))")
    computed.clear()
    found = check(capsys)
    assert "migrations" in computed and "replay" not in computed
    assert found == uncached(capsys)


def test_files_that_failed_stay_reported_when_their_group_comes_from_the_cache(project, capsys, groups):
    """DG001 of a runtime module (read by the DG3xx group) is still reported
    when only the models changed and the post-phase rules run again."""
    broken = project / SERVICE / "app" / "broken_route.py"
    broken.write_text("def f(:\n    pass\n")
    first = check(capsys)
    assert "DG001" in {c for c, _ in first}
    edit(
        project / SERVICE / "app" / "db" / "models.py",
        "full_name = Column(String(255))",
        "full_name = Column(String(200))",
    )
    groups.clear()
    found = check(capsys)
    assert any("DG001" in codes for codes in groups)
    assert "DG001" in {c for c, _ in found} and found == uncached(capsys)
    broken.unlink()
    found = check(capsys)
    assert "DG001" not in {c for c, _ in found} and found == uncached(capsys)


def test_a_layer_read_again_by_another_group_is_a_dependency_of_it(tmp_path: Path):
    """A value computed once per run and handed to several rule groups records
    the files it was computed from for each of them."""
    from drift_guard.config import Config

    source = tmp_path / "a.py"
    source.write_text("x = 1\n")
    session = session_module.Session(Config(root=tmp_path))
    memo: dict = {}
    with session.tracking() as first:
        assert session.memo(memo, "layer", lambda: session.read_bytes(source)) == b"x = 1\n"
    with session.tracking() as second:
        assert session.memo(memo, "layer", lambda: b"never computed twice") == b"x = 1\n"
    assert first == second == {(str(source.absolute()), "sha"): session.digest(source)}


def test_a_result_that_reads_a_fact_depends_on_its_value_not_on_its_files(tmp_path: Path):
    """Session.fact: a result that reads a fact is kept while the fact's value
    is (found again by the resolver the run gives), whatever changed in the
    files it was read from; a changed value, or a fact no one can find, is a miss."""
    from drift_guard.config import Config

    source = tmp_path / "routes.py"
    source.write_text("URI = 'sqlite://'\n")
    cache = tmp_path / "cache"

    def scheme(session: session_module.Session) -> str:
        return session.read_bytes(source).split(b"'")[1].split(b":")[0].decode()

    def run(resolvable: bool = True) -> tuple[str, list[str]]:
        session = session_module.Session(
            Config(root=tmp_path), session_module.RunOptions(use_cache=True, cache_dir=cache)
        )
        fact = lambda: session.fact("scheme", [], lambda: scheme(session))  # noqa: E731
        if resolvable:
            session.derive("scheme", fact)
        ran: list[str] = []

        def result() -> str:
            ran.append("result")
            return f"replayed for {fact()}"

        return session.cached("findings", [], result), ran

    assert run() == ("replayed for sqlite", ["result"])
    assert run() == ("replayed for sqlite", [])
    source.write_text("# a route edit\nURI = 'sqlite://other'\n")
    assert run() == ("replayed for sqlite", [])  # the file changed, the fact did not
    assert run(resolvable=False) == ("replayed for sqlite", ["result"])  # no one to find it again: a miss
    source.write_text("URI = 'postgres://'\n")
    assert run() == ("replayed for postgres", ["result"])
    assert run() == ("replayed for postgres", [])


def test_a_route_edit_keeps_the_migration_check_while_the_scratch_database_stays(project, capsys, groups):
    """Without ``scratch = "sqlite"`` the scratch database follows the target
    dialect, read from the DAL URIs of every runtime module. The migration rules
    depend on that choice, not on the modules: a route edit that leaves it runs
    only the rules that read the runtime modules."""
    (project / "pyproject.toml").write_text("[tool.drift_guard]\n")
    edit(project / SERVICE / "app" / "models.py", "postgres3://app@localhost:5432/app", "sqlite://storage.sqlite")
    routes = project / SERVICE / "app" / "routes.py"
    routes.write_text("from app.models import get_db\n\n\ndef names():\n    return get_db()\n")
    check(capsys)
    routes.write_text(
        "from app.models import get_db\n\n\ndef names():\n    db = get_db()\n"
        "    return db(db.users.nickname != None).select()\n"
    )
    groups.clear()
    found = check(capsys)
    assert groups and all(_reads(codes, "runtime") for codes in groups)
    assert not any(_reads(codes, "migrations") for codes in groups)
    assert "DG402" in {c for c, _ in found} and found == uncached(capsys)


def test_the_pydal_layer_read_in_a_worker_is_the_one_read_here(project, capsys, monkeypatch):
    """The PyDAL extraction runs in a worker process next to the models'; what
    it reads and what fails there (DG001) is what reading it here gives."""
    from drift_guard.context import ServiceContext

    pydal = project / SERVICE / "app" / "models.py"
    edit(pydal, "migrate=False", "migrate=True")
    (project / SERVICE / "app" / "more_tables.py").write_text("db.define_table('x', Field('a'\n")
    in_worker = check(capsys)
    assert {"DG001", "DG301"} <= {c for c, _ in in_worker}
    with monkeypatch.context() as patched:
        patched.setattr(ServiceContext, "prefetch_pydal", lambda self: False)
        assert check(capsys, "--no-cache") == in_worker
    edit(pydal, "migrate=True", "migrate=False")  # the worker's entry depends on what it read
    found = check(capsys)
    assert "DG301" not in {c for c, _ in found} and "DG001" in {c for c, _ in found}


def located(capsys: pytest.CaptureFixture[str], *extra: str) -> list[dict]:
    capsys.readouterr()
    main(["check", "--format", "json", "--cache-dir", "../cache", *extra])
    return json.loads(capsys.readouterr().out)["findings"]


def test_a_comment_edit_of_the_models_moves_their_locations(project, capsys, computed):
    """Comments and blank lines between the models' statements: discovery and
    the models come from the cache with their locations moved (drift_guard.layout);
    any other edit after that is read again."""
    models = project / SERVICE / "app" / "db" / "models.py"
    edit(models, "full_name = Column(String(255))", "full_name = Column(String(200))")
    before = located(capsys)
    assert "DG106" in {f["code"] for f in before}
    edit(models, "\nclass ", "\n# a comment\n\n\n# and another\nclass ")
    computed.clear()
    moved = located(capsys)
    assert "models" not in computed and "discovery" not in computed and "replay" not in computed
    assert moved == located(capsys, "--no-cache") and moved != before
    edit(models, "full_name = Column(String(200))", "full_name = Column(String(100))")
    computed.clear()
    found = located(capsys)
    assert "models" in computed and found == located(capsys, "--no-cache")


def test_findings_of_the_schema_layers_are_kept_while_the_schemas_are(project, capsys, computed):
    """The DG1xx rules that read only the two schemas, and DG112, are keyed by
    the schemas' digests: an edit that extracts the same schema keeps them, one
    that does not computes them again."""
    models = project / SERVICE / "app" / "db" / "models.py"
    assert check(capsys) == []
    assert {"schema-findings", "dg112"} <= set(computed)
    # a call, so not an inert statement (those are reused without reading the file: test_layout)
    models.write_text(models.read_text() + "\nUNUSED = len('the schema is what it was')\n")
    computed.clear()
    assert check(capsys) == []
    assert "models" in computed and "findings" in computed
    assert "schema-findings" not in computed and "dg112" not in computed
    edit(models, "full_name = Column(String(255))", "full_name = Column(String(200))")
    computed.clear()
    found = check(capsys)
    assert "schema-findings" in computed and "dg112" in computed
    assert "DG106" in {c for c, _ in found} and found == uncached(capsys)
    edit(project / SERVICE / "app" / "models.py", "length=255)", "length=200)")
    computed.clear()
    found = check(capsys)
    assert "schema-findings" in computed and found == uncached(capsys)


@pytest.fixture
def replay_events(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """When the replay was started and withdrawn, and when discovery followed
    env.py's target_metadata into the models (the part of discovery that parses them)."""
    from drift_guard.discovery import service as discovery_service
    from drift_guard.migrations import worker

    events: list[str] = []
    start, targets = worker.start, discovery_service._targets

    def spy_start(*args, **kwargs):
        events.append("replay started")
        pending = start(*args, **kwargs)
        cancel = pending.cancel

        def spy_cancel() -> None:
            events.append("replay withdrawn")
            cancel()

        pending.cancel = spy_cancel
        return pending

    def spy_targets(*args, **kwargs):
        events.append("models followed")
        return targets(*args, **kwargs)

    monkeypatch.setattr(worker, "start", spy_start)
    monkeypatch.setattr(discovery_service, "_targets", spy_targets)
    return events


def test_a_cold_run_starts_the_replay_before_discovery_reads_the_models(project, capsys, replay_events):
    """The replay needs only where the revisions are: on a cold run it starts in
    its worker as soon as alembic.ini and env.py are read, while discovery goes
    on to parse the models, and its head is the one the run compares."""
    found = check(capsys)
    assert replay_events == ["replay started", "models followed"]
    assert found == uncached(capsys) == []


def test_a_replay_started_during_discovery_is_withdrawn_when_the_migration_findings_are_kept(
    project, capsys, replay_events, groups
):
    """Discovery runs again (a package now names SQLAlchemy, so it is a model
    candidate to look at) and the stored head is gone, but the migration
    rules' findings are still valid: the replay started for them is withdrawn,
    not waited for, and the findings are the same."""
    first = check(capsys)
    shutil.rmtree(project.parent / "cache" / "v4" / "replay")
    package = project / SERVICE / "app" / "__init__.py"
    package.write_text(package.read_text() + "\n# not sqlalchemy: PyDAL\n")
    replay_events.clear()
    groups.clear()
    found = check(capsys)
    assert replay_events == ["replay started", "models followed", "replay withdrawn"]
    assert groups and not any(_reads(codes, "migrations") for codes in groups)
    assert found == first == uncached(capsys)
