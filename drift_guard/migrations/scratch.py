"""The scratch database the history is replayed into, always owned by us.

* default: SQLite in memory, adapted for PostgreSQL-style histories
  (:mod:`drift_guard.migrations.sqlite_compat`);
* ``--database-url`` (PostgreSQL, MySQL/MariaDB): a NEW database named
  ``driftguard_<random hex>`` is created on that server and dropped in a
  ``finally`` (so also on errors and Ctrl-C). The URL's own database is only
  used to connect for ``CREATE DATABASE`` / ``DROP DATABASE`` of that new name;
  nothing else on the server is created, altered or deleted.
"""

from __future__ import annotations

import secrets
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

from drift_guard.errors import ConfigError

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Engine

SCRATCH_PREFIX = "driftguard_"
_SERVERS = ("postgresql", "mysql", "mariadb")
# Drivers tried, in order, when the URL names none (``postgresql://``): the
# dialect's default (psycopg 3, mysqlclient) is often not the installed one.
_DRIVERS = {
    "postgresql": ("psycopg", "psycopg2", "pg8000"),
    "mysql": ("mysqldb", "pymysql", "mysqlconnector"),
    "mariadb": ("mysqldb", "pymysql", "mysqlconnector"),
}


@contextmanager
def scratch_engine(database_url: str | None, *, file_backed: bool = False) -> Iterator[Engine]:
    """``file_backed``: SQLite in a temporary file instead of memory, for
    ``--alembic-env``, where env.py opens its own connection by URL."""
    if database_url is None:
        with _sqlite_file() if file_backed else _sqlite_memory() as engine:
            yield engine
    else:
        with _server_database(database_url) as engine:
            yield engine


@contextmanager
def _sqlite_memory() -> Iterator[Engine]:
    import sqlalchemy as sa
    from sqlalchemy.pool import StaticPool

    from drift_guard.migrations.sqlite_compat import adapt_sqlite_engine

    # StaticPool: one in-memory database shared by the replay and the compare.
    engine = sa.create_engine("sqlite://", poolclass=StaticPool)
    adapt_sqlite_engine(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def _sqlite_file() -> Iterator[Engine]:
    import tempfile

    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    with tempfile.TemporaryDirectory(prefix=SCRATCH_PREFIX) as folder:
        engine = sa.create_engine(f"sqlite:///{folder}/scratch.db", poolclass=NullPool)
        try:
            yield engine
        finally:
            engine.dispose()


def _parse_url(database_url: str) -> URL:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(database_url)
    except ArgumentError as exc:
        raise ConfigError(f"--database-url is not a database URL: {exc}") from None
    if url.get_backend_name() not in _SERVERS:
        raise ConfigError(
            f"--database-url must point to a PostgreSQL or MySQL/MariaDB server, not `{url.get_backend_name()}`"
        )
    return _with_installed_driver(url)


def _with_installed_driver(url: URL) -> URL:
    """The URL with a driver whose DBAPI module imports.

    An explicit driver (``postgresql+psycopg2://``) is kept as given; without
    one the first installed driver of :data:`_DRIVERS` is used, the way a user
    expects ``postgresql://`` to "just work" with whatever driver they have.
    """
    from sqlalchemy.exc import NoSuchModuleError

    backend = url.get_backend_name()
    explicit = "+" in url.drivername
    candidates = (url.get_driver_name(),) if explicit else _DRIVERS[backend]
    for driver in candidates:
        candidate = url.set(drivername=f"{backend}+{driver}")
        try:
            candidate.get_dialect().import_dbapi()
        except (ImportError, NoSuchModuleError):
            continue
        return candidate
    if explicit:
        raise ConfigError(
            f"--database-url names the driver `{url.get_driver_name()}`, which is not installed "
            f"(or not a {backend} driver SQLAlchemy knows); install it or use another one"
        )
    raise ConfigError(
        f"--database-url: no {backend} database driver is installed (tried {', '.join(candidates)}); "
        f"install one (e.g. psycopg2-binary for PostgreSQL, pymysql for MySQL/MariaDB)"
    )


@contextmanager
def _server_database(database_url: str) -> Iterator[Engine]:
    import sqlalchemy as sa
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.pool import NullPool

    from drift_guard.migrations.replay import error_message

    url = _parse_url(database_url)
    postgres = url.get_backend_name() == "postgresql"
    admin_url = url.set(database=url.database or ("postgres" if postgres else None))
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"{SCRATCH_PREFIX}{secrets.token_hex(6)}"
    quoted = admin.dialect.identifier_preparer.quote_identifier(name)
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {quoted}")
    except DBAPIError as exc:
        admin.dispose()
        raise ConfigError(f"cannot create a scratch database on {_shown(url)}: {error_message(exc)}") from None
    try:
        engine = sa.create_engine(url.set(database=name), poolclass=NullPool)
        try:
            yield engine
        finally:
            engine.dispose()
    finally:
        _drop(admin, quoted, postgres)


def _shown(url: URL) -> str:
    """The URL for a message: SQLAlchemy hides the password of the userinfo,
    not the secrets of the query (``?sslpassword=``, ``&password=``)."""
    from drift_guard.credentials import mask_credentials

    return mask_credentials(url.render_as_string(hide_password=True))


def _drop(admin: Engine, quoted: str, postgres: bool) -> None:
    force = " WITH (FORCE)" if postgres and _pg_version(admin) >= 13 else ""
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted}{force}")
    finally:
        admin.dispose()


def _pg_version(admin: Engine) -> int:
    with admin.connect() as conn:
        info = conn.dialect.server_version_info or (0,)
    return int(info[0])
