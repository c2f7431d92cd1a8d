"""What user code (revision scripts, env.py) may raise, and how it is told.

Shared by the replay and its downgrade round trip (:mod:`.replay`,
:mod:`.round_trip`); :mod:`.replay` re-exports both names, which is where the
rest of drift-guard imports them from.
"""

from __future__ import annotations

# What user code (revision scripts, env.py) may raise that becomes a DG205.
USER_CODE_ERRORS = (Exception, SystemExit)

__all__ = ["USER_CODE_ERRORS", "error_message"]


def error_message(exc: BaseException) -> str:
    """The database's own error message when there is one, else Python's."""
    orig = getattr(exc, "orig", None)
    if isinstance(exc, SystemExit):
        text = f"the script called sys.exit({exc.code!r})" if exc.code is not None else "the script called sys.exit()"
    elif orig is not None:
        text = _dbapi_text(orig)
    else:
        text = f"{type(exc).__name__}: {exc}"
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _dbapi_text(orig: BaseException) -> str:
    """A driver exception as its message, not the repr of its args: PyMySQL
    raises ``OperationalError(1146, "Table 'x' doesn't exist")``, whose
    ``str()`` is the tuple ``(1146, "Table 'x' doesn't exist")``."""
    args = orig.args
    if len(args) == 2 and isinstance(args[0], int) and isinstance(args[1], str):
        return f"{args[1]} (error {args[0]})"
    return str(orig)
