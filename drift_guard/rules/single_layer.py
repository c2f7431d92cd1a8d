"""DG403: a service with SQLAlchemy models but no PyDAL layer is not dual-layer.

Such a service queries through SQLAlchemy by design, so the layer-discipline
rule (DG401) would report every query; it stays silent there and this rule says
once, as information, why the cross-layer and layering checks had nothing to do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from drift_guard.findings import Finding, Severity
from drift_guard.rules import Group, rule
from drift_guard.schema import Location

if TYPE_CHECKING:
    from drift_guard.context import ServiceContext


@rule("DG403", "no-pydal-layer", Severity.INFO, group=Group.LAYERING, needs=("models",))
def no_pydal_layer(ctx: ServiceContext) -> Iterator[Finding]:
    """The service has SQLAlchemy models but no PyDAL layer, so it is not dual-layer.

    ## What it does
    Reports, once per service, that model files were found but no module calls
    `define_table`: the models-vs-PyDAL rules (DG1xx) have nothing to compare,
    and SQLAlchemy used at run time (DG401) is not reported, because in a
    single-layer service it is the runtime layer.

    ## Why is this bad?
    It is not, if the service is meant to be SQLAlchemy-only. If it is meant to
    be dual-layer, its PyDAL layer was not found, and nothing was compared.

    ## Example
    ```python
    # app/db/models.py holds the models; no module calls db.define_table(...)
    ```

    ## Use instead
    ```python
    # app/models.py: the PyDAL layer of a dual-layer service
    db.define_table("users", Field("email", length=255))
    ```

    ## How to fix
    Nothing, for a SQLAlchemy-only service (select or ignore DG403 as you like).
    For a dual-layer service whose PyDAL modules were not found, name them with
    `pydal = [...]` in `[[tool.drift_guard.services]]`.
    """
    service = ctx.service
    if service.pydal_files or not service.model_files:
        return
    anchor = service.alembic_ini or service.model_files[0]
    yield no_pydal_layer.finding(
        "no PyDAL layer found (no module calls `define_table`): this service is not dual-layer, so the "
        "models-vs-PyDAL and layer-discipline checks had nothing to do",
        "nothing to do for a SQLAlchemy-only service; otherwise name the PyDAL modules with `pydal = [...]`",
        Location(ctx.session.canonical(anchor)),
    )
