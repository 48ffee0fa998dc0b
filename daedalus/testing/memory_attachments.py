"""An in-memory AttachmentStorage: named arrays and attributes kept per path inside one process."""

from __future__ import annotations

import copy
import threading
from typing import Any

import numpy as np

from .memory_storage import path_key


class MemoryAttachmentStorage:
    """Implements the AttachmentStorage port for one data format (default ``zarr3``); arrays are copied in and out."""

    def __init__(self, data_format: str = "zarr3") -> None:
        self.data_format = str(data_format)
        self._attachments: dict[str, tuple[dict[str, np.ndarray], dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"MemoryAttachmentStorage(data_format={self.data_format!r})"

    def _get(self, path: Any) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        with self._lock:
            found = self._attachments.get(path_key(path))
        if found is None:
            raise FileNotFoundError(f"No {self.data_format} attachment at {path_key(path)} in this in-memory storage.")
        return found

    def read_array(self, path: Any, key: str) -> np.ndarray:
        """A copy of the array ``key``; KeyError naming the key and path if it is not there."""
        arrays, _ = self._get(path)
        if key not in arrays:
            raise KeyError(f"The attachment at {path_key(path)} has no array {key!r}; it has {sorted(arrays)}.")
        return arrays[key].copy()

    def write_arrays(self, path: Any, arrays: dict[str, np.ndarray], attributes: dict[str, Any]) -> None:
        """Store ``arrays`` and ``attributes`` as a new attachment (FileExistsError if one is at ``path``)."""
        key = path_key(path)
        stored = {name: np.array(value, copy=True) for name, value in arrays.items()}
        with self._lock:
            if key in self._attachments:
                raise FileExistsError(f"Cannot write a {self.data_format} attachment to {key}: one exists already.")
            self._attachments[key] = (stored, copy.deepcopy(dict(attributes)))

    def list_arrays(self, path: Any) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
        """Shape and dtype of every array of the attachment at ``path``."""
        arrays, _ = self._get(path)
        return {name: (tuple(value.shape), value.dtype) for name, value in arrays.items()}

    def read_attributes(self, path: Any) -> dict[str, Any]:
        """A copy of the attributes stored with the attachment at ``path``."""
        return copy.deepcopy(self._get(path)[1])
