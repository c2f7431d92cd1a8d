"""The PyDAL layer: ``define_table`` / ``Field`` read statically into a Schema.

The reader (libcst) is in :mod:`.reader`; the records (:mod:`.model`) are light,
so code that only needs them (a cached run) never imports libcst.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from drift_guard.schema import Schema


def extract_pydal(files: Sequence[Path]) -> Schema:
    """Every PyDAL table the given modules of one service define, in source order."""
    from drift_guard.extract.pydal.reader import extract_pydal as read

    return read(files)
