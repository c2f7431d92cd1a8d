"""The persistent cache in ``.drift_guard_cache/``, in the manner of ruff's.

What is stored: results keyed by what they were computed from (drift-guard's
version, the configuration, the run options) and checked against the files they
read (:class:`Dep`: a file's content hash, or whether it contains a marker), so
an entry is reused only while every one of those files is as it was.

Never trusted: each entry carries an HMAC made with a secret kept outside the
repository (``$XDG_CACHE_HOME/drift-guard/secret``), so a cache committed to the
tree, copied from another machine or written by another version is a miss, as
is anything corrupt. Entries are written to a temporary file and renamed, so
two runs at once cannot leave half an entry. A tree where the cache cannot be
written (read-only checkout) simply runs without one.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

CACHE_DIR_NAME = ".drift_guard_cache"
FORMAT = "v4"
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# drift-guard cache (https://bford.info/cachedir/)\n"


@dataclass(frozen=True)
class Dep:
    """One file an entry was computed from: ``kind`` is ``sha`` (``expected`` is
    the content hash, ``""`` for a file that did not exist) or ``has:<marker>``
    (``expected`` is ``"1"``/``"0"``: whether the file contained it)."""

    path: str
    kind: str
    expected: str


@functools.cache
def tool_fingerprint() -> str:
    """Which drift-guard wrote an entry: its own source files (names, sizes,
    modification times). A new release rewrites them, and so does editing an
    editable install, where the version number would not change; stat-ing the
    package costs about a millisecond, reading its metadata fifty."""
    package = Path(__file__).resolve().parent
    listing = sorted(
        (str(path.relative_to(package)), stat.st_size, stat.st_mtime_ns)
        for path in package.rglob("*.py")
        for stat in (path.stat(),)
    )
    return hashlib.sha256(repr(listing).encode("utf-8")).hexdigest()[:32]


def make_key(*parts: Any) -> str:
    """A stable key for JSON-compatible ``parts`` (plus which drift-guard)."""
    text = json.dumps([tool_fingerprint(), FORMAT, *parts], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def value_digest(value: Any) -> str:
    """Content hash of a value encoded by :func:`drift_guard.codec.encode`
    (deterministic: fields in declaration order, sets sorted), for keys."""
    return content_hash(json.dumps(value, separators=(",", ":")).encode("utf-8"))


class Cache:
    """Signed entries under ``directory``; every failure reads as a miss."""

    def __init__(self, directory: Path, secret: bytes) -> None:
        self.directory = directory
        self._secret = secret

    def get(self, namespace: str, key: str) -> tuple[bytes, tuple[Dep, ...], str] | None:
        """(value as stored, deps, digest of the value) of an entry, None on a miss.

        An entry is ``<hmac>\n<header: JSON>\n<value: bytes>``, the HMAC over
        everything after the first line."""
        try:
            mac, _, text = self._path(namespace, key).read_bytes().partition(b"\n")
            if not hmac.compare_digest(mac, self._mac(text).encode("ascii")):
                return None
            header, _, value = text.partition(b"\n")
            body = json.loads(header)
            if body["tool"] != tool_fingerprint() or body["namespace"] != namespace or body["key"] != key:
                return None
            deps = tuple(Dep(str(p), str(k), str(e)) for p, k, e in body["deps"])
            return value, deps, str(body["digest"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, namespace: str, key: str, value: bytes, deps: Iterable[Dep]) -> str:
        """Store ``value`` (:func:`drift_guard.codec.dumps`); returns the digest of
        its content, which :meth:`get` hands back, so results keyed by it need
        not serialise it again."""
        digest = content_hash(value)
        head = {
            "tool": tool_fingerprint(),
            "namespace": namespace,
            "key": key,
            "deps": [[d.path, d.kind, d.expected] for d in deps],
            "digest": digest,
        }
        target = self._path(namespace, key)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps(head, separators=(",", ":")).encode("utf-8") + b"\n" + value
            temporary.write_bytes(self._mac(text).encode("ascii") + b"\n" + text)
            os.replace(temporary, target)
        except OSError:
            temporary.unlink(missing_ok=True)
        return digest

    def _path(self, namespace: str, key: str) -> Path:
        return self.directory / FORMAT / namespace / key[:2] / f"{key}.entry"

    def _mac(self, text: bytes) -> str:
        """Over the entry's bytes as stored: checking it costs one pass of a C hash."""
        return hmac.new(self._secret, text, hashlib.sha256).hexdigest()


def open_cache(directory: Path) -> Cache | None:
    """The cache in ``directory``, created if needed; None when it cannot be
    written or no secret can be kept (the run goes on without a cache)."""
    secret = _secret()
    if secret is None:
        return None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        ignore = directory / ".gitignore"
        if not ignore.is_file():
            ignore.write_text("# Automatically created by drift-guard.\n*\n", encoding="utf-8")
        tag = directory / "CACHEDIR.TAG"
        if not tag.is_file():
            tag.write_text(_TAG, encoding="utf-8")
        probe = directory / f".probe.{os.getpid()}"
        probe.write_text("", encoding="utf-8")
        probe.unlink()
    except OSError:
        return None
    return Cache(directory, secret)


def remove_cache(directory: Path) -> bool:
    """Delete ``directory`` if it is a drift-guard cache; False if there was none.

    Refuses a folder without our CACHEDIR.TAG, so a mistyped ``--cache-dir``
    can never delete something else."""
    if not directory.exists():
        return False
    tag = directory / "CACHEDIR.TAG"
    try:
        ours = tag.read_text(encoding="utf-8") == _TAG
    except OSError:
        ours = False
    if not ours:
        from drift_guard.errors import DriftGuardError

        raise DriftGuardError(f"{directory} is not a drift-guard cache (no CACHEDIR.TAG of ours); not removed")
    import shutil  # here: every run imports this module, only `clean` removes anything

    shutil.rmtree(directory)
    return True


def _secret() -> bytes | None:
    """The per-user signing key (created on first use, mode 0600)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    path = Path(base) / "drift-guard" / "secret"
    try:
        data = path.read_bytes()
        if len(data) >= 32:
            return data
    except OSError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = os.urandom(32)
        temporary = path.with_name(f".secret.{os.getpid()}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(fresh)
        os.replace(temporary, path)
        return path.read_bytes()  # another run may have won the race: use its key
    except (OSError, RuntimeError):
        return None
