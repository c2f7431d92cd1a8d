"""Read a PyDAL module for rewriting, and write the result back safely.

A file with merge-conflict markers is refused (its two halves are not one
module, and rewriting one of them would bury the conflict). Writes are atomic:
the new text goes to a temporary file in the same folder, is flushed to disk,
and replaces the original with ``os.replace``, so a crash or a full disk leaves
the old file or the new one, never half of either. The file keeps its encoding
(a PEP 263 cookie, a BOM) and its permissions.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import tempfile
import tokenize
from pathlib import Path

from drift_guard.errors import DriftGuardError

_CONFLICT = re.compile(r"^(?:<{7}|>{7})(?: |$)|^={7}$|^\|{7}(?: |$)", re.MULTILINE)


class FixError(DriftGuardError):
    """A file ``fix`` will not touch."""


def read_source(path: Path, shown: str) -> tuple[bytes, str, str]:
    """The file's bytes, its text and the encoding it is written back in."""
    data = path.read_bytes()
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    text = data.decode(encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    match = _CONFLICT.search(text)
    if match is not None:
        line = text.count("\n", 0, match.start()) + 1
        raise FixError(f"{shown}:{line}: merge-conflict markers; resolve the conflict before running fix")
    return data, text, encoding


def write_atomically(path: Path, text: str, encoding: str) -> None:
    """Replace ``path``'s content with ``text`` in one step."""
    data = text.encode(encoding)
    mode = path.stat().st_mode & 0o7777
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".drift-guard-fix", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def unified_diff(before: str, after: str, shown: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{shown}", f"b/{shown}"
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
