"""Read an Alembic ``env.py`` without running it (``alembic.ini``: :mod:`drift_guard.discovery.alembic_ini`).

``env.py`` is parsed with libcst, never imported: we want the folders it puts on
``sys.path`` (the common ``os.path`` / ``pathlib`` spellings are evaluated, any
other expression becomes a DG002 Problem) and the expression assigned to
``target_metadata``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import libcst as cst

from drift_guard.discovery.alembic_ini import _abs
from drift_guard.extract.names.cst_reader import imports_of, qualify
from drift_guard.extract.names.imports import ImportMap
from drift_guard.schema import Location, Problem, ProblemKind

if TYPE_CHECKING:
    from drift_guard.parsing import SourceFile


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
    imports = imports_of(source)
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
    metadata = collector.module_target or collector.nested_target
    location = source.location(metadata) if metadata is not None else None
    return EnvInfo(source, tuple(paths), metadata, location, tuple(problems))


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
        name = qualify(self.imports, node.func)
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

    _SAME = {
        "os.path.abspath",
        "os.path.realpath",
        "os.path.normpath",
        "os.fspath",
        "str",
        "pathlib.Path",
        "pathlib.PurePath",
        "os.path.expanduser",
    }
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
        name = qualify(self.imports, node.func)
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
        path = self.eval(node)
        return str(path) if path else None

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
