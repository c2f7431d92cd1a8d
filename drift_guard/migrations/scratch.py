"""The scratch database the history is replayed into, always owned by us.

* default: SQLite in memory, adapted for PostgreSQL-style histories
  (:mod:`drift_guard.migrations.sqlite_compat`);
* ``--database-url`` (PostgreSQL, MySQL/MariaDB): a NEW database named
  ``driftguard_<server time>_<random hex>`` and a login of the same name that
  owns it (rights on that database only) are created on that server; the
  replay connects as that login, and both are dropped in a ``finally`` (so
  also on errors, Ctrl-C and SIGTERM), after ending any connection still open
  to them. The URL's own user only creates and drops those two, and drops the
  ones an earlier run provably abandoned; nothing else on the server is
  created, altered or deleted.
"""

from __future__ import annotations

import contextlib
import re
import secrets
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

from drift_guard.errors import ConfigError, Terminated

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Connection, Engine

SCRATCH_PREFIX = "driftguard_"
# driftguard_<server time, seconds>_<12 random hex digits>: the only names a
# later run may drop (older than ABANDONED_AFTER and unused).
_SCRATCH_NAME = re.compile(r"driftguard_([0-9]{10})_[0-9a-f]{12}")
ABANDONED_AFTER = 24 * 3600
DROP_TIME_LIMIT = 10.0  # seconds the drop waits for a lock before it ends the connections again
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
    """A new database and a new login that owns it, both dropped afterwards.

    The replay connects as that login, not as the URL's user: a revision that
    writes into another database or schema (``op.create_table(...,
    schema="otherdb")``, ``UPDATE otherdb.t``) is refused by the server, and
    becomes a DG205, instead of changing data drift-guard does not own.
    SIGTERM is handled like Ctrl-C while the database exists, so a CI job that
    is cancelled still drops it; what a SIGKILL leaves behind, a later run
    drops (:func:`_drop_abandoned`).
    """
    import sqlalchemy as sa
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.pool import NullPool

    from drift_guard.migrations.replay import error_message

    url = _parse_url(database_url)
    postgres = url.get_backend_name() == "postgresql"
    admin_url = url.set(database=url.database or ("postgres" if postgres else None))
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with sigterm_as_interrupt():
        name: str | None = None
        try:
            with admin.connect() as conn:
                _drop_abandoned(conn, postgres)
                name = f"{SCRATCH_PREFIX}{_server_time(conn, postgres)}_{secrets.token_hex(6)}"
                password = secrets.token_hex(16)
                login = _create(conn, name, password, postgres)
        except DBAPIError as exc:
            admin.dispose()
            raise ConfigError(
                f"cannot create a scratch database and its login on {_shown(url)}: {error_message(exc)} "
                "(the URL's user needs the rights to create databases and roles/users)"
            ) from None
        except BaseException:
            # Ctrl-C or SIGTERM, raised inside the driver's call: SQLAlchemy has
            # invalidated that connection, so _create's clean-up on it may have
            # failed. Both are dropped by name, on a new connection.
            if name is None:
                admin.dispose()
            else:
                _drop(admin, name, postgres)
            raise
        try:
            engine = sa.create_engine(url.set(database=name, username=login, password=password), poolclass=NullPool)
            try:
                yield engine
            finally:
                engine.dispose()
        finally:
            _drop(admin, name, postgres)


def scratch_name_time(name: str) -> int | None:
    """The server time (seconds) a scratch database or login was created at,
    from its name; None for any name drift-guard did not make."""
    match = _SCRATCH_NAME.fullmatch(name)
    return int(match.group(1)) if match else None


def _server_time(conn: Connection, postgres: bool) -> int:
    """The server's clock, not ours: every client of a shared server ages the
    names by the same clock."""
    query = "SELECT CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)" if postgres else "SELECT UNIX_TIMESTAMP()"
    return int(conn.exec_driver_sql(query).scalar_one())


def _create(conn: Connection, name: str, password: str, postgres: bool) -> str:
    """The login and the database it owns (and nothing else). Returns the
    login's user name. On MariaDB the account's host is the one the server sees
    this client as, so the login connects from here and nowhere else."""
    quote = conn.dialect.identifier_preparer.quote_identifier
    if postgres:
        conn.exec_driver_sql(
            f"CREATE ROLE {quote(name)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS "
            f"PASSWORD '{password}'"
        )
        try:
            conn.exec_driver_sql(f"CREATE DATABASE {quote(name)} OWNER {quote(name)}")
        except BaseException:
            _undo(conn, f"DROP ROLE IF EXISTS {quote(name)}")
            raise
        return name
    host = str(conn.exec_driver_sql("SELECT SUBSTRING_INDEX(USER(), '@', -1)").scalar_one())
    account = f"'{name}'@'{_sql_string(host)}'"
    conn.exec_driver_sql(f"CREATE USER {account} IDENTIFIED BY '{password}'")
    try:
        conn.exec_driver_sql(f"CREATE DATABASE {quote(name)}")
        # In GRANT, `_` in a database name is a wildcard: escaped, the grant
        # covers this one database only.
        conn.exec_driver_sql(f"GRANT ALL PRIVILEGES ON {quote(name.replace('_', chr(92) + '_'))}.* TO {account}")
    except BaseException:
        _undo(conn, f"DROP DATABASE IF EXISTS {quote(name)}", f"DROP USER IF EXISTS {account}")
        raise
    return name


