"""Forking a worker process without losing Ctrl-C.

``os.fork()`` runs the at-fork handlers Python modules register (logging
releases its lock in the parent that way), and an exception raised inside one
is printed as "Exception ignored" and dropped. A SIGINT that arrives during the
fork raises its KeyboardInterrupt in there: the interrupt is lost, and the run
goes on to wait for a replay that may take minutes (seen: a Ctrl-C that left
drift-guard waiting for a revision's 60-second sleep, and the embedded
PostgreSQL running). So SIGINT and SIGTERM are held back while the worker is
forked and delivered right after, in the parent's own code; the child, which
starts with them held too, lets them through before it runs anything.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator

_HELD = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def interrupts_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block is done (only the main thread
    receives them, and only where the platform has signal masks)."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def release_interrupts() -> None:
    """In a child forked inside :func:`interrupts_held`: receive them again."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)
