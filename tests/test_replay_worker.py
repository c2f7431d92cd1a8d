"""The default replay runs in a worker process: a revision that never returns or
that ends its process is a DG205 for this run, the rest of the report still
comes, and neither outcome is kept in the cache (it says nothing about the files).

Run through a real ``drift-guard`` process with a time bound, so a regression
fails the test instead of hanging the suite.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "sample-clean"
VERSIONS = Path("services") / "flask-backend" / "alembic" / "versions"
HEADER = 'import os, time\nfrom alembic import op\nrevision = "0003"\ndown_revision = "0002"\n'


def _project(tmp_path: Path, body: str) -> Path:
    root = tmp_path / "sample"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("__pycache__"))
    (root / VERSIONS / "20260301_0003.py").write_text(HEADER + body)
    return root


def _check(root: Path, *extra: str) -> tuple[int, list[dict]]:
    env = {k: v for k, v in os.environ.items() if k != "DRIFT_GUARD_NO_CACHE"}
    done = subprocess.run(
        [sys.executable, "-m", "drift_guard", "check", "--format", "json", "--cache-dir", "../cache", *extra],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done.returncode, json.loads(done.stdout)["findings"]


# In upgrade(), the finding names the revision that was running; while the
# scripts load, before any revision runs, the versions folder.
REVISION = str(VERSIONS / "20260301_0003.py")
FOLDER = str(VERSIONS)


@pytest.mark.parametrize(
    ("body", "words", "where"),
    [
        (
            "def upgrade():\n    time.sleep(10**6)\n\ndef downgrade():\n    pass\n",
            "did not finish within 2 s",
            REVISION,
        ),
        (
            "time.sleep(10**6)\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n",
            "did not finish within 2 s",
            FOLDER,
        ),
        ("def upgrade():\n    os._exit(0)\n\ndef downgrade():\n    pass\n", "ended its process", REVISION),
        ("os._exit(0)\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n", "ended its process", FOLDER),
    ],
)
def test_a_revision_that_hangs_or_exits_is_a_dg205_and_the_run_goes_on(tmp_path, body, words, where):
    # A revision that ends its process needs no short limit; a long one keeps a
    # loaded machine (worker start-up, imports) from turning the exit into a timeout.
    limit = "2" if "did not finish" in words else "120"
    root = _project(tmp_path, body)
    status, findings = _check(root, "--migration-timeout", limit)
    assert status == 1
    replay = [f for f in findings if f["code"] == "DG205"]
    assert len(replay) == 1 and words in replay[0]["message"]
    assert replay[0]["location"]["path"].endswith(where)
    # Not kept: the next run replays again (and says the same), instead of trusting a cached outcome.
    status, again = _check(root, "--migration-timeout", limit)
    assert (status, again) == (1, findings)
    # Fixed revision: clean, straight away.
    (root / VERSIONS / "20260301_0003.py").write_text(
        HEADER + "def upgrade():\n    pass\n\ndef downgrade():\n    pass\n"
    )
    assert _check(root) == (0, [])


def test_the_timeout_must_be_positive(tmp_path):
    from drift_guard.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["check", "--migration-timeout", "0"])
    assert stop.value.code == 2


@pytest.mark.parametrize("raised", ["Boom()", "KeyboardInterrupt()", "GeneratorExit()"])
def test_a_revision_raising_a_base_exception_is_a_located_dg205(tmp_path, raised):
    """Not an Exception, so no ``except Exception`` catches it: in the worker it
    is still the revision's DG205, at its line, and the run completes."""
    body = f"class Boom(BaseException):\n    pass\n\ndef upgrade():\n    raise {raised}\n\ndef downgrade():\n    pass\n"
    root = _project(tmp_path, body)
    status, findings = _check(root)
    assert status == 1
    (replay,) = [f for f in findings if f["code"] == "DG205"]
    assert replay["location"]["path"].endswith(REVISION) and replay["location"]["line"] == 9
    assert raised.split("(")[0] in replay["message"]


def _sleep_in_a_folder(record: Path):
    """A worker target: holds a temporary folder (as the replay does while it writes the head's
    image), says where, and waits to be withdrawn."""

    def target(progress):
        import tempfile
        import time

        with tempfile.TemporaryDirectory(prefix="dgtest_withdraw_") as folder:
            (Path(folder) / "head.db").write_bytes(b"")
            record.write_text(folder)
            time.sleep(60)
        return "finished"

    return target


