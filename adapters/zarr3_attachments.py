"""AttachmentStorage for zarr3 attachments (e.g. agglomerates): a zarr v3 group of 1-d/2-d arrays, via zarr-python.

Each array is one shard holding one chunk (the whole array), with ``bytes`` + ``zstd`` (level 5, checksum)
inside ``sharding_indexed``, as WEBKNOSSOS and its Python library write them.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import zarr
from zarr.codecs import ZstdCodec

_LOCAL = ("", "file", "local")


def _store_location(path: Any) -> str:
    """A location string zarr-python understands: a local path or a URL."""
    if getattr(path, "protocol", "") in _LOCAL:
        return os.fspath(getattr(path, "path", path))
    return str(path)


def _exists(location: str) -> bool:
    if "://" in location:
        import fsspec

        fs, inner = fsspec.core.url_to_fs(location)
        return fs.exists(inner.rstrip("/") + "/zarr.json")
    return os.path.exists(os.path.join(location, "zarr.json"))


class Zarr3AttachmentStorage:
    """Reads and writes zarr3 attachment groups."""

    data_format = "zarr3"

    def _open_group(self, path: Any) -> Any:
        location = _store_location(path)
        if not _exists(location):
            raise FileNotFoundError(f"No zarr3 attachment at {location}: its zarr.json is missing.")
        try:
            return zarr.open_group(location, mode="r", zarr_format=3)
        except Exception as error:  # noqa: BLE001 - report any decoding failure with the path
            raise ValueError(f"The zarr3 attachment at {location} cannot be read: {error}") from error

    def read_array(self, path: Any, key: str) -> np.ndarray:
        """Read the whole array ``key`` of the group at ``path``."""
        group = self._open_group(path)
        if key not in group:
            raise KeyError(f"The zarr3 attachment at {_store_location(path)} has no array {key!r}.")
        return np.asarray(group[key][...])

    def write_arrays(self, path: Any, arrays: dict[str, np.ndarray], attributes: dict[str, Any]) -> None:
        """Create a new group at ``path`` holding ``arrays`` and the group ``attributes``."""
        location = _store_location(path)
        if _exists(location):
            raise FileExistsError(f"Cannot write a zarr3 attachment to {location}: one exists already.")
        group = zarr.open_group(location, mode="w-", zarr_format=3, attributes=dict(attributes))
        for key, data in arrays.items():
            data = np.asarray(data)
            chunk = tuple(max(int(s), 1) for s in data.shape)
            array = group.create_array(
                key,
                shape=data.shape,
                dtype=data.dtype,
                chunks=chunk,
                shards=chunk,
                compressors=ZstdCodec(level=5, checksum=True),
                fill_value=0,
            )
            if data.size:
                array[...] = data

    def list_arrays(self, path: Any) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
        """Shape and dtype of every array of the group at ``path``."""
        group = self._open_group(path)
        return {name: (tuple(a.shape), np.dtype(a.dtype)) for name, a in group.arrays()}

    def read_attributes(self, path: Any) -> dict[str, Any]:
        """The group attributes."""
        return dict(self._open_group(path).attrs)
