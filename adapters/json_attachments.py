"""AttachmentStorage for JSON attachments (e.g. ``cumsum.json``): one JSON object of lists and attributes."""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np
from upath import UPath


def _upath(path: Any) -> UPath:
    return path if isinstance(path, UPath) else UPath(os.fspath(path))


class JsonAttachmentStorage:
    """Arrays are top-level keys holding (nested) lists; attributes are the other top-level keys."""

    data_format = "json"

    def _load(self, path: Any) -> dict[str, Any]:
        upath = _upath(path)
        if not upath.is_file():
            raise FileNotFoundError(f"No JSON attachment file at {upath}.")
        try:
            data = json.loads(upath.read_text())
        except ValueError as error:
            raise ValueError(f"The JSON attachment at {upath} is not valid JSON: {error}") from error
        if not isinstance(data, dict):
            raise ValueError(f"The JSON attachment at {upath} must hold an object, not {type(data).__name__}.")
        return data

    def read_array(self, path: Any, key: str) -> np.ndarray:
        """The list stored under ``key`` as an array."""
        data = self._load(path)
        if key not in data:
            raise KeyError(f"The JSON attachment at {path} has no key {key!r}.")
        return np.asarray(data[key])

    def write_arrays(self, path: Any, arrays: dict[str, np.ndarray], attributes: dict[str, Any]) -> None:
        """Write a new JSON file with the arrays as lists next to the attributes."""
        upath = _upath(path)
        if upath.exists():
            raise FileExistsError(f"Cannot write a JSON attachment to {upath}: the file exists already.")
        content = {**attributes, **{k: np.asarray(v).tolist() for k, v in arrays.items()}}
        upath.write_text(json.dumps(content))

    def list_arrays(self, path: Any) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
        """Every top-level list as an array's shape and dtype."""
        out = {}
        for key, value in self._load(path).items():
            if isinstance(value, list):
                array = np.asarray(value)
                out[key] = (tuple(array.shape), array.dtype)
        return out

    def read_attributes(self, path: Any) -> dict[str, Any]:
        """Every top-level value that is not a list."""
        return {k: v for k, v in self._load(path).items() if not isinstance(v, list)}
