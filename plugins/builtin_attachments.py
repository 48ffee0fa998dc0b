"""Built-in plugin: registers the attachment storages (zarr3, hdf5, json) whose library is installed.

Storages are lazy proxies, so loading the plugins imports neither zarr nor h5py; the adapter module is imported
when an attachment of that format is first read or written.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from .hookspecs import hookimpl

# (data format, adapter module, class, library it needs)
_ATTACHMENT_ADAPTERS = (
    ("zarr3", "daedalus.adapters.zarr3_attachments", "Zarr3AttachmentStorage", "zarr"),
    ("hdf5", "daedalus.adapters.hdf5_attachments", "Hdf5AttachmentStorage", "h5py"),
    ("json", "daedalus.adapters.json_attachments", "JsonAttachmentStorage", None),
)


class LazyAttachmentStorage:
    """An AttachmentStorage that imports the real adapter (and its library) on first use and delegates to it."""

    def __init__(self, data_format: str, module_name: str, class_name: str) -> None:
        self.data_format = data_format
        self._module_name = module_name
        self._class_name = class_name
        self._adapter: Any = None

    def _real(self) -> Any:
        if self._adapter is None:
            self._adapter = getattr(importlib.import_module(self._module_name), self._class_name)()
        return self._adapter

    def read_array(self, path: Any, key: str) -> Any:
        """Read one named array of the attachment at ``path`` (see the AttachmentStorage port)."""
        return self._real().read_array(path, key)

    def write_arrays(self, path: Any, arrays: dict[str, Any], attributes: dict[str, Any]) -> None:
        """Write arrays and attributes as a new attachment at ``path``."""
        self._real().write_arrays(path, arrays, attributes)

    def list_arrays(self, path: Any) -> dict[str, Any]:
        """Shape and dtype of every array in the attachment at ``path``."""
        return self._real().list_arrays(path)

    def read_attributes(self, path: Any) -> dict[str, Any]:
        """The attributes stored with the attachment at ``path``."""
        return self._real().read_attributes(path)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("_adapter", "_module_name", "_class_name"):
            raise AttributeError(name)
        return getattr(self._real(), name)  # format-specific extras

    def __repr__(self) -> str:
        return f"LazyAttachmentStorage({self.data_format!r})"


def _installed(library: str | None) -> bool:
    return library is None or importlib.util.find_spec(library) is not None


@hookimpl
def daedalus_attachment_storages() -> list[Any]:
    """AttachmentStorage adapters of the built-in formats (a format whose library is missing is left out)."""
    return [
        LazyAttachmentStorage(data_format, module_name, class_name)
        for data_format, module_name, class_name, library in _ATTACHMENT_ADAPTERS
        if _installed(library)
    ]
