"""The package's shape: no module imports in a cycle, and the layers as drawn.

The layer contract itself is in pyproject.toml (``[tool.importlinter]``) and is
checked by ``lint-imports`` in .ci/run; this test adds what a layer contract
cannot see, cycles between modules of the same package.
"""

from __future__ import annotations

import sys

import pytest

grimp = pytest.importorskip("grimp", reason="grimp comes with import-linter (the dev extra)")


def _cycles() -> list[list[str]]:
    graph = grimp.build_graph("drift_guard", exclude_type_checking_imports=True)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:  # Tarjan's strongly connected components
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_in_a_cycle() -> None:
    assert _cycles() == []


def test_a_cycle_would_be_found(tmp_path, monkeypatch) -> None:
    """The check above can fail: two modules importing each other are a cycle."""
    package = tmp_path / "cyclic"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from cyclic import b\n")
    (package / "b.py").write_text("def f():\n    from cyclic import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    graph = grimp.build_graph("cyclic")
    assert "cyclic.b" in graph.find_modules_directly_imported_by("cyclic.a")
    assert "cyclic.a" in graph.find_modules_directly_imported_by("cyclic.b")
