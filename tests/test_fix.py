"""`drift-guard fix`: the PyDAL layer rewritten to match the models, byte for byte
elsewhere, on a copy of the drifted sample project (fixtures/sample-drifted)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from drift_guard.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sample-drifted"
PYDAL = Path("services/flask-backend/app/models.py")
MODELS = Path("services/flask-backend/app/db/models.py")

EXPECTED_DIFF = """\
--- a/services/flask-backend/app/models.py
+++ b/services/flask-backend/app/models.py
@@ -19,16 +19,17 @@
 def define_tables(db):
     db.define_table(
         "users",
-        Field("email", "string", length=255, notnull=True, requires=IS_EMAIL()),
+        Field("email", "string", length=255, notnull=True, unique=True, requires=IS_EMAIL()),
         Field("password_hash", "string", length=255, notnull=True),
-        Field("full_name", "string"),
+        Field("full_name", "string", length=255),
         Field("role", "string", length=50, notnull=True, default="viewer"),
         Field("is_active", "boolean", notnull=True, default=True),
+        Field("last_login", "datetime"),
         *timestamps,
     )
     db.define_table(
         "teams",
-        Field("name", length=100, unique=True, requires=IS_NOT_EMPTY()),
+        Field("name", length=100, unique=True, notnull=True, requires=IS_NOT_EMPTY()),
         Field("slug", length=100),
         Field("description", "text"),
         *timestamps,
@@ -36,19 +37,26 @@
     db.define_table(
         "team_members",
         Field("team_id", "reference teams", notnull=True, ondelete="CASCADE"),
-        Field("user_id", "reference users", notnull=True),
+        Field("user_id", "reference users", notnull=True, ondelete="NO ACTION"),
         Field("member_role", "string", length=20, notnull=True, default="member"),
     )
     db.define_table(
         "invoices",
-        Field("team_id", "integer", notnull=True),
+        Field("team_id", "reference teams", notnull=True, ondelete="CASCADE"),
         Field("amount", "decimal(12,2)", notnull=True),
-        Field("meta", "text"),
+        Field("meta", "json"),
         Field("issued_on", "datetime", notnull=True),
     )
     db.define_table(
+        "api_keys",
+        Field("user_id", "reference users", notnull=True, ondelete="CASCADE"),
+        Field("token_hash", "string", length=128, notnull=True, unique=True),
+        Field("created_at", "datetime", notnull=True),
+        Field("updated_at", "datetime"),
+    )
+    db.define_table(
         "settings",
-        Field("key", length=64),
+        Field("key", length=64, notnull=True),
         Field("value", "text"),
     )
     db.define_table(
"""
# What fix cannot do on the sample, each needing a hand edit (EXPECTED.md says why each is drift).
LEFT = {
    ("DG102", "audit_log", None),
    ("DG104", "teams", "slug"),
    ("DG104", "settings", "id"),
    ("DG110", "settings", "key"),
    ("DG113", "audit_log", "retries"),
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "sample"
    shutil.copytree(SAMPLE, root)
    monkeypatch.chdir(root)
    return root


def _findings(capsys: pytest.CaptureFixture[str], *args: str) -> set[tuple[str, str | None, str | None]]:
    import json

    capsys.readouterr()
    main(["check", "--no-migrations", "--format", "json", *args])
    report = json.loads(capsys.readouterr().out)
    return {(f["code"], f.get("table"), f.get("column")) for f in report["findings"]}


def test_diff_prints_the_fixes_writes_nothing_and_exits_1(project: Path, capsys: pytest.CaptureFixture[str]):
    before = (project / PYDAL).read_bytes()
    assert main(["fix", "--diff"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(EXPECTED_DIFF)
    assert (
        "services/flask-backend/app/models.py:32:9: DG104 teams.slug: needs a hand edit: PyDAL-only: `--remove`" in out
    )
    assert "DG104 settings.id: needs a hand edit: PyDAL's implicit id: key the table with primarykey=[...]" in out
    assert out.endswith("drift-guard: would fix 9 finding(s) in 1 file(s), 5 left\n")
    assert (project / PYDAL).read_bytes() == before


def test_fix_writes_exactly_the_diff_and_check_reports_only_hand_edits(
    project: Path, capsys: pytest.CaptureFixture[str]
):
    assert main(["fix", "--diff"]) == 1
    diff = capsys.readouterr().out
    assert main(["fix"]) == 0
    out = capsys.readouterr().out
    assert "fixed services/flask-backend/app/models.py (9 finding(s))" in out
    # the written file is what the diff showed: apply the diff's hunks to the original
    from drift_guard.fix.write import unified_diff

    after = (project / PYDAL).read_text()
    original = (SAMPLE / PYDAL).read_text()
    assert diff.startswith(unified_diff(original, after, PYDAL.as_posix()))
    assert _findings(capsys, "--select", "DG1") == LEFT


def test_second_run_changes_nothing(project: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["fix"]) == 0
    fixed = (project / PYDAL).read_bytes()
    capsys.readouterr()
    assert main(["fix", "--diff"]) == 0
    assert "would fix 0 finding(s) in 0 file(s)" in capsys.readouterr().out
    assert main(["fix", "--exit-non-zero-on-fix"]) == 0
    assert (project / PYDAL).read_bytes() == fixed


def test_exit_non_zero_on_fix_fails_when_it_changed_a_file(project: Path):
    assert main(["fix", "--exit-non-zero-on-fix"]) == 1


def test_select_and_ignore_limit_what_is_fixed(project: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["fix", "--select", "DG106"]) == 0
    text = (project / PYDAL).read_text()
    assert 'Field("full_name", "string", length=255),' in text
    assert 'Field("meta", "text")' in text  # DG105 not selected
    assert main(["fix", "--ignore", "DG101,DG105"]) == 0
    text = (project / PYDAL).read_text()
    assert '"api_keys"' not in text and 'Field("meta", "text")' in text
    assert 'Field("team_id", "reference teams", notnull=True, ondelete="CASCADE")' in text
    assert ("DG105", "invoices", "meta") in _findings(capsys)


def test_remove_deletes_pydal_only_fields_and_tables(project: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["fix", "--remove"]) == 0
    out = capsys.readouterr().out
    assert "DG104 settings.id: needs a hand edit: PyDAL's implicit id" in out
    text = (project / PYDAL).read_text()
    assert '"slug"' not in text and '"audit_log"' not in text
    assert (
        'Field("name", length=100, unique=True, notnull=True, requires=IS_NOT_EMPTY()),\n        Field("description"'
        in (text)
    )
    assert _findings(capsys, "--select", "DG1") == {
        ("DG104", "settings", "id"),
        ("DG110", "settings", "key"),
    }


def test_without_remove_pydal_only_columns_are_reported_not_deleted(project: Path):
    before = (project / PYDAL).read_text()
    main(["fix"])
    after = (project / PYDAL).read_text()
    assert 'Field("slug", length=100),' in before and 'Field("slug", length=100),' in after
    assert '"audit_log"' in after


def test_a_field_from_a_shared_list_is_left_for_a_hand_edit(project: Path, capsys: pytest.CaptureFixture[str]):
    base = project / "services/flask-backend/app/db/base.py"
    base.write_text(
        base.read_text().replace("updated_at = Column(DateTime)", "updated_at = Column(DateTime, nullable=False)")
    )
    before = (project / PYDAL).read_text()
    assert main(["fix", "--select", "DG107"]) == 0
    out = capsys.readouterr().out
    after = (project / PYDAL).read_text()
    assert 'Field("updated_at", "datetime"),' in after  # in `timestamps`, shared by two tables
    assert "DG107 users.updated_at: needs a hand edit: the Field is in a shared list or helper" in out
    assert after.count("notnull=True") == before.count("notnull=True") + 2  # teams.name, settings.key


def test_a_field_from_a_helper_in_another_module_is_left_alone(project: Path, capsys: pytest.CaptureFixture[str]):
    app = project / "services/flask-backend/app"
    (app / "fields.py").write_text(
        'from pydal import Field\n\n\ndef full_name():\n    return Field("full_name", "string")\n'
    )
    pydal = app / "models.py"
    pydal.write_text(
        pydal.read_text()
        .replace('Field("full_name", "string"),', "full_name(),")
        .replace("from pydal import DAL, Field\n", "from pydal import DAL, Field\n\nfrom app.fields import full_name\n")
    )
    assert main(["fix", "--select", "DG106"]) == 0
    out = capsys.readouterr().out
    assert (app / "fields.py").read_text().endswith('return Field("full_name", "string")\n')
    assert "DG106 users.full_name: needs a hand edit" in out


def test_generated_code_follows_the_file(project: Path):
    pydal = project / PYDAL
    text = (
        pydal.read_text()
        .replace('"', "'")
        .replace("Field(", "db.Field(")
        .replace("from pydal import DAL, db.Field", "from pydal import DAL, Field")
        .replace("    db.Field('created_at'", "    Field('created_at'")
        .replace("    db.Field('updated_at'", "    Field('updated_at'")
        .replace(", 'string', ", ", ")
    )
    pydal.write_text(text)
    assert main(["fix", "--select", "DG101,DG103"]) == 0
    after = pydal.read_text()
    assert "        db.Field('last_login', 'datetime'),\n        *timestamps," in after
    assert "        db.Field('token_hash', length=128, notnull=True, unique=True),\n" in after
    assert "    db.define_table(\n        'api_keys',\n" in after


def test_suppressed_findings_are_not_fixed(project: Path):
    pydal = project / PYDAL
    pydal.write_text(
        pydal.read_text().replace(
            'Field("full_name", "string"),', 'Field("full_name", "string"),  # drift-guard: ignore[DG106]'
        )
    )
    main(["fix", "--select", "DG106"])
    assert 'Field("full_name", "string"),  # drift-guard: ignore[DG106]' in pydal.read_text()


def test_merge_conflict_markers_are_refused(project: Path, capsys: pytest.CaptureFixture[str]):
    pydal = project / PYDAL
    text = pydal.read_text().replace(
        '        Field("full_name", "string"),\n',
        '<<<<<<< HEAD\n        Field("full_name", "string"),\n=======\n        Field("full_name"),\n>>>>>>> other\n',
    )
    pydal.write_text(text)
    assert main(["fix"]) == 2
    assert "merge-conflict markers" in capsys.readouterr().err
    assert pydal.read_text() == text


def test_a_failed_write_leaves_the_file_whole(project: Path, monkeypatch: pytest.MonkeyPatch):
    pydal = project / PYDAL
    before = pydal.read_bytes()

    def broken(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError):
        main(["fix"])
    assert pydal.read_bytes() == before
    assert sorted(p.name for p in pydal.parent.iterdir() if "drift-guard-fix" in p.name) == []


def test_rewritten_file_keeps_its_mode_and_line_endings(project: Path):
    pydal = project / PYDAL
    pydal.write_bytes(pydal.read_bytes().replace(b"\n", b"\r\n"))
    pydal.chmod(0o640)
    assert main(["fix"]) == 0
    data = pydal.read_bytes()
    assert b'Field("last_login", "datetime"),\r\n' in data
    assert data.count(b"\n") == data.count(b"\r\n")
    assert pydal.stat().st_mode & 0o777 == 0o640


MODULE_LEVEL = """\
from pydal import DAL, Field

db = DAL("sqlite://storage.db", migrate=False)

db.define_table('users', Field('email', 'string', 255, notnull=True), Field('password_hash', length=255, notnull=True),
                Field('full_name'), Field(fieldname='role', length=50, notnull=True), Field('is_active', 'boolean', notnull=True),
                Field('created_at', 'datetime', notnull=True), Field('updated_at', 'datetime'))  # users
db.define_table('teams', Field('name', length=100, unique=True, notnull=True), Field('description', 'text'),
                Field('created_at', 'datetime', notnull=True), Field('updated_at', 'datetime'))

# members
db.define_table('team_members', Field('team_id', 'reference teams', notnull=True), Field('user_id', 'reference users', notnull=True, ondelete='NO ACTION'), Field('member_role', length=20, notnull=True))
invoices = db.define_table('invoices', Field('team_id', 'reference teams', notnull=True), Field('amount', 'decimal(10,2)', notnull=True), Field('meta', 'json'), Field('issued_on', 'datetime', notnull=True))
db.define_table('settings', Field('key', length=64, notnull=True), Field('value', 'text'), primarykey=['key'])
"""

MODULE_LEVEL_DIFF = """\
@@ -2,13 +2,21 @@
~
 db = DAL("sqlite://storage.db", migrate=False)
~
-db.define_table('users', Field('email', 'string', 255, notnull=True), Field('password_hash', length=255, notnull=True),
-                Field('full_name'), Field(fieldname='role', length=50, notnull=True), Field('is_active', 'boolean', notnull=True),
+db.define_table('users', Field('email', 'string', 255, notnull=True, unique=True), Field('password_hash', length=255, notnull=True),
+                Field('full_name', length=255), Field(fieldname='role', length=50, notnull=True), Field('is_active', 'boolean', notnull=True),
+                Field('last_login', 'datetime'),
                 Field('created_at', 'datetime', notnull=True), Field('updated_at', 'datetime'))  # users
 db.define_table('teams', Field('name', length=100, unique=True, notnull=True), Field('description', 'text'),
                 Field('created_at', 'datetime', notnull=True), Field('updated_at', 'datetime'))
~
 # members
 db.define_table('team_members', Field('team_id', 'reference teams', notnull=True), Field('user_id', 'reference users', notnull=True, ondelete='NO ACTION'), Field('member_role', length=20, notnull=True))
-invoices = db.define_table('invoices', Field('team_id', 'reference teams', notnull=True), Field('amount', 'decimal(10,2)', notnull=True), Field('meta', 'json'), Field('issued_on', 'datetime', notnull=True))
+invoices = db.define_table('invoices', Field('team_id', 'reference teams', notnull=True), Field('amount', 'decimal(12,2)', notnull=True), Field('meta', 'json'), Field('issued_on', 'datetime', notnull=True))
+db.define_table(
+    'api_keys',
+    Field('user_id', 'reference users', notnull=True, ondelete='CASCADE'),
+    Field('token_hash', length=128, notnull=True, unique=True),
+    Field('created_at', 'datetime', notnull=True),
+    Field('updated_at', 'datetime'),
+)
 db.define_table('settings', Field('key', length=64, notnull=True), Field('value', 'text'), primarykey=['key'])
""".replace("\n~\n", "\n \n")  # blank context lines of a diff are one space


def test_module_level_tables_on_long_lines(project: Path, capsys: pytest.CaptureFixture[str]):
    """Tables at module level, several Fields a line, a positional length, `fieldname=`,
    an assigned define_table, single quotes and implicit "string": all kept as written."""
    (project / PYDAL).write_text(MODULE_LEVEL)
    assert main(["fix", "--diff"]) == 1
    out = capsys.readouterr().out
    assert MODULE_LEVEL_DIFF in out
    assert main(["fix"]) == 0
    assert main(["fix", "--diff"]) == 0


def test_a_column_pydal_cannot_name_needs_a_hand_edit(project: Path, capsys: pytest.CaptureFixture[str]):
    models = project / MODELS
    models.write_text(
        models.read_text().replace("    last_login = Column(sa.DateTime)\n", "    values = Column(sa.Text)\n")
    )
    assert main(["fix", "--select", "DG103"]) == 0
    assert "DG103 users.values: needs a hand edit: `values` is not a valid PyDAL field name" in capsys.readouterr().out
    assert '"values"' not in (project / PYDAL).read_text()


def test_a_missing_keyed_table_is_added_with_its_primarykey(project: Path, capsys: pytest.CaptureFixture[str]):
    pydal = project / PYDAL
    text = pydal.read_text()
    start = text.index('    db.define_table(\n        "settings",')
    end = text.index('    db.define_table(\n        "audit_log",')
    pydal.write_text(text[:start] + text[end:])
    assert main(["fix", "--select", "DG101"]) == 0
    assert (
        '    db.define_table(\n        "settings",\n        Field("key", "string", length=64),\n'
        '        Field("value", "text"),\n        primarykey=["key"],\n    )\n'
    ) in pydal.read_text()
    assert not {f for f in _findings(capsys, "--select", "DG1") if f[1] == "settings"}


def test_per_file_ignores_are_not_fixed(project: Path):
    pyproject = project / "pyproject.toml"
    pyproject.write_text('[tool.drift_guard]\nper-file-ignores = { "*/app/models.py" = ["DG106"] }\n')
    assert main(["fix", "--select", "DG106"]) == 0
    assert 'Field("full_name", "string"),' in (project / PYDAL).read_text()


def test_a_missing_first_column_goes_first(project: Path):
    pydal = project / PYDAL
    pydal.write_text(
        pydal.read_text().replace(
            '        Field("email", "string", length=255, notnull=True, requires=IS_EMAIL()),\n', ""
        )
    )
    assert main(["fix", "--select", "DG103"]) == 0
    assert (
        '        "users",\n        Field("email", "string", length=255, notnull=True, unique=True),\n'
        '        Field("password_hash"'
    ) in pydal.read_text()


def test_an_unparsable_model_file_is_reported_and_nothing_guessed(project: Path, capsys: pytest.CaptureFixture[str]):
    models = project / MODELS
    models.write_text(models.read_text() + "\nclass Broken(:\n")
    before = (project / PYDAL).read_text()
    assert main(["fix", "--select", "DG101,DG103"]) == 0
    out = capsys.readouterr().out
    assert "app/db/models.py:70:14: DG001: needs a hand edit: syntax error" in out
    assert (project / PYDAL).read_text() == before


def test_a_field_copied_in_from_another_table_is_not_edited_there(project: Path, capsys: pytest.CaptureFixture[str]):
    """``define_table("b", db.a, ...)`` copies a's Fields: b's drift in one of them is
    a's Field to change, which would change a too, so it is left for a hand edit."""
    models = project / MODELS
    models.write_text(
        models.read_text() + '\n\nclass Archive(Base):\n    __tablename__ = "archived_settings"\n\n'
        "    id = Column(Integer, primary_key=True)\n    value = Column(sa.Text, nullable=False)\n"
    )
    pydal = project / PYDAL
    text = pydal.read_text()
    pydal.write_text(
        text.replace(
            '    db.define_table(\n        "audit_log",',
            '    db.define_table(\n        "archived_settings",\n        db.settings,\n    )\n'
            '    db.define_table(\n        "audit_log",',
        )
    )
    models.write_text(
        models.read_text().replace(
            "    value = Column(sa.Text, nullable=False)\n",
            "    key = Column(String(64))\n    value = Column(sa.Text, nullable=False)\n",
        )
    )
    assert main(["fix", "--select", "DG107"]) == 0
    out = capsys.readouterr().out
    assert (
        "DG107 archived_settings.value: needs a hand edit: the Field is written in another table's define_table" in out
    )
    assert 'Field("value", "text"),\n' in pydal.read_text()  # settings.value stays nullable, as its model says
