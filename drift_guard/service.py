"""A discovered service: where each layer of one dual-layer project lives.

Produced by :mod:`drift_guard.discovery` (zero configuration) or from
``[tool.drift_guard] services`` (explicit); consumed by the extractors.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from drift_guard.schema import Problem


@dataclass(frozen=True)
class Service:
    name: str  # display name: the folder relative to the run directory ("." for the root)
    root: Path  # absolute path of the service folder
    alembic_ini: Path | None = None
    script_location: Path | None = None  # the Alembic folder (holds env.py and versions/)
    env_py: Path | None = None
    # sys.path entries used to turn module names into files: the service root
    # plus alembic.ini's prepend_sys_path and env.py's sys.path inserts.
    import_roots: tuple[Path, ...] = ()
    # SQLAlchemy layer: every file holding declarative classes / Table(...) on
    # the target Base/MetaData (or, in fallback mode, on any base).
    model_files: tuple[Path, ...] = ()
    # Qualified names ("app.db.base.Base") of what env.py's target_metadata
    # comes from; empty when env.py gave nothing usable (fallback mode).
    model_bases: tuple[str, ...] = ()
    # Modules (as files) that env.py's imports actually reach (DG206 compares).
    env_reached_files: tuple[Path, ...] = ()
    pydal_files: tuple[Path, ...] = ()  # every module calling define_table
    python_files: tuple[Path, ...] = ()  # all scanned modules (runtime rules)
    # folders and files the walk left out as not the application's (a vendored
    # framework, the framework's own apps, shadowed modules): `drift-guard config`
    not_application: tuple[Path, ...] = ()
    dialect: str | None = None  # from configuration, if given
    problems: tuple[Problem, ...] = ()  # what discovery could not resolve (DG002)

    @property
    def versions_dirs(self) -> tuple[Path, ...]:
        if self.script_location is None:
            return ()
        return (self.script_location / "versions",)
