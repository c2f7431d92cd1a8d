"""Generate a consistent, drift-free service of N tables for benchmarking drift-guard.

    python benchmarks/generate.py N DEST

writes ``DEST/services/app`` in the standard layout (alembic.ini, alembic/env.py,
N linear revisions, SQLAlchemy 2.0 models, the matching PyDAL tables and N // 2 route
modules of PyDAL runtime code), with no drift-guard configuration at all, since the
zero-configuration path is the one users hit.

Every table is described once (:func:`table_columns`) and rendered three times (model,
migration, PyDAL), so the layers cannot disagree by accident: ``drift-guard check`` must
be clean and ``alembic upgrade head && alembic check`` must pass, or the timings would
measure error reporting instead of the normal path. Boolean is left out on purpose (its
storage differs per dialect and DG112 rightly flags it on SQLite).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

try:
    from . import templates as T
except ImportError:  # run as a script: benchmarks/ is sys.path[0]
    import templates as T  # type: ignore[no-redef]

NAME_LENGTHS = (40, 80, 120, 200, 255)
TITLE_LENGTHS = (64, 128, 255, 512)
EDIT_MARK = "# bench-edit:"
CODE_MARK = "BENCH_EDIT ="
CLASS_MARK = "bench-class-edit"
COLUMN_MARK = "bench-column-edit"


@dataclass(frozen=True)
class Column:
    """One column, in the terms all three layers need."""

    name: str
    kind: str  # string | text | datetime | decimal | integer | reference
    nullable: bool
    length: int | None = None
    unique: bool = False
    ref: str | None = None
    ondelete: str | None = None  # model/migration side; None means NO ACTION


def table_name(k: int) -> str:
    return f"t{k}"


def ref_target(k: int) -> int:
    """An earlier table for table k (> 0) to reference: mostly the previous one, some far back."""
    return k - 1 if k % 4 == 1 else (k * 7919) % k


def table_columns(k: int) -> list[Column]:
    """The columns of table k except ``id``; varied per k so no two tables look alike."""
    cols = [
        Column("name", "string", False, NAME_LENGTHS[k % len(NAME_LENGTHS)]),
        Column("code", "string", False, 32, unique=True),
        Column("title", "string", True, TITLE_LENGTHS[k % len(TITLE_LENGTHS)]),
        Column("body", "text", True),
        Column("amount", "decimal", False),
        Column("quantity", "integer", True),
        Column("created_at", "datetime", False),
        Column("updated_at", "datetime", True),
    ]
    if k % 2:
        cols.insert(3, Column("status", "string", False, 20))
    if k > 0:
        # Even k cascades in both layers; odd k says NO ACTION explicitly on the PyDAL side.
        cols.append(
            Column(
                "ref_id",
                "reference",
                k % 3 == 0,
                ref=table_name(ref_target(k)),
                ondelete="CASCADE" if k % 2 == 0 else None,
            )
        )
    return cols


# --- SQLAlchemy models -------------------------------------------------------------------

_PY = {
    "string": "str",
    "text": "str",
    "datetime": "datetime",
    "decimal": "Decimal",
    "integer": "int",
    "reference": "int",
}


def model_column(c: Column) -> str:
    annotation = _PY[c.kind] if not c.nullable else f"Optional[{_PY[c.kind]}]"
    if c.kind == "reference":
        ondelete = f', ondelete="{c.ondelete}"' if c.ondelete else ""
        fk = f'ForeignKey("{c.ref}.id"{ondelete})'
        args = [fk] if c.ondelete else ["Integer", fk]
    else:
        args = [
            {
                "string": f"String({c.length})",
                "text": "Text",
                "datetime": "DateTime",
                "decimal": "Numeric(12, 2)",
                "integer": "Integer",
            }[c.kind]
        ]
    if c.unique:
        args.append("unique=True")
    return f"    {c.name}: Mapped[{annotation}] = mapped_column({', '.join(args)})"


def render_models(n: int) -> str:
    parts = [T.MODELS_HEADER]
    for k in range(n):
        lines = [
            "",
            "",
            f"class T{k}(Base):",
            f'    """Generated table {k}."""',
            "",
            f'    __tablename__ = "{table_name(k)}"',
            "",
            "    id: Mapped[int] = mapped_column(primary_key=True)",
        ]
        lines += [model_column(c) for c in table_columns(k)]
        if k == 0:  # what edit_class edits: a method, as real models have (labels, __repr__)
            lines += ["", "    def label(self) -> str:", f'        return f"{{self.name}} {CLASS_MARK} 0"']
        parts.append("\n".join(lines) + "\n")
    parts.append(f"\n\n{EDIT_MARK} 0\n")
    return "".join(parts)


# --- Alembic revisions -------------------------------------------------------------------


def migration_column(c: Column) -> str:
    sa_type = {
        "string": f"sa.String(length={c.length})",
        "text": "sa.Text()",
        "datetime": "sa.DateTime()",
        "decimal": "sa.Numeric(precision=12, scale=2)",
        "integer": "sa.Integer()",
        "reference": "sa.Integer()",
    }[c.kind]
    return f'        sa.Column("{c.name}", {sa_type}, nullable={c.nullable}),'


def render_revision(k: int) -> str:
    cols = table_columns(k)
    body = ['        sa.Column("id", sa.Integer(), nullable=False),']
    body += [migration_column(c) for c in cols]
    for c in cols:
        if c.kind == "reference":
            ondelete = f', ondelete="{c.ondelete}"' if c.ondelete else ""
            body.append(f'        sa.ForeignKeyConstraint(["{c.name}"], ["{c.ref}.id"]{ondelete}),')
    body.append('        sa.PrimaryKeyConstraint("id"),')
    body += [f'        sa.UniqueConstraint("{c.name}"),' for c in cols if c.unique]
    down = revision_id(k - 1) if k else None
    return T.REVISION.format(
        table=table_name(k),
        revision=revision_id(k),
        down_revision=f'"{down}"' if down else "None",
        down_label=down or "",
        body="\n".join(body),
    )


def revision_id(k: int) -> str:
    return f"r{k:05d}"


# --- PyDAL layer -------------------------------------------------------------------------


def pydal_field(c: Column) -> str:
    if c.kind == "reference":
        args = [f'"reference {c.ref}"']
        if not c.ondelete:
            args.append('ondelete="NO ACTION"')  # PyDAL's default is CASCADE
    else:
        args = [
            {
                "string": '"string"',
                "text": '"text"',
                "datetime": '"datetime"',
                "decimal": '"decimal(12,2)"',
                "integer": '"integer"',
            }[c.kind]
        ]
        if c.length:
            args.append(f"length={c.length}")
    if not c.nullable:
        args.append("notnull=True")
    if c.unique:
        args.append("unique=True")
    return f'    Field("{c.name}", {", ".join(args)}),'


def render_pydal(n: int) -> str:
    parts = [T.PYDAL_HEADER]
    for k in range(n):
        fields = "\n".join(pydal_field(c) for c in table_columns(k))
        parts.append(f'\ndb.define_table(\n    "{table_name(k)}",\n{fields}\n)\n')
    return "".join(parts)


# --- Layout and edits --------------------------------------------------------------------


def service_dir(dest: Path) -> Path:
    return Path(dest) / "services" / "app"


def generate(n: int, dest: Path) -> Path:
    """Write an N-table service under ``dest`` and return the service folder."""
    try:
        from . import routes
    except ImportError:
        import routes  # type: ignore[no-redef]
    service = service_dir(dest)
    files = {
        "alembic.ini": T.ALEMBIC_INI,
        "alembic/env.py": T.ENV_PY,
        "alembic/script.py.mako": T.SCRIPT_MAKO,
        "app/__init__.py": T.APP_INIT,
        "app/db/__init__.py": T.DB_INIT,
        "app/db/models.py": render_models(n),
        "app/models.py": render_pydal(n),
        "app/routes/__init__.py": T.ROUTES_INIT,
    }
    for k in range(n):
        files[f"alembic/versions/{k:05d}_create_{table_name(k)}.py"] = render_revision(k)
    for k in range(n // 2):
        files[f"app/routes/route_{k}.py"] = routes.render_route(k, n)
    for rel, text in files.items():
        path = service / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return service


def _bump_line(path: Path, prefix: str) -> int:
    """Rewrite the line ``<prefix> N`` (wherever it is) with N + 1, or append ``<prefix> 0``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    count = 0
    for i, line in enumerate(lines):
        if line.startswith(prefix):
            count = int(line[len(prefix) :]) + 1
            lines[i] = f"{prefix} {count}"
            break
    else:
        lines.append(f"{prefix} {count}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return count


def _bump_mark(path: Path) -> int:
    """Rewrite the ``# bench-edit: N`` comment with N + 1 (no schema change)."""
    return _bump_line(path, EDIT_MARK)


def edit_model(service: Path) -> int:
    """Change the code of app/db/models.py, not its schema: a module-level constant
    (``BENCH_EDIT = N``). A statement changed, so the file is parsed and extracted
    again: the model-edit cache miss (a comment-only edit is cheaper, see
    :func:`comment_model`)."""
    return _bump_line(Path(service) / "app" / "db" / "models.py", CODE_MARK)


def comment_model(service: Path) -> int:
    """Change only a comment of app/db/models.py (its statements are reused)."""
    return _bump_mark(Path(service) / "app" / "db" / "models.py")


def edit_class(service: Path) -> int:
    """Change the code of a method of a model class, not the schema: the class's
    statement changed, so the file is parsed and extracted again."""
    import re

    path = Path(service) / "app" / "db" / "models.py"
    text = path.read_text(encoding="utf-8")
    found = re.search(rf"{CLASS_MARK} (\d+)", text)
    assert found is not None, "the generated models have no method to edit"
    count = int(found.group(1)) + 1
    path.write_text(text[: found.start(1)] + str(count) + text[found.end(1) :], encoding="utf-8")
    return count


def edit_column(service: Path) -> int:
    """Change a column of a model class without changing the schema (its ``doc=``,
    which no layer stores): a member the reader acts on changed, so the file is
    parsed and extracted again, as after any edit of the mapping itself."""
    import re

    path = Path(service) / "app" / "db" / "models.py"
    text = path.read_text(encoding="utf-8")
    column = "    name: Mapped[str] = mapped_column(String(40)"
    found = re.search(rf"{re.escape(column)}(?:, doc=\"{COLUMN_MARK} (\d+)\")?\)", text)
    assert found is not None, "the generated models have no T0.name column"
    count = int(found.group(1) or -1) + 1
    edited = f'{column}, doc="{COLUMN_MARK} {count}")'
    path.write_text(text[: found.start()] + edited + text[found.end() :], encoding="utf-8")
    return count


def edit_route(service: Path) -> int:
    """Change the content of one route module, not what it queries (a runtime-file miss)."""
    return _bump_mark(Path(service) / "app" / "routes" / "route_0.py")


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not argv[0].isdigit() or int(argv[0]) < 1:
        print("usage: python benchmarks/generate.py N DEST", file=sys.stderr)
        return 2
    service = generate(int(argv[0]), Path(argv[1]))
    print(service)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
