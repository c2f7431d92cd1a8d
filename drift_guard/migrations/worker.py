"""Run user code (revision scripts, env.py) in a forked worker process with a time limit.

Revision scripts are executed, and a revision can do what no ``except`` clause
catches: ``os._exit(0)``, a ``BaseException`` subclass, a ``sleep`` that never
ends, a second connection that is never closed. In this process any of those
would end or hang drift-guard with no report, and leave a throwaway database
behind on a server. In a worker they end the worker: the parent reports a
located DG205, goes on with the rest of the run, and (for ``--database-url``)
drops the throwaway database itself, after the worker is gone.

One implementation for every mode: the default SQLite replay (started early,
see :func:`drift_guard.migrations.head.prefetch`), ``--database-url`` and
``--alembic-env``. The worker reports which revision it is about to run, so a
worker that dies or times out is located at that revision's file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Generic, TypeVar

from drift_guard.migrations.report import ReplayFailure
from drift_guard.schema import Location
from drift_guard.session import canonical

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

T = TypeVar("T")


@dataclass(frozen=True)
class Aborted:
    """The worker ended without a result: its process died, it timed out, or it
    raised something the target did not turn into a result."""

    failure: ReplayFailure


class Progress:
    """Handed to the target in the worker: ``progress.at(revision, path)`` before
    each revision runs, so an abnormal end names the revision that caused it."""

    def __init__(self, sender: Connection | None) -> None:
        self._sender = sender
        self.current: tuple[str | None, str] | None = None

    def at(self, revision: str | None, path: Path | str) -> None:
        self.current = (revision, str(path))
        if self._sender is not None:
            self._sender.send(("at", self.current))


class Pending(Generic[T]):
    """A started worker; :meth:`result` waits for it (at most until the deadline),
    :meth:`cancel` ends it unheard (work started early that proved not needed)."""

    def __init__(self, result: Callable[[], T | Aborted], cancel: Callable[[], None] = lambda: None) -> None:
        self.result = result
        self.cancel = cancel


def time_limit() -> float:
    """The run's ``--migration-timeout`` (the default outside a run)."""
    from drift_guard.session import DEFAULT_MIGRATION_TIMEOUT, current

    session = current()
    return session.options.migration_timeout if session is not None else DEFAULT_MIGRATION_TIMEOUT


def start(target: Callable[[Progress], T], timeout: float, where: Location) -> Pending[T]:
    """Run ``target(progress)`` in a forked worker; ``where`` locates an abnormal
    end that happened before any revision started (while loading the scripts).

    Without ``fork`` (not on Linux/macOS), the target runs in this process when
    the result is asked for: no time limit, but the same result."""
    import multiprocessing
    import time

    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - every supported POSIX system has fork
        return Pending(lambda: target(Progress(None)))
    folder = _scratch_folder()
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_worker_main, args=(sender, target, folder), daemon=True)
    try:
        fork_worker(worker)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    sender.close()
    deadline = time.monotonic() + timeout

    def result() -> T | Aborted:
        current: tuple[str | None, str] | None = None
        try:
            while True:
                if not receiver.poll(max(0.0, deadline - time.monotonic())):
                    limit = f"{timeout:g}"
                    why = f"the replay did not finish within {limit} s (a revision that never returns?); nothing after it was checked"
                    return Aborted(_failure(current, where, why))
                kind, value, *printed = receiver.recv()
                if kind == "at":
                    current = value
                    continue
                sys.stderr.write(printed[0] if printed else "")
                if kind == "done":
                    return value
                why = f"the replay ended abnormally ({value}); nothing after it was checked"
                return Aborted(_failure(current, where, why))
        except (EOFError, OSError):
            why = "the replay ended its process (a revision called os._exit or crashed); nothing after it was checked"
            return Aborted(_failure(current, where, why))
        finally:
            # Also on Ctrl-C / SIGTERM in this process: the worker must be gone
            # before the caller drops the database it was connected to.
            end()

    def end() -> None:
        if worker.is_alive():
            worker.kill()
        worker.join(timeout=5)
        receiver.close()  # after the worker is gone: a last answer it sends finds an open pipe
        shutil.rmtree(folder, ignore_errors=True)  # whatever it left there, however it ended

    def cancel() -> None:
        # Asked to stop first, so that what the worker holds is released the usual
        # way (a temporary folder it was writing the head into); ended if it does
        # not stop soon (user code that catches everything). Its answer is unread.
        import signal

        if worker.is_alive() and worker.pid is not None:
            with contextlib.suppress(OSError):
                os.kill(worker.pid, signal.SIGUSR1)
            worker.join(timeout=WITHDRAW_GRACE)
        end()

    return Pending(result, cancel)


