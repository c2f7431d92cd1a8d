"""Read an Alembic setup without running it: ``alembic.ini`` and ``env.py``.

``alembic.ini`` is read with :mod:`configparser` the way Alembic 1.20 reads it
(``%(here)s`` interpolation; ``prepend_sys_path`` / ``version_locations`` split
on ``path_separator``, or on Alembic's legacy separators when that key is absent).
Relative paths are taken relative to the ini's folder, where ``alembic`` is run.

``env.py`` is parsed with libcst, never imported: we want the folders it puts on
``sys.path`` (the common ``os.path`` / ``pathlib`` spellings are evaluated, any
other expression becomes a DG002 Problem) and the expression assigned to
``target_metadata``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import libcst as cst

from drift_guard.extract.names import ImportMap
from drift_guard.paths import display_path, is_dir
from drift_guard.schema import Location, Problem, ProblemKind

if TYPE_CHECKING:
    from drift_guard.parsing import SourceFile

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
    shown = display_path(path)
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


def raw_ini(path: Path) -> object | None:
    """alembic.ini without interpolation (``%(here)s`` left as written), or None
    when it cannot be read or parsed (read_alembic_ini reports why)."""
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(ini_text(path), source=display_path(path))
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


def _script_problem(parser: object, value: str | None) -> str:
    """Why there is no script_location, in the terms Alembic refuses it."""
    if not parser.has_section("alembic"):  # type: ignore[attr-defined]
        return ("alembic.ini has no [alembic] section, so it has no script_location: Alembic refuses to run "
                "(\"No 'script_location' key found in configuration\") and no revision was checked")
    if not (value or "").strip():
        return ("alembic.ini [alembic] sets no script_location: Alembic refuses to run "
                "(\"No 'script_location' key found in configuration\") and no revision was checked")
    return (f"script_location `{value.strip()}` names a package resource that is not a folder under the import "
            "roots, so Alembic cannot load any revision")


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


@dataclass(frozen=True)
class EnvInfo:
    """What a static read of env.py yields."""

    source: SourceFile
    sys_paths: tuple[Path, ...] = ()
    # The expression assigned to target_metadata (None when never assigned).
    target: cst.BaseExpression | None = None
    target_location: Location | None = None
    problems: tuple[Problem, ...] = ()


def read_env(source: SourceFile, env_path: Path, cwd: Path) -> EnvInfo:
    """``cwd`` is the folder Alembic runs in (the ini's), for relative strings."""
    imports = source.imports()
    evaluator = _PathEvaluator(imports, env_path.absolute(), cwd)
    for stmt in source.module.body:  # module-level NAME = <path expr>, in order
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1:
                    target = small.targets[0].target
                    value = evaluator.eval(small.value)
                    if isinstance(target, cst.Name) and value is not None:
                        evaluator.names[target.value] = value
    collector = _EnvCollector(imports)
    source.module.visit(collector)
    paths: list[Path] = []
    problems: list[Problem] = []
    for expr in collector.path_exprs:
        value = evaluator.eval(expr)
        if value is None:
            message = f"cannot resolve the sys.path entry `{source.code(expr)}` statically; imports through it are not followed"
            problems.append(Problem(ProblemKind.UNRESOLVED, message, source.location(expr)))
        elif value not in paths:
            paths.append(value)
    target = collector.module_target or collector.nested_target
    location = source.location(target) if target is not None else None
    return EnvInfo(source, tuple(paths), target, location, tuple(problems))


class _EnvCollector(cst.CSTVisitor):
    """Collects sys.path additions and target_metadata assignments."""

    def __init__(self, imports: ImportMap) -> None:
        self.imports = imports
        self.path_exprs: list[cst.BaseExpression] = []
        self.module_target: cst.BaseExpression | None = None
        self.nested_target: cst.BaseExpression | None = None
        self.depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.depth += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.depth -= 1

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Name) and target.target.value == "target_metadata":
                self._target(node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.target, cst.Name) and node.target.value == "target_metadata" and node.value:
            self._target(node.value)

    def _target(self, value: cst.BaseExpression) -> None:
        # module level wins (run_migrations_* may reassign it for one mode only)
        if self.depth == 0 and self.module_target is None:
            self.module_target = value
        elif self.depth and self.nested_target is None:
            self.nested_target = value

    def visit_Call(self, node: cst.Call) -> None:
        name = self.imports.qualify(node.func)
        args = [a.value for a in node.args]
        if name == "sys.path.insert" and len(args) >= 2:
            self.path_exprs.append(args[1])
        elif name in ("sys.path.append", "site.addsitedir") and args:
            self.path_exprs.append(args[0])
        elif name == "sys.path.extend" and args:
            items = args[0]
            if isinstance(items, (cst.List, cst.Tuple)):
                self.path_exprs.extend(e.value for e in items.elements)
            else:
                self.path_exprs.append(items)


