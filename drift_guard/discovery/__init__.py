"""Zero-configuration discovery: which services are there, and where is each layer.

Without ``[tool.drift_guard] services`` every folder holding an ``alembic.ini``
is a service (nested ones are services of their own and are cut out of the
outer one); a path with no ``alembic.ini`` anywhere below it is one service
whose layers are found by content. Building one service (reading alembic.ini
and env.py, finding model/PyDAL files) lives in :mod:`drift_guard.discovery.service`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from drift_guard.config import Config, ServiceConfig
from drift_guard.errors import ConfigError
from drift_guard.paths import is_file, is_skipped_dir
from drift_guard.service import Service

if TYPE_CHECKING:
    from drift_guard.session import Session


def discover(
    paths: Sequence[Path], config: Config, on_alembic: Callable[[Service], None] | None = None
) -> list[Service]:
    """Services under ``paths`` (default: the run directory), sorted by root;
    ``on_alembic`` as :func:`~drift_guard.discovery.service.build_service` takes it."""
    from drift_guard.discovery.service import build_service

    wanted = [_folder(p) for p in (paths or [Path.cwd()])]
    plans: list[tuple[Path, Path | None, ServiceConfig | None]]
    if config.services:
        plans = [_configured(sc, config) for sc in config.services]
        plans = [plan for plan in plans if any(_overlaps(plan[0], p) for p in wanted)]
    else:
        plans = [(root, ini, None) for root, ini in _zero_config(wanted, config)]
    services: dict[Path, Service] = {}
    roots = {root for root, _, _ in plans}
    for root, ini, entry in sorted(plans, key=lambda plan: plan[0]):
        if root not in services:
            nested = frozenset(r for r in roots if r != root and _inside(r, root))
            services[root] = build_service(root, ini, config, entry, nested, on_alembic)
    return [services[root] for root in sorted(services)]


def discover_cached(
    paths: Sequence[Path], session: Session, on_alembic: Callable[[Service], None] | None = None
) -> list[Service]:
    """:func:`discover`, answered from the cache while the tree's file names and
    every file discovery read (alembic.ini, env.py, model candidates, pre-filter
    outcomes) are unchanged. The listing of file names is taken every run, so an
    added, deleted or renamed file is always a miss."""
    config = session.config
    wanted = [_folder(p) for p in (paths or [session.run_dir])]
    listing = _listing(wanted, config)

    def compute() -> list[Service]:
        for name in listing:
            if name.endswith("alembic.ini"):
                session.note(Path(name))
        return discover(paths, config, on_alembic)

    # discovery reads Python files as syntax trees only (and alembic.ini, any
    # change of which is a miss): a comment edit of a model file moves locations
    return session.cached("discovery", [[str(p) for p in wanted], listing], compute, moves=True)


def _listing(wanted: Sequence[Path], config: Config) -> list[str]:
    """Every ``*.py`` and ``alembic.ini`` under ``wanted``, plus the alembic.ini
    files above them (a run inside a service folder belongs to that service)."""
    from drift_guard.paths import iter_files
    from drift_guard.session import record_unlisted

    names: set[str] = set()
    for path in wanted:
        names.update(
            str(p) for p in iter_files(path, (".py", ".ini", ".mako"), config.is_excluded, unlisted=record_unlisted)
        )
        for folder in path.parents:
            if is_file(folder / "alembic.ini"):
                names.add(str(folder / "alembic.ini"))
    return sorted(names)


def alembic_sqlalchemy_url(service: Service) -> str | None:
    """``sqlalchemy.url`` of the service's alembic.ini when it is a literal."""
    from drift_guard.discovery.alembic_ini import read_alembic_ini

    if service.alembic_ini is None or not service.alembic_ini.is_file():
        return None
    return read_alembic_ini(service.alembic_ini).sqlalchemy_url


def _folder(path: Path) -> Path:
    path = Path(path).absolute()
    return path.parent if path.is_file() else path


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _overlaps(root: Path, path: Path) -> bool:
    return _inside(root, path) or _inside(path, root)


def _configured(entry: ServiceConfig, config: Config) -> tuple[Path, Path | None, ServiceConfig]:
    root = (config.root / entry.path).absolute()
    if not root.is_dir():
        raise ConfigError(f"service path '{entry.path}' is not a folder (relative to {config.root})", entry.origin)
    if entry.alembic_ini is not None:
        ini = root / entry.alembic_ini
        if not ini.is_file():
            raise ConfigError(
                f"alembic-ini '{entry.alembic_ini}' of service '{entry.path}' does not exist", entry.origin
            )
        return root, ini, entry
    default = root / "alembic.ini"
    return root, (default if default.is_file() else None), entry


def _zero_config(paths: Sequence[Path], config: Config) -> list[tuple[Path, Path | None]]:
    found: dict[Path, Path | None] = {}
    for path in paths:
        owner = _enclosing_service(path, config)
        if owner is not None:
            found[owner] = owner / "alembic.ini"
            continue
        inis = _alembic_folders(path, config)
        for folder in inis:
            found[folder] = folder / "alembic.ini"
        if not inis:
            found.setdefault(path, None)
    return sorted(found.items())


def _enclosing_service(path: Path, config: Config) -> Path | None:
    """The nearest folder above ``path`` holding alembic.ini, not leaving the
    configuration root or the git repository."""
    stop = config.root.absolute()
    for folder in path.parents:
        if is_file(folder / "alembic.ini") and not config.is_excluded(folder):
            return folder
        if folder == stop or (folder / ".git").exists():
            return None
    return None


def _alembic_folders(path: Path, config: Config) -> list[Path]:
    found = []
    stack = [path]
    while stack:
        folder = stack.pop()
        if is_file(folder / "alembic.ini"):
            found.append(folder)
        try:
            children = [c for c in folder.iterdir() if c.is_dir() and not c.is_symlink()]
        except OSError:
            continue
        stack.extend(c for c in children if not is_skipped_dir(c) and not config.is_excluded(c))
    return sorted(found)
