"""Serialising drift-guard's own records: stored values and content digests.

Two forms, for two purposes:

* :func:`dumps` / :func:`loads`, what the persistent cache stores: pickle, because
  a warm run's cost is mostly reading results back, and the C unpickler builds
  them three times faster than decoding JSON (and writes them ten times
  faster). Not plain pickle: a cache directory is a file in the user's tree and
  a pull request can add one, so an entry is only unpickled after its HMAC
  (made with a secret kept outside the repository, :mod:`drift_guard.cache`)
  checks out, and even then :class:`_Unpickler` builds only drift-guard's own
  records (dataclasses, enums, ``UNKNOWN``) and paths; :func:`dumps` refuses
  anything else, so what cannot be loaded is never written.
* :func:`encode` / :func:`decode`, JSON-compatible data in a deterministic form
  (fields in declaration order, sets sorted), for digests that must be the same
  in every process (cache keys).
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import importlib
import io
import pickle
from pathlib import Path, PosixPath, PurePosixPath, PureWindowsPath, WindowsPath
from typing import Any


class DecodeError(ValueError):
    """The JSON does not describe drift-guard records (corrupt or foreign)."""


_PATHS = (Path, PosixPath, WindowsPath, PurePosixPath, PureWindowsPath)


def dumps(value: Any) -> bytes:
    """``value`` as stored; TypeError when it holds something :func:`loads`
    would refuse (it is then not cached, but computed every run)."""
    buffer = io.BytesIO()
    try:
        _Pickler(buffer, protocol=5).dump(value)
    except pickle.PicklingError as exc:
        raise TypeError(str(exc)) from None
    return buffer.getvalue()


def loads(data: bytes) -> Any:
    """Inverse of :func:`dumps`; :class:`DecodeError` on anything else.

    The cyclic garbage collector is paused meanwhile: a load allocates
    thousands of records, all alive when it returns, and every 700 of them
    would start a collection that can find no garbage (a route edit read 113
    summaries back with 140 such collections, a tenth of its time). Nothing
    is left uncollected: the collector runs again as soon as the load ends."""
    import gc

    collecting = gc.isenabled()
    gc.disable()
    try:
        return _Unpickler(io.BytesIO(data)).load()
    except DecodeError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a corrupt stream raises is a miss
        raise DecodeError(f"malformed cache entry: {type(exc).__name__}") from None
    finally:
        if collecting:
            gc.enable()


def _ours(cls: type) -> bool:
    module = getattr(cls, "__module__", "") or ""
    return module == "drift_guard" or module.startswith("drift_guard.")


@functools.cache
def _storable(kind: type) -> bool:
    """Whether instances of ``kind`` may be stored: asked once per class, not
    once per object (the pickler asks for every record: 130,000 times when a
    cold run stores the summaries of 500 route modules)."""
    return kind in _PATHS or _ours(kind)


class _Pickler(pickle.Pickler):
    """Pickles only what :class:`_Unpickler` loads. The C pickler calls this for
    class instances only (not for str, int, list, dict, tuple, set...)."""

    def reducer_override(self, obj: Any) -> Any:
        kind = obj if isinstance(obj, type) else type(obj)  # a record, or its class named by reference
        if _storable(kind):
            return NotImplemented  # pickled as usual
        raise TypeError(f"cannot store {kind.__name__} in the cache")


class _Unpickler(pickle.Unpickler):
    """Builds drift-guard's records and paths; refuses every other global (a
    function to call, a module), whatever the stream asks for."""

    def find_class(self, module: str, name: str) -> Any:
        if module == "pathlib" and name in ("Path", "PosixPath", "WindowsPath", "PurePosixPath", "PureWindowsPath"):
            return super().find_class(module, name)
        if module != "drift_guard" and not module.startswith("drift_guard."):
            raise DecodeError(f"{module}.{name} is not a drift-guard record")
        found = super().find_class(module, name)
        from drift_guard.schema import UNKNOWN

        if found is UNKNOWN or isinstance(found, type) and _ours(found):
            return found
        raise DecodeError(f"{module}.{name} is not a drift-guard record")


def encode(value: Any) -> Any:
    """``value`` as JSON-compatible data; types JSON lacks are tagged."""
    if value is None or isinstance(value, (bool, int, float, str)) and not isinstance(value, enum.Enum):
        return value
    if isinstance(value, enum.Enum):
        return {"e": _name(type(value)), "v": value.value}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return {"c": _name(type(value)), "f": fields}
    if isinstance(value, tuple):
        return {"t": [encode(item) for item in value]}
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, (set, frozenset)):
        items = sorted((encode(item) for item in value), key=repr)
        return {"fs" if isinstance(value, frozenset) else "s": items}
    if isinstance(value, dict):
        return {"d": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, Path):
        return {"p": str(value)}
    if isinstance(value, bytes):
        import base64

        return {"b": base64.b64encode(value).decode("ascii")}
    from drift_guard.schema import UNKNOWN

    if value is UNKNOWN:
        return {"u": 1}
    raise TypeError(f"cannot encode {type(value).__name__} for the cache")


def decode(data: Any) -> Any:
    """Inverse of :func:`encode`; raises :class:`DecodeError` on anything else."""
    try:
        return _decode(data)
    except DecodeError:
        raise
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise DecodeError(f"malformed cache entry: {exc}") from None


_PLAIN = (str, int, float, bool, type(None))


def _decode(data: Any) -> Any:
    # exact types first: this runs once per value of every cache hit
    kind = type(data)
    if kind in _PLAIN:
        return data
    if kind is list:
        return [_decode(item) for item in data]
    if kind is not dict or len(data) not in (1, 2):
        raise DecodeError("unexpected value in cache entry")
    name = data.get("c")
    if name is not None:
        fields = data["f"]
        if type(fields) is not dict:
            raise DecodeError("malformed record in cache entry")
        return _record(name)(**{k: _decode(v) for k, v in fields.items()})
    return _decode_tagged(data)


def _decode_tagged(data: dict) -> Any:
    if "e" in data:
        cls = _resolve(data["e"])
        if not (isinstance(cls, type) and issubclass(cls, enum.Enum)):
            raise DecodeError(f"{data['e']} is not an enum")
        return cls(data["v"])
    if "t" in data:
        return tuple([_decode(item) for item in data["t"]])
    if "fs" in data:
        return frozenset([_decode(item) for item in data["fs"]])
    if "s" in data:
        return {_decode(item) for item in data["s"]}
    if "d" in data:
        return {_decode(k): _decode(v) for k, v in data["d"]}
    if "p" in data:
        return Path(str(data["p"]))
    if "b" in data:
        import base64

        return base64.b64decode(str(data["b"]).encode("ascii"), validate=True)
    if "u" in data:
        from drift_guard.schema import UNKNOWN

        return UNKNOWN
    raise DecodeError("unknown tag in cache entry")


@functools.cache
def _record(name: Any) -> type:
    """The dataclass ``name`` names (checked once per name)."""
    cls = _resolve(name)
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise DecodeError(f"{name} is not a record")
    return cls


def _name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


@functools.cache
def _resolve(name: Any) -> Any:
    """A class of drift-guard's own, by ``module:Qualname``; nothing else."""
    if not isinstance(name, str) or ":" not in name:
        raise DecodeError("bad type name in cache entry")
    module, _, qualname = name.partition(":")
    if module != "drift_guard" and not module.startswith("drift_guard."):
        raise DecodeError(f"{module} is not a drift-guard module")
    try:
        found: Any = importlib.import_module(module)
    except ImportError:
        raise DecodeError(f"no module {module}") from None
    for part in qualname.split("."):
        found = getattr(found, part, None)
        if found is None:
            raise DecodeError(f"no type {name}")
    return found
