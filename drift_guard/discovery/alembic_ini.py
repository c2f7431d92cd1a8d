"""Read ``alembic.ini`` without running Alembic.

Read with :mod:`configparser` the way Alembic 1.20 reads it (``%(here)s``
interpolation; ``prepend_sys_path`` / ``version_locations`` split on
``path_separator``, or on Alembic's legacy separators when that key is absent).
Relative paths are taken relative to the ini's folder, where ``alembic`` is run.
Kept apart from the ``env.py`` reader so that what only needs the ini (cache
checks, the migration folders) never imports libcst.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from drift_guard.paths import display_path
from drift_guard.schema import Location, Problem, ProblemKind

_SEPARATORS = {"space": " ", "newline": "\n", "os": os.pathsep, ":": ":", ";": ";"}


@dataclass(frozen=True)
class AlembicIni:
    path: Path
    script_location: Path | None
    prepend_sys_path: tuple[Path, ...] = ()
    version_locations: tuple[Path, ...] = ()
    sqlalchemy_url: str | None = None  # only when literal (no interpolation left, not empty)
    problems: tuple[Problem, ...] = ()


def read_alembic_ini(path: Path) -> AlembicIni:
    """The parts of ``[alembic]`` that locate code; problems are returned, not raised."""
    import configparser

    here = path.parent.absolute()
    parser = configparser.ConfigParser({"here": here.as_posix()})
    shown = display_path(path)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as exc:
        problem = Problem(ProblemKind.SYNTAX_ERROR, f"cannot read alembic.ini: {exc}", Location(shown))
        return AlembicIni(path, _default_script(here), problems=(problem,))
    problems: list[Problem] = []

    def get(key: str) -> str | None:
        try:
            return parser.get("alembic", key, fallback=None)
        except configparser.Error as exc:
            problems.append(Problem(ProblemKind.UNRESOLVED, f"alembic.ini [alembic] {key}: {exc}", Location(shown)))
            return None

    separator = get("path_separator") or get("version_path_separator")
    prepend = tuple(_abs(here, p) for p in _split(get("prepend_sys_path"), separator, legacy=r", *|(?: +)|\:"))
    versions = tuple(_abs(here, p) for p in _split(get("version_locations"), separator, legacy=r", *|(?: +)"))
    script = _script_location(get("script_location"), here, (here, *prepend))
    if script is None:
        problems.append(Problem(ProblemKind.UNRESOLVED, "alembic.ini: no usable [alembic] script_location", Location(shown)))
        script = _default_script(here)
    url = get("sqlalchemy.url")
    url = (url or "").strip()
    # "driver://user:pass@localhost/dbname" is the placeholder `alembic init` writes
    literal = url if url and not re.search(r"%\(|\$\{|^driver://", url) else None
    return AlembicIni(path, script, prepend, versions, literal, tuple(problems))


def _split(value: str | None, separator: str | None, *, legacy: str) -> list[str]:
    if not value:
        return []
    char = _SEPARATORS.get(separator or "")
    parts = value.split(char) if char else re.split(legacy, value)
    return [p.strip() for p in parts if p.strip()]


def _script_location(value: str | None, here: Path, roots: tuple[Path, ...]) -> Path | None:
    if not value:
        return None
    if not os.path.isabs(value) and ":" in value:  # "package:resource", as Alembic reads it
        package, *rest = value.split(":")
        for root in roots:
            folder = root.joinpath(*package.split("."), *rest)
            if folder.is_dir():
                return folder
        return None
    return _abs(here, value)


def _default_script(here: Path) -> Path | None:
    guess = here / "alembic"
    return guess if (guess / "env.py").is_file() else None


def _abs(base: Path, value: str | os.PathLike[str]) -> Path:
    return Path(os.path.normpath(os.path.join(base, os.path.expanduser(str(value)))))
