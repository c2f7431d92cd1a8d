"""drift-guard: catch drift between SQLAlchemy/Alembic models and PyDAL tables, statically.

The version lives in one place, the package metadata (pyproject.toml). It is
read on first use only: ``importlib.metadata`` costs about 50 ms, and a
pre-commit hook that is answered from the cache must not pay for it.
"""

from __future__ import annotations


def __getattr__(name: str) -> str:
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("drift-guard")
        except PackageNotFoundError:  # run from a source tree that was never installed
            return "0+unknown"
    raise AttributeError(f"module 'drift_guard' has no attribute {name!r}")
