"""DG201-DG207: models vs Alembic migrations, and the revision graph.

Every rule reads the service's :class:`~drift_guard.migrations.MigrationReport`
(``ctx.migrations``, computed once per service and only when one of these rules
is selected), except DG206, which needs no replay. None of them runs when the
service has no ``alembic.ini`` or the run was started with ``--no-migrations``.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Iterator

from drift_guard.findings import Finding, Severity
from drift_guard.rules import Group, rule
from drift_guard.schema import Location

if TYPE_CHECKING:
    from drift_guard.context import ServiceContext
    from drift_guard.migrations import MigrationDiff


def _enabled(ctx: ServiceContext) -> bool:
    return ctx.migrations_enabled and ctx.service.alembic_ini is not None


def _ini_location(ctx: ServiceContext) -> Location:
    return Location(ctx.session.canonical(ctx.service.alembic_ini or ctx.service.root))


def _in_service(ctx: ServiceContext, command: str) -> str:
    """``command`` as run from the service folder (no ``cd .`` when already there).
    Names come from the checked code and the tree: whatever goes into a command
    is quoted for the shell, so a copied hint runs exactly one command."""
    return command if ctx.service.name == "." else f"cd {shlex.quote(ctx.service.name)} && {command}"


def _autogenerate(ctx: ServiceContext, message: str) -> str:
    return _in_service(ctx, f"alembic revision --autogenerate -m {shlex.quote(message)}")


@rule("DG201", "migration-missing", Severity.ERROR, group=Group.MIGRATIONS, needs=("models", "migrations"))
def migration_missing(ctx: ServiceContext) -> Iterator[Finding]:
    """The models and the migration history describe different schemas.

    ## What it does
    Replays the whole migration history (`base -> heads`) into a scratch database
    drift-guard owns (SQLite in memory, or a throwaway database on the server
    given with `--database-url`), builds a SQLAlchemy `MetaData` from the models
    read statically, and runs Alembic's own `compare_metadata` between the two.
    Each difference (table, column, type, nullability, index, unique constraint,
    foreign key) is one finding: at the model line for what the models have, at
    the revision line that created it for what only the migrations have.

    ## Why is this bad?
    A model change without a migration works on the developer's database (created
    with `create_all`, or migrated by hand) and breaks in production, where only
    `alembic upgrade head` runs. A migration the model lacks means the next
    `--autogenerate` proposes to undo it.

    ## Example
    ```python
    class User(Base):
        __tablename__ = "users"
        new_field = mapped_column(String(255))  # no revision adds users.new_field
    ```

    ## Use instead
    ```python
    # alembic/versions/0007_users_new_field.py, from `alembic revision --autogenerate`
    def upgrade():
        op.add_column("users", sa.Column("new_field", sa.String(length=255)))
    ```

    ## How to fix
    Generate the missing revision from the service folder
    (`alembic revision --autogenerate -m "add users.new_field"`), review it and
    commit it with the model change; or change the model back.
    """
    if not _enabled(ctx):
        return
    models_read = ctx.models_fully_read
    for diff in ctx.migrations.diffs:
        if not diff.kind.model_side and not models_read:
            continue  # "not in the models" while a model file cannot be read would be a guess (DG001 says why)
        yield migration_missing.finding(
            diff.description,
            _diff_hint(ctx, diff),
            diff.location or _ini_location(ctx),
            table=diff.table,
            column=diff.column,
            related=(diff.migration_location if diff.kind.model_side else diff.model_location,),
        )


_CONSTRAINTS = {"index": "index", "unique": "unique constraint", "fk": "foreign key"}


def _subject(diff: MigrationDiff) -> str:
    """What the diff is about, as a revision message names it: a dropped unique
    constraint or index is not a dropped table (``drop users`` would read as one)."""
    what = _CONSTRAINTS.get(diff.kind.value.split("_", 1)[1])
    if what is None:
        return f"{diff.table}.{diff.column}" if diff.column else diff.table
    if diff.name:
        return f"{what} {diff.name}"
    return f"{what} on {diff.table}.{diff.column}" if diff.column else f"{what} on {diff.table}"


def _diff_hint(ctx: ServiceContext, diff: MigrationDiff) -> str:
    subject = _subject(diff)
    if diff.kind.model_side:
        command = _autogenerate(ctx, f"{diff.kind.value.split('_')[0]} {subject}")
        unreached = {t.table.lower() for t in ctx.migrations.unreached_tables}
        if diff.table and diff.table.lower() in unreached:
            # autogenerate cannot see a table env.py never imports (DG206)
            return f"import its module where target_metadata is assembled (DG206), then: {command}"
        return command
    return f"add it to the model, or generate the revision that drops it: {_autogenerate(ctx, f'drop {subject}')}"


@rule("DG202", "multiple-heads", Severity.ERROR, group=Group.MIGRATIONS, needs=("models", "migrations"))
def multiple_heads(ctx: ServiceContext) -> Iterator[Finding]:
    """The revision history has more than one head.

    ## What it does
    Reads the revision headers statically and reports when more than one
    revision is not the `down_revision` of any other (`depends_on` does not
    join branches).

    ## Why is this bad?
    `alembic upgrade head` refuses to run ("Multiple head revisions are
    present"); deployments that upgrade to `head` fail. It usually means two
    branches each added a revision on the same parent.

    ## Example
    ```python
    # versions/a1.py
    revision = "a1"; down_revision = "0001"
    # versions/b1.py
    revision = "b1"; down_revision = "0001"
    ```

    ## Use instead
    ```python
    # versions/m1.py, from `alembic merge heads`
    revision = "m1"; down_revision = ("a1", "b1")
    ```

    ## How to fix
    Merge the heads: `alembic merge heads -m "merge heads"` from the service
    folder, or rebase one revision onto the other (`down_revision = "a1"`).
    """
    if not _enabled(ctx):
        return
    heads = ctx.migrations.heads
    if len(heads) < 2 or ctx.migrations.graph_issues:  # a broken graph has meaningless heads (DG203)
        return
    names = ", ".join(f"`{h.revision}` ({ctx.session.shown(h.location.path)})" for h in heads)
    yield multiple_heads.finding(
        f"{len(heads)} heads: {names}",
        _in_service(ctx, 'alembic merge heads -m "merge heads"'),
        heads[0].location,
        related=(h.location for h in heads[1:]),
    )


_GRAPH_HINTS = {
    "missing-revision": 'give the file a `revision = "..."` identifier',
    "missing-down-revision": "point `down_revision` at an existing revision (`alembic history` lists them)",
    "duplicate-revision": "give one of the files a new revision id (and update whatever revises it)",
    "cycle": "one `down_revision` in the cycle must point further back; the history must be a DAG",
    "outside-versions": "move the file into the versions folder, or delete it",
    "syntax-error": "fix the syntax error; Alembic cannot load the revision",
    "missing-script-location": "set `script_location` in the [alembic] section of alembic.ini to the folder holding env.py and versions/",
    "external-migrations": "keep the migrations inside the repository, or allow them with `allow-external-migrations = true`",
}


@rule("DG203", "broken-revision-graph", Severity.ERROR, group=Group.MIGRATIONS, needs=("models", "migrations"))
def broken_revision_graph(ctx: ServiceContext) -> Iterator[Finding]:
    """The revision graph cannot be built: Alembic itself would fail.

    ## What it does
    Checks the statically read revision headers for a `down_revision` or
    `depends_on` that names no revision, duplicate revision ids, cycles, files
    without a revision id or that do not parse, and revision files lying under
    the Alembic folder but outside the versions folder (Alembic never loads
    them); and an `alembic.ini` without a usable `script_location` (empty, no
    `[alembic]` section, a folder that does not exist). When the graph is
    broken the replay (DG201/DG205) is skipped.

    ## Why is this bad?
    Every `alembic` command fails on a broken graph, deployments included, and a
    revision outside the versions folder silently never runs.

    ## Example
    ```python
    # versions/0002_add_posts.py
    revision = "0002"
    down_revision = "0001_typo"  # no such revision
    ```

    ## Use instead
    ```python
    # versions/0002_add_posts.py
    revision = "0002"
    down_revision = "0001"
    ```

    ## How to fix
    Point `down_revision` at the revision it follows, give duplicated revisions
    new ids, move stray revision files into `versions/`.
    """
    if not _enabled(ctx):
        return
    for issue in ctx.migrations.graph_issues:
        yield broken_revision_graph.finding(issue.message, _GRAPH_HINTS.get(issue.kind, ""), issue.location)


@rule("DG204", "empty-downgrade", Severity.WARNING, group=Group.MIGRATIONS, needs=("models", "migrations"))
def empty_downgrade(ctx: ServiceContext) -> Iterator[Finding]:
    """A revision's `upgrade()` changes the schema but its `downgrade()` is empty.

    ## What it does
    Reports revisions whose `upgrade()` has a body while `downgrade()` is only
    `pass`, a docstring or `...`.

    ## Why is this bad?
    `alembic downgrade` reports success and does nothing: the schema and the
    `alembic_version` row disagree from then on, and the next upgrade fails.

    ## Example
    ```python
    def upgrade():
        op.add_column("users", sa.Column("nickname", sa.String(50)))

    def downgrade():
        pass
    ```

    ## Use instead
    ```python
    def downgrade():
        op.drop_column("users", "nickname")
    ```

    ## How to fix
    Write the inverse operations (`op.drop_column("users", "nickname")`). If the
    revision is deliberately irreversible, say so:
    `raise NotImplementedError("irreversible: data migration")`.
    """
    if not _enabled(ctx):
        return
    for header in ctx.migrations.empty_downgrades:
        yield empty_downgrade.finding(
            f"revision `{header.revision}` has an empty downgrade() but its upgrade() changes the schema",
            "write the inverse operations, or raise NotImplementedError if the revision is irreversible",
            header.downgrade_location or header.location,
        )


@rule("DG205", "migration-failed", Severity.ERROR, group=Group.MIGRATIONS, needs=("models", "migrations"))
def migration_failed(ctx: ServiceContext) -> Iterator[Finding]:
    """A revision could not be loaded or applied on a fresh scratch database.

    ## What it does
    Reports the revision, file and line of the failing `op` call (or import),
    and the database's error message, when the replay of the history stops.

    ## Why is this bad?
    A fresh environment (CI, a new developer, disaster recovery) cannot build
    the database from the migrations, and DG201 cannot compare anything.

    ## Example
    ```python
    def upgrade():
        op.add_column("userz", sa.Column("x", sa.Integer()))  # no table "userz"
    ```

    ## Use instead
    ```python
    def upgrade():
        op.add_column("users", sa.Column("x", sa.Integer()))
    ```

    ## How to fix
    Fix the revision so that it applies on an empty database. On the default
    SQLite scratch database, raw SQL (`op.execute`) runs statement by statement:
    statements that only move data or privileges are skipped (DG208) and DDL is
    translated from PostgreSQL or MySQL; DDL that still fails is reported here and
    the replay goes on with the next statement. A revision that
    imports application code needs that code installed where drift-guard runs
    (the pre-commit hook's `additional_dependencies`), or run with
    `--no-migrations`. SQL written for one database only can be checked with
    `--database-url` pointing at a server of that kind.
    """
    if not _enabled(ctx):
        return
    for failure in ctx.migrations.statement_failures:  # raw-SQL DDL; the replay went on, later DG201s stand
        revision = f"revision `{failure.revision}`" if failure.revision else "a revision"
        yield migration_failed.finding(
            f"raw SQL of {revision} cannot run on the scratch sqlite database, as written or translated "
            f"(the replay went on without it): {failure.error}",
            "write it portably (op.alter_column, ...) or check it with --database-url on a server of its kind",
            failure.location,
        )
    for failure in ctx.migrations.failures:
        revision = f"revision `{failure.revision}`" if failure.revision else "a revision"
        if failure.failed_import:
            hint = (
                f"install `{failure.failed_import}` where drift-guard runs (add it to the hook's "
                "`additional_dependencies`), or run with --no-migrations"
            )
            message = f"{revision} cannot be loaded: {failure.error}"
        else:
            hint = "make the revision apply on an empty database"
            if ctx.migrations.database == "sqlite":
                hint += "; check dialect-specific SQL with --database-url"
            message = f"{revision} failed on the scratch {ctx.migrations.database} database: {failure.error}"
        yield migration_failed.finding(message, hint, failure.location)


@rule("DG207", "irreversible-downgrade", Severity.WARNING, group=Group.MIGRATIONS, needs=("models", "migrations"))
def irreversible_downgrade(ctx: ServiceContext) -> Iterator[Finding]:
    """A revision's `downgrade()` does not restore the schema its `upgrade()` started from.

    ## What it does
    On the scratch database (SQLite, the embedded PostgreSQL or a PostgreSQL
    `--database-url`; not MySQL/MariaDB, whose DDL cannot be rolled back), right
    after each revision's `upgrade()`, runs its `downgrade()`, compares the reflected schema with the one before
    the `upgrade()` (tables, columns with type and nullability, primary key,
    indexes, unique constraints, foreign keys), runs `upgrade()` again, and
    undoes all of it before the replay goes on. A difference, or a downgrade or
    second upgrade that fails, is one finding at the revision's `downgrade()`.
    A `downgrade()` raising `NotImplementedError` declares the revision
    irreversible and is not checked; an empty one is DG204's; one whose raw SQL
    SQLite cannot run is only checked for failing.

    ## Why is this bad?
    A rollback in production (`alembic downgrade -1` after a bad deploy) reports
    success but leaves a column or index behind; the next `upgrade()` then fails
    ("duplicate column"), in the middle of an incident.

    ## Example
    ```python
    def upgrade():
        op.add_column("users", sa.Column("nickname", sa.String(50)))
        op.create_index("ix_users_nickname", "users", ["nickname"])

    def downgrade():
        op.drop_index("ix_users_nickname", table_name="users")  # users.nickname stays
    ```

    ## Use instead
    ```python
    def downgrade():
        op.drop_index("ix_users_nickname", table_name="users")
        op.drop_column("users", "nickname")
    ```

    ## How to fix
    Make `downgrade()` undo every operation of `upgrade()`, in reverse order
    (`alembic revision --autogenerate` writes both). If the revision cannot be
    undone, say so: `raise NotImplementedError("irreversible: data migration")`.
    """
    if not _enabled(ctx):
        return
    empty = {h.revision for h in ctx.migrations.empty_downgrades}  # DG204's: one defect, one finding
    for problem in ctx.migrations.downgrade_problems:
        if problem.revision in empty:
            continue
        revision = f"revision `{problem.revision}`" if problem.revision else "a revision"
        yield irreversible_downgrade.finding(
            f"{revision}: downgrade() does not restore the schema before upgrade(): {'; '.join(problem.differences)}",
            "undo every operation of upgrade() in downgrade(), or raise NotImplementedError if it is irreversible",
            problem.location,
        )


@rule("DG206", "model-not-in-target-metadata", Severity.ERROR, group=Group.MIGRATIONS, needs=("models", "migrations"))
def model_not_in_target_metadata(ctx: ServiceContext) -> Iterator[Finding]:
    """A model table lives in a module that `env.py` never imports.

    ## What it does
    Compares the files of the model tables with the modules `env.py`'s imports
    reach (read statically). Only runs when `target_metadata` was resolved.
    An import counts when it runs as env.py loads: at module level, or in a
    function called at module level (`run_migrations_online()`); one in any
    other function body or under `if TYPE_CHECKING:` does not.

    ## Why is this bad?
    Autogenerate only sees tables registered on `target_metadata` when env.py
    runs. A models module nobody imports is invisible to it: the next
    `alembic revision --autogenerate` proposes to drop its tables.

    ## Example
    ```python
    # alembic/env.py
    from app.db.base import Base       # app/db/billing.py is never imported
    target_metadata = Base.metadata
    ```

    ## Use instead
    ```python
    # alembic/env.py
    from app.db.base import Base
    import app.db.billing  # noqa: F401  (registers its models on Base.metadata)
    target_metadata = Base.metadata
    ```

    ## How to fix
    Import the module where the metadata is assembled (e.g. in
    `app/db/__init__.py` or in env.py: `import app.db.billing  # noqa: F401`).
    """
    from drift_guard.migrations.reach import unreached_model_tables

    if not _enabled(ctx) or not ctx.models_fully_read:  # what env.py reaches is unknown past an unreadable file
        return
    for table in unreached_model_tables(ctx.service, ctx.models):
        yield model_not_in_target_metadata.finding(
            f"table `{table.table}` is not reached by env.py's target_metadata: its module is never imported",
            "import the module where the metadata is assembled (or in env.py)",
            table.location,
            table=table.table,
        )
