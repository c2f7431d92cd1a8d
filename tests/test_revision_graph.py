"""Static revision headers and the revision graph (DG202/DG203/DG204 inputs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift_guard.extract.alembic import RevisionHeader, build_revision_graph, read_revision_header

HEADER = """
revision{ann} = {rev}
down_revision{ann} = {down}
{extra}

def upgrade():
{up}

def downgrade():
{downgrade}
"""


def write(
    folder: Path,
    name: str,
    rev: str,
    down: str = "None",
    *,
    annotated: bool = False,
    extra: str = "",
    up: str = "    op.add_column('t', sa.Column('x', sa.Integer()))",
    downgrade: str = "    op.drop_column('t', 'x')",
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    ann = ": Union[str, None]" if annotated else ""
    path.write_text(HEADER.format(ann=ann, rev=rev, down=down, extra=extra, up=up, downgrade=downgrade))
    return path


@pytest.mark.parametrize(
    ("annotated", "down", "extra", "expected_down", "expected_deps", "expected_labels"),
    [
        (False, "'a1'", "", ("a1",), (), ()),
        (True, '"a1"', "", ("a1",), (), ()),
        (True, "None", "", (), (), ()),
        (False, "('a1', 'b1')", "", ("a1", "b1"), (), ()),
        (True, '["a1", "b1"]', "", ("a1", "b1"), (), ()),
        (False, "'a1'", "depends_on = 'x9'\nbranch_labels = ('feature',)", ("a1",), ("x9",), ("feature",)),
        (False, "'a1'", "depends_on: Union[str, Sequence[str], None] = ('x9', 'y9')", ("a1",), ("x9", "y9"), ()),
    ],
)
def test_header_forms(tmp_path, annotated, down, extra, expected_down, expected_deps, expected_labels):
    path = write(tmp_path, "r.py", '"c3"', down, annotated=annotated, extra=extra)
    header = read_revision_header(path)
    assert isinstance(header, RevisionHeader)
    assert header.revision == "c3"
    assert header.down_revisions == expected_down
    assert header.depends_on == expected_deps
    assert header.branch_labels == expected_labels
    assert header.location.line == 2


@pytest.mark.parametrize(
    ("up", "downgrade", "empty"),
    [
        ("    op.add_column('t', sa.Column('x', sa.Integer()))", "    pass", True),
        ("    op.add_column('t', sa.Column('x', sa.Integer()))", '    """Nothing to undo."""', True),
        ("    op.add_column('t', sa.Column('x', sa.Integer()))", '    """Doc."""\n    pass\n    ...', True),
        # stays quiet: a real downgrade, an explicit refusal, an empty upgrade
        ("    op.add_column('t', sa.Column('x', sa.Integer()))", "    op.drop_column('t', 'x')", False),
        ("    op.execute('UPDATE t SET x = 1')", "    raise NotImplementedError('irreversible')", False),
        ("    pass", "    pass", False),
    ],
)
def test_empty_downgrade_detection(tmp_path, up, downgrade, empty):
    header = read_revision_header(write(tmp_path, "r.py", "'a1'", up=up, downgrade=downgrade))
    assert isinstance(header, RevisionHeader)
    assert (header.upgrade_does_something and header.downgrade_empty) is empty


def test_one_line_pass_bodies(tmp_path):
    path = tmp_path / "r.py"
    path.write_text("revision = 'a'\ndown_revision = None\ndef upgrade(): op.drop_table('t')\ndef downgrade(): pass\n")
    header = read_revision_header(path)
    assert header.upgrade_does_something and header.downgrade_empty


def graph_for(tmp_path: Path):
    versions = tmp_path / "alembic" / "versions"
    return build_revision_graph([versions], tmp_path / "alembic")


def test_linear_graph_has_one_head_and_no_issue(tmp_path):
    versions = tmp_path / "alembic" / "versions"
    write(versions, "a.py", "'a'")
    write(versions, "b.py", "'b'", "'a'")
    write(versions, "__init__.py", "'ignored'")  # Alembic never loads __init__.py
    graph = graph_for(tmp_path)
    assert [h.revision for h in graph.heads] == ["b"]
    assert graph.issues == ()
    assert not graph.broken


def test_two_heads_and_merge(tmp_path):
    versions = tmp_path / "alembic" / "versions"
    write(versions, "a.py", "'a'")
    write(versions, "b1.py", "'b1'", "'a'")
    write(versions, "b2.py", "'b2'", "'a'")
    assert [h.revision for h in graph_for(tmp_path).heads] == ["b1", "b2"]
    write(versions, "m.py", "'m'", "('b1', 'b2')")
    assert [h.revision for h in graph_for(tmp_path).heads] == ["m"]


def test_depends_on_does_not_join_heads(tmp_path):
    versions = tmp_path / "alembic" / "versions"
    write(versions, "a.py", "'a'")
    write(versions, "b.py", "'b'", "None", extra="branch_labels = ('other',)")
    write(versions, "c.py", "'c'", "'b'", extra="depends_on = 'a'")
    graph = graph_for(tmp_path)
    assert [h.revision for h in graph.heads] == ["a", "c"]
    assert graph.issues == ()


@pytest.mark.parametrize(
    ("files", "kind", "fragment"),
    [
        (
            [("a.py", "'a'", "None"), ("b.py", "'b'", "'a_typo'")],
            "missing-down-revision",
            "`a_typo`, which does not exist",
        ),
        (
            [("a.py", "'a'", "None"), ("b.py", "'b'", "'a'"), ("c.py", "'b'", "'a'")],
            "duplicate-revision",
            "revision `b` is also defined",
        ),
        (
            [("a.py", "'a'", "'c'"), ("b.py", "'b'", "'a'"), ("c.py", "'c'", "'b'")],
            "cycle",
            "revision cycle: a -> c -> b -> a",
        ),
        ([("a.py", "'a'", "None"), ("b.py", "'b'", "'a'")], None, ""),  # stays quiet
    ],
)
def test_broken_graphs(tmp_path, files, kind, fragment):
    versions = tmp_path / "alembic" / "versions"
    for name, rev, down in files:
        write(versions, name, rev, down)
    graph = graph_for(tmp_path)
    if kind is None:
        assert graph.issues == ()
        return
    assert [i.kind for i in graph.issues] == [kind]
    assert fragment in graph.issues[0].message
    assert graph.broken


def test_missing_depends_on_target(tmp_path):
    versions = tmp_path / "alembic" / "versions"
    write(versions, "a.py", "'a'", extra="depends_on = 'nowhere'")
    (issue,) = graph_for(tmp_path).issues
    assert issue.kind == "missing-down-revision" and "`depends_on`" in issue.message


def test_revision_file_outside_versions_folder(tmp_path):
    versions = tmp_path / "alembic" / "versions"
    write(versions, "a.py", "'a'")
    write(tmp_path / "alembic", "b_stray.py", "'b'", "'a'")
    write(versions, "c.py", "'c'", "'b'")
    (tmp_path / "alembic" / "env.py").write_text("revision = 'not a revision'\ndown_revision = None\n")
    issues = graph_for(tmp_path).issues
    assert sorted(i.kind for i in issues) == ["missing-down-revision", "outside-versions"]
    missing = next(i for i in issues if i.kind == "missing-down-revision")
    assert "outside the versions folder" in missing.message
    outside = next(i for i in issues if i.kind == "outside-versions")
    assert outside.location.path.endswith("b_stray.py")


def test_file_without_revision_and_unparsable_file(tmp_path):
    versions = tmp_path / "alembic" / "versions"
    versions.mkdir(parents=True)
    (versions / "norev.py").write_text("down_revision = None\n")
    (versions / "broken.py").write_text("revision = 'x'\ndef upgrade(:\n")
    graph = graph_for(tmp_path)
    assert [i.kind for i in graph.issues] == ["missing-revision"]
    assert len(graph.problems) == 1 and graph.broken


def test_non_literal_header_is_not_guessed(tmp_path):
    versions = tmp_path / "alembic" / "versions"
    write(versions, "a.py", "'a'")
    write(versions, "b.py", "'b'", "PARENT")  # computed: not read, not reported
    graph = graph_for(tmp_path)
    assert graph.issues == ()
    assert [h.revision for h in graph.heads] == ["a", "b"]


def test_no_versions_folder(tmp_path):
    graph = build_revision_graph([tmp_path / "missing"], None)
    assert graph.revisions == () and graph.heads == () and not graph.broken
