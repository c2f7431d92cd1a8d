"""What the models reader asks SQLAlchemy is kept across runs for the installed
version (drift_guard.library_facts): a run after a model edit that asks nothing
new does not import SQLAlchemy, and a changed library is asked again."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cache import HEAVY_PROBE, SERVICE, _cli, edit, project  # noqa: F401 - the fixture

from drift_guard.config import Config
from drift_guard.session import RunOptions, Session


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An installed package ``fakelib`` (its __init__.py names its version)."""
    site = tmp_path / "site"
    (site / "fakelib").mkdir(parents=True)
    (site / "fakelib" / "__init__.py").write_text('__version__ = "1.0"\n')
    monkeypatch.syspath_prepend(str(site))
    return site / "fakelib" / "__init__.py"


def _answers(tmp_path: Path, questions: list[str]) -> tuple[list[object], list[str]]:
    """One run's answers, and which questions it had to ask the library."""
    asked: list[str] = []
    session = Session(Config(root=tmp_path), RunOptions(use_cache=True, cache_dir=tmp_path / "cache"))
    with session.active():
        facts = session.library_facts("fakelib")
        answers = [facts.answer(q, lambda q=q: asked.append(q) or len(q)) for q in questions]
    return answers, asked


def test_answers_are_kept_for_the_installed_version_and_asked_again_when_it_changes(tmp_path, library):
    assert _answers(tmp_path, ["a", "bb"]) == ([1, 2], ["a", "bb"])
    assert _answers(tmp_path, ["a", "bb", "ccc"]) == ([1, 2, 3], ["ccc"])  # only the new question
    assert _answers(tmp_path, ["ccc", "a"]) == ([3, 1], [])
    library.write_text('__version__ = "2.0"\n')
    assert _answers(tmp_path, ["a"]) == ([1], ["a"])


def test_a_corrupt_entry_is_asked_again(tmp_path, library):
    _answers(tmp_path, ["a"])
    entries = [e for e in (tmp_path / "cache").rglob("*.entry") if "facts-fakelib" in e.parts]
    assert len(entries) == 1
    entries[0].write_bytes(entries[0].read_bytes()[:-3] + b"xyz")
    assert _answers(tmp_path, ["a"]) == ([1], ["a"])


def test_without_a_cache_every_run_asks(tmp_path, library):
    session = Session(Config(root=tmp_path), RunOptions(use_cache=False))
    asked: list[str] = []
    with session.active():
        assert session.library_facts("fakelib").answer("a", lambda: asked.append("a") or 7) == 7
    assert asked == ["a"] and not (tmp_path / "cache").exists()


@pytest.mark.parametrize(
    ("added", "heavy"),
    [
        # a statement with a call: the file is read again (libcst), with nothing new to ask SQLAlchemy
        ("EDITED = len('the schema is what it was')", "['libcst']"),
        # a constant: only its lines are parsed (the stdlib parser), the layers come from the cache
        ("PAGE_SIZE = 50", "[]"),
    ],
    ids=["statement", "inert"],
)
def test_a_model_edit_that_asks_nothing_new_does_not_import_sqlalchemy(project, added, heavy):  # noqa: F811
    check = ["-m", "drift_guard", "check", "--format", "json", "--cache-dir", "../cache"]
    assert _cli(project, *check).returncode == 0
    models = project / SERVICE / "app" / "db" / "models.py"
    models.write_text(models.read_text() + f"\n{added}\n")
    done = _cli(project, "-c", HEAVY_PROBE)
    assert f"HEAVY {heavy}" in done.stderr, done.stderr


def test_a_name_never_asked_before_is_asked_of_sqlalchemy_and_kept(project):  # noqa: F811
    check = ["-m", "drift_guard", "check", "--format", "json", "--cache-dir", "../cache"]
    assert _cli(project, *check).returncode == 0
    models = project / SERVICE / "app" / "db" / "models.py"
    edit(models, "full_name = Column(String(255))", "full_name = Column(sa.Unicode(255))")
    edit(
        models, 'role = Column(String(50), nullable=False, default="viewer")', "role = Column(sa.Text, nullable=False)"
    )
    cached = _cli(project, *check)
    fresh = _cli(project, *check[:-2], "--no-cache")
    assert cached.stdout == fresh.stdout and "DG10" in cached.stdout  # Text vs a PyDAL string(50): reported
    session = Session(Config(root=project), RunOptions(use_cache=True, cache_dir=project.parent / "cache"))
    kept = session.library_facts("sqlalchemy")
    never = lambda: pytest.fail("not kept")  # noqa: E731
    assert kept.answer("family:sqlalchemy.Unicode", never) == "string"
    assert kept.answer("family:sqlalchemy.Text", never) == "text"