class _PathEvaluator:
    """Evaluates the usual spellings of "a folder relative to this file"."""

    _SAME = {"os.path.abspath", "os.path.realpath", "os.path.normpath", "os.fspath", "str", "pathlib.Path",
             "pathlib.PurePath", "os.path.expanduser"}
    _CWD = {"os.getcwd", "pathlib.Path.cwd"}

    def __init__(self, imports: ImportMap, env_path: Path, cwd: Path) -> None:
        self.imports = imports
        self.env_path = env_path
        self.cwd = cwd
        self.names: dict[str, Path] = {}

    def eval(self, node: cst.BaseExpression) -> Path | None:
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            value = node.evaluated_value
            return _abs(self.cwd, value) if isinstance(value, str) else None
        if isinstance(node, cst.Name):
            return self.env_path if node.value == "__file__" else self.names.get(node.value)
        if isinstance(node, cst.Call):
            return self._call(node)
        if isinstance(node, cst.Attribute) and node.attr.value == "parent":
            inner = self.eval(node.value)
            return inner.parent if inner else None
        if isinstance(node, cst.Subscript):
            return self._parents(node)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
            left, right = self.eval(node.left), self._part(node.right)
            return _abs(left, right) if left and right is not None else None
        return None

    def _call(self, node: cst.Call) -> Path | None:
        name = self.imports.qualify(node.func)
        args = [a.value for a in node.args]
        if name in self._CWD:
            return self.cwd
        if name in self._SAME and len(args) == 1:
            return self.eval(args[0])
        if name == "os.path.dirname" and len(args) == 1:
            inner = self.eval(args[0])
            return inner.parent if inner else None
        if name == "os.path.join" and args:
            return self._join(self.eval(args[0]), args[1:])
        if isinstance(node.func, cst.Attribute):
            method = node.func.attr.value
            if method in ("resolve", "absolute", "expanduser") and not args:
                return self.eval(node.func.value)
            if method == "joinpath":
                return self._join(self.eval(node.func.value), args)
        return None

    def _join(self, base: Path | None, rest: list[cst.BaseExpression]) -> Path | None:
        for arg in rest:
            part = self._part(arg)
            if base is None or part is None:
                return None
            base = _abs(base, part)
        return base

    def _part(self, node: cst.BaseExpression) -> str | None:
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            value = node.evaluated_value
            return value if isinstance(value, str) else None
        value = self.eval(node)
        return str(value) if value else None

    def _parents(self, node: cst.Subscript) -> Path | None:
        value = node.value
        if not (isinstance(value, cst.Attribute) and value.attr.value == "parents" and len(node.slice) == 1):
            return None
        index = node.slice[0].slice
        if not (isinstance(index, cst.Index) and isinstance(index.value, cst.Integer)):
            return None
        inner = self.eval(value.value)
        level = index.value.evaluated_value  # handles 0x1, 1_0
        if inner is None or level >= len(inner.parents):
            return None
        return inner.parents[level]
