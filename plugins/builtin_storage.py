"""Built-in plugin: registers the storage adapters that ship with daedalus (when their library is installed)."""

from __future__ import annotations

import importlib
from typing import Any

from .hookspecs import hookimpl

# (adapter module, factory names) in preference order: the first engine per format is the default.
_STORAGE_ADAPTERS = (
    ("daedalus.adapters.tensorstore_zarr", ("Zarr3Storage", "ZarrStorage")),
    ("daedalus.adapters.wkw_storage", ("WkwStorage",)),
    ("daedalus.adapters.tensorstore_n5", ("N5Storage",)),
    ("daedalus.adapters.tensorstore_precomputed", ("PrecomputedStorage",)),
    ("daedalus.adapters.zarrpython_zarr", ("ZarrPythonZarr3Storage", "ZarrPythonZarrStorage")),
)


def _load(module_name: str, names: tuple[str, ...]) -> list[Any]:
    try:
        module = importlib.import_module(module_name)
    except ImportError:  # the adapter's library is not installed: the format is simply not offered
        return []
    return [getattr(module, name)() for name in names]


@hookimpl
def daedalus_array_storages() -> list[Any]:
    """ArrayStorage adapters of the built-in engines."""
    adapters: list[Any] = []
    for module_name, names in _STORAGE_ADAPTERS:
        adapters.extend(_load(module_name, names))
    return adapters
