"""What discovery leaves out of a service: a vendored framework, the apps the
framework ships, and modules Python can never import. The golden cases
(``tests/rules/DG302/quiet_vendored_framework``, ``DG102/quiet_shadowed_module``
and their ``fires_*`` counterparts) show the findings; this pins the edges."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift_guard.discovery.foreign import not_application
from drift_guard.discovery.modules import ModuleIndex


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()


@pytest.mark.parametrize(
    ("files", "checked", "left_out"),
    [
        (["pydal/__init__.py", "pydal/base.py", "pydal/objects.py", "pydal/adapters/__init__.py"], "pydal", True),
        # an application package that only shares the name: kept
        (["pydal/__init__.py", "pydal/tables.py"], "pydal", False),
        (["gluon/__init__.py", "gluon/main.py", "gluon/globals.py", "gluon/dal.py"], "gluon", True),
        (["py4web/__init__.py", "py4web/core.py"], "py4web", True),
        (["py4web/core.py"], "py4web", False),  # no package
        (["apps/_scaffold/__init__.py"], "apps/_scaffold", True),
        (["apps/_minimal/__init__.py"], "apps/_minimal", True),
        (["apps/todo/__init__.py"], "apps/todo", False),
        (["services/_scaffold/__init__.py"], "services/_scaffold", False),  # not under apps/
        (
            ["gluon/__init__.py", "gluon/main.py", "gluon/globals.py", "gluon/dal.py", "applications/welcome/x.py"],
            "applications/welcome",
            True,
        ),
        (["applications/welcome/x.py"], "applications/welcome", False),  # no vendored web2py beside it
        (["app/models.py", "app/models/__init__.py"], "app/models.py", True),
        (["app/models.py", "app/models/helpers.py"], "app/models.py", False),  # namespace folder
        (["app/models/__init__.py"], "app/models/__init__.py", False),
    ],
)
def test_what_is_not_the_application(tmp_path, files, checked, left_out) -> None:
    touch(tmp_path, *files)
    assert not_application(tmp_path / checked) is left_out


def test_a_package_is_found_before_the_module_it_shadows(tmp_path) -> None:
    """``import app.models`` runs app/models/__init__.py when both exist, so that
    is what env.py reaches (DG206) and where names resolve."""
    touch(tmp_path, "app/__init__.py", "app/models.py", "app/models/__init__.py")
    assert ModuleIndex([tmp_path]).find("app.models") == tmp_path / "app" / "models" / "__init__.py"


@pytest.mark.parametrize(
    ("env", "reached"),
    [
        ("import app.a\n", True),
        ("try:\n    import app.a\nexcept ImportError:\n    pass\n", True),
        ("class Config:\n    import app.a\n", True),
        ("def f():\n    import app.a\n", False),
        ("def f():\n    import app.a\n\n\nloaded = f()\n", True),
        ("def g():\n    import app.a\n\n\ndef f():\n    g()\n\n\nif True:\n    pass\nelse:\n    f()\n", True),
        ("def f():\n    def g():\n        import app.a\n\n\nf()\n", False),  # g is never called
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import app.a\n", False),
        ("import typing\nif typing.TYPE_CHECKING:\n    pass\nelse:\n    import app.a\n", True),
        ("def f():\n    import app.a\n\n\nprint(f)\n", False),  # named, not called
        ("def f(): import app.a\n\n\nf()\n", True),
        # a function of another module, called while env.py loads
        ("from app.loader import load\n\nload()\n", True),
        ("import app.loader\n\napp.loader.load()\n", True),
        ("from app import loader\n\nloader.load_later = None\n", False),
        ("from app.loader import load\n", False),
    ],
)
def test_only_imports_that_run_at_load_time_are_followed(tmp_path, env, reached) -> None:
    """DG206 and DG401 ask what env.py's loading imports: an import in a function
    body runs only when the function is called while the module loads."""
    touch(tmp_path, "app/__init__.py", "app/a.py")
    (tmp_path / "app" / "loader.py").write_text("def load():\n    from . import a  # noqa: F401\n")
    (tmp_path / "env.py").write_text(env)
    index = ModuleIndex([tmp_path])
    start = index.load(tmp_path / "env.py", "env")
    assert start is not None
    assert ((tmp_path / "app" / "a.py") in index.reached(start)) is reached


def test_config_lists_what_was_left_out(monkeypatch, capsys) -> None:
    from drift_guard.cli import main

    project = Path(__file__).parent / "rules" / "DG302" / "quiet_vendored_framework"
    monkeypatch.chdir(project)
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    left_out = out.split("  left out (not the application's code):\n", 1)[1].splitlines()
    assert left_out == [
        "    apps/_dashboard",
        "    apps/_scaffold",
        "    vendor/applications/welcome",
        "    vendor/gluon",
        "    vendor/py4web",
        "    vendor/pydal",
    ]
    assert "  python files: 4" in out
