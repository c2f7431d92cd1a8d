"""DG210: a PostgreSQL service's history was replayed on SQLite after all.

When the service runs on PostgreSQL and no ``--database-url`` is given, the
migration check replays its history on an embedded PostgreSQL
(:mod:`drift_guard.migrations.embedded`). Without pgserver installed, or when
the cluster cannot start, it falls back to the SQLite replay, which is less
faithful for such a history; this rule says so, once per service, with why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from drift_guard.findings import Finding, Severity
from drift_guard.rules import Group, rule
from drift_guard.schema import Location

if TYPE_CHECKING:
    from drift_guard.context import ServiceContext


@rule("DG210", "postgres-scratch-unavailable", Severity.INFO, group=Group.MIGRATIONS, needs=("models", "migrations"))
def postgres_scratch_unavailable(ctx: ServiceContext) -> Iterator[Finding]:
    """A PostgreSQL service's migrations were replayed on SQLite instead of an embedded PostgreSQL.

    ## What it does
    The service runs on PostgreSQL (its `DAL(...)` URI, alembic.ini's
    `sqlalchemy.url` or the `dialect` setting say so) and no `--database-url`
    was given, so drift-guard replays its history on a PostgreSQL started for
    the check from the `pgserver` package (`drift-guard[postgres]`). When
    pgserver is not installed, or the cluster does not start (the reason is
    in the message), the check falls back to the SQLite replay and reports it
    here, once per service.

    ## Why is this bad?
    SQLite is a stand-in: PostgreSQL-only SQL is skipped or translated
    (DG208), types are compared as SQLite stores them, and a revision that
    fails only on PostgreSQL passes. The check is still run, but it sees less.

    ## Example
    ```toml
    # .pre-commit-config.yaml: the hook's environment lacks pgserver
    - id: drift-guard
    ```

    ## Use instead
    ```yaml
    # .pre-commit-config.yaml
    - id: drift-guard
      additional_dependencies: ["drift-guard[postgres]"]
    ```

    ## How to fix
    Install the extra where drift-guard runs: `pip install "drift-guard[postgres]"`,
    or the hook's `additional_dependencies`. To keep the SQLite replay on purpose,
    set `scratch = "sqlite"` in [tool.drift_guard] (no finding then), or give a
    server with `--database-url`.
    """
    if not ctx.migrations_enabled or ctx.service.alembic_ini is None:
        return
    reason = ctx.migrations.scratch_fallback
    if reason is None:
        return
    from drift_guard.migrations.embedded import INSTALL_HINT
    from drift_guard.session import canonical

    target = ctx.embedded_target()
    where = target.location if target is not None and target.location is not None else None
    source = f" ({target.source})" if target is not None else ""
    yield postgres_scratch_unavailable.finding(
        f"the service runs on PostgreSQL{source}, but its migrations were replayed on SQLite: {reason}",
        f'install the embedded PostgreSQL where drift-guard runs ({INSTALL_HINT}), or set scratch = "sqlite"',
        where or Location(canonical(ctx.service.alembic_ini)),
    )
