"""One run of drift-guard: its roots, its options, every file it reads, its caches.

State that used to live in module globals (the parse cache, the file-size limit,
the bytes read for discovery's pre-filters, "the current directory" in the
reporters) belongs here, so two runs in one process (tests, an editor plugin)
never see each other's files, and every path question has one answer.

Each file is read at most once per run, and parsed at most once. Reads are
recorded as :class:`~drift_guard.cache.Dep` records into whatever cached
computation is running (:meth:`Session.cached`), which is how an entry of the
persistent cache knows which files it depends on.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Literal, TypeVar

from drift_guard.cache import Dep, content_hash, make_key
from drift_guard.config import Config
from drift_guard.paths import (
    OUTSIDE_REPOSITORY,
    canonical_path,
    escapes_repository,
    find_repository_root,
    relative_path,
)
from drift_guard.schema import Location, Problem, ProblemKind

if TYPE_CHECKING:
    from drift_guard.cache import Cache
    from drift_guard.layout import Layout, Match
    from drift_guard.library_facts import LibraryFacts
    from drift_guard.source import ParseResult

T = TypeVar("T")
_ACTIVE: contextvars.ContextVar[Session | None] = contextvars.ContextVar("drift_guard_session", default=None)


DEFAULT_MIGRATION_TIMEOUT = 300.0


@dataclass(frozen=True)
class RunOptions:
    """What the command line asked for, beyond the configuration."""

    database_url: str | None = None
    no_migrations: bool = False
    alembic_env: bool = False
    use_cache: bool = False
    cache_dir: Path | None = None  # None: ``cache-dir`` setting, else ``.drift_guard_cache`` at the config root
    # Seconds the replay of the history may take before it is a DG205: a revision
    # that never returns must not hang a pre-commit hook.
    migration_timeout: float = DEFAULT_MIGRATION_TIMEOUT

    def cache_key(self) -> list[Any]:
        """The options that can change a finding (not where the cache lives)."""
        server = None
        if self.database_url is not None:  # which server, not just whether one: a MySQL run is no PostgreSQL run
            import hashlib

            server = hashlib.sha256(self.database_url.encode("utf-8")).hexdigest()
        return [server, self.no_migrations, self.alembic_env]


def tree_root(start: Path) -> Path:
    """The repository holding ``start`` (:func:`~drift_guard.paths.find_repository_root`),
    or ``start`` itself outside a repository: what GitHub, SARIF and baselines
    make paths relative to, and the tree a symlink may point into."""
    return find_repository_root(start) or Path(start).resolve()


class OutsideRepository(OSError):
    """A file in the repository that is a symlink (or lies in a symlinked
    folder) whose target is outside it: never read, so a link to
    ``/proc/self/environ`` or ``~/.ssh`` cannot leak into a report."""

    def __init__(self, path: Path) -> None:
        super().__init__(errno.EPERM, OUTSIDE_REPOSITORY, str(path))


def read_regular_file(
    path: Path, repository_root: Path | None = None, realpath: Callable[[str], str] = os.path.realpath
) -> bytes:
    """The content of ``path``, refusing what is not a regular file (a folder,
    a FIFO that would block) and, with ``repository_root``, a symlink out of it
    (``realpath``: the run's memoised one)."""
    if repository_root is not None and escapes_repository(path, repository_root, realpath):
        raise OutsideRepository(path)
    mode = os.stat(path).st_mode
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if not stat.S_ISREG(mode):
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    with open(path, "rb") as handle:
        return handle.read()


def unreadable(exc: OSError, path: Path, what: str = "file") -> str:
    """The message of a DG001 for a file that could not be read."""
    if isinstance(exc, OutsideRepository):
        return OUTSIDE_REPOSITORY
    if isinstance(exc, FileNotFoundError) and os.path.islink(path):
        return f"cannot read {what}: it is a symlink whose target does not exist"
    return f"cannot read {what}: {exc.strerror or exc}"


def read_file(path: Path) -> bytes:
    """:meth:`Session.read_bytes` of the run in progress, or the same checks
    outside a run (relative to the repository of the current directory)."""
    session = current()
    if session is not None:
        return session.read_bytes(path)
    return read_regular_file(path, tree_root(Path.cwd()))


def canonical(path: Path | str) -> str:
    """The canonical name of ``path`` in the run in progress
    (:meth:`Session.canonical`); outside a run, judged against the repository
    of the current directory. What every Location is made with."""
    session = current()
    if session is not None:
        return session.canonical(path)
    lexical = os.path.abspath(path)
    return canonical_path(lexical, find_repository_root(os.path.dirname(lexical)) or tree_root(Path.cwd()))


def shown(path: Path | str) -> str:
    """``path`` as a message's prose shows it (:meth:`Session.shown`): relative
    to the run directory, as the text and JSON reports show locations."""
    session = current()
    if session is not None:
        return session.shown(path)
    return relative_path(canonical(path), Path.cwd())


class _Tracker:
    def __init__(self) -> None:
        self.deps: dict[tuple[str, str], str] = {}


class Session:
    """Owns one run. ``run_dir`` is where relative paths are shown from;
    ``repository_root`` (the configuration root's repository, or the
    configuration root outside one) is what GitHub, SARIF and baselines make
    paths relative to. Every location carries a canonical absolute path
    (:meth:`canonical`); only reporters make it relative."""

    def __init__(self, config: Config, options: RunOptions | None = None, *, run_dir: Path | None = None) -> None:
        self.config = config
        self.options = options or RunOptions()
        self.run_dir = (run_dir or Path.cwd()).absolute()
        self.repository_root = tree_root(config.root)
        self._canonical: dict[str, str] = {}
        self._bytes: dict[Path, bytes | OSError] = {}
        self._digests: dict[Path, str] = {}
        self._parsed: dict[Path, ParseResult] = {}
        self._trackers: list[_Tracker] = []
        self._cache: Cache | None | Literal[False] = None if self.options.use_cache else False  # False: no cache
        self.failures: dict[Path, Problem] = {}  # files that could not be read or parsed (DG001)
        self.unlisted: dict[Path, Problem] = {}  # folders that could not be listed (also in failures)
        self._prefetched: dict[tuple[str, str], Callable[[], Any]] = {}
        self._withdraw: dict[tuple[str, str], Callable[[], None]] = {}
        self._provenance: dict[int, tuple[object, str]] = {}
        self._per_package: dict[Any, tuple[Any, dict]] = {}
        # migration heads replayed (or read back) this run, by cache key: the
        # check and the HTML report ask for the same one, also under --no-cache
        self.heads: dict[Any, tuple[Any, dict]] = {}
        self._real_folders: dict[str, str] = {}
        self._trees: dict[str, Path] = {}  # see _repository_of
        self._checked_deps: dict[Dep, bool] = {}  # see _still_valid
        self._facts: dict[str, Callable[[], Any]] = {}  # see fact
        self._freeze_parsed = False  # see sparing_the_collector
        self._froze = False
        self._library_facts: dict[str, LibraryFacts] = {}

    # -- the run -----------------------------------------------------------
    @contextlib.contextmanager
    def active(self) -> Iterator[Session]:
        """Make this the session that :func:`current` returns (``parse_file``)."""
        token = _ACTIVE.set(self)
        try:
            yield self
            for facts in self._library_facts.values():
                facts.store()
        finally:
            _ACTIVE.reset(token)

    @contextlib.contextmanager
    def sparing_the_collector(self) -> Iterator[None]:
        """For the run: each syntax tree, once parsed, and the runtime modules'
        summaries, once read, are moved out of the cyclic garbage collector's
        sight (``gc.freeze``). Neither holds cycles, so reference counting still
        frees them; but every full collection would walk all of their objects
        (millions for a 17,500-line models file: a third of a model-edit run; the
        500 route summaries a route edit reads back at 1,000 tables: 0.4 s of
        1.05 s). Everything goes back to the collector at the end."""
        import gc

        self._freeze_parsed = True
        try:
            yield
        finally:
            self._freeze_parsed = False
            if self._froze:
                gc.unfreeze()

    @property
    def cache(self) -> Cache | None:
        if self._cache is None:
            from drift_guard.cache import CACHE_DIR_NAME, open_cache

            directory = self.options.cache_dir or self.config.cache_path or (self.config.root / CACHE_DIR_NAME)
            self._cache = open_cache(Path(directory).absolute()) or False
        return self._cache or None

    # -- reading -----------------------------------------------------------
    def read_bytes(self, path: Path) -> bytes:
        """The file's content, read once per run; raises OSError like Path.read_bytes."""
        key = Path(path).absolute()
        data = self._load(key)
        self._record(str(key), "sha", self._digest(key))
        if isinstance(data, OSError):
            raise data
        return data

    def contains(self, path: Path, marker: bytes) -> bool:
        """Whether the file contains ``marker`` (a pre-filter): recorded as such,
        so editing the file elsewhere does not invalidate what depended on it.
        A file that cannot be read cannot be ruled out: it "contains" every
        marker, so it reaches the parser, which reports it (DG001)."""
        key = Path(path).absolute()
        found = _has(self._load(key), marker)
        self._record(str(key), "has:" + marker.decode("latin-1"), "1" if found else "0")
        return found

    def escapes(self, path: Path) -> bool:
        """Whether reading ``path`` would follow a symlink out of the repository."""
        return escapes_repository(Path(path).absolute(), self.repository_root, self._realpath)

    def canonical(self, path: Path | str) -> str:
        """:func:`~drift_guard.paths.canonical_path`, decided once per path and
        run, against the repository that holds the path as written (the run's
        repository root for a path outside any): the same name from every run
        directory, also when the run starts outside the repository."""
        key = os.fspath(path)
        found = self._canonical.get(key)
        if found is None:
            lexical = os.path.abspath(key)
            tree = self._repository_of(os.path.dirname(lexical))
            found = self._canonical[key] = canonical_path(lexical, tree, self._realpath(str(tree)))
        return found

    def _repository_of(self, folder: str) -> Path:
        """The repository holding ``folder`` (the run's root outside any), once
        per folder and run: a hundred route modules share one."""
        if folder not in self._trees:
            self._trees[folder] = find_repository_root(folder) or self.repository_root
        return self._trees[folder]

    def shown(self, path: Path | str) -> str:
        """``path`` relative to the run directory (for prose in messages)."""
        return relative_path(self.canonical(path), self.run_dir)

    def _realpath(self, folder: str) -> str:
        if folder not in self._real_folders:
            self._real_folders[folder] = os.path.realpath(folder)
        return self._real_folders[folder]

    def record_failure(self, path: Path, problem: Problem) -> None:
        """A file read outside :meth:`parse` (a revision header) that failed: DG001."""
        self.failures[Path(path).absolute()] = problem

    def record_unlisted(self, folder: Path, exc: OSError) -> None:
        """A folder a scan could not list: a DG001 (nothing in it was checked),
        and a blind spot the rules that report what is missing respect."""
        key = Path(folder).absolute()
        if key not in self.unlisted:
            reason = exc.strerror or str(exc)
            message = f"cannot list folder: {reason}; nothing in it was checked"
            problem = Problem(ProblemKind.SYNTAX_ERROR, message, Location(self.canonical(key)))
            self.unlisted[key] = problem
            self.failures[key] = problem

    def unlisted_under(self, root: Path) -> list[Path]:
        prefix = Path(root).absolute()
        return [path for path in sorted(self.unlisted) if path == prefix or prefix in path.parents]

    def digest(self, path: Path) -> str:
        """Content hash of the file, ``""`` when it cannot be read (not recorded)."""
        return self._digest(Path(path).absolute())

    def _digest(self, key: Path) -> str:
        """Each file's hash once per run: it is recorded on every read and
        checked for every dependency of every cache entry."""
        if key not in self._digests:
            data = self._load(key)
            self._digests[key] = "" if isinstance(data, OSError) else content_hash(data)
        return self._digests[key]

    def note(self, path: Path) -> None:
        """Record that a result depends on this file's content (files read by
        someone else, e.g. revision scripts that Alembic imports)."""
        key = Path(path).absolute()
        self._record(str(key), "sha", self.digest(key))

    def parse(self, path: Path, display: str) -> ParseResult:
        """libcst parse of the file, at most once per run; a Problem when it cannot be."""
        from drift_guard.source import parse_bytes

        key = Path(path).absolute()
        if key in self._parsed:
            self.read_bytes_quietly(key)
            return self._parsed[key]
        result = self._parse_new(key, display, parse_bytes)
        self._parsed[key] = result
        return result

    def release_parsed(self, paths: Iterable[Path]) -> None:
        """Forget the syntax trees of ``paths`` (a 17,500-line models file's is
        about 100 MB with its positions): a later :meth:`parse` parses again."""
        for path in paths:
            found = self._parsed.get(Path(path).absolute())
            if found is not None and not isinstance(found, Problem):
                del self._parsed[Path(path).absolute()]

    def read_bytes_quietly(self, key: Path) -> None:
        try:
            self.read_bytes(key)
        except OSError:
            pass

    def _parse_new(self, key: Path, display: str, parse_bytes: Callable[[bytes, str], ParseResult]) -> ParseResult:
        limit = self.config.max_file_size
        try:
            if self.escapes(key):
                raise OutsideRepository(key)
            size = key.stat().st_size
        except OSError as exc:
            return self._failed(key, Problem(ProblemKind.SYNTAX_ERROR, unreadable(exc, key), Location(display)))
        if size > limit:
            self._record(str(key), "sha", self.digest(key))
            return self._failed(
                key,
                Problem(
                    ProblemKind.SYNTAX_ERROR,
                    f"file is {size / 1e6:.1f} MB, over the {limit / 1e6:g} MB parse limit, so nothing "
                    "in it was checked (raise `max-file-size` in [tool.drift_guard] to parse it)",
                    Location(display),
                ),
            )
        try:
            data = self.read_bytes(key)
        except OSError as exc:
            return self._failed(key, Problem(ProblemKind.SYNTAX_ERROR, unreadable(exc, key), Location(display)))
        result = parse_bytes(data, display)
        if isinstance(result, Problem):
            self.failures[key] = result
        else:
            self.spare_the_collector()
        return result

    def spare_the_collector(self) -> None:
        """Move what is alive now out of the cyclic collector's sight (see
        :meth:`sparing_the_collector`): after a syntax tree is built, and after
        the runtime modules' summaries are read back from the cache. Not after
        every cache read: whatever garbage with cycles exists at that moment is
        kept until the run ends (freezing after every read made a model edit at
        1,000 tables peak at 237 MB instead of 162 MB)."""
        if self._freeze_parsed:
            import gc

            gc.freeze()
            self._froze = True

    def _failed(self, key: Path, problem: Problem) -> Problem:
        self.failures[key] = problem
        return problem

    def failures_under(self, root: Path) -> list[Problem]:
        """DG001 problems of every file under ``root`` read so far in this run."""
        prefix = Path(root).absolute()
        return [problem for path, problem in sorted(self.failures.items()) if path == prefix or prefix in path.parents]

    def _load(self, key: Path) -> bytes | OSError:
        if key not in self._bytes:
            try:
                self._bytes[key] = read_regular_file(key, self.repository_root, self._realpath)
            except OSError as exc:
                self._bytes[key] = exc
        return self._bytes[key]

    # -- caching -----------------------------------------------------------
    def _record(self, path: str, kind: str, expected: str) -> None:
        for tracker in self._trackers:
            tracker.deps.setdefault((path, kind), expected)

    def cached(
        self,
        namespace: str,
        key_parts: list[Any],
        compute: Callable[[], T],
        keep: Callable[[T], bool] | None = None,
        *,
        moves: bool = False,
        covered: dict[tuple[str, str], str] | None = None,
    ) -> T:
        """``compute()``, or its stored result while every file it read is unchanged.

        ``key_parts`` name everything else the result depends on (settings,
        options); the configuration, the run directory and drift-guard's version
        are always part of the key. ``moves``: ``compute`` reads files only as
        syntax trees and their locations (never comments), so a result whose
        files changed only in comments and blank lines between statements is
        reused with its locations moved (:mod:`drift_guard.layout`).
        ``covered``: reads (``(path, kind) -> expected``, as :meth:`tracking`
        collects them) that ``key_parts`` stand for already, such as the files
        of a layer whose content digest is in the key: the entry does not
        depend on them, so an edit that leaves the digest as it was keeps it."""
        cache = self.cache
        if cache is None:
            return compute()
        from drift_guard.codec import DecodeError, dumps, loads

        key = self._key(namespace, key_parts)
        hit = cache.get(namespace, key)
        if hit is not None and self._still_valid(hit[1]):
            try:
                value = loads(hit[0])
            except DecodeError:
                value = None
            else:
                for dep in hit[1]:
                    self._record(dep.path, dep.kind, dep.expected)
                self._remember(value, hit[2])
                return value
        if hit is not None and moves:
            found = self._moved(namespace, key, hit)
            if found is not None:
                return found[0]
        tracker = _Tracker()
        self._trackers.append(tracker)
        try:
            value = compute()
        finally:
            self._trackers.remove(tracker)
        for (path, kind), expected in tracker.deps.items():
            self._record(path, kind, expected)
        deps = [Dep(p, k, e) for (p, k), e in sorted(tracker.deps.items()) if not covered or covered.get((p, k)) != e]
        if keep is not None and not keep(value):
            return value  # an outcome of this run only (e.g. a replay that timed out)
        try:
            stored = dumps(value)
        except TypeError:
            return value  # not a cacheable record: computed every run
        self._remember(value, cache.put(namespace, key, stored, deps))
        return value

    def _moved(self, namespace: str, key: str, hit: tuple[bytes, tuple[Dep, ...], str]) -> tuple[Any] | None:
        """The stale entry ``hit``, still true when every file it read that
        changed is the same statements with other comments and blank lines
        around them, or with inert statements changed whose names the files it
        read do not write elsewhere (:mod:`drift_guard.layout`): its value with
        their locations moved, stored again with the files' new hashes. None
        when that is not provably so."""
        from drift_guard.codec import DecodeError, dumps, loads
        from drift_guard.layout import match, relocate

        cache = self.cache
        assert cache is not None
        moves: list[tuple[Dep, Layout, Match]] = []
        for dep in hit[1]:
            if self._still_valid((dep,)):
                continue
            python = dep.kind == "sha" and dep.expected and dep.path.endswith(".py")
            layout = self._stored_layout(dep.expected) if python else None
            data = self._load(Path(dep.path))
            if not isinstance(data, bytes) or len(data) > self.config.max_file_size:
                return None  # unreadable now, or over the parse limit: a DG001, never the old result
            found = match(layout, data) if layout is not None else None
            if layout is None or found is None:
                return None
            moves.append((dep, layout, found))
        if any(found.names for _, _, found in moves) and self._mentioned(hit[1], moves):
            return None
        try:
            value = original = loads(hit[0])
        except DecodeError:
            return None
        for dep, _, found in moves:
            value = relocate(value, self.canonical(dep.path), found.segments)
            if value is None:
                return None
        fresh = {dep.path: self.digest(Path(dep.path)) for dep, _, _ in moves}
        deps = [Dep(d.path, d.kind, fresh.get(d.path, d.expected) if d.kind == "sha" else d.expected) for d in hit[1]]
        for dep in deps:
            self._record(dep.path, dep.kind, dep.expected)
        for dep, _, found in moves:
            cache.put("layout", make_key("layout", fresh[dep.path]), dumps(found.layout), ())
        stored = hit[0] if value is original else dumps(value)  # nothing moved: the same bytes
        self._remember(value, cache.put(namespace, key, stored, deps))
        return (value,)

    def _mentioned(self, deps: tuple[Dep, ...], moves: list[tuple[Dep, Layout, Match]]) -> bool:
        """Whether a name that changed inert statements bind is written in a
        Python file the entry read, outside those statements (in code, a string
        or a comment alike: a reader may have resolved it from any of them)."""
        import re

        names = sorted({name for _, _, found in moves for name in found.names})
        pattern = re.compile(rb"\b(?:" + b"|".join(re.escape(n.encode()) for n in names) + rb")\b")
        changed = {dep.path: found.changed for dep, _, found in moves}
        for path in dict.fromkeys(d.path for d in deps if d.kind == "sha" and d.path.endswith(".py")):
            data = self._load(Path(path))
            if not isinstance(data, bytes):
                return True
            spans = changed.get(path)
            if spans:
                lines = data.splitlines(keepends=True)
                for first, last in spans:  # their own text is not a mention
                    lines[first - 1 : last] = [b""] * (last - first + 1)
                data = b"".join(lines)
            if pattern.search(data):
                return True
        return False

    def keep_layout(self, path: Path) -> None:
        """Store the layout of ``path`` as parsed in this run (by content hash),
        so a later :meth:`cached` with ``moves`` can tell a comment edit of it."""
        from drift_guard.source import SourceFile

        cache = self.cache
        key = Path(path).absolute()
        data = self._load(key)
        source = self._parsed.get(key)
        if cache is None or not isinstance(data, bytes) or not isinstance(source, SourceFile):
            return
        if self._stored_layout(self._digest(key)) is not None:
            return
        from drift_guard.codec import dumps
        from drift_guard.layout import layout_of

        found = layout_of(data, source)
        if found is not None:
            cache.put("layout", make_key("layout", self._digest(key)), dumps(found), ())

    def _stored_layout(self, digest: str) -> Layout | None:
        from drift_guard.codec import DecodeError, loads
        from drift_guard.layout import Layout

        cache = self.cache
        hit = cache.get("layout", make_key("layout", digest)) if cache is not None else None
        if hit is None:
            return None
        try:
            found = loads(hit[0])
        except DecodeError:
            return None
        return found if isinstance(found, Layout) else None

    def provenance(self, value: object) -> str | None:
        """A digest of ``value``'s content (:func:`~drift_guard.cache.content_hash` of it as stored),
        if :meth:`cached` returned it in this run (the cache stores it with the
        entry, so nothing is encoded again). The content, not the files it came
        from: an edit that leaves an extracted schema as it was (a comment, a
        method body) leaves every result keyed by it valid."""
        found = self._provenance.get(id(value))
        return found[1] if found is not None and found[0] is value else None

    def _remember(self, value: object, digest: str) -> None:
        self._provenance[id(value)] = (value, digest)

    @contextlib.contextmanager
    def tracking(self) -> Iterator[dict[tuple[str, str], str]]:
        """Collect what the block reads (``(path, kind) -> expected``), as
        :meth:`cached` does; the reads are recorded for the enclosing
        computations too."""
        tracker = _Tracker()
        self._trackers.append(tracker)
        try:
            yield tracker.deps
        finally:
            self._trackers.remove(tracker)

    def replay(self, deps: dict[tuple[str, str], str]) -> None:
        """Record ``deps`` again for the computations running now: a value
        computed once per run and handed out again (a layer every rule group
        reads) depends on the same files for each of them."""
        for (path, kind), expected in deps.items():
            self._record(path, kind, expected)

    def memo(self, memo: dict[Any, tuple[Any, dict]], key: Any, compute: Callable[[], T]) -> T:
        """``compute()`` once per ``memo`` dict under ``key``; every later
        answer records the files the first one read (:meth:`replay`), so a
        cache entry computed after it still depends on them."""
        if key in memo:
            value, deps = memo[key]
            self.replay(deps)
            return value
        with self.tracking() as deps:
            value = compute()
        memo[key] = (value, dict(deps))
        return value

    def cached_for_package(self, namespace: str, package: str, compute: Callable[[], T]) -> T:
        """``compute()`` once per installed version of ``package`` (facts read
        from a library, such as PyDAL's type names): checked against the
        package's ``__init__.py``, which names its version, so a run that finds
        them in the cache does not import the library."""
        # asked for per column: once per run is enough
        return self.memo(
            self._per_package, (namespace, package), lambda: self._for_package(namespace, package, compute)
        )

    def _for_package(self, namespace: str, package: str, compute: Callable[[], T]) -> T:
        from drift_guard.library_facts import package_origin

        origin = package_origin(package)
        if origin is None or self.cache is None:
            return compute()

        def tracked() -> T:
            self.note(origin)
            return compute()

        return self.cached(namespace, [str(origin)], tracked)

    def library_facts(self, package: str) -> LibraryFacts:
        """What this run and earlier ones asked ``package`` (see :mod:`drift_guard.library_facts`)."""
        if package not in self._library_facts:
            from drift_guard.library_facts import LibraryFacts

            self._library_facts[package] = LibraryFacts(self, f"facts-{package}", package)
        return self._library_facts[package]

    def deps_hold(self, deps: tuple[Dep, ...]) -> bool:
        """Whether every file a cache entry depends on is as it was."""
        return self._still_valid(deps)

    @contextlib.contextmanager
    def untracked(self) -> Iterator[None]:
        """What the block reads is recorded for no computation running now (a
        fact's own reads, a replay started from inside discovery)."""
        outer, self._trackers = self._trackers, []
        try:
            yield
        finally:
            self._trackers = outer

    def fact(self, name: str, key_parts: list[Any], compute: Callable[[], T]) -> T:
        """``compute()``, cached like :meth:`cached`: a small value derived from
        many files, which the results that read it depend on *by value*.

        Those results record one dependency, on the value's digest, instead of
        one per file it was read from; while the value stays the same, they
        stay valid. The scratch database of the migration check is chosen by
        the target dialect, read from every runtime module's ``DAL(...)``
        calls: by file, every route edit made the migration rules run again
        (with the replay's imports, a sixth of a route edit at 200 tables).
        The check is :meth:`derive`'s resolver, run when such an entry is
        looked up: the value is found again (a scan the run makes anyway when
        a runtime module changed), not trusted."""
        with self.untracked():
            value = self.cached("fact", [name, *key_parts], compute)
        self._record(FACT_PREFIX + name, "fact", _fact_digest(value))
        return value

    def derive(self, name: str, resolve: Callable[[], Any]) -> None:
        """How this run finds fact ``name`` again (see :meth:`fact`); a stored
        result that depends on a fact no one in this run can find is a miss."""
        self._facts[name] = resolve

    def is_cached(self, namespace: str, key_parts: list[Any]) -> bool:
        """Whether :meth:`cached` would answer from the cache (nothing is decoded)."""
        cache = self.cache
        if cache is None:
            return False
        hit = cache.get(namespace, self._key(namespace, key_parts))
        return hit is not None and self._still_valid(hit[1])

    def prefetched(
        self, key: tuple[str, str], result: Callable[[], Any], withdraw: Callable[[], None] | None = None
    ) -> None:
        """Remember work started early (in a worker) for whoever needs it, and
        how to withdraw it while no one has taken it."""
        self._prefetched[key] = result
        if withdraw is not None:
            self._withdraw[key] = withdraw

    def take_prefetched(self, key: tuple[str, str]) -> Callable[[], Any] | None:
        self._withdraw.pop(key, None)
        return self._prefetched.pop(key, None)

    def withdrawal(self, key: tuple[str, str]) -> Callable[[], None] | None:
        """How to withdraw the work started early under ``key``, while it is
        pending (taking or withdrawing it forgets both)."""
        return self._withdraw.get(key)

    def _key(self, namespace: str, key_parts: list[Any]) -> str:
        return make_key(namespace, self.config.fingerprint(), str(self.run_dir), self.options.cache_key(), key_parts)

    def _still_valid(self, deps: tuple[Dep, ...]) -> bool:
        # the same files are dependencies of many entries: each answer once per run
        checked = self._checked_deps
        for dep in deps:
            valid = checked.get(dep)
            if valid is None:
                valid = checked[dep] = self._dep_holds(dep)
            if not valid:
                return False
        return True

    def _dep_holds(self, dep: Dep) -> bool:
        path = Path(dep.path)
        if dep.kind == "sha":
            return self.digest(path) == dep.expected
        if dep.kind.startswith("has:"):
            found = _has(self._load(path.absolute()), dep.kind[4:].encode("latin-1"))
            return ("1" if found else "0") == dep.expected
        if dep.kind == "fact":
            resolve = self._facts.get(dep.path.removeprefix(FACT_PREFIX))
            if resolve is None:
                return False
            with self.untracked():  # found for this check, read by no computation
                return _fact_digest(resolve()) == dep.expected
        return False


# A fact's dependency sorts after every file's (absolute paths start with "/" or
# a drive letter), so an entry with a changed file is a miss before any fact is
# found again (see Session.fact)
FACT_PREFIX = "~fact:"


def _fact_digest(value: Any) -> str:
    from drift_guard.cache import value_digest
    from drift_guard.codec import encode

    return value_digest(encode(value))


def _has(data: bytes | OSError, marker: bytes) -> bool:
    return isinstance(data, OSError) or marker in data


def current() -> Session | None:
    """The session of the run in progress, if any."""
    return _ACTIVE.get()


def library_answer(package: str, question: str, ask: Callable[[], T]) -> T:
    """``ask()`` (which may import ``package``), or the answer an earlier run
    kept (:mod:`drift_guard.library_facts`); outside a run, always ``ask()``.
    Answers must be plain data."""
    session = current()
    return ask() if session is None else session.library_facts(package).answer(question, ask)


def record_unlisted(folder: Path, exc: OSError) -> None:
    """:meth:`Session.record_unlisted` on the run in progress (nothing outside
    a run): the ``unlisted`` callback of :func:`drift_guard.paths.iter_files`."""
    session = current()
    if session is not None:
        session.record_unlisted(folder, exc)
