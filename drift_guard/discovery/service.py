"""Build one :class:`Service`: its Alembic setup, import roots and layer files.

Speed matters (this runs in a pre-commit hook): every file is read as bytes
once (by the run's Session) and only files passing a cheap text pre-filter are
parsed; the session parses each file once, so a file reached from env.py and
scanned as a model candidate is parsed once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import libcst as cst

from drift_guard.config import Config, ServiceConfig, matches_globs
from drift_guard.discovery.alembic_env import EnvInfo, read_env
from drift_guard.discovery.alembic_ini import AlembicIni, read_alembic_ini
from drift_guard.discovery.foreign import not_application
from drift_guard.discovery.models import ModelFinder
from drift_guard.discovery.modules import Definition, Module, ModuleIndex
from drift_guard.discovery.types import type_files
from drift_guard.errors import ConfigError
from drift_guard.parsing import parse_file
from drift_guard.paths import is_file, iter_python_files
from drift_guard.schema import Location, Problem, ProblemKind
from drift_guard.service import Service
from drift_guard.session import canonical, shown

TEST_GLOBS = ("tests", "test_*.py", "*_test.py", "conftest.py")


@dataclass
class _Setup:
    """What alembic.ini and env.py give, before any model file is looked at."""

    roots: list[Path]
    ini: AlembicIni | None = None
    env_py: Path | None = None
    env: EnvInfo | None = None
    problems: list[Problem] = field(default_factory=list)


def build_service(
    root: Path,
    ini: Path | None,
    config: Config,
    entry: ServiceConfig | None,
    nested: frozenset[Path],
    on_alembic: Callable[[Service], None] | None = None,
) -> Service:
    """The service under ``root``. ``on_alembic`` is handed the service as soon
    as alembic.ini and env.py are read (where the revisions are, the import
    roots), before its model files are looked for: the migration replay needs
    nothing more, and on a cold run it starts while discovery goes on (following
    env.py's ``target_metadata`` parses the models: 1 s at 1,000 tables)."""
    from drift_guard.session import record_unlisted

    left_out: list[Path] = []

    def excluded(path: Path) -> bool:
        if config.is_excluded(path) or path in nested:
            return True
        if not_application(path):  # a vendored framework, the framework's own apps, shadowed modules
            left_out.append(path)
            return True
        return False

    files = list(iter_python_files(root, excluded, unlisted=record_unlisted))
    setup = _alembic_setup(root, ini) if ini is not None else _Setup([root])
    index = ModuleIndex(_unique(setup.roots))
    script = setup.ini.script_location if setup.ini else None
    early = Service(
        name=entry.name if entry is not None and entry.name else shown(root),
        root=root,
        alembic_ini=setup.ini.path if setup.ini else None,
        script_location=script,
        env_py=setup.env_py,
        import_roots=index.roots,
        dialect=(entry.dialect if entry is not None else None) or config.dialect,
    )
    if on_alembic is not None and early.alembic_ini is not None:
        on_alembic(early)
    env_module = index.load(setup.env_py, "env") if setup.env is not None and setup.env_py else None
    targets = _targets(index, env_module, setup) if ini is not None else None
    reached = index.reached(env_module) if env_module is not None else []
    versions = [*((script / "versions",) if script else ()), *(setup.ini.version_locations if setup.ini else ())]
    models: list[Path] | set[Path]
    if entry is not None and entry.models:
        models = _globbed(root, entry.models, config, entry, "models")
    else:
        # env.py may import models from outside the service folder (prepend_sys_path = ..)
        scanned = set(files)
        outside = [p for p in reached if p not in scanned]
        models = _model_files(index, [*files, *outside], targets, root, versions)
    if entry is not None and entry.pydal:
        pydal = _globbed(root, entry.pydal, config, entry, "pydal")
    else:
        skip = [*versions, *((script,) if script else ())]
        pydal = [p for p in files if _usable(p, root, skip) and _contains(p, b"define_table")]
    return replace(
        early,
        model_files=tuple(sorted(set(models))),
        model_bases=tuple(dict.fromkeys(d.qualname for d in targets or ())),
        env_reached_files=tuple(reached),
        pydal_files=tuple(sorted(pydal)),
        python_files=tuple(sorted(files)),
        not_application=tuple(sorted(left_out)),
        problems=tuple(setup.problems),
    )


def _alembic_setup(root: Path, ini_path: Path) -> _Setup:
    ini = read_alembic_ini(ini_path)
    setup = _Setup([root, *ini.prepend_sys_path], ini, problems=list(ini.problems))
    script = ini.script_location
    env_py = script / "env.py" if script is not None else None
    if env_py is None or not (is_file(env_py) or os.path.lexists(env_py)):
        where = shown(env_py) if env_py else "env.py"
        setup.problems.append(
            _problem(f"{where} not found: model files are found by content", Location(canonical(ini_path)))
        )
        return setup
    setup.env_py = env_py
    parsed = parse_file(env_py, canonical(env_py))
    if isinstance(parsed, Problem):
        setup.problems.append(parsed)
        return setup
    setup.env = read_env(parsed, env_py, ini_path.parent.absolute())
    setup.roots.extend(setup.env.sys_paths)
    setup.problems.extend(setup.env.problems)
    return setup


def _targets(index: ModuleIndex, env_module: Module | None, setup: _Setup) -> list[Definition] | None:
    """The definitions behind env.py's target_metadata, or None (fallback mode,
    with a Problem saying why)."""
    env = setup.env
    if env is None or env_module is None:
        return None
    expr = env.target
    where = env.target_location or Location(env.source.path)
    if expr is None:
        imported = index.lookup(env_module, "target_metadata")  # `from x import metadata as target_metadata`
        if imported is not None and imported.kind != "module":
            return [imported]
        setup.problems.append(_problem("env.py never assigns target_metadata: model files are found by content", where))
        return None
    if isinstance(expr, cst.Name) and expr.value == "None":
        message = "target_metadata is None: autogenerate has no target; model files are found by content"
        setup.problems.append(_problem(message, where))
        return None
    items = [e.value for e in expr.elements] if isinstance(expr, (cst.List, cst.Tuple)) else [expr]
    found = []
    for item in items:
        failed_before = len(index.problems)
        definition = index.resolve_in(env_module, item)
        if definition is None and (len(index.problems) > failed_before or _blind(index)):
            return None  # a module on the way cannot be read or parsed: its DG001 says so, not a DG002 too
        if definition is None or definition.kind == "module":
            message = (
                f"cannot resolve target_metadata `{env.source.code(item)}` to its definition under the import roots: "
                "model files are found by content"
            )
            setup.problems.append(_problem(message, env.source.location(item)))
            return None
        found.append(definition)
    return found


def _blind(index: ModuleIndex) -> bool:
    """Whether a folder under the import roots could not be listed (a DG001):
    what env.py imports may be in there."""
    from drift_guard.session import current

    session = current()
    return session is not None and any(session.unlisted_under(root) for root in index.roots)


def _model_files(
    index: ModuleIndex, files: list[Path], targets: list[Definition] | None, root: Path, versions: list[Path]
) -> set[Path]:
    # b".Model": Flask-SQLAlchemy models import only `db` and may have no __tablename__
    needles = [b"sqlalchemy", b"__tablename__", b".Model"] + [d.name.encode() for d in targets or () if d.name]
    candidates = [p for p in files if _usable(p, root, versions) and any(_contains(p, n) for n in needles)]
    finder = ModelFinder(index, targets)
    found = finder.files(candidates)
    found |= type_files(index, found)  # TypeDecorators and type aliases the models import
    # A candidate that does not parse cannot be ruled out: hand it over, the
    # extractor reports it (DG001).
    found.update(p for p in candidates if index.load(p) is None)
    return found


def _usable(path: Path, root: Path, skip: list[Path]) -> bool:
    """Not a test module and not inside the Alembic folders in ``skip``."""
    if any(folder == path.parent or folder in path.parents for folder in skip):
        return False
    return not matches_globs(path, root, TEST_GLOBS)


def _globbed(root: Path, globs: tuple[str, ...], config: Config, entry: ServiceConfig, key: str) -> list[Path]:
    """The files the service's ``models``/``pydal`` globs name. A path the
    configuration spells out is taken even when it cannot be read (a folder, a
    dangling symlink): its reader reports it (DG001), it is no configuration
    error."""
    import glob as globbing

    out: list[Path] = []
    for pattern in globs:
        if globbing.has_magic(pattern):
            found = [p for p in root.glob(pattern) if is_file(p) or (p.is_symlink() and not p.exists())]
        else:
            named = root / pattern
            found = [named] if os.path.lexists(named) else []
        hits = [p.absolute() for p in found if p.suffix == ".py" and not config.is_excluded(p)]
        if not hits:
            raise ConfigError(f"{key} glob '{pattern}' of service '{entry.path}' matches no Python file", entry.origin)
        out.extend(hits)
    return out


def _contains(path: Path, marker: bytes) -> bool:
    """Text pre-filter on the file's bytes, read once per run by the session
    (and recorded as a pre-filter, so the cache knows what it depended on)."""
    from drift_guard.session import current

    session = current()
    if session is not None:
        return session.contains(path, marker)
    try:
        return marker in path.read_bytes()
    except OSError:
        return False


def _unique(paths: list[Path]) -> list[Path]:
    return list(dict.fromkeys(Path(p).absolute() for p in paths))


def _problem(message: str, location: Location) -> Problem:
    return Problem(ProblemKind.UNRESOLVED, message, location)
