"""The embedded PostgreSQL (pgserver) as the scratch database of a PostgreSQL service (issue #11).

Without ``--database-url``, a service that runs on PostgreSQL is replayed on a
PostgreSQL cluster started for the run: its findings must be exactly those of
``--database-url`` on the real server, the cluster and its folder must be gone
after every kind of exit, an unchanged history must not start it again (the
cache answers), and without pgserver the check falls back to SQLite with one
DG210. pgserver is part of the ``test`` extra: under CI its absence FAILS.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest
from test_migrations_helpers import DATA, PG_URL, pg_style_models, server_url, service_for
from test_migrations_real_histories import models as users_posts_models
from test_sample_migrations_cli import SAMPLE, SEEDS, SERVICE, _add_revision

from drift_guard.cli import main
from drift_guard.migrations import check_migrations

USER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"  # as a user types it
HIDE_PGSERVER = """
import sys

class Hide:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "pgserver":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, Hide())
"""


@pytest.fixture
def embedded() -> None:
    from drift_guard.migrations.embedded import missing

    reason = missing()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"the embedded PostgreSQL is required under CI: {reason}")
        pytest.skip(reason)


@pytest.fixture
def tmp() -> Iterator[Path]:
    """A $TMPDIR for a drift-guard subprocess, directly under /tmp: as root, pgserver runs PostgreSQL as
    another user, which must traverse it (pytest's own folders are private to root, 0700)."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="dgtest_", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def sample(tmp_path) -> Path:
    root = tmp_path / "sample"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _findings(root: Path, monkeypatch, *extra: str) -> list[tuple]:
    report = root.parent / f"report{len(extra)}.json"
    monkeypatch.chdir(root)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    main(["check", "--format", "json", "--output", str(report), *extra])
    found = json.loads(report.read_text())["findings"]
    return [
        (f["code"], f["message"], (f.get("location") or {}).get("path"), (f.get("location") or {}).get("line"))
        for f in found
    ]


# -- the same findings as the real server -------------------------------------------------------------------------


@pytest.mark.postgres
def test_pg_style_history_replays_on_the_embedded_postgres_as_on_the_server(embedded):
    service, models = service_for(DATA / "pg_style"), pg_style_models()
    local = check_migrations(service, models, embedded=True)
    server = check_migrations(service, models, database_url=server_url(PG_URL))
    assert (local.database, local.scratch_fallback, local.replayed) == ("postgresql", None, server.replayed)
    assert local.replayed > 0 and local.failures == ()
    assert (local.diffs, local.failures, local.downgrade_problems) == (
        server.diffs,
        server.failures,
        server.downgrade_problems,
    )


@pytest.mark.postgres
def test_a_partial_downgrade_is_the_same_dg207_on_both(embedded):
    root = DATA / "dg207_partial_downgrade"
    local = check_migrations(service_for(root), users_posts_models(root), embedded=True)
    server = check_migrations(service_for(root), users_posts_models(root), database_url=server_url(PG_URL))
    assert local.database == "postgresql"
    assert [p.differences for p in local.downgrade_problems] == [("column `users.nickname` is still there",)]
    assert local.downgrade_problems == server.downgrade_problems


@pytest.mark.postgres
@pytest.mark.parametrize(("seed", "code", "where", "line", "fragment"), SEEDS, ids=[s[0].__name__ for s in SEEDS])
def test_sample_findings_equal_the_servers(sample, monkeypatch, embedded, seed, code, where, line, fragment):
    """fixtures/sample-clean runs on PostgreSQL (its DAL URI and alembic.ini say so): with each seeded change, the
    default run (embedded PostgreSQL) reports exactly what --database-url on the real server reports."""
    server_url(PG_URL)
    seed(sample)
    local = _findings(sample, monkeypatch)
    assert local == _findings(sample, monkeypatch, "--database-url", USER_URL)
    assert code in {c for c, *_ in local} and "DG210" not in {c for c, *_ in local}
    if code == "DG205":  # the default run did replay on PostgreSQL
        assert any("on the scratch postgresql database" in message for _, message, *_ in local)


@pytest.mark.postgres
@pytest.mark.parametrize(("seed", "code", "where", "line", "fragment"), SEEDS, ids=[s[0].__name__ for s in SEEDS])
def test_findings_from_the_recorded_head_equal_the_servers(
    sample, monkeypatch, tmp_path, embedded, seed, code, where, line, fragment
):
    """A run on the clean sample keeps the embedded server's head (its reflection recorded). Then each seeded
    change: when it leaves the history as it was, the next run starts no cluster and compares against the
    record, and either way it reports exactly what --database-url on the real server reports."""
    import drift_guard.migrations.embedded as embedded_module

    server_url(PG_URL)
    cache = str(tmp_path / "cache")
    monkeypatch.delenv("DRIFT_GUARD_NO_CACHE", raising=False)
    assert _findings(sample, monkeypatch, "--cache-dir", cache) == _findings(
        sample, monkeypatch, "--database-url", USER_URL
    )
    history = {p: p.read_bytes() for p in (sample / SERVICE / "alembic").rglob("*") if p.is_file()}
    seed(sample)
    unchanged = history == {p: p.read_bytes() for p in (sample / SERVICE / "alembic").rglob("*") if p.is_file()}
    started = []
    real = embedded_module.embedded_postgres

    def counted():  # type: ignore[no-untyped-def]
        started.append(1)
        return real()

    monkeypatch.setattr(embedded_module, "embedded_postgres", counted)
    local = _findings(sample, monkeypatch, "--cache-dir", cache)
    assert local == _findings(sample, monkeypatch, "--database-url", USER_URL, "--no-cache")
    assert code in {c for c, *_ in local} and "DG210" not in {c for c, *_ in local}
    assert started == ([] if unchanged else [1])


@pytest.mark.postgres
@pytest.mark.parametrize("case", ["clean", "dg201_migration_column"])
def test_alembic_env_runs_env_py_on_the_embedded_postgres(embedded, case):
    """--alembic-env on a PostgreSQL service: the project's env.py runs against a scratch database of the
    embedded PostgreSQL, with the findings env.py gives on the real server."""
    root = DATA / case
    local = check_migrations(service_for(root), users_posts_models(root), alembic_env=True, embedded=True)
    server = check_migrations(
        service_for(root), users_posts_models(root), alembic_env=True, database_url=server_url(PG_URL)
    )
    assert (local.database, local.scratch_fallback, local.failures) == ("postgresql", None, ())
    assert local.diffs == server.diffs
    assert bool(local.diffs) == (case != "clean")


def test_alembic_env_falls_back_to_sqlite_with_a_reason(monkeypatch):
    import drift_guard.migrations.embedded as embedded_module

    def unavailable():  # type: ignore[no-untyped-def]
        raise embedded_module.Unavailable("`pgserver` is not installed where drift-guard runs")

    monkeypatch.setattr(embedded_module, "embedded_postgres", unavailable)
    root = DATA / "dg201_migration_column"
    report = check_migrations(service_for(root), users_posts_models(root), alembic_env=True, embedded=True)
    assert (report.database, report.scratch_fallback) == (
        "sqlite",
        "`pgserver` is not installed where drift-guard runs",
    )
    assert [d.table for d in report.diffs] == ["users"]


@pytest.mark.postgres
def test_the_drifted_sample_equals_the_servers(tmp_path, monkeypatch, embedded):
    server_url(PG_URL)
    root = tmp_path / "drifted"
    shutil.copytree(SAMPLE.parent / "sample-drifted", root, ignore=shutil.ignore_patterns("__pycache__"))
    local = _findings(root, monkeypatch)
    assert local and local == _findings(root, monkeypatch, "--database-url", USER_URL)


# -- nothing survives a run ----------------------------------------------------------------------------------------


def _run_in_subprocess(root: Path, tmp: Path, *args: str, hide: bool = False, cache: Path | None = None):
    env = {k: v for k, v in os.environ.items() if k not in ("DRIFT_GUARD_NO_CACHE", "GITHUB_ACTIONS")}
    env["TMPDIR"] = str(tmp)
    if cache is None:
        env["DRIFT_GUARD_NO_CACHE"] = "1"
    code = (HIDE_PGSERVER if hide else "") + "from drift_guard.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    argv = ["check", "--format", "json", *args] + (["--cache-dir", str(cache)] if cache is not None else [])
    return subprocess.Popen(
        [sys.executable, "-c", "import sys\n" + code, *argv],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _cluster_processes(tmp: Path, timeout: float) -> list:
    """The postmaster whose data folder lies under ``tmp`` and its children, once it runs."""
    import psutil

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in psutil.process_iter(["cmdline"]):
            if any(str(tmp) in part for part in process.info["cmdline"] or ()):
                if process.name() == "postgres":
                    return [process, *process.children(recursive=True)]
        time.sleep(0.05)
    return []


def _gone(processes: list) -> bool:
    import psutil

    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                return False
        except psutil.NoSuchProcess:
            continue
    return True


@pytest.mark.parametrize("ending", ["normal", "exception", "sigterm", "sigint"])
def test_no_cluster_process_or_folder_survives(sample, tmp, embedded, ending):
    """A revision sleeps so the cluster is seen running; then the run ends normally, with a revision that
    raises, or by SIGTERM / Ctrl-C (SIGINT). Its processes and the temporary folder must be gone."""
    body = "import time; time.sleep(1.5)"
    if ending == "exception":
        body += '; raise RuntimeError("boom")'
    if ending in ("sigterm", "sigint"):
        body = "import time; time.sleep(60)"
    _add_revision(sample, "0003", body, "pass")
    sockets_before = _runtime_folders()
    run = _run_in_subprocess(sample, tmp)
    cluster = _cluster_processes(tmp, timeout=60)
    if not cluster:
        run.kill()
        pytest.fail(f"the embedded PostgreSQL was not seen running: {run.communicate()}")
    if ending in ("sigterm", "sigint"):
        time.sleep(1.0)  # the replay is sleeping in its worker
        run.send_signal(signal.SIGTERM if ending == "sigterm" else signal.SIGINT)
    out, err = run.communicate(timeout=60)
    if ending in ("normal", "exception"):
        codes = sorted(f["code"] for f in json.loads(out)["findings"])
        assert codes == (["DG204"] if ending == "normal" else ["DG204", "DG205"]), err
    else:
        assert run.returncode != 0
    deadline = time.monotonic() + 10
    while not _gone(cluster) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _gone(cluster), f"cluster processes left: {[p.pid for p in cluster]}"
    assert list(tmp.iterdir()) == [], f"left in the temporary folder: {list(tmp.iterdir())}"
    assert _runtime_folders() <= sockets_before  # the short runtime folder (lock, long-path socket) too


def _runtime_folders() -> set[str]:
    return {p.name for p in Path("/tmp").glob("driftguard_pgrun_*")}


def test_an_error_inside_the_block_still_stops_the_cluster(embedded):
    import psutil
    import sqlalchemy as sa

    from drift_guard.migrations.embedded import embedded_postgres

    with pytest.raises(RuntimeError, match="inside"):
        with embedded_postgres() as url:
            engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg2://"))
            with engine.connect() as connection:
                assert connection.exec_driver_sql("SHOW server_version").scalar_one().startswith("16")
            engine.dispose()
            folder = Path(url.split("host=", 1)[1]).parent
            postmaster = psutil.Process(int((folder / "data" / "postmaster.pid").read_text().split()[0]))
            raise RuntimeError("inside")
    assert not folder.exists()
    assert _gone([postmaster])


# -- the cache, and the fallback ------------------------------------------------------------------------------------


def test_unchanged_history_is_answered_from_the_cache_without_a_cluster(sample, tmp, tmp_path, embedded):
    """Run 1 replays on the embedded PostgreSQL and fills the cache. Run 2, with pgserver made unimportable,
    gives the same findings and no DG210: nothing needed a cluster. After a model change, run 3 (pgserver
    still unimportable) compares the new models against the recorded head: no DG210, and the same findings
    as a run that replays on a fresh cluster with an empty cache."""
    cache = tmp_path / "cache"
    _add_revision(sample, "0003", 'op.add_column("users", sa.Column("legacy_code", sa.String(20)))', "pass")

    def findings(hide: bool, cache: Path | None = cache) -> list[tuple[str, str]]:
        out, err = _run_in_subprocess(sample, tmp, hide=hide, cache=cache).communicate(timeout=120)
        return [(f["code"], f["message"]) for f in json.loads(out)["findings"]]

    first = findings(hide=False)
    assert {"DG201", "DG204"} <= {c for c, _ in first} and "DG210" not in {c for c, _ in first}
    assert findings(hide=True) == first
    models = sample / SERVICE / "app" / "db" / "models.py"
    models.write_text(models.read_text().replace("    full_name = Column(String(255))\n", ""))
    third = findings(hide=True)
    assert "DG210" not in {c for c, _ in third}
    assert third != first  # the model change was compared, not an old report replayed
    assert third == findings(hide=False, cache=tmp_path / "fresh")


@pytest.mark.postgres
def test_the_sqlite_replay_started_before_the_target_was_known_is_withdrawn(sample, monkeypatch, embedded):
    """A cold run starts the SQLite replay in a worker before the runtime scan names the target dialect;
    on finding PostgreSQL (and pgserver) it ends that worker: none is left, and the findings are the
    embedded PostgreSQL's (a DG205 that names the scratch postgresql database)."""
    import multiprocessing

    from drift_guard.migrations import worker

    started, withdrawn = [], []
    real_start = worker.start

    def spy(*args, **kwargs):
        pending = real_start(*args, **kwargs)
        started.append(pending)
        real_cancel = pending.cancel
        pending.cancel = lambda: (withdrawn.append(pending), real_cancel())[1]
        return pending

    monkeypatch.setattr(worker, "start", spy)
    seed = next(s for s in SEEDS if s[1] == "DG205")
    seed[0](sample)
    found = _findings(sample, monkeypatch, "--no-cache")
    assert started and withdrawn == started[:1]
    assert multiprocessing.active_children() == []
    assert any(c == "DG205" and "on the scratch postgresql database" in m for c, m, *_ in found)


def test_without_pgserver_the_check_falls_back_to_sqlite_with_one_dg210(sample, tmp):
    """A fresh interpreter in which importing pgserver fails, as when it is not installed."""
    _add_revision(sample, "0003", 'op.add_column("users", sa.Column("legacy_code", sa.String(20)))', "pass")
    out, err = _run_in_subprocess(sample, tmp, hide=True).communicate(timeout=120)
    found = json.loads(out)["findings"]
    fallback = [f for f in found if f["code"] == "DG210"]
    assert len(fallback) == 1, err
    assert "`pgserver` is not installed where drift-guard runs" in fallback[0]["message"]
    assert fallback[0]["severity"] == "info" and fallback[0]["location"]["path"].endswith("app/models.py")
    assert "DG201" in {f["code"] for f in found}  # the SQLite replay still ran and compared


def test_scratch_sqlite_setting_keeps_the_sqlite_replay(sample, tmp):
    (sample / "pyproject.toml").write_text('[tool.drift_guard]\nscratch = "sqlite"\n')
    out, err = _run_in_subprocess(sample, tmp, hide=True).communicate(timeout=120)
    assert json.loads(out)["findings"] == [], err


def test_a_bad_scratch_setting_is_a_located_error(sample, tmp_path, monkeypatch, capsys):
    (sample / "pyproject.toml").write_text('[tool.drift_guard]\nscratch = "postgres"\n')
    monkeypatch.chdir(sample)
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert "pyproject.toml:2" in err and "must be one of auto, sqlite" in err


def test_a_cluster_left_by_a_killed_run_is_removed_by_the_next(sample, tmp, embedded):
    """SIGKILL runs no cleanup, and PostgreSQL outlives its parent: the next run that starts a cluster
    stops and removes the abandoned one (its owner, the killed drift-guard process, is gone)."""
    _add_revision(sample, "0003", "import time; time.sleep(60)", "pass")
    sockets_before = _runtime_folders()
    run = _run_in_subprocess(sample, tmp)
    cluster = _cluster_processes(tmp, timeout=60)
    assert cluster, run.kill() or run.communicate()
    time.sleep(1.0)
    run.kill()
    run.wait(timeout=30)  # not communicate(): the killed run's worker still holds its output open
    run.stdout.close()
    run.stderr.close()
    assert not _gone(cluster)  # the killed run could not stop it
    (sample / SERVICE / "alembic" / "versions" / "20260301_0003.py").unlink()
    out, err = _run_in_subprocess(sample, tmp).communicate(timeout=120)
    assert json.loads(out)["findings"] == [], err
    deadline = time.monotonic() + 10
    while not _gone(cluster) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _gone(cluster), f"abandoned cluster processes left: {[p.pid for p in cluster]}"
    assert list(tmp.iterdir()) == []
    assert _runtime_folders() <= sockets_before
