"""Adding a rule, even one in a new group, is one module (plus its cases).

The throwaway rule below lives in a temporary folder added to the rules
package's search path, exactly as a new file in ``drift_guard/rules/`` would:
nothing else is edited, and the engine, ``--select``, ``drift-guard rule`` and
SARIF's rule families all pick it up from its metadata.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import drift_guard.rules as rules_package
from drift_guard.cli import main

EXAMPLE = '''
"""DG901: an example rule in a group of its own."""

from drift_guard.findings import Severity
from drift_guard.rules import rule


@rule("DG901", "every-model-table", Severity.INFO, group="inventory", needs=("models",))
def every_model_table(ctx):
    """Lists every model table (an example).

    ## What it does
    Reports each model table once.

    ## Why is this bad?
    It is not; it shows how little a new rule needs.

    ## Example
    ```python
    class User(Base): ...
    ```

    ## How to fix
    Nothing to fix.
    """
    for table in ctx.models.tables:
        yield every_model_table.finding(f"model table `{table.name}`", "nothing to do", table.location, table=table.name)
'''


@pytest.fixture
def example_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    folder = tmp_path / "more_rules"
    folder.mkdir()
    (folder / "inventory.py").write_text(EXAMPLE)
    monkeypatch.setattr(rules_package, "__path__", [*rules_package.__path__, str(folder)])
    monkeypatch.setattr(rules_package, "RULES", {})
    monkeypatch.setattr(rules_package, "_loaded", False)
    monkeypatch.syspath_prepend(str(folder))
    yield
    import sys

    sys.modules.pop("drift_guard.rules.inventory", None)


def test_a_new_rule_in_a_new_group_needs_only_its_module(example_rule, tmp_path, monkeypatch, capsys):
    project = tmp_path / "svc"
    (project / "app").mkdir(parents=True)
    (project / "app" / "db.py").write_text(
        "from sqlalchemy import Column, Integer\nfrom sqlalchemy.orm import declarative_base\n"
        "Base = declarative_base()\n\nclass User(Base):\n    __tablename__ = 'users'\n    id = Column(Integer, primary_key=True)\n"
    )
    monkeypatch.chdir(project)
    assert main(["check", "--select", "DG901", "--format", "json"]) == 0
    found = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["code"], f["message"]) for f in found] == [("DG901", "model table `users`")]
    assert main(["check", "--select", "DG901", "--format", "sarif"]) == 0
    sarif = json.loads(capsys.readouterr().out)
    descriptors = {d["id"]: d for d in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert descriptors["DG901"]["properties"]["tags"] == ["schema-drift", "inventory"]
    assert main(["rule", "DG901"]) == 0
    assert "Lists every model table" in capsys.readouterr().out


def test_no_rule_body_spells_a_code():
    """Rule bodies report through their own bound constructor (``rule.finding``):
    no call in the package passes a literal ``"DGnnn"`` to ``finding``."""
    import ast

    package = Path(rules_package.__file__).parents[1]
    spelled = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            first = node.args[0]
            if name in ("finding", "_report") and isinstance(first, ast.Constant) and str(first.value).startswith("DG"):
                spelled.append(f"{path.relative_to(package)}:{node.lineno}")
    assert spelled == []


def test_a_group_must_be_kebab_case():
    from drift_guard.findings import Severity
    from drift_guard.rules import rule

    with pytest.raises(ValueError, match="kebab-case"):
        rule("DG999", "x", Severity.INFO, group="Not Kebab")
