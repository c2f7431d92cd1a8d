"""What lives in a service folder without being part of the application.

Three kinds of files are found by walking a service but are never the
application's schema or runtime code, and checking them only produces findings
about someone else's code (DG302/DG303 for PyDAL's own ``DAL(...)`` calls, DG102
for the tables of an example app):

* a vendored copy of the framework: a ``pydal``, ``gluon`` (web2py) or
  ``py4web`` package holding the framework's own modules;
* the apps py4web ships (``apps/_scaffold``, ``_dashboard``, ``_default``,
  ``_documentation``, ``_minimal``), and web2py's (``applications/admin``,
  ``examples``, ``welcome``) next to a vendored ``gluon``;
* a module Python can never import: ``app/models.py`` beside an ``app/models/``
  package (the package wins, so the file is dead code whatever it defines).

Telling a vendored framework package from an application package of the same
name takes its signature files, not the name alone: an application package
called ``pydal`` without PyDAL's ``base.py`` and ``objects.py`` is kept.
"""

from __future__ import annotations

from pathlib import Path

from drift_guard.paths import is_file

# package folder name -> modules that only the framework's own package has
_FRAMEWORK_PACKAGES = {
    "pydal": ("base.py", "objects.py", "adapters"),
    "gluon": ("main.py", "globals.py", "dal.py"),
    "py4web": ("core.py",),
}
PY4WEB_APPS = frozenset({"_scaffold", "_dashboard", "_default", "_documentation", "_minimal"})
WEB2PY_APPS = frozenset({"admin", "examples", "welcome"})


def not_application(path: Path) -> bool:
    """Whether the walk of a service should leave ``path`` (a file or folder) out."""
    if path.suffix == ".py":
        return is_shadowed_module(path)
    return is_framework_package(path) or is_bundled_app(path)


def is_framework_package(folder: Path) -> bool:
    """A vendored framework package: its name, ``__init__.py`` and the framework's own modules."""
    markers = _FRAMEWORK_PACKAGES.get(folder.name)
    if markers is None or not is_file(folder / "__init__.py"):
        return False
    return all((folder / marker).exists() for marker in markers)


def is_bundled_app(folder: Path) -> bool:
    """An app the framework ships: py4web's under ``apps/``, web2py's under
    ``applications/`` of a vendored web2py (a ``gluon`` package beside it)."""
    parent = folder.parent
    if parent.name == "apps" and folder.name in PY4WEB_APPS:
        return True
    return (
        parent.name == "applications" and folder.name in WEB2PY_APPS and is_framework_package(parent.parent / "gluon")
    )


def is_shadowed_module(path: Path) -> bool:
    """``x.py`` beside a regular package ``x/``: ``import x`` finds the package
    first, so nothing ever imports the file (a namespace folder without
    ``__init__.py`` does not shadow it)."""
    return path.name != "__init__.py" and is_file(path.with_suffix("") / "__init__.py")
