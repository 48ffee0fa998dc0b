"""Built-in plugin: registers the storage adapters that ship with daedalus (when their library is installed).

Adapters are registered as lazy proxies: an engine's module (and its library: tensorstore, wkw, zarr, ...)
is imported only when the format is first used, so opening a zarr3 dataset never pays for importing zarr.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from daedalus.core.ports import StorageCapabilities

from .hookspecs import hookimpl

# (data format, engine, adapter module, class, library it needs) in preference order:
# the first engine per format is the default.
_STORAGE_ADAPTERS = (
    ("zarr3", "tensorstore", "daedalus.adapters.tensorstore_zarr", "Zarr3Storage", "tensorstore"),
    ("zarr", "tensorstore", "daedalus.adapters.tensorstore_zarr", "ZarrStorage", "tensorstore"),
    ("wkw", "wkw", "daedalus.adapters.wkw_storage", "WkwStorage", "wkw"),
    ("n5", "tensorstore", "daedalus.adapters.tensorstore_n5", "N5Storage", "tensorstore"),
    (
        "neuroglancerPrecomputed",
        "tensorstore",
        "daedalus.adapters.tensorstore_precomputed",
        "PrecomputedStorage",
        "tensorstore",
    ),
    ("zarr3", "zarr-python", "daedalus.adapters.zarrpython_zarr", "ZarrPythonZarr3Storage", "zarr"),
    ("zarr", "zarr-python", "daedalus.adapters.zarrpython_zarr", "ZarrPythonZarrStorage", "zarr"),
)


class LazyStorage:
    """An ArrayStorage that imports and builds the real adapter on first use and then delegates to it."""

    def __init__(self, data_format: str, engine: str, module_name: str, class_name: str) -> None:
        self.data_format = data_format
        self.engine = engine
        self._module_name = module_name
        self._class_name = class_name
        self._adapter: Any = None

    def _real(self) -> Any:
        if self._adapter is None:
            module = importlib.import_module(self._module_name)
            self._adapter = getattr(module, self._class_name)()
        return self._adapter

    def prepare(self) -> None:
        """Import the engine now (called when a layer of this format is opened)."""
        self._real()

    @property
    def capabilities(self) -> StorageCapabilities:
        """The real adapter's capabilities (importing the engine)."""
        return self._real().capabilities

    def create(self, path: Any, info: Any) -> Any:
        """Create an array (see the ArrayStorage port)."""
        return self._real().create(path, info)

    def open(self, path: Any) -> Any:
        """Open an array (see the ArrayStorage port)."""
        return self._real().open(path)

    def exists(self, path: Any) -> bool:
        """Whether an array of this format is stored at ``path``."""
        return self._real().exists(path)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("_adapter", "_module_name", "_class_name"):
            raise AttributeError(name)
        return getattr(self._real(), name)  # engine-specific extras

    def __repr__(self) -> str:
        return repr(self._real())


def _installed(library: str) -> bool:
    return importlib.util.find_spec(library) is not None


@hookimpl
def daedalus_array_storages() -> list[Any]:
    """ArrayStorage adapters of the built-in engines whose library is installed."""
    return [
        LazyStorage(data_format, engine, module_name, class_name)
        for data_format, engine, module_name, class_name, library in _STORAGE_ADAPTERS
        if _installed(library)
    ]
