"""DG209: a missing third-party package was stood in for during the replay.

Revisions that import the application pull in its dependencies, which are
often not installed where drift-guard runs (a pre-commit hook's own
virtualenv). Rather than stop the whole replay at the first such import (one
DG205, nothing compared), the default SQLite replay stands in for the missing
package (:mod:`drift_guard.migrations.stubs`) and says so here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from drift_guard.findings import Finding, Severity
from drift_guard.rules import Group, rule

if TYPE_CHECKING:
    from drift_guard.context import ServiceContext


@rule("DG209", "missing-import-stubbed", Severity.INFO, group=Group.MIGRATIONS, needs=("models", "migrations"))
def missing_import_stubbed(ctx: ServiceContext) -> Iterator[Finding]:
    """A package the revisions import is not installed, so a stand-in was used.

    ## What it does
    When loading the revision scripts fails because a third-party package is
    missing (one that is not part of the service: `sqlalchemy_utils`,
    `geoalchemy2`, `flask`), the default SQLite replay replaces that package by a
    stand-in whose every name is a class usable as a column type, and loads the
    revisions again. Columns of stand-in types are created without a type, so
    their types are not compared; everything else is. One finding per package.
    A missing module of the service itself is still a DG205.

    ## Why is this bad?
    It is not a defect of the code: the environment drift-guard runs in lacks a
    dependency. But the check could not see what the package's types really
    create, so a type change of those columns goes unnoticed.

    ## Example
    ```python
    # alembic/versions/0004_users_uid.py; sqlalchemy_utils is not installed where drift-guard runs
    import sqlalchemy_utils

    def upgrade():
        op.add_column("users", sa.Column("uid", sqlalchemy_utils.types.uuid.UUIDType(binary=False)))
    ```

    ## Use instead
    ```yaml
    # .pre-commit-config.yaml
    - id: drift-guard
      additional_dependencies: ["sqlalchemy-utils"]
    ```

    ## How to fix
    Install the package where drift-guard runs (the hook's
    `additional_dependencies`, the CI job's requirements).
    """
    if not ctx.migrations_enabled or ctx.service.alembic_ini is None:
        return
    for stubbed in ctx.migrations.stubbed_imports:
        revision = f"revision `{stubbed.revision}`" if stubbed.revision else "a revision"
        yield missing_import_stubbed.finding(
            f"`{stubbed.module}` is not installed where drift-guard runs: {revision} was loaded with a stand-in "
            "for it, so the types it provides were not compared",
            f"install `{stubbed.module}` where drift-guard runs (add it to the hook's `additional_dependencies`)",
            stubbed.location,
        )
