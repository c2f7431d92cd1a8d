"""`drift-guard revision -m`: Alembic's autogenerate between the replayed history
and the statically read models, written with the project's script.py.mako."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from drift_guard.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sample-drifted"
SERVICE = Path("services/flask-backend")
VERSIONS = SERVICE / "alembic" / "versions"
MODELS = SERVICE / "app" / "db" / "models.py"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "sample"
    shutil.copytree(SAMPLE, root)
    monkeypatch.chdir(root)
    return root


def _codes(capsys: pytest.CaptureFixture[str], *args: str) -> set[tuple[str, str | None, str | None]]:
    capsys.readouterr()
    main(["check", "--format", "json", *args])
    return {(f["code"], f.get("table"), f.get("column")) for f in json.loads(capsys.readouterr().out)["findings"]}


def _new_revisions(root: Path) -> list[Path]:
    return sorted(p for p in (root / VERSIONS).glob("*.py") if not p.name.startswith("2026"))


def test_revision_covers_what_dg201_reported(project: Path, capsys: pytest.CaptureFixture[str]):
    models = project / MODELS
    models.write_text(
        models.read_text().replace(
            "    last_login = Column(sa.DateTime)\n",
            "    last_login = Column(sa.DateTime)\n    nickname = Column(String(40), nullable=False)\n",
        )
        + '\n\nclass Tag(Base):\n    __tablename__ = "tags"\n\n    id = Column(Integer, primary_key=True)\n'
        "    label = Column(String(30), nullable=False, unique=True)\n"
        '    team_id = Column(Integer, ForeignKey("teams.id", ondelete="CASCADE"))\n'
    )
    before = _codes(capsys, "--select", "DG201")
    assert {("DG201", "users", "nickname"), ("DG201", "tags", None)} <= before
    assert main(["revision", "-m", "nickname and tags"]) == 0
    out = capsys.readouterr().out
    (written,) = _new_revisions(project)
    assert f"wrote {(SERVICE / 'alembic' / 'versions' / written.name).as_posix()} (2 operation(s), revises 0003)" in out
    text = written.read_text()
    assert text.startswith('"""nickname and tags\n\nRevision ID: ')  # the project's script.py.mako
    assert "down_revision: Union[str, None] = '0003'" in text
    assert "op.add_column('users', sa.Column('nickname', sa.String(length=40), nullable=False))" in text
    assert "op.create_table('tags'," in text
    assert "sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='CASCADE')" in text
    assert "op.drop_table('tags')" in text and "op.drop_column('users', 'nickname')" in text
    assert _codes(capsys, "--select", "DG2") == set()


def test_nothing_to_migrate_writes_nothing(project: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["revision", "-m", "sync"]) == 0
    assert "the migrations match the models; no revision written" in capsys.readouterr().out
    assert _new_revisions(project) == []


def test_several_heads_are_refused(project: Path, capsys: pytest.CaptureFixture[str]):
    branch = project / VERSIONS / "20260401_0004_branch.py"
    branch.write_text(
        '"""branch"""\nrevision = "0004"\ndown_revision = "0002"\nbranch_labels = None\ndepends_on = None\n\n\n'
        "def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"
    )
    models = project / MODELS
    models.write_text(
        models.read_text().replace(
            "    last_login = Column(sa.DateTime)\n", "    last_login = Column(sa.DateTime)\n    x = Column(Integer)\n"
        )
    )
    assert main(["revision", "-m", "x"]) == 2
    err = capsys.readouterr().err
    assert "several heads (0003, 0004)" in err and "alembic merge heads" in err
    assert _new_revisions(project) == []  # the branch file is one of the dated ones


def test_fix_then_revision_leaves_only_hand_edits(project: Path, capsys: pytest.CaptureFixture[str]):
    """The issue's definition of done, on the drifted sample."""
    assert main(["fix"]) == 0
    assert main(["revision", "-m", "sync"]) == 0
    left = {f for f in _codes(capsys, "--select", "DG1,DG201")}
    assert left == {
        ("DG102", "audit_log", None),
        ("DG104", "teams", "slug"),
        ("DG104", "settings", "id"),
        ("DG110", "settings", "key"),
        ("DG113", "audit_log", "retries"),
    }


@pytest.mark.postgres
def test_revision_on_postgresql_compares_lengths(project: Path, capsys: pytest.CaptureFixture[str]):
    """On a server the replayed types keep their lengths, so a changed length is a
    change of type, as ``alembic revision --autogenerate`` sees it there."""
    from test_migrations_helpers import PG_URL, server_url

    url = server_url(PG_URL)
    models = project / MODELS
    models.write_text(models.read_text().replace("full_name = Column(String(255))", "full_name = Column(String(300))"))
    assert main(["revision", "-m", "longer names", "--database-url", url]) == 0
    (written,) = _new_revisions(project)
    text = written.read_text()
    assert "op.alter_column('users', 'full_name'" in text
    assert "type_=sa.String(length=300)" in text and "existing_type=sa.VARCHAR(length=255)" in text


def _operations(path: Path) -> str:
    """The upgrade and downgrade bodies of a written revision (no id, no date)."""
    text = path.read_text()
    return text[text.index("def upgrade()") :]


def test_revision_on_a_postgresql_service_replays_on_the_embedded_postgresql(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    """The sample runs on PostgreSQL: with no --database-url, the revision is autogenerated against an embedded
    PostgreSQL (as the check replays), so it is the very revision --database-url on the real server writes."""
    from test_migrations_helpers import PG_URL, server_url

    import drift_guard.migrations.embedded as embedded

    url = server_url(PG_URL)
    models = project / MODELS
    models.write_text(models.read_text().replace("full_name = Column(String(255))", "full_name = Column(sa.Text)"))
    twin = tmp_path / "twin"
    shutil.copytree(project, twin)
    started = []
    real = embedded.embedded_postgres
    monkeypatch.setattr(embedded, "embedded_postgres", lambda: started.append(1) or real())
    assert main(["revision", "-m", "text names"]) == 0
    assert started == [1] and "replayed on SQLite" not in capsys.readouterr().err
    (local,) = _new_revisions(project)
    monkeypatch.chdir(twin)
    assert main(["revision", "-m", "text names", "--database-url", url]) == 0
    (server,) = _new_revisions(twin)
    assert "existing_type=sa.VARCHAR(length=255)" in _operations(local)
    assert _operations(local) == _operations(server)


def test_revision_falls_back_to_sqlite_and_says_why(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    import drift_guard.migrations.embedded as embedded

    def unavailable():  # type: ignore[no-untyped-def]
        raise embedded.Unavailable("`pgserver` is not installed where drift-guard runs")

    monkeypatch.setattr(embedded, "embedded_postgres", unavailable)
    models = project / MODELS
    models.write_text(
        models.read_text().replace(
            "    full_name = Column(String(255))\n",
            "    full_name = Column(String(255))\n    nickname = Column(String(40))\n",
        )
    )
    assert main(["revision", "-m", "nickname"]) == 0
    err = capsys.readouterr().err
    assert "flask-backend: replayed on SQLite, not the embedded PostgreSQL: `pgserver` is not installed" in err
    (written,) = _new_revisions(project)
    assert "op.add_column('users', sa.Column('nickname', sa.String(length=40), nullable=True))" in written.read_text()