def test_a_withdrawn_worker_unwinds_and_leaves_no_folder(tmp_path, capfd):
    """Withdrawing started work (a SQLite replay for a service that turns out to replay on
    PostgreSQL) asks the worker to stop, so it releases what it holds, silently."""
    import time

    from drift_guard.migrations import worker
    from drift_guard.schema import Location

    record = tmp_path / "folder.txt"
    pending = worker.start(_sleep_in_a_folder(record), 120, Location(str(tmp_path)))
    deadline = time.monotonic() + 30
    while not record.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    folder = Path(record.read_text())
    assert folder.is_dir()
    started = time.monotonic()
    pending.cancel()
    assert time.monotonic() - started < worker.WITHDRAW_GRACE  # it stopped when asked, not killed
    assert not folder.exists()
    assert capfd.readouterr().err == ""


def test_a_worker_that_ignores_the_withdrawal_is_ended(tmp_path):
    from drift_guard.migrations import worker
    from drift_guard.schema import Location

    def stubborn(progress):
        import time

        while True:
            try:
                time.sleep(60)
            except BaseException:  # noqa: BLE001, S110 - user code that swallows everything
                pass

    pending = worker.start(stubborn, 120, Location(str(tmp_path)))
    import multiprocessing
    import time

    time.sleep(0.5)
    pending.cancel()
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("ending", ["withdrawal ignored", "timeout"])
def test_a_killed_worker_leaves_no_temporary_folder(tmp_path, ending):
    """A worker that is killed (it ignored a withdrawal, or the replay timed out)
    runs no ``finally``: what it made in its temporary folder, even a folder no
    ``with`` owns yet, is removed by the parent once the worker is gone."""
    import tempfile
    import time

    from drift_guard.migrations import worker
    from drift_guard.schema import Location

    record = tmp_path / "folder.txt"

    def stubborn(progress):
        record.write_text(tempfile.mkdtemp())  # killed before anything could remove it
        while True:
            try:
                time.sleep(60)
            except BaseException:  # noqa: BLE001, S110 - user code that swallows everything
                pass

    pending = worker.start(stubborn, 3 if ending == "timeout" else 120, Location(str(tmp_path)))
    deadline = time.monotonic() + 30
    while not record.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    made = Path(record.read_text())
    assert made.is_dir() and made.parent.name.startswith("driftguard_worker_")
    if ending == "timeout":
        assert isinstance(pending.result(), worker.Aborted)
    else:
        pending.cancel()
    assert not made.exists() and not made.parent.exists()


# An interrupt during the fork: SIGINT sent from an at-fork handler in the parent, as one that
# arrives while os.fork() runs the handlers Python modules register (logging's lock release).
_INTERRUPTED_DURING_THE_FORK = """
import os, signal, sys, time
os.register_at_fork(after_in_parent=lambda: os.kill(os.getpid(), signal.SIGINT))
from drift_guard.migrations import worker
from drift_guard.schema import Location
start = time.monotonic()
try:
    worker.start(lambda progress: time.sleep(20), 60, Location("x")).result()
except KeyboardInterrupt:
    print(f"interrupted after {time.monotonic() - start:.1f} s")
    sys.exit(0)
print(f"lost: the replay ran for {time.monotonic() - start:.1f} s")
"""


def test_a_ctrl_c_during_the_fork_is_not_lost():
    """An exception raised in an at-fork handler is dropped ("Exception
    ignored"): a Ctrl-C there was lost and the run waited for the replay (a
    revision sleeping 60 s, in the run that found it). It is held back during
    the fork and raised right after."""
    done = subprocess.run(
        [sys.executable, "-c", _INTERRUPTED_DURING_THE_FORK], capture_output=True, text=True, timeout=60
    )
    assert done.stdout.startswith("interrupted after"), (done.stdout, done.stderr)
    assert float(done.stdout.split()[2]) < 10
    assert "Exception ignored" not in done.stderr


_INTERRUPTED_DURING_THE_PYDAL_FORK = """
import os, signal, sys
from pathlib import Path
from drift_guard.config import Config
from drift_guard.context import ServiceContext
from drift_guard.discovery import discover
from drift_guard.session import RunOptions, Session
root = Path(sys.argv[1])
config = Config(root=root)
session = Session(config, RunOptions(use_cache=False))
with session.active():
    ctx = ServiceContext(discover([root], config)[0], session)
    os.register_at_fork(after_in_parent=lambda: os.kill(os.getpid(), signal.SIGINT))
    try:
        started = ctx.prefetch_pydal()
    except KeyboardInterrupt:
        print("interrupted")
        sys.exit(0)
    print(f"lost (started: {started})")
"""


def test_a_ctrl_c_during_the_pydal_fork_is_not_lost():
    """The same for the worker that reads the PyDAL layer while the models are read."""
    sample = Path(__file__).resolve().parents[1] / "fixtures" / "sample-clean"
    done = subprocess.run(
        [sys.executable, "-c", _INTERRUPTED_DURING_THE_PYDAL_FORK, str(sample)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() == "interrupted", (done.stdout, done.stderr)
    assert "Exception ignored" not in done.stderr
