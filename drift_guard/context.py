"""Per-service state shared by the rules, computed lazily and at most once.

A run that only selects DG1xx never pays for the migration replay; a run that
selects only DG3xx never parses a model file. Each layer is read through the
run's :class:`~drift_guard.session.Session`, so with the persistent cache a layer
whose files did not change is not read again at all.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from drift_guard.config import Config
from drift_guard.schema import Location, Problem, ProblemKind, Schema
from drift_guard.session import RunOptions, Session

if TYPE_CHECKING:
    from drift_guard.pairing import TablePair
    from drift_guard.service import Service

T = TypeVar("T")


class ServiceContext:
    """What the rules of one service read. ``models``, ``pydal`` and
    ``table_pairs`` may be given prebuilt (tests build Schema objects directly,
    as Alembic's tests build two MetaData objects)."""

    def __init__(
        self,
        service: Service,
        session: Session | Config,
        *,
        models: Schema | None = None,
        pydal: Schema | None = None,
        table_pairs: list[TablePair] | None = None,
        options: RunOptions | None = None,
    ) -> None:
        if isinstance(session, Config):  # convenience for tests: a session of its own
            session = Session(session, options)
        self.service = service
        self.session = session
        self.config = session.config
        self.options = session.options
        self._memo: dict[str, tuple[Any, dict]] = {}
        for name, given in (("models", models), ("pydal", pydal), ("table_pairs", table_pairs)):
            if given is not None:
                self._memo[name] = (given, {})
        session.derive(self._target_fact, self.embedded_target)

    def key(self) -> list[object]:
        """The service as discovered (its files, and what discovery read from
        alembic.ini and env.py: import roots, model bases, dialect): part of the
        key of every result stored for it."""
        return self.memo("key", self._key)

    def _key(self) -> list[object]:
        from drift_guard.cache import value_digest
        from drift_guard.codec import encode

        service = self.service
        return [
            service.name,
            str(service.root),
            [str(p) for p in service.python_files],
            [str(p) for p in service.model_files],
            [str(p) for p in service.pydal_files],
            value_digest(encode(service)),
        ]

    @property
    def _target_fact(self) -> str:
        return f"scratch-target:{self.service.root}"

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()`` once per context under ``key`` (the layers, and shared
        results such as the runtime scan, which DG3xx, DG4xx and the dialect all
        read). Each answer records the files the value was computed from, so the
        cache entry of every rule group that reads it depends on them."""
        return self.session.memo(self._memo, key, compute)

    def layer_reads(self, *layers: str) -> dict[tuple[str, str], str]:
        """What computing ``layers`` (``"models"``, ``"pydal"``) read, for a cache
        entry keyed by their content digests (:func:`schema_digest`) instead:
        the layers are read here if they were not yet."""
        found: dict[tuple[str, str], str] = {}
        for layer in layers:
            getattr(self, layer)
            found.update(self._memo[layer][1])
        return found

    def computed(self, key: str) -> Any:
        """The value of ``key`` if computed in this context already, else None."""
        found = self._memo.get(key)
        return found[0] if found is not None else None

    @property
    def models(self) -> Schema:
        return self.memo("models", self._models)

    @property
    def pydal(self) -> Schema:
        return self.memo("pydal", self._pydal)

    @property
    def table_pairs(self) -> list[TablePair]:
        """Model/PyDAL table pairs after ``table-map`` and ``ignore-tables``."""
        return self.memo("table_pairs", self._table_pairs)

    @property
    def migrations(self) -> Any:
        """The migration check's report (DG2xx); only computed when a DG2xx rule runs."""
        return self.memo("migrations", self._migrations)

    def _models(self) -> Schema:
        service = self.service

        def compute() -> Schema:
            from drift_guard.extract.sqlalchemy import (
                extract_models,  # libcst: only when not cached
            )

            schema = extract_models(service.model_files, import_roots=service.import_roots, bases=service.model_bases)
            for path in service.model_files:  # so that a comment edit of them reuses this (and discovery)
                self.session.keep_layout(path)
            # the trees are not read again (the runtime scan uses the stdlib parser):
            # free them before the schema is encoded for the cache
            self.session.release_parsed(set(service.model_files) - set(service.pydal_files))
            return schema

        key = [[str(p) for p in service.model_files], [str(p) for p in service.import_roots], list(service.model_bases)]
        # the extraction reads syntax trees and their locations only: a comment edit moves locations
        return self.session.cached("models", key, compute, moves=True)

    def _pydal(self) -> Schema:
        files = self.service.pydal_files

        def compute() -> Schema:
            prefetched = self._take_prefetched_pydal()
            if prefetched is not None:
                return prefetched
            from drift_guard.extract.pydal import (
                extract_pydal,  # libcst: only when not cached
            )

            return extract_pydal(files)

        schema = self.session.cached("pydal", [[str(p) for p in files]], compute)
        empty = self._empty_configured_pydal_files(schema)
        return replace(schema, problems=(*schema.problems, *empty)) if empty else schema

    def prefetch_pydal(self) -> bool:
        """Start the PyDAL extraction in a worker process while this one reads
        the models: the two layers are independent, so on a cold run (or after
        an edit of both) each takes a core. False when there is nothing to start
        (no PyDAL file, the layer is read already or cached, no ``fork``)."""
        files = self.service.pydal_files
        session = self.session
        if not files or "pydal" in self._memo or session.is_cached("pydal", [[str(p) for p in files]]):
            return False
        import multiprocessing

        try:
            context = multiprocessing.get_context("fork")
        except ValueError:
            return False
        from drift_guard.migrations.worker import fork_worker

        receiver, sender = context.Pipe(duplex=False)
        worker = context.Process(target=_pydal_worker, args=(sender, session, files), daemon=True)
        fork_worker(worker)  # Ctrl-C held back during the fork
        sender.close()

        def result() -> Any:
            try:
                return receiver.recv()
            except (EOFError, OSError):
                return None  # the worker died: read the layer here
            finally:
                receiver.close()
                worker.join(timeout=5)

        session.prefetched(("pydal", str(self.service.root)), result)
        return True

    def _take_prefetched_pydal(self) -> Schema | None:
        """The worker's schema, with the files it read recorded here as read by
        this computation, and the files it could not read as failures (DG001)."""
        from drift_guard.codec import DecodeError, loads

        pending = self.session.take_prefetched(("pydal", str(self.service.root)))
        payload = pending() if pending is not None else None
        if payload is None:
            return None
        encoded, deps, failed = payload
        try:
            schema = loads(encoded)
            failures = [(Path(path), loads(problem)) for path, problem in failed]
        except DecodeError:
            return None
        self.session.replay(deps)
        for path, problem in failures:
            self.session.failures.setdefault(path, problem)
        return schema

    def _empty_configured_pydal_files(self, schema: Schema) -> list[Problem]:
        """A file the configuration names as PyDAL (``pydal = [...]``) that
        defines no table and never calls ``define_table`` is a DG001: nothing in
        it was compared, and every model table reported missing (DG101) would
        hide that the configuration names the wrong file."""
        configured = any(
            entry.pydal and (self.config.root / entry.path).absolute() == self.service.root
            for entry in self.config.services
        )
        if not configured:
            return []
        defining = {table.location.path for table in schema.tables}
        failed = {problem.location.path for problem in schema.problems}
        found = []
        for path in self.service.pydal_files:
            shown = self.session.canonical(path)
            if shown in defining or shown in failed or self.session.contains(path, b"define_table"):
                continue
            message = (
                "configured as a PyDAL file (`pydal` in [tool.drift_guard]) but defines no table: "
                "nothing in it was compared with the models"
            )
            found.append(Problem(ProblemKind.SYNTAX_ERROR, message, Location(shown)))
        return found

    def _table_pairs(self) -> list[TablePair]:
        from drift_guard.pairing import pair_tables

        return pair_tables(
            self.models,
            self.pydal,
            dict(self.config.table_map),
            self.config.ignore_tables,
        )

    def _migrations(self) -> Any:
        """On the default scratch database the report is kept in the cache, keyed by
        the models as extracted and checked against every file the check reads
        (:func:`~drift_guard.migrations.head.migration_inputs`): a commit that touches neither the
        models nor the history (a route module) compares nothing again."""
        from drift_guard.migrations import check_migrations, version_locations
        from drift_guard.migrations.head import migration_inputs

        service, models = self.service, self.models

        embedded = self.embedded_target() is not None

        def compute() -> Any:
            return check_migrations(
                service,
                models,
                database_url=self.options.database_url,
                alembic_env=self.options.alembic_env,
                embedded=embedded,
            )

        if self.options.database_url or self.options.alembic_env or service.alembic_ini is None:
            return compute()
        dirs, recursive = version_locations(service)
        files = migration_inputs(service, dirs, recursive)

        def tracked() -> Any:
            for path in files:
                self.session.note(path)
            return compute()

        key = [str(service.root), [str(p) for p in files], [str(d) for d in dirs], schema_digest(models, self.session)]
        key.append("embedded-postgresql" if embedded else "sqlite")  # the scratch database the report comes from
        # a fallback to SQLite (DG210) is this environment's outcome: pgserver may start next run
        keep = lambda report: not report.interrupted and report.scratch_fallback is None  # noqa: E731
        return self.session.cached("migrations", key, tracked, keep=keep)

    def embedded_target(self) -> Any:
        """The PostgreSQL target (:class:`~drift_guard.dialect.Target`) that makes
        the migration check replay on an embedded PostgreSQL, or None when the
        scratch database is SQLite (another target, ``scratch = "sqlite"``) or a
        server the user named (``--database-url``). ``--alembic-env`` runs env.py
        against a scratch database of the embedded PostgreSQL too."""
        return self.memo("embedded_target", self._embedded_target)

    def _embedded_target(self) -> Any:
        options = self.options
        if options.no_migrations or options.database_url or self.config.scratch == "sqlite":
            return None

        def compute() -> Any:
            from drift_guard.dialect import target_dialects

            return next((t for t in target_dialects(self) if t.family == "postgres"), None)

        # a fact: the migration rules depend on the target, not on every runtime
        # module it is read from (a route edit keeps them, see Session.fact)
        return self.session.fact(self._target_fact, self.key(), compute)

    @property
    def blind_folders(self) -> list[Path]:
        """Folders of the service that could not be listed (DG001): they may
        hold files of either layer."""
        return self.session.unlisted_under(self.service.root)

    @property
    def models_fully_read(self) -> bool:
        """False while a model file (or a folder that may hold one) could not
        be read: what the models lack is then a guess, and is not reported."""
        if self.blind_folders:
            return False
        return not self.service.model_files or _fully_read(self.models)

    @property
    def pydal_fully_read(self) -> bool:
        """As :attr:`models_fully_read`, for the PyDAL layer."""
        if self.blind_folders:
            return False
        return not self.service.pydal_files or _fully_read(self.pydal)

    def table_map(self) -> dict[str, str]:
        """PyDAL table name -> model table name, lower case (config ``table-map``)."""
        return {k.lower(): v.lower() for k, v in self.config.table_map}

    @property
    def migrations_enabled(self) -> bool:
        return not self.options.no_migrations


def _pydal_worker(sender: Any, session: Session, files: tuple[Path, ...]) -> None:
    """The worker process of :meth:`ServiceContext.prefetch_pydal` (forked: it
    has the run's session): extract, send the encoded schema with what was
    read and what failed, end."""
    from drift_guard.forking import release_interrupts

    release_interrupts()  # held while it was forked
    try:
        from drift_guard.codec import dumps
        from drift_guard.extract.pydal import extract_pydal

        before = dict(session.failures)
        with session.tracking() as deps:
            schema = extract_pydal(files)
        failed = [
            (str(path), dumps(problem)) for path, problem in session.failures.items() if before.get(path) != problem
        ]
        sender.send((dumps(schema), dict(deps), failed))
    finally:
        sender.close()


def schema_digest(schema: Schema, session: Session | None = None) -> str:
    """A content hash of an extracted schema (part of cache keys of results
    computed from it): from the encoding the session kept when it came from the
    cache or went into it, else encoded here. The content, not where it came
    from: a model edit that extracts the same schema keeps what depends on it."""
    from drift_guard.cache import content_hash
    from drift_guard.codec import dumps

    known = session.provenance(schema) if session is not None else None
    if known is not None:
        return known
    return content_hash(dumps(schema))


def _fully_read(schema: Schema) -> bool:
    return not any(p.kind is ProblemKind.SYNTAX_ERROR for p in schema.problems)
