"""Wording shared by the PyDAL extractor's DG002 notes that make tables partial.

Such a note must say what it switches off (only "column missing in PyDAL",
DG103, for the tables it names) and that everything read of those tables is
still compared, so a user can tell a blind spot from a skipped table.
"""

from __future__ import annotations

from typing import Iterable

_SHOWN = 5  # a change reaching a whole service's tables names a few, then counts


def table_list(tables: Iterable[str]) -> str:
    """```a`, `b` and 3 more`` (sorted, each once)."""
    names = sorted(set(tables))
    shown = ", ".join(f"`{name}`" for name in names[:_SHOWN])
    return shown + (f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else "")


def hidden_columns(tables: Iterable[str]) -> str:
    """The tail of a note whose construct may define columns of ``tables``."""
    names = set(tables)
    return (
        "; the columns it may define are unknown, so columns missing in PyDAL (DG103) are not reported for "
        f"{'table' if len(names) == 1 else 'tables'} {table_list(names)} (the columns that were read are still compared)"
    )


def short(text: str, limit: int = 80) -> str:
    """Source text on one line, cut to ``limit`` characters for a message."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
