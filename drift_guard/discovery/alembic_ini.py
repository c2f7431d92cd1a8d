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
from typing import TYPE_CHECKING

from drift_guard.paths import is_dir
from drift_guard.schema import Location, Problem, ProblemKind
from drift_guard.session import canonical

if TYPE_CHECKING:
    from configparser import ConfigParser

_SEPARATORS = {"space": " ", "newline": "\n", "os": os.pathsep, ":": ":", ";": ";"}


@dataclass(frozen=True)
class AlembicIni:
    path: Path
    script_location: Path | None
    prepend_sys_path: tuple[Path, ...] = ()
    version_locations: tuple[Path, ...] = ()
    sqlalchemy_url: str | None = None  # only when literal (no interpolation left, not empty)
    problems: tuple[Problem, ...] = ()
    # Why Alembic itself would refuse this file's script_location (DG203), or None.
    script_problem: str | None = None
    script_line: int = 1  # where to point for script_problem
    readable: bool = True  # False: the file could not be read or parsed (a DG001 problem says why)


def read_alembic_ini(path: Path) -> AlembicIni:
    """The parts of ``[alembic]`` that locate code; problems are returned, not raised.

    No folder is guessed when ``script_location`` is missing or unusable: Alembic
    itself refuses to run then, and so no revision is loaded from a guess."""
    import configparser

    here = path.parent.absolute()
    parser = configparser.ConfigParser({"here": here.as_posix()})
    shown = canonical(path)
    try:
        text = ini_text(path)
        parser.read_string(text, source=shown)
    except (OSError, UnicodeDecodeError, configparser.Error) as exc:
        problem = Problem(ProblemKind.SYNTAX_ERROR, _ini_error(exc, path), Location(shown, _error_line(exc)))
        return AlembicIni(path, None, problems=(problem,), readable=False)
    problems: list[Problem] = []

    def get(key: str) -> str | None:
        try:
            return parser.get("alembic", key, fallback=None)
        except configparser.Error as exc:
            message = f"alembic.ini [alembic] {key}: {_ini_error(exc, path)}"
            problems.append(Problem(ProblemKind.UNRESOLVED, message, Location(shown, _line_of_key(text, key))))
            return None

    separator = get("path_separator") or get("version_path_separator")
    prepend = tuple(_abs(here, p) for p in _split(get("prepend_sys_path"), separator, legacy=r", *|(?: +)|\:"))
    versions = tuple(_abs(here, p) for p in _split(get("version_locations"), separator, legacy=r", *|(?: +)"))
    value = get("script_location")
    script = _script_location(value, here, (here, *prepend))
    why = None
    if script is None:
        why = _script_problem(parser, value)
    url = get("sqlalchemy.url")
    url = (url or "").strip()
    # "driver://user:pass@localhost/dbname" is the placeholder `alembic init` writes
    literal = url if url and not re.search(r"%\(|\$\{|^driver://", url) else None
    line = _line_of_key(text, "script_location")
    return AlembicIni(path, script, prepend, versions, literal, tuple(problems), why, line)


def ini_text(path: Path) -> str:
    """alembic.ini's text, read once per run like every other input, and never
    through a symlink out of the repository; raises OSError / UnicodeDecodeError."""
    from drift_guard.session import read_file

    return read_file(path).decode("utf-8")


def raw_ini(path: Path) -> ConfigParser | None:
    """alembic.ini without interpolation (``%(here)s`` left as written), or None
    when it cannot be read or parsed (read_alembic_ini reports why)."""
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(ini_text(path), source=canonical(path))
    except (OSError, UnicodeDecodeError, configparser.Error):
        return None
    return parser


def _ini_error(exc: Exception, path: Path) -> str:
    """Why alembic.ini could not be used, never quoting its content:
    configparser's own messages repeat the offending lines, and an alembic.ini
    may hold credentials (or be a link to ``/proc/self/environ``)."""
    import configparser

    from drift_guard.session import unreadable

    if isinstance(exc, OSError):
        return unreadable(exc, path, "alembic.ini")
    if isinstance(exc, UnicodeDecodeError):
        return f"cannot read alembic.ini: byte {exc.object[exc.start]:#04x} is not valid UTF-8"
    if isinstance(exc, configparser.MissingSectionHeaderError):
        return "cannot read alembic.ini: a setting comes before the first [section] header"
    if isinstance(exc, configparser.ParsingError):
        lines = ", ".join(str(number) for number, _ in exc.errors)
        return f"cannot read alembic.ini: lines that are neither a [section], a setting nor a comment (line {lines})"
    if isinstance(exc, (configparser.DuplicateSectionError, configparser.DuplicateOptionError)):
        return "cannot read alembic.ini: a section or setting is defined twice"
    if isinstance(exc, configparser.InterpolationError):
        return f"the value cannot be interpolated ({type(exc).__name__})"
    return f"cannot read alembic.ini ({type(exc).__name__})"


def _error_line(exc: Exception) -> int:
    import configparser

    if isinstance(exc, configparser.MissingSectionHeaderError):
        return exc.lineno
    if isinstance(exc, configparser.ParsingError) and exc.errors:
        return exc.errors[0][0]
    return getattr(exc, "lineno", None) or 1


def _script_problem(parser: ConfigParser, value: str | None) -> str:
    """Why there is no script_location, in the terms Alembic refuses it."""
    if not parser.has_section("alembic"):
        return (
            "alembic.ini has no [alembic] section, so it has no script_location: Alembic refuses to run "
            "(\"No 'script_location' key found in configuration\") and no revision was checked"
        )
    location = (value or "").strip()
    if not location:
        return (
            "alembic.ini [alembic] sets no script_location: Alembic refuses to run "
            "(\"No 'script_location' key found in configuration\") and no revision was checked"
        )
    return (
        f"script_location `{location}` names a package resource that is not a folder under the import "
        "roots, so Alembic cannot load any revision"
    )


def _line_of_key(text: str, key: str) -> int:
    """Line of ``key`` (else of ``[alembic]``, else 1) in alembic.ini's text."""
    lines = text.splitlines()
    for needle in (re.compile(rf"^\s*{re.escape(key)}\s*[=:]"), re.compile(r"^\s*\[alembic\]")):
        for number, line in enumerate(lines, 1):
            if needle.match(line):
                return number
    return 1


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
            if is_dir(folder):
                return folder
        return None
    return _abs(here, value)


def _abs(base: Path, value: str | os.PathLike[str]) -> Path:
    return Path(os.path.normpath(os.path.join(base, os.path.expanduser(str(value)))))
