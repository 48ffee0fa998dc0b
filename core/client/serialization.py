"""JSON <-> attrs models of the WEBKNOSSOS API: snake_case fields, camelCase keys, unknown keys kept.

A field's key is ``camel_case(name)`` unless its metadata names it (``metadata={"json": "dataSetName"}``); a field
may bring its own codec (``metadata={"decode": f, "encode": g}``). Keys a model does not know are kept in its
``extra_json`` dict, so newer servers never break parsing.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Mapping
from functools import cache
from typing import Any, Literal, TypeVar, Union

import attrs

T = TypeVar("T")
EXTRA = "extra_json"


class ApiResponseError(ValueError):
    """A reply of the server does not have the shape the client expects (names the model and the key)."""


def camel_case(name: str) -> str:
    """``is_dataset_manager`` -> ``isDatasetManager``."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def extra_field() -> Any:
    """The ``extra_json`` field of a model: unknown JSON keys, not compared, not shown in repr."""
    return attrs.field(factory=dict, kw_only=True, eq=False, repr=False)


def json_key(field: attrs.Attribute) -> str:
    """The JSON key of an attrs field."""
    return field.metadata.get("json", camel_case(field.name))


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (Union, types.UnionType)


def _decode(tp: Any, value: Any, where: str) -> Any:
    if tp is Any or value is None:
        return value
    if _is_union(tp):
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(options) == 1:
            return _decode(options[0], value, where)
        for option in options:
            try:
                return _decode(option, value, where)
            except (ApiResponseError, TypeError, ValueError):
                continue
        raise ApiResponseError(f"{where}: {value!r} fits none of {options}")
    origin = typing.get_origin(tp)
    if origin is Literal:
        return value
    if origin is list or tp is list:
        (item,) = typing.get_args(tp) or (Any,)
        return [_decode(item, v, f"{where}[{i}]") for i, v in enumerate(_expect(value, list, where))]
    if origin is tuple:
        args = typing.get_args(tp)
        seq = _expect(value, list, where) if not isinstance(value, tuple) else list(value)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v, where) for v in seq)
        return tuple(_decode(a, v, where) for a, v in zip(args, seq)) if args else tuple(seq)
    if origin in (dict, Mapping) or tp is dict:
        args = typing.get_args(tp)
        value_type = args[1] if len(args) == 2 else Any
        return {k: _decode(value_type, v, f"{where}.{k}") for k, v in _expect(value, dict, where).items()}
    if attrs.has(tp):
        return from_json(tp, value, where)
    if tp is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if tp in (int, str, bool) and not isinstance(value, tp):
        raise ApiResponseError(f"{where}: expected {tp.__name__}, got {value!r}")
    return value


def _expect(value: Any, kind: type, where: str) -> Any:
    if not isinstance(value, kind):
        raise ApiResponseError(f"{where}: expected a JSON {'array' if kind is list else 'object'}, got {value!r}")
    return value


def from_json(cls: type[T], data: Any, where: str | None = None) -> T:
    """Build model ``cls`` from decoded JSON; unknown keys go to ``extra_json``, missing optional keys to defaults."""
    where = where or cls.__name__
    if not isinstance(data, dict):
        raise ApiResponseError(f"{where}: expected a JSON object, got {data!r}")
    hints = _hints(cls)
    values: dict[str, Any] = {}
    known: set[str] = set()
    for field in attrs.fields(cls):
        if field.name == EXTRA:
            continue
        key = json_key(field)
        known.add(key)
        if key not in data:
            if field.default is not attrs.NOTHING:
                continue
            if _is_union(hints[field.name]) and type(None) in typing.get_args(hints[field.name]):
                values[field.name] = None
                continue
            raise ApiResponseError(f"{where}: the required key {key!r} is missing")
        decode = field.metadata.get("decode")
        raw = data[key]
        values[field.name] = (
            decode(raw) if decode and raw is not None else _decode(hints[field.name], raw, f"{where}.{key}")
        )
    if any(f.name == EXTRA for f in attrs.fields(cls)):
        values[EXTRA] = {k: v for k, v in data.items() if k not in known}
    return cls(**values)


def to_json(value: Any, *, include_extra: bool = False) -> Any:
    """Encode a model (or list/dict/tuple of them) as JSON-ready data; ``None`` fields are sent as ``null``
    (or left out when their metadata says ``omit_none``)."""
    if attrs.has(type(value)):
        out: dict[str, Any] = {}
        for field in attrs.fields(type(value)):
            if field.name == EXTRA:
                continue
            item = getattr(value, field.name)
            if item is None and field.metadata.get("omit_none"):
                continue
            encode = field.metadata.get("encode")
            out[json_key(field)] = (
                encode(item) if encode and item is not None else to_json(item, include_extra=include_extra)
            )
        if include_extra:
            for key, item in getattr(value, EXTRA, {}).items():
                out.setdefault(key, item)
        return out
    if isinstance(value, (list, tuple)):
        return [to_json(v, include_extra=include_extra) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v, include_extra=include_extra) for k, v in value.items()}
    if isinstance(value, enum.Enum):
        return value.value
    return value
