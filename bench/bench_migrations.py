"""Time check_migrations on a generated 200-revision history.

Writes a service to a temp dir whose history creates 20 tables and then adds
columns, indexes and alter_column/batch changes revision by revision, with the
matching model Schema, and prints the median wall time over a few runs plus the
ratio against a 20-revision baseline measured in the same process. No
assertions: this is for the closing note and for spotting regressions.

    python bench/bench_migrations.py [--runs 5] [--revisions 200] [--database-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from drift_guard.migrations import check_migrations  # noqa: E402
from drift_guard.schema import Column, Layer, Location, Schema, Table  # noqa: E402
from drift_guard.service import Service  # noqa: E402
from drift_guard.types import model_column_type  # noqa: E402

TABLES = 20
HEADER = '''"""bench {rev}"""
import sqlalchemy as sa
from alembic import op

revision = "{rev}"
down_revision = {down!r}


def upgrade():
{body}


def downgrade():
    pass
'''


def _body(n: int) -> tuple[str, tuple[str, str] | None]:
    """Revision n's upgrade body and the (table, column) it adds, if any."""
    table = f"t{n % TABLES:02d}"
    if n < TABLES:
        return (f'    op.create_table("{table}", sa.Column("id", sa.Integer(), primary_key=True))', None)
    column = f"c{n:03d}"
    if n % 5 == 0:
        return (f'    with op.batch_alter_table("{table}") as b:\n'
                f'        b.add_column(sa.Column("{column}", sa.String(40)))', (table, column))
    if n % 7 == 0:
        return (f'    op.add_column("{table}", sa.Column("{column}", sa.String(20)))\n'
                f'    op.alter_column("{table}", "{column}", type_=sa.String(40), existing_type=sa.String(20))',
                (table, column))
    return (f'    op.add_column("{table}", sa.Column("{column}", sa.String(40)))\n'
            f'    op.execute("UPDATE {table} SET {column} = \'x\'")', (table, column))


def write_service(root: Path, revisions: int) -> tuple[Service, Schema]:
    versions = root / "alembic" / "versions"
    versions.mkdir(parents=True)
    (root / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/alembic\n")
    columns: dict[str, list[str]] = {f"t{i:02d}": [] for i in range(min(TABLES, revisions))}
    for n in range(revisions):
        body, added = _body(n)
        rev = f"r{n:04d}"
        down = f"r{n - 1:04d}" if n else None
        (versions / f"{rev}.py").write_text(HEADER.format(rev=rev, down=down, body=body))
        if added:
            columns[added[0]].append(added[1])
    models = root / "models.py"
    models.write_text("# generated\n")
    loc = Location(str(models), 1, 1)
    integer = model_column_type("sqlalchemy.Integer")
    string = model_column_type("sqlalchemy.String", (40,), spelled="String(40)")
    tables = tuple(
        Table(name, Layer.MODELS, loc, (Column("id", "id", integer, loc, nullable=False, primary_key=True),
                                        *(Column(c, c, string, loc) for c in cols)))
        for name, cols in columns.items()
    )
    service = Service(name="bench", root=root, alembic_ini=root / "alembic.ini",
                      script_location=root / "alembic", import_roots=(root,))
    return service, Schema(Layer.MODELS, tables)


def median_time(revisions: int, runs: int, database_url: str | None) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        service, models = write_service(Path(tmp), revisions)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            report = check_migrations(service, models, database_url=database_url)
            times.append(time.perf_counter() - start)
            if report.failures or report.diffs or report.replayed != revisions:
                print(f"unexpected report: {report.failures or report.diffs[:3]}", file=sys.stderr)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--revisions", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    median_time(5, 1, args.database_url)  # warm the imports before measuring anything
    baseline = median_time(20, args.runs, args.database_url)
    measured = median_time(args.revisions, args.runs, args.database_url)
    where = args.database_url.split(":", 1)[0] if args.database_url else "sqlite (memory)"
    print(f"check_migrations, {where}, median of {args.runs} runs")
    print(f"  20 revisions:  {baseline * 1000:8.1f} ms")
    print(f"  {args.revisions} revisions: {measured * 1000:8.1f} ms  (x{measured / baseline:.1f} the 20-revision baseline)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
