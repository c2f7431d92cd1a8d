"""Answers read from an installed library, kept across runs for its installed version.

The models reader asks SQLAlchemy itself what a name means (``sa.Column``,
``sqlalchemy.orm.mapped_column`` ...: :mod:`drift_guard.extract.sqlalchemy.known`),
which imports SQLAlchemy: 0.2 s, a sixth of a run after a model edit. The
answers depend only on the installed SQLAlchemy, and a models file asks the
same few dozen questions run after run, so they are kept in the cache, checked
against the package's ``__init__.py`` (which names its version): a run whose
questions were all asked before does not import the library. New answers are
stored when the run ends (:meth:`drift_guard.session.Session.active`); the
rest of the package asks through :func:`drift_guard.session.library_answer`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, TypeVar

if TYPE_CHECKING:
    from drift_guard.session import Session

T = TypeVar("T")


class LibraryFacts:
    """``question -> answer`` for one installed package, as far as asked."""

    def __init__(self, session: Session, namespace: str, package: str) -> None:
        self._session = session
        self._namespace = namespace
        self._origin = package_origin(package)
        self._answers: dict[str, Any] = self._load()
        self._new = False

    def answer(self, question: str, ask: Callable[[], T]) -> T:
        """The kept answer, else ``ask()`` (which may import the library), kept."""
        if question in self._answers:
            return self._answers[question]
        value = ask()
        self._answers[question] = value
        self._new = True
        return value

    def store(self) -> None:
        """Write the table back if this run added to it (any failure: not kept)."""
        session, cache = self._session, self._session.cache
        if not self._new or cache is None or self._origin is None:
            return
        from drift_guard.cache import Dep
        from drift_guard.codec import dumps

        try:
            stored = dumps(self._answers)
        except TypeError:
            return
        digest = session.digest(self._origin)
        if digest:
            cache.put(self._namespace, self._key(), stored, [Dep(str(self._origin), "sha", digest)])
        self._new = False

    def _key(self) -> str:
        # facts about the library alone: not keyed by the configuration or the run's options
        from drift_guard.cache import make_key

        return make_key(self._namespace, str(self._origin))

    def _load(self) -> dict[str, Any]:
        cache = self._session.cache
        if cache is None or self._origin is None:
            return {}
        from drift_guard.codec import DecodeError, loads

        hit = cache.get(self._namespace, self._key())
        if hit is None or not self._session.deps_hold(hit[1]):
            return {}
        try:
            value = loads(hit[0])
        except DecodeError:
            return {}
        return value if isinstance(value, dict) else {}


def package_origin(package: str) -> Path | None:
    """The installed package's ``__init__.py``, without importing it: the file
    that names its version, which facts read from the package are checked
    against (also :meth:`drift_guard.session.Session.cached_for_package`)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).absolute()
