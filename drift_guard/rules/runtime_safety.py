"""DG3xx: PyDAL must never migrate a database that Alembic owns.

PyDAL's precedence (pydal/base.py ``DAL.define_table`` and ``lazy_define_table``): ``migrate_enabled=False``
beats everything; otherwise ``define_table(migrate=...)`` beats ``DAL(migrate=...)``
and ``DAL()`` without ``migrate=`` *does* migrate. The rules read the records of
:mod:`drift_guard.extract.runtime` (one summary per module); tests, virtualenvs, the Alembic folder and
``runtime-exclude`` are never scanned.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator

from drift_guard.findings import Finding, Severity
from drift_guard.rules import Group, rule
from drift_guard.schema import Location

if TYPE_CHECKING:
    from drift_guard.context import ServiceContext
    from drift_guard.extract.runtime import DalCall, RuntimeSummary, Value

# The runtime extraction is imported where it is used: every run loads every rule
# module, and a run answered from the cache summarises nothing.


def _modules(ctx: ServiceContext) -> list[RuntimeSummary]:
    from drift_guard.extract.runtime import runtime_summaries

    return [summary for _, summary in runtime_summaries(ctx)]


def flag_is_unknown(value: Value) -> bool:
    from drift_guard.extract.runtime import flag_is_unknown as unknown

    return unknown(value)


_SAFE = "use `DAL(uri, migrate=False, fake_migrate_all=True)` (or `migrate_enabled=False`); Alembic owns the schema"


def _active_dals(modules: list[RuntimeSummary]) -> Iterator[DalCall]:
    """DAL calls that can migrate at all: not ``DAL(None)``, not ``migrate_enabled=False``."""
    for module in modules:
        for call in module.dal_calls:
            if not call.uri_is_none and not call.migrate_enabled.falsy:
                yield call


def _why(value: Value) -> str:
    return f" ({value.via} is `{value.value!r}`)" if value.via else ""


@rule("DG301", "dal-migrate-enabled", Severity.ERROR, group=Group.RUNTIME, needs=("runtime",))
def dal_migrate_enabled(ctx: ServiceContext) -> Iterator[Finding]:
    """A `DAL(...)` turns PyDAL migrations on for every table.

    ## What it does
    Reports a `DAL(...)` call whose effective `migrate` is truthy: `migrate=True`,
    or a name whose value is certainly truthy, such as a parameter of the
    enclosing function whose default is `True` (a plain call then migrates).
    `migrate_enabled=False` switches every migration off and keeps this quiet.

    ## Why is this bad?
    `DAL(migrate=...)` is the default for every `define_table`. With it on, PyDAL
    issues `CREATE TABLE` when its `.table` file is missing (failing on tables
    Alembic created) and `ALTER TABLE ... DROP COLUMN` when its pickles are stale,
    never looking at what Alembic did.

    ## Example
    ```python
    def init_pydal(migrate=True):
        return DAL(uri, migrate=migrate)
    ```

    ## Use instead
    ```python
    def init_pydal():
        return DAL(uri, migrate=False, fake_migrate_all=True)
    ```

    ## How to fix
    Pass `migrate=False` (and `fake_migrate_all=True` to adopt the existing
    schema), or `migrate_enabled=False`.
    """
    for call in _active_dals(_modules(ctx)):
        if call.migrate.truthy:
            yield dal_migrate_enabled.finding(
                f"`DAL(...)` enables PyDAL migrations: `migrate={call.migrate.spelled}`{_why(call.migrate)}",
                _SAFE,
                call.location,
            )


@rule("DG302", "dal-migrate-default", Severity.ERROR, group=Group.RUNTIME, needs=("runtime",))
def dal_migrate_default(ctx: ServiceContext) -> Iterator[Finding]:
    """A `DAL(...)` leaves `migrate` unset, and PyDAL then migrates.

    ## What it does
    Reports a `DAL(...)` call without a `migrate=` argument (and without
    `migrate_enabled=False`), because PyDAL's default is `migrate=True`.

    ## Why is this bad?
    The default is easy to miss in review: the connection looks harmless, yet
    every `define_table` on it may create or alter tables behind Alembic's back.

    ## Example
    ```python
    db = DAL("postgres://app@db/app", pool_size=5)
    ```

    ## Use instead
    ```python
    db = DAL("postgres://app@db/app", pool_size=5, migrate=False, fake_migrate_all=True)
    ```

    ## How to fix
    Say it explicitly: `DAL(uri, migrate=False, fake_migrate_all=True)`.
    """
    for call in _active_dals(_modules(ctx)):
        if not call.migrate.given and call.star_kwargs is None:
            yield dal_migrate_default.finding(
                "`DAL(...)` leaves `migrate` unset; PyDAL's default `migrate=True` applies",
                _SAFE,
                call.location,
            )


@rule("DG303", "table-migrate-enabled", Severity.ERROR, group=Group.RUNTIME, needs=("runtime",))
def table_migrate_enabled(ctx: ServiceContext) -> Iterator[Finding]:
    """A `define_table(...)` turns PyDAL migrations (or fake migrations) on for its table.

    ## What it does
    Reports `define_table(..., migrate=<truthy>)`, including a `.table` file name
    string, and `define_table(..., fake_migrate=True)`. It stays quiet when every
    `DAL(...)` of the service has `migrate_enabled=False`, which beats the table flag.

    ## Why is this bad?
    The table flag overrides `DAL(migrate=False)`, so one table can still be
    created or altered by PyDAL. `fake_migrate=True` writes `.table` state
    files that a later run migrates from.

    ## Example
    ```python
    db.define_table("users", Field("email"), migrate="users.table")
    ```

    ## Use instead
    ```python
    db.define_table("users", Field("email"), migrate=False)
    ```

    ## How to fix
    Remove the argument or set `migrate=False`; change the schema with Alembic.
    """
    modules = _modules(ctx)
    dals = [call for m in modules for call in m.dal_calls]
    if dals and all(call.migrate_enabled.falsy for call in dals):
        return
    for module in modules:
        for table in module.define_tables:
            name = f"`{table.table}`" if table.table else "table"
            for flag, label in ((table.migrate, "migrate"), (table.fake_migrate, "fake_migrate")):
                if flag.truthy:
                    yield table_migrate_enabled.finding(
                        f"`define_table` of {name} sets `{label}={flag.spelled}`{_why(flag)}",
                        f"drop `{label}=` or set it to False; Alembic owns the schema",
                        table.location,
                        table=table.table,
                    )


@rule("DG304", "migrate-flag-unresolved", Severity.WARNING, group=Group.RUNTIME, needs=("runtime",))
def migrate_flag_unresolved(ctx: ServiceContext) -> Iterator[Finding]:
    """A PyDAL migration flag is computed at run time, so it was not verified.

    ## What it does
    Reports `migrate`, `migrate_enabled` or `fake_migrate_all` of `DAL(...)`, and
    `migrate`/`fake_migrate` of `define_table(...)`, given by an expression that
    cannot be resolved statically (environment, settings, a call, `**kwargs`),
    naming the expression.

    ## Why is this bad?
    DG301-DG303 can only vouch for what they can read. A flag read from the
    environment is safe in one deployment and migrates in another.

    ## Example
    ```python
    db = DAL(uri, migrate=os.environ.get("PYDAL_MIGRATE") == "1")
    ```

    ## Use instead
    ```python
    db = DAL(uri, migrate=False, fake_migrate_all=True)
    ```

    ## How to fix
    Hard-code `migrate=False` (migrations belong to Alembic), or ignore this code
    for the line if the indirection is deliberate.
    """
    for module in _modules(ctx):
        for call in module.dal_calls:
            yield from _unresolved_dal(call)
        for table in module.define_tables:
            for flag, label in ((table.migrate, "migrate"), (table.fake_migrate, "fake_migrate")):
                if flag_is_unknown(flag):
                    yield _unresolved(f"define_table(...)` flag `{label}", flag.spelled, table.location, table.table)


def _unresolved_dal(call: DalCall) -> Iterator[Finding]:
    if call.uri_is_none or call.migrate_enabled.falsy:
        return
    flags = [("migrate", call.migrate), ("migrate_enabled", call.migrate_enabled)]
    if not call.migrate.falsy:  # fake_migrate_all only matters for migrating tables
        flags.append(("fake_migrate_all", call.fake_migrate_all))
    for label, flag in flags:
        if flag_is_unknown(flag):
            yield _unresolved(f"DAL(...)` flag `{label}", flag.spelled, call.location, None)
    if call.star_kwargs is not None and not call.migrate.given:
        yield _unresolved("DAL(...)` flag `migrate", f"**{call.star_kwargs}", call.location, None)


def _unresolved(what: str, spelled: str, location: Location, table: str | None) -> Finding:
    return migrate_flag_unresolved.finding(
        f"`{what}` comes from `{spelled}`, which cannot be resolved statically; not verified",
        "hard-code `migrate=False`; Alembic owns the schema",
        location,
        table=table,
    )


_DDL = re.compile(
    r"(?:^|;)\s*(?:(?:CREATE|ALTER|DROP)\s+(?:OR\s+REPLACE\s+)?(?:UNIQUE\s+)?(?:TABLE|INDEX|COLUMN)"
    r"|TRUNCATE)\b",
    re.IGNORECASE,
)
_TEMPORARY = re.compile(r"^\s*CREATE\s+(?:GLOBAL\s+|LOCAL\s+)?TEMP(?:ORARY)?\b", re.IGNORECASE)


# SQL comments and quoted literals: blanked before looking for DDL, so
# "-- note\nDROP TABLE x" is found and "SELECT 'a;DROP TABLE b'" is not.
_NOISE = re.compile(r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'", re.DOTALL)


def _blank(match: re.Match) -> str:
    """Same-length filler, so offsets in the blanked text are offsets in the SQL."""
    text = match.group()
    return "'" + " " * (len(text) - 2) + "'" if text.startswith("'") else " " * len(text)


def runtime_ddl_statement(sql: str) -> str | None:
    """The first DDL statement in ``sql`` (temporary tables excepted), as
    written but without comments, else None."""
    code = _NOISE.sub(_blank, sql)
    start = 0
    for statement in code.split(";"):
        if _DDL.search(statement) and not _TEMPORARY.match(statement):
            original = sql[start : start + len(statement)]
            return " ".join(re.sub(r"--[^\n]*|/\*.*?\*/", " ", original, flags=re.DOTALL).split())
        start += len(statement) + 1
    return None


@rule("DG305", "runtime-ddl", Severity.ERROR, group=Group.RUNTIME, needs=("runtime",))
def runtime_ddl(ctx: ServiceContext) -> Iterator[Finding]:
    """Runtime code changes the schema with literal DDL.

    ## What it does
    Reports `db.executesql(...)`, or `execute(...)` on a raw connection or
    cursor, whose literal SQL is DDL (`CREATE`/`ALTER`/`DROP` `TABLE`/`INDEX`/
    `COLUMN`, `TRUNCATE`) outside the Alembic folder and tests. Temporary tables
    are session-scoped scratch space and stay quiet.

    ## Why is this bad?
    A schema change made at run time is invisible to Alembic: the next
    `alembic revision --autogenerate` tries to undo it, and other databases
    (staging, a new developer's) never get it.

    ## Example
    ```python
    db.executesql("ALTER TABLE users ADD COLUMN nickname VARCHAR(64)")
    ```

    ## Use instead
    ```python
    # alembic/versions/0008_users_nickname.py
    def upgrade():
        op.add_column("users", sa.Column("nickname", sa.String(64)))
    ```

    ## How to fix
    Move the change into an Alembic migration and the model.
    """
    for module in _modules(ctx):
        for call in module.sql_calls:
            statement = runtime_ddl_statement(call.sql)
            if statement is not None:
                shown = statement if len(statement) <= 60 else statement[:57] + "..."
                yield runtime_ddl.finding(
                    f"`{call.method}(...)` runs DDL at run time: `{shown}`",
                    "make this schema change an Alembic migration (and update the models)",
                    call.location,
                )


@rule("DG306", "pydal-migration-files", Severity.WARNING, group=Group.RUNTIME, needs=("runtime",), cacheable=False)
def pydal_migration_files(ctx: ServiceContext) -> Iterator[Finding]:
    """PyDAL migration state files (`*.table`) are in the repository.

    ## What it does
    Reports every `*.table` file under the service folder, except in
    virtualenvs, VCS folders, `exclude`/`runtime-exclude` paths (tests may
    migrate a throwaway database) and files git ignores.

    ## Why is this bad?
    PyDAL writes `<hash>_<table>.table` pickles only when it migrated (or
    fake-migrated) against some database. They are evidence that PyDAL managed a
    schema, and a stale one makes the next migrating run ALTER or DROP columns
    from PyDAL's memory instead of Alembic's history.

    ## Example
    ```text
    databases/4f1c..._users.table
    ```

    ## Use instead
    ```text
    # .gitignore
    *.table
    ```

    ## How to fix
    Delete the files, add `*.table` to `.gitignore`, and keep `migrate=False`.
    """
    from drift_guard.extract.runtime import reportable_table_files

    for path in reportable_table_files(ctx.service, ctx.config):
        yield pydal_migration_files.finding(
            f"PyDAL migration state file `{path.name}`: PyDAL migrated against some database",
            "delete it, add `*.table` to .gitignore and keep PyDAL at `migrate=False`",
            Location(ctx.session.canonical(path)),
        )
