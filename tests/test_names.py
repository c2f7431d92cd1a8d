"""The shared name resolution (drift_guard.extract.names): one import record from
either parser, module files under the import roots, and following names across
modules without importing them."""

from __future__ import annotations

import ast
from pathlib import Path

import libcst as cst
import pytest
from test_extract_pydal_helpers import write

from drift_guard.extract.names import ast_reader, cst_reader
from drift_guard.extract.names.follow import Found, Outside, Resolver
from drift_guard.extract.names.imports import ImportMap
from drift_guard.extract.names.modules import Module, build_module, find_module, module_names
from drift_guard.parsing import parse_file
from drift_guard.source import SourceFile

STATEMENTS = [
    "import sqlalchemy",
    "import sqlalchemy.orm",
    "import sqlalchemy as sa",
    "import sqlalchemy.orm as orm, os.path",
    "from sqlalchemy import Column, Enum as SQLEnum",
    "from . import base",
    "from .base import Base",
    "from ..fields import audit as a",
    "from ... import top",
    "from .models import *",
    "from sqlalchemy.orm import (Mapped, mapped_column)",
]


@pytest.mark.parametrize("package", [None, "app.db", "app"])
@pytest.mark.parametrize("statement", STATEMENTS)
def test_both_parsers_read_the_same_imports(statement: str, package: str | None) -> None:
    """Assert that the libcst and the ast reader make the same Import records,
    relative imports resolved by the same rule."""
    tree = cst.parse_module(statement)
    (line,) = tree.body
    assert isinstance(line, cst.SimpleStatementLine)
    (node,) = line.body
    assert isinstance(node, (cst.Import, cst.ImportFrom))
    (stdlib,) = ast.parse(statement).body
    assert isinstance(stdlib, (ast.Import, ast.ImportFrom))
    assert cst_reader.read_import(node, package) == ast_reader.read_import(stdlib, package)


def test_import_map() -> None:
    """Assert the flat map: aliases, ``import a.b`` binding ``a`` once, relative
    imports in the package, star imports listed."""
    source = "import a.b\nimport a.c\nimport sqlalchemy as sa\nfrom .base import Base as B\nfrom .m import *\n"
    stdlib = [n for n in ast.parse(source).body if isinstance(n, (ast.Import, ast.ImportFrom))]
    table = ImportMap.of(i for n in stdlib for i in ast_reader.read_import(n, "app.db"))
    assert table.names == {"a": "a", "sa": "sqlalchemy", "B": "app.db.base.Base"}
    assert table.star_modules == ["app.db.m"]
    assert ast_reader.import_names(stdlib, "app.db") == table.names


def test_find_module_takes_the_package_first(tmp_path: Path) -> None:
    write(tmp_path, {"app/models/__init__.py": "", "app/models.py": "", "app/__init__.py": "", "app/x.py": ""})
    assert find_module([tmp_path], "app.models") == tmp_path / "app" / "models" / "__init__.py"
    assert find_module([tmp_path / "nowhere", tmp_path], "app.x") == tmp_path / "app" / "x.py"
    assert find_module([tmp_path / "app"], "") == tmp_path / "app" / "__init__.py"
    assert find_module([tmp_path], "app.missing") is None
    assert module_names(tmp_path / "app" / "__init__.py", [tmp_path]) == ("app",)
    assert module_names(tmp_path / "app" / "x.py", [tmp_path, tmp_path / "app"]) == ("app.x", "x")


class _Files(Resolver):
    """The resolver over files found under one root, as discovery uses it."""

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root
        self.loaded: dict[Path, Module] = {}
        self.visited: list[str] = []

    def module(self, dotted: str) -> Module | None:
        path = find_module([self.root], dotted) if dotted else None
        if path is None:
            return None
        if path not in self.loaded:
            parsed = parse_file(path)
            assert isinstance(parsed, SourceFile)
            self.loaded[path] = build_module(parsed, path, module_names(path, [self.root]))
        return self.loaded[path]

    def visit(self, module: Module) -> None:
        self.visited.append(module.name)


PROJECT = {
    "app/__init__.py": "",
    "app/db/__init__.py": "from .base import *\n",
    "app/db/base.py": "from sqlalchemy.orm import declarative_base\nBase = declarative_base()\nAlias = Base\n",
    "app/db/vendor.py": "import thirdparty\nVendorBase = thirdparty.Base\n",
    "app/db/cycle_a.py": "from app.db.cycle_b import X\n",
    "app/db/cycle_b.py": "from app.db.cycle_a import X\n",
    "app/db/self.py": "url = url.replace('a', 'b')\n",
    "app/models.py": (
        "import app.db\nfrom app.db import Base, Alias\nfrom app.db import base as b\n"
        "from app.db.vendor import VendorBase\nfrom app.db.cycle_a import X\nfrom app import db\n"
    ),
}


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("Base", ("app.db.base", "Base", ())),  # through the package's star import
        ("Alias.metadata", ("app.db.base", "Base", ("metadata",))),  # an alias followed, attributes kept
        ("b.Base", ("app.db.base", "Base", ())),  # a module imported from a package
        ("app.db.base.Base", ("app.db.base", "Base", ())),  # ``import app.db`` and the full path
        ("db.base.Base", ("app.db.base", "Base", ())),  # a package submodule not bound in __init__
        ("VendorBase", "thirdparty.Base"),  # leads outside: the qualified name
        ("Column", "Column"),  # not bound anywhere: as written
        ("X", None),  # an import cycle ends the chase: nothing
    ],
)
def test_follow(tmp_path: Path, expr: str, expected: object) -> None:
    """Assert where a name in app/models.py leads, through every kind of binding."""
    write(tmp_path, PROJECT)
    files = _Files(tmp_path)
    models = files.module("app.models")
    assert models is not None
    found = files.resolve(models, cst.parse_expression(expr))
    if expected is None:
        assert found is None
    elif isinstance(expected, tuple):
        assert isinstance(found, Found)
        assert (found.module.name, found.name, found.attrs) == expected
        assert "app.models" in files.visited
    else:
        assert isinstance(found, Outside) and found.qualname == expected


def test_follow_keeps_the_alias_that_leads_outside(tmp_path: Path) -> None:
    """Assert that a name aliasing something outside the modules read carries that
    alias (discovery takes it as the definition), and that a name bound to a call of itself is its own definition."""
    write(tmp_path, PROJECT)
    files = _Files(tmp_path)
    vendor, own = files.module("app.db.vendor"), files.module("app.db.self")
    assert vendor is not None and own is not None
    found = files.resolve_parts(vendor, ("VendorBase",))
    assert isinstance(found, Outside) and found.alias is not None
    assert (found.alias.module.name, found.alias.name) == ("app.db.vendor", "VendorBase")
    assert files.resolve(own, cst.parse_expression("url")) == Found(own, "url")
