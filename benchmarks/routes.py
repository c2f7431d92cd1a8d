"""Route modules of a generated benchmark service: realistic PyDAL runtime code.

drift-guard's runtime rules (DG3xx, DG4xx) read every module of the service, so a
benchmark with only the two schema layers would miss most of the parsing work a real
repository costs. Each module queries two tables (selects with orderby/limitby, insert,
update, count, a join through ``ref_id``) using only fields those tables have, so the
rules stay quiet: the point is to time the normal, clean path.
"""

from __future__ import annotations

try:
    from . import generate as G
    from . import templates as T
except ImportError:  # run as a script: benchmarks/ is sys.path[0]
    import generate as G  # type: ignore[no-redef]
    import templates as T  # type: ignore[no-redef]


def _insert_values(k: int) -> str:
    """Keyword arguments of an insert that fills every NOT NULL column of table k."""
    names = [c.name for c in G.table_columns(k)]
    values = ["name=name", "code=code", "amount=amount"]
    if "status" in names:
        values.append('status="new"')
    if "ref_id" in names:
        values.append("ref_id=ref_id")
    return ", ".join(values + ["created_at=datetime.now()"])


def _table_functions(k: int) -> str:
    t = G.table_name(k)
    has_ref = k > 0
    ref_param = ", ref_id: int | None = None" if has_ref else ""
    return f'''

def list_{t}_by_name(name: str) -> list[dict]:
    """Rows of {t} with this name, newest first."""
    rows = db(db.{t}.name == name).select(
        db.{t}.id, db.{t}.name, db.{t}.title, orderby=~db.{t}.created_at
    )
    return [row.as_dict() for row in rows]


def get_{t}(row_id: int) -> dict | None:
    """One row of {t} by id."""
    row = db(db.{t}.id == row_id).select().first()
    return row.as_dict() if row else None


def create_{t}(name: str, code: str, amount{ref_param}) -> int:
    """Insert a row of {t} and commit."""
    row_id = db.{t}.insert({_insert_values(k)})
    db.commit()
    return row_id


def retitle_{t}(row_id: int, title: str) -> int:
    """Change a title; returns the number of rows updated."""
    updated = db(db.{t}.id == row_id).update(title=title, updated_at=datetime.now())
    db.commit()
    return updated


def count_recent_{t}(days: int = 7) -> int:
    """Rows of {t} created in the last ``days`` days."""
    since = datetime.now() - timedelta(days=days)
    return db(db.{t}.created_at >= since).count()


def page_{t}(page: int = 0) -> list[dict]:
    """One page of {t} rows that have a quantity, by code."""
    query = db.{t}.quantity != None  # noqa: E711 (a PyDAL query, not a comparison)
    rows = db(query).select(
        db.{t}.id, db.{t}.code, db.{t}.amount, db.{t}.body,
        orderby=db.{t}.code, limitby=(page * PAGE_SIZE, (page + 1) * PAGE_SIZE),
    )
    return rows.as_list()
'''


def _join_function(child: int) -> str:
    c, p = G.table_name(child), G.table_name(G.ref_target(child))
    return f'''

def {c}_with_parent(min_amount) -> list[tuple[str, str]]:
    """{c} rows joined to the {p} row they reference."""
    query = (db.{c}.ref_id == db.{p}.id) & (db.{c}.amount >= min_amount)
    rows = db(query).select(db.{c}.name, db.{p}.name, orderby=db.{p}.name)
    return [(row.{c}.name, row.{p}.name) for row in rows]
'''


def render_route(index: int, n: int) -> str:
    """Route module ``index`` (0 <= index < n // 2): tables 2*index and 2*index + 1."""
    a, b = 2 * index, 2 * index + 1
    header = T.ROUTE_HEADER.format(tables=f"{G.table_name(a)} and {G.table_name(b)}", index=index)
    body = _table_functions(a) + _table_functions(b) + _join_function(b)
    return header + body + f"\n\n{G.EDIT_MARK} 0\n"