def fork_worker(worker: Any) -> None:
    """Start ``worker`` with Ctrl-C held back during the fork (:mod:`drift_guard.forking`);
    one that arrived meanwhile ends the worker before it is raised here."""
    from drift_guard.forking import interrupts_held

    try:
        with interrupts_held():
            worker.start()
    except BaseException:
        if worker.pid is not None:
            worker.kill()
            worker.join(timeout=5)
        raise


def _failure(current: tuple[str | None, str] | None, where: Location, why: str) -> ReplayFailure:
    if current is None:
        return ReplayFailure(None, where, why, interrupted=True)
    revision, path = current
    return ReplayFailure(revision, Location(canonical(path)), why, interrupted=True)


WITHDRAW_GRACE = 2.0  # seconds a withdrawn worker has to unwind before it is killed


class Withdrawn(SystemExit):
    """Raised in a worker whose work is no longer wanted (:meth:`Pending.cancel`):
    it unwinds like any exception, so ``with`` blocks release what they hold,
    and, raised anywhere, ends the worker without a word (a ``SystemExit``)."""


def _withdrawn(signum: int, frame: object) -> None:
    raise Withdrawn()


def _scratch_folder() -> str:
    """The worker's own temporary folder, made by the parent, which removes it
    once the worker is gone: a worker killed (a timeout, a withdrawal it did not
    heed in time) or withdrawn between making a temporary folder and the ``with``
    that would remove it leaves nothing behind (the scratch SQLite file, the
    head's image, a revision's own temporary files all go in there). The
    parent's pid is in its name: a parent that was killed cannot remove it, so
    the next run's workers do, once that pid has ended (a worker that outlived
    its parent removes it too when it ends)."""
    import tempfile

    from drift_guard.migrations.scratch import SCRATCH_PREFIX

    prefix = f"{SCRATCH_PREFIX}worker_"
    with contextlib.suppress(OSError):  # a temporary folder that cannot be listed: nothing to drop
        for left in Path(tempfile.gettempdir()).glob(f"{prefix}*_*"):
            owner = left.name[len(prefix) :].split("_", 1)[0]
            if owner.isdigit() and not _running(int(owner)):
                shutil.rmtree(left, ignore_errors=True)
    return tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}_")


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's: running
    return True


def _worker_main(sender: Connection, target: Callable[[Progress], Any], folder: str) -> None:
    """The worker process: run, send the result, end. What the target printed is
    handed back, so it reaches the parent's standard error whatever that is (a
    test's capture). If user code ends the process first, the pipe closes
    unsent and the parent reports that. Its temporary files go in ``folder``
    (see :func:`_scratch_folder`)."""
    import contextlib
    import io
    import signal
    import tempfile

    tempfile.tempdir = folder
    os.environ["TMPDIR"] = folder  # also for what a revision runs (a subprocess)

    from drift_guard.forking import release_interrupts
    from drift_guard.migrations.replay import error_message

    # The parent's SIGTERM handler (see scratch.py) must not run here: the
    # parent cleans up; a terminated worker just ends.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGUSR1, _withdrawn)  # Pending.cancel
    release_interrupts()  # held while it was forked
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            try:
                value: Any = ("done", target(Progress(sender)))
            except BaseException as exc:  # noqa: BLE001 - anything the target let through ends this worker, reported
                value = ("raised", error_message(exc))
        try:
            sender.send((*value, printed.getvalue()))
        except Exception as exc:  # noqa: BLE001 - e.g. a result that does not pickle: still an answer
            sender.send(("raised", error_message(exc), printed.getvalue()))
    finally:
        sender.close()
        shutil.rmtree(folder, ignore_errors=True)  # also when this worker outlived its parent
