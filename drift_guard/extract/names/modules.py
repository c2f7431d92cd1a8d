"""Modules as files: a dotted name's file under the import roots, a file's dotted
names, and what a parsed module binds at module level.

This is the small slice of Python's import system that static reading needs,
written once for discovery (env.py's ``target_metadata``, which files are models)
and for the extractors: ``a.b`` is ``a/b/__init__.py`` (the package first, as
Python imports it) or ``a/b.py`` under the first root holding either; nothing is
ever imported.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence, Union

import libcst as cst

from drift_guard.extract.names.cst_reader import imports_of
from drift_guard.extract.names.imports import ImportMap

if TYPE_CHECKING:
    from drift_guard.source import SourceFile

# A module-level statement as collected: a one-line ``if x: y = 1`` suite holds small statements.
Statement = Union[cst.BaseStatement, cst.BaseSmallStatement]


def find_module(roots: Iterable[Path], dotted: str) -> Path | None:
    """The file of module ``dotted`` under ``roots`` (first root wins); "" is the
    package of a root itself (``from . import x``)."""
    parts = [p for p in dotted.split(".") if p]
    for root in roots:
        base = root.joinpath(*parts)
        # the package first: Python imports ``a/b/__init__.py`` over a ``a/b.py`` beside it
        candidates = [base / "__init__.py"]
        if parts:
            candidates.append(base.with_name(parts[-1] + ".py"))
        for candidate in candidates:
            if _present(candidate):
                return candidate
    return None


def _present(path: Path) -> bool:
    """A module file is there, readable or not (a dangling symlink, no read
    permission), as long as it is not a folder: loading it reports why it cannot
    be read (DG001) instead of silently taking another. Behind a folder that
    cannot be searched nothing is known: that folder is reported, not guessed."""
    try:
        os.lstat(path)
    except OSError:
        return False
    return not os.path.isdir(path)


def module_names(path: Path, roots: Sequence[Path]) -> tuple[str, ...]:
    """Dotted names of ``path`` under each import root (the first is its primary
    name); a package's ``__init__`` is the package."""
    names: list[str] = []
    resolved = path.resolve()
    for root in roots:
        try:
            rel = resolved.relative_to(Path(root).resolve())
        except ValueError:
            continue
        parts = list(rel.with_suffix("").parts)
        if parts and parts[-1] == "__init__":
            parts.pop()
        if parts and all(p.isidentifier() for p in parts):
            names.append(".".join(parts))
    if not names:
        names.append(_package_name(resolved))
    return tuple(dict.fromkeys(names))


def _package_name(path: Path) -> str:
    """Without a matching root: walk up while the folder is a package."""
    parts = [] if path.stem == "__init__" else [path.stem]
    folder = path.parent
    while (folder / "__init__.py").is_file() and folder.name.isidentifier():
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts) or path.stem


@dataclass(eq=False)
class Module:
    """One parsed file: its names, imports and module-level definitions (also
    those in ``if`` / ``try`` blocks, which run as the module loads; the last
    binding of a name wins, as it does when the module runs)."""

    names: tuple[str, ...]  # dotted names it is importable as (first is primary)
    path: Path
    is_package: bool
    source: SourceFile = field(repr=False)
    imports: ImportMap = field(repr=False)
    classes: dict[str, cst.ClassDef] = field(default_factory=dict, repr=False)
    values: dict[str, cst.BaseExpression] = field(default_factory=dict, repr=False)
    functions: dict[str, cst.FunctionDef] = field(default_factory=dict, repr=False)
    statements: list[Statement] = field(default_factory=list, repr=False)

    @property
    def name(self) -> str:
        return self.names[0]

    @property
    def package(self) -> str | None:
        """The package relative imports are resolved against."""
        if self.is_package:
            return self.name
        return self.name.rpartition(".")[0] or None

    def defines(self, local: str) -> bool:
        return local in self.classes or local in self.values or local in self.functions

    def code(self, node: cst.CSTNode) -> str:
        """Source text of ``node``, sliced from the file by its position.

        Same text as ``SourceFile.code`` (libcst codegen) but without generating
        code per call: positions are computed once per file anyway, for locations."""
        span = self.source.positions.offsets(node)
        if span is None:
            return self.source.code(node)
        return self.source.text[span[0] : span[1]].strip()


def build_module(source: SourceFile, path: Path, names: tuple[str, ...]) -> Module:
    is_package = path.name == "__init__.py"
    package = names[0] if is_package else (names[0].rpartition(".")[0] or None)
    module = Module(names, path, is_package, source, imports_of(source, package))
    _collect(module, source.module.body)
    return module


def _collect(module: Module, body: Sequence[Statement]) -> None:
    """Module-level classes, functions and ``NAME = value`` bindings (also inside
    ``if TYPE_CHECKING:`` / ``try: ... except ImportError:`` blocks)."""
    for stmt in body:
        module.statements.append(stmt)
        if isinstance(stmt, cst.ClassDef):
            module.classes[stmt.name.value] = stmt
            module.values.pop(stmt.name.value, None)
        elif isinstance(stmt, cst.FunctionDef):
            module.functions[stmt.name.value] = stmt
        elif isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                for target, value in _assignments(small):
                    module.values[target] = value
                    module.classes.pop(target, None)
        elif isinstance(stmt, cst.If):
            _collect(module, stmt.body.body)
            if isinstance(stmt.orelse, cst.Else):
                _collect(module, stmt.orelse.body.body)
        elif isinstance(stmt, cst.Try):
            _collect(module, stmt.body.body)
            for handler in stmt.handlers:
                _collect(module, handler.body.body)


def _assignments(small: cst.BaseSmallStatement) -> Iterable[tuple[str, cst.BaseExpression]]:
    if isinstance(small, cst.Assign):
        for target in small.targets:
            if isinstance(target.target, cst.Name):
                yield target.target.value, small.value
    elif isinstance(small, cst.AnnAssign) and small.value is not None and isinstance(small.target, cst.Name):
        yield small.target.value, small.value
