"""Stand-ins for third-party modules a revision needs but drift-guard's environment lacks.

Revisions import the application (``from app.db.types import GUID``), and the
application imports its own dependencies (``sqlalchemy_utils``, ``geoalchemy2``,
``flask``) that are often not installed where a pre-commit hook runs. One such
import used to stop the replay with a DG205 before the first revision ran.

When loading the revisions fails on a missing module that is not part of the
service (its top-level package is under none of the import roots), that
package is replaced by a stand-in and loading is tried again. A stand-in answers
every attribute with a stand-in class; such a class can be subclassed, called,
and used as a column type: a SQLAlchemy type with no type name, which SQLite
accepts and reflects as "no type", so the compare does not judge those columns'
types (the models' statically extracted types are all DG201 has to say about
them). Each stood-in package is reported (DG209, info); a missing module of the
service itself is still a DG205: that is a broken revision, not a missing tool.

Only the default SQLite replay does this: a server database needs real types.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

from drift_guard.schema import Location


@dataclass(frozen=True)
class StubbedImport:
    """A missing third-party package replaced by a stand-in during the replay (DG209)."""

    module: str  # the top-level package, e.g. "sqlalchemy_utils"
    revision: str | None  # the revision whose loading needed it
    location: Location  # where the import failed (the revision's import line, if it is there)


def _stand_in_type() -> type:
    import sqlalchemy as sa

    class Untyped(sa.types.UserDefinedType):
        """A column with no type name: SQLite accepts it and reflects it as NullType."""

        cache_ok = True

        def get_col_spec(self, **kw: Any) -> str:
            return ""

    class StandInMeta(type):
        def __getattr__(cls, name: str) -> Any:
            if name.startswith("__"):
                raise AttributeError(name)
            return stand_in_class(f"{cls.__module__}.{cls.__name__}", name)

    class StandIn(sa.types.TypeDecorator, metaclass=StandInMeta):
        impl = Untyped
        cache_ok = True

        def __init__(self, *args: Any, **kw: Any) -> None:
            super().__init__()

        def __call__(self, *args: Any, **kw: Any) -> Any:
            # used as a decorator (`@stand_in.listens_for(...)`): hand the function back
            return args[0] if len(args) == 1 and callable(args[0]) else self

        def __getattr__(self, name: str) -> Any:
            if name.startswith("__") or name in ("impl", "impl_instance"):
                raise AttributeError(name)
            return stand_in_class(type(self).__module__, name)

    return StandIn


_BASE: list[type] = []


def stand_in_class(module: str, name: str) -> type:
    if not _BASE:
        _BASE.append(_stand_in_type())
    return type(name, (_BASE[0],), {"__module__": module})


class StandInModule(types.ModuleType):
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        value = stand_in_class(self.__name__, name)
        setattr(self, name, value)
        return value


class StandInFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds every module of the stood-in top-level packages (``x``, ``x.y.z``)."""

    def __init__(self) -> None:
        self.packages: set[str] = set()
        self.stubbed: list[StubbedImport] = []  # in the order they were needed

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if fullname.split(".", 1)[0] not in self.packages:
            return None
        return importlib.util.spec_from_loader(fullname, self, is_package=True)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return StandInModule(spec.name)

    def exec_module(self, module: types.ModuleType) -> None:
        module.__path__ = []  # a package: its submodules are stood in too


def stubbable(exc: BaseException, roots: Sequence[Path]) -> str | None:
    """The top-level package to stand in for, when ``exc`` is a missing module
    that is not the service's own (nothing of that name under ``roots``)."""
    if not isinstance(exc, ModuleNotFoundError) or not exc.name:
        return None
    top = exc.name.split(".", 1)[0]
    if top in sys.modules and not isinstance(sys.modules[top], StandInModule):
        return None  # installed: a missing submodule of a real package is a real error
    for root in roots:
        if (Path(root) / top).exists() or (Path(root) / f"{top}.py").exists():
            return None
    return top


@contextmanager
def stand_ins() -> Iterator[StandInFinder]:
    """The finder, installed last on ``sys.meta_path``; removed with every
    stand-in module afterwards, so nothing outlives the replay."""
    finder = StandInFinder()
    sys.meta_path.append(finder)
    try:
        yield finder
    finally:
        sys.meta_path.remove(finder)
        for name in [n for n, m in sys.modules.items() if isinstance(m, StandInModule)]:
            del sys.modules[name]
