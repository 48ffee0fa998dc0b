"""AttachmentStorage for HDF5 attachments (WEBKNOSSOS' classic agglomerate, mesh and segment-index files), via h5py."""

from __future__ import annotations

import json
import os
from typing import Any

import h5py
import numpy as np
from daedalus.core.local_paths import local_file_path


def _local(path: Any) -> str:
    refusal = f"HDF5 attachments must be local files; {path} is remote. Copy it to a local disk first."
    return os.fspath(local_file_path(path, refusal))


class Hdf5AttachmentStorage:
    """Reads and writes HDF5 attachment files (datasets at the file root, attributes on the root group)."""

    data_format = "hdf5"

    def _open(self, path: Any) -> h5py.File:
        location = _local(path)
        if not os.path.isfile(location):
            raise FileNotFoundError(f"No HDF5 attachment file at {location}.")
        try:
            return h5py.File(location, "r")
        except OSError as error:
            raise ValueError(f"The HDF5 attachment at {location} cannot be read: {error}") from error

    def read_array(self, path: Any, key: str) -> np.ndarray:
        """Read the whole dataset ``key``."""
        with self._open(path) as file:
            if key not in file:
                raise KeyError(f"The HDF5 attachment at {_local(path)} has no dataset {key!r}.")
            return np.asarray(file[key][()])

    def write_arrays(self, path: Any, arrays: dict[str, np.ndarray], attributes: dict[str, Any]) -> None:
        """Create a new HDF5 file with one dataset per array; non-scalar attributes are stored as JSON text."""
        location = _local(path)
        if os.path.exists(location):
            raise FileExistsError(f"Cannot write an HDF5 attachment to {location}: the file exists already.")
        with h5py.File(location, "w-") as file:
            for key, data in arrays.items():
                file.create_dataset(key, data=np.asarray(data))
            for key, value in attributes.items():
                file.attrs[key] = value if isinstance(value, (int, float, str)) else json.dumps(value)

    def list_arrays(self, path: Any) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
        """Shape and dtype of every root dataset."""
        with self._open(path) as file:
            return {k: (tuple(v.shape), np.dtype(v.dtype)) for k, v in file.items() if isinstance(v, h5py.Dataset)}

    def read_attributes(self, path: Any) -> dict[str, Any]:
        """Root attributes (JSON text decoded where possible)."""
        out: dict[str, Any] = {}
        with self._open(path) as file:
            for key, value in file.attrs.items():
                value = value.item() if isinstance(value, np.generic) else value
                if isinstance(value, bytes):
                    value = value.decode()
                if isinstance(value, str) and value[:1] in "[{":
                    try:
                        value = json.loads(value)
                    except ValueError:
                        pass
                out[key] = value
        return out
