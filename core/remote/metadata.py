"""Metadata of remote datasets and folders: a dict-like view whose every change is written to WEBKNOSSOS."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from typing import Any

from ..client.models import ApiMetadata

MetadataValue = str | int | float | Sequence[str]


def _entry(key: str, value: Any) -> ApiMetadata:
    if isinstance(value, bool):
        raise TypeError(f"Metadata {key!r}: booleans are not supported; use a string or a number.")
    if isinstance(value, str):
        return ApiMetadata(key=key, type="string", value=value)
    if isinstance(value, (int, float)):
        return ApiMetadata(key=key, type="number", value=value)
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return ApiMetadata(key=key, type="string[]", value=list(value))
    raise TypeError(f"Metadata {key!r}: {value!r} is not supported; values are strings, numbers or lists of strings.")


def metadata_to_api(values: Mapping[str, Any]) -> list[ApiMetadata]:
    """The server's metadata entries for a ``{key: value}`` mapping."""
    return [_entry(str(k), v) for k, v in values.items()]


def metadata_from_api(entries: Sequence[ApiMetadata] | None) -> dict[str, Any]:
    """``{key: value}`` of the server's metadata entries."""
    return {e.key: (list(e.value) if isinstance(e.value, list) else e.value) for e in entries or []}


class _RemoteMetadata(MutableMapping[str, Any]):
    """Key-value metadata kept on the server; each change writes the whole mapping.

    ``load`` fetches the server's current values before a change (None: change the values this object holds).
    """

    def __init__(
        self,
        load: Callable[[], dict[str, Any]] | None,
        save: Callable[[dict[str, Any]], None],
        initial: dict[str, Any],
        read_only: bool = False,
    ) -> None:
        self._load = load
        self._save = save
        self._values = dict(initial)
        self._read_only = read_only

    def _change(self, change: Callable[[dict[str, Any]], None]) -> None:
        if self._read_only:
            raise RuntimeError(f"Cannot change {type(self).__name__}: the remote object is opened read-only.")
        current = self._load() if self._load is not None else dict(self._values)
        change(current)
        metadata_to_api(current)  # check the values before anything is sent
        self._save(current)
        self._values = current

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._change(lambda values: values.__setitem__(key, value))

    def __delitem__(self, key: str) -> None:
        if key not in self._values:
            raise KeyError(key)
        self._change(lambda values: values.pop(key, None))

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._values!r})"

    def __eq__(self, other: object) -> bool:
        return dict(self._values) == dict(other) if isinstance(other, Mapping) else NotImplemented


class DatasetMetadata(_RemoteMetadata):
    """The metadata of a RemoteDataset (strings, numbers, lists of strings), synchronized with WEBKNOSSOS."""


class FolderMetadata(_RemoteMetadata):
    """The metadata of a RemoteFolder (strings, numbers, lists of strings), synchronized with WEBKNOSSOS."""
