"""DG0xx: inputs that could not be read, and constructs that could not be resolved.

These rules turn the extractors' and discovery's :class:`Problem` records into
findings, so blind spots are visible instead of silently passing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Iterator

from drift_guard.findings import Finding, Severity
from drift_guard.rules import FindingMaker, Group, rule
from drift_guard.schema import Problem, ProblemKind

if TYPE_CHECKING:
    from drift_guard.context import ServiceContext


def _problems(ctx: ServiceContext, kind: ProblemKind) -> Iterator[Problem]:
    sources: list[Iterable[Problem]] = [ctx.service.problems]
    if ctx.service.model_files:
        sources.append(ctx.models.problems)
    if ctx.service.pydal_files:
        sources.append(ctx.pydal.problems)
    if kind is ProblemKind.SYNTAX_ERROR:
        from drift_guard.extract.runtime import runtime_problems
        from drift_guard.parsing import failures_under

        sources.append(runtime_problems(ctx))  # runtime modules are read with the stdlib parser
        sources.append(_revision_problems(ctx))
        sources.append(failures_under(ctx.service.root))  # anything else read so far, e.g. env.py
    if kind is ProblemKind.UNRESOLVED:
        from drift_guard.dialect import dialect_problems

        sources.append(dialect_problems(ctx))
    seen: set[tuple] = set()
    for source in sources:
        for problem in source:
            key = (problem.location, problem.message)
            if problem.kind is kind and key not in seen:
                seen.add(key)
                yield problem


def _revision_problems(ctx: ServiceContext) -> list[Problem]:
    """Revision files that cannot be read, read here rather than left to the
    migration check: DG001 reports every input itself, whichever rules ran
    before it (none of the revisions is executed or parsed for this)."""
    service = ctx.service
    if not ctx.migrations_enabled or service.alembic_ini is None or service.script_location is None:
        return []
    from drift_guard.discovery.revision_folders import external_migrations, version_locations
    from drift_guard.extract.alembic import unreadable_revision_files

    dirs, recursive = version_locations(service)
    if external_migrations(service, dirs) is not None:
        return []  # outside the repository: not read at all (DG203 says why)
    return unreadable_revision_files(dirs, recursive=recursive)


def _report(ctx: ServiceContext, make: FindingMaker, kind: ProblemKind, hint: str) -> Iterator[Finding]:
    for problem in _problems(ctx, kind):
        yield make(problem.message, hint, problem.location, table=problem.table, column=problem.column)


@rule("DG001", "syntax-error", Severity.ERROR, group=Group.INPUTS, needs=("models", "pydal", "runtime"))
def syntax_error(ctx: ServiceContext) -> Iterator[Finding]:
    """A scanned file could not be parsed, so nothing in it was checked.

    ## What it does
    Reports every scanned Python file that does not parse (a syntax error), cannot
    be decoded (not UTF-8 and no coding cookie), or cannot be read, at the exact
    line and column of the problem; also a file the configuration names as a
    PyDAL file (`pydal = [...]`) that defines no table. While a layer has such a
    file, the rules that would report what that layer lacks stay silent.

    ## Why is this bad?
    drift-guard reads files statically and never imports them. A file it cannot
    parse is a file whose tables, columns and flags were not compared: without this
    finding, a broken models file would look like a clean one.

    ## Example
    ```python
    class User(Base):
        __tablename__ = "users"
        email = Column(String(255)  # missing ")"
    ```

    ## Use instead
    ```python
    class User(Base):
        __tablename__ = "users"
        email = Column(String(255))
    ```

    ## How to fix
    Fix the syntax error (Python itself would refuse to import the file), or save
    the file as UTF-8.
    """
    yield from _report(
        ctx,
        syntax_error.finding,
        ProblemKind.SYNTAX_ERROR,
        "fix the file so that Python can parse it; nothing in it was checked",
    )


@rule(
    "DG002",
    "unresolved-construct",
    Severity.WARNING,
    group=Group.INPUTS,
    needs=("models", "pydal", "runtime"),
)
def unresolved_construct(ctx: ServiceContext) -> Iterator[Finding]:
    """Something that affects the schema could not be resolved statically.

    ## What it does
    Reports each construct that drift-guard could not read without running the
    code: a table name built at run time, a field list returned by a function that
    is not a literal, a column type imported from an unknown module, an `env.py`
    whose `target_metadata` cannot be followed, a DAL URI whose dialect is unknown.
    The message names the construct as written.

    ## Why is this bad?
    drift-guard never guesses. Whatever it could not resolve is compared as
    "matching", so this finding is the list of what was *not* verified.

    ## Example
    ```python
    db.define_table(f"{prefix}_users", Field("email"))  # name only known at run time
    ```

    ## Use instead
    ```python
    USERS_TABLE = "app_users"                          # a module-level literal
    db.define_table(USERS_TABLE, Field("email"))
    ```

    ## How to fix
    Write the construct as a literal where you can (a module-level list of
    `Field(...)`, a literal table name), or configure the paths in
    `[tool.drift_guard]`. If it cannot be made static, suppress the finding with
    `# drift-guard: ignore[DG002] -- reason` so the blind spot stays documented.
    """
    yield from _report(
        ctx,
        unresolved_construct.finding,
        ProblemKind.UNRESOLVED,
        "write it as a literal, or suppress with `# drift-guard: ignore[DG002] -- reason`",
    )
