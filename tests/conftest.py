"""Shared test setup.

The persistent cache is off for every test unless a test turns it on (the cache
tests do, with a cache folder in tmp_path): golden cases must show what the
rules find, and no test may leave a cache folder inside the repository.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_persistent_cache(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    monkeypatch.setenv("DRIFT_GUARD_NO_CACHE", "1")
    monkeypatch.delenv("DRIFT_GUARD_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