def _undo(conn: Connection, *statements: str) -> None:
    """Undo a half-made scratch login and database after a server error. Never
    raises over that error: after an interrupt the connection is unusable
    (the caller then drops both by name on a new one)."""
    with contextlib.suppress(Exception):
        for statement in statements:
            conn.exec_driver_sql(statement)


def _sql_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "''")


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM raises :class:`Terminated` (a KeyboardInterrupt) while the block
    runs, so the ``finally`` that drops the scratch database runs too. Signal
    handlers can only be set from the main thread; elsewhere nothing changes."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, frame: object) -> None:
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _drop(admin: Engine, name: str, postgres: bool) -> None:
    """End every connection of the scratch database and its login, then drop
    both, with a time limit: a revision that left a connection open (in a
    process of its own) would otherwise make MariaDB's DROP DATABASE wait for
    its metadata lock forever. A drop that still fails is a warning, not an
    error: the result of the run stands, and a later run drops the leftovers."""
    import sys
    import time

    from sqlalchemy.exc import DBAPIError

    from drift_guard.migrations.replay import error_message

    problem = ""
    try:
        for attempt in range(3):
            try:
                with admin.connect() as conn:
                    _set_time_limit(conn, postgres)
                    _end_connections(conn, name, postgres)
                    _drop_now(conn, name, postgres)
                return
            except DBAPIError as exc:
                problem = error_message(exc)
                time.sleep(0.2 * (attempt + 1))
        print(
            f"drift-guard: warning: could not drop the scratch database {name}: {problem} "
            "(a later run drops it once nothing is connected to it)",
            file=sys.stderr,
        )
    finally:
        admin.dispose()


def _set_time_limit(conn: Connection, postgres: bool) -> None:
    seconds = int(DROP_TIME_LIMIT)
    if postgres:
        conn.exec_driver_sql(f"SET lock_timeout = '{seconds}s'")
        conn.exec_driver_sql(f"SET statement_timeout = '{seconds * 2}s'")
    else:
        conn.exec_driver_sql(f"SET SESSION lock_wait_timeout = {seconds}")


def _end_connections(conn: Connection, name: str, postgres: bool) -> None:
    """Terminate the sessions connected to the scratch database or as its login."""
    from sqlalchemy import text

    if postgres:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE (datname = :name OR usename = :name) AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        )
        return
    from sqlalchemy.exc import DBAPIError

    ids = conn.execute(
        text(
            "SELECT ID FROM information_schema.PROCESSLIST WHERE (DB = :name OR USER = :name) AND ID <> CONNECTION_ID()"
        ),
        {"name": name},
    ).scalars()
    for ident in list(ids):
        try:
            conn.exec_driver_sql(f"KILL CONNECTION {int(ident)}")
        except DBAPIError:
            continue  # it ended meanwhile


def _drop_now(conn: Connection, name: str, postgres: bool) -> None:
    from sqlalchemy import text

    quote = conn.dialect.identifier_preparer.quote_identifier
    if postgres:
        force = " WITH (FORCE)" if int((conn.dialect.server_version_info or (0,))[0]) >= 13 else ""
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {quote(name)}{force}")
        conn.exec_driver_sql(f"DROP ROLE IF EXISTS {quote(name)}")
        return
    conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {quote(name)}")
    hosts = conn.execute(text("SELECT Host FROM mysql.user WHERE User = :name"), {"name": name}).scalars()
    for host in list(hosts):
        conn.exec_driver_sql(f"DROP USER IF EXISTS '{name}'@'{_sql_string(str(host))}'")


def _drop_abandoned(conn: Connection, postgres: bool) -> None:
    """Drop the scratch databases and logins earlier runs left behind (a
    SIGKILL, a power cut), when it is certain they are abandoned: their name is
    one drift-guard makes (``driftguard_<server time>_<random>``), that time is
    more than :data:`ABANDONED_AFTER` seconds ago, and nothing is connected to
    them. No other database or login is ever looked at. Best effort: a server
    that does not let this user list or drop them keeps them."""
    from sqlalchemy.exc import DBAPIError

    try:
        now = _server_time(conn, postgres)
        if postgres:
            listed = "SELECT datname FROM pg_database UNION SELECT rolname FROM pg_roles"
        else:
            listed = "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA UNION SELECT User FROM mysql.user"
        names = [str(n) for n in conn.exec_driver_sql(listed).scalars()]
    except DBAPIError:
        return
    for name in names:
        created = scratch_name_time(name)
        if created is None or now - created < ABANDONED_AFTER:
            continue
        try:
            if _connections(conn, name, postgres) == 0:
                _set_time_limit(conn, postgres)
                _drop_now(conn, name, postgres)
        except DBAPIError:
            continue


def _connections(conn: Connection, name: str, postgres: bool) -> int:
    from sqlalchemy import text

    if postgres:
        query = "SELECT count(*) FROM pg_stat_activity WHERE datname = :name OR usename = :name"
    else:
        query = "SELECT count(*) FROM information_schema.PROCESSLIST WHERE DB = :name OR USER = :name"
    return int(conn.execute(text(query), {"name": name}).scalar_one())


def _shown(url: URL) -> str:
    """The URL for a message: SQLAlchemy hides the password of the userinfo,
    not the secrets of the query (``?sslpassword=``, ``&password=``)."""
    from drift_guard.credentials import mask_credentials

    return mask_credentials(url.render_as_string(hide_password=True))
