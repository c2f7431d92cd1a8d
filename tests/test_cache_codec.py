"""What the persistent cache stores (:func:`drift_guard.codec.dumps`) and what it
agrees to load back (:func:`drift_guard.codec.loads`): drift-guard's own records
and paths, nothing that could call a function while loading."""

from __future__ import annotations

import collections
import os
import pickle
from pathlib import Path

import pytest

from drift_guard.codec import DecodeError, dumps, encode, loads
from drift_guard.schema import UNKNOWN, Column, ColumnType, Family, Layer, Location, Schema, Table


def _schema() -> Schema:
    where = Location("app/models.py", 3, 5)
    kind = ColumnType(Family.STRING, "String(64)", length=64)
    column = Column(name="title", attribute="title", type=kind, location=where, nullable=UNKNOWN)
    return Schema(layer=Layer.PYDAL, tables=(Table(name="post", layer=Layer.PYDAL, location=where, columns=(column,)),))


def test_records_round_trip_with_enums_paths_and_unknown() -> None:
    schema = _schema()
    value = {"schema": schema, "where": Path("/srv/app/models.py"), "flags": frozenset({"a", "b"}), "u": UNKNOWN}
    back = loads(dumps(value))
    assert back == value
    assert back["u"] is UNKNOWN
    assert back["schema"].tables[0].columns[0].type.family is Family.STRING


def test_a_schema_is_stored_the_same_whether_or_not_its_indexes_were_computed() -> None:
    # Its digest keys the migration check: asking for first_tables() first must not change it.
    fresh, used = _schema(), _schema()
    used.first_tables()
    assert dumps(fresh) == dumps(used)


@pytest.mark.parametrize("value", [lambda: 1, os.system, pickle, object()])
def test_anything_else_is_not_stored(value: object) -> None:
    with pytest.raises(TypeError):
        dumps({"x": value})


class _Call:
    def __reduce__(self):  # what a forged entry would hold: a function call on load
        return (os.system, ("echo forged",))


@pytest.mark.parametrize(
    "data",
    [
        pickle.dumps(_Call()),
        pickle.dumps(os.system),
        pickle.dumps(collections.OrderedDict),  # a class, but not a record of ours
        b"\x00not a pickle",
        b"",
    ],
    ids=["function-call", "function", "foreign-class", "garbage", "empty"],
)
def test_loads_refuses_what_dumps_never_writes(data: bytes) -> None:
    with pytest.raises(DecodeError):
        loads(data)


def test_a_module_attribute_of_ours_that_is_not_a_record_is_refused() -> None:
    # drift_guard.codec imports `pickle` and `importlib`: reachable by name, never loaded.
    forged = b"\x80\x04\x95\x1b\x00\x00\x00\x00\x00\x00\x00\x8c\x11drift_guard.codec\x94\x8c\x06pickle\x94\x93\x94."
    with pytest.raises(DecodeError):
        loads(forged)


def test_the_digest_form_is_deterministic() -> None:
    assert encode(frozenset({"b", "a"})) == encode(frozenset({"a", "b"}))


@pytest.mark.parametrize("collecting", [True, False])
def test_loading_pauses_the_cyclic_collector_and_leaves_it_as_it_was(collecting: bool) -> None:
    """loads() pauses the collector while it builds records (they are all alive
    when it returns), also when the entry is corrupt; a collector that was off stays off."""
    import gc

    was = gc.isenabled()
    try:
        (gc.enable if collecting else gc.disable)()
        assert loads(dumps(_schema())) == _schema()
        assert gc.isenabled() is collecting
        with pytest.raises(DecodeError):
            loads(dumps(_schema())[:-3])
        assert gc.isenabled() is collecting
    finally:
        (gc.enable if was else gc.disable)()
