"""Checks that what a plugin's hook returns fulfils the port, run when the plugin loads (see ``hookspecs``).

Also gives an ArrayStorage that omits an optional member (``capabilities``, ``prepare``) the port's defaults, so
core reads every member of the port directly.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from daedalus.core.ports import ArrayStorageDefaults, StorageCapabilities, StoredArrayDefaults


class AdapterContractError(TypeError):
    """A hook result does not fulfil its port; the message names the adapter and what is wrong or missing."""


_MISSING = object()


def _static(adapter: Any, name: str) -> Any:
    """``name`` on ``adapter`` without running ``__getattr__`` or properties (lazy adapters stay lazy)."""
    return inspect.getattr_static(adapter, name, _MISSING)


def _check_members(adapter: Any, port: str, texts: Sequence[str], methods: Sequence[str]) -> None:
    missing = [name for name in (*texts, *methods) if _static(adapter, name) is _MISSING]
    if missing:
        raise AdapterContractError(f"{adapter!r} lacks {', '.join(missing)} of the {port} port.")
    for name in texts:
        value = _static(adapter, name)
        if not isinstance(value, property) and not (isinstance(value, str) and value):
            raise AdapterContractError(f"{adapter!r}: {port}.{name} must be a non-empty str, not {value!r}.")
    for name in methods:
        if not callable(getattr(adapter, name)):
            raise AdapterContractError(f"{adapter!r}: {port}.{name} must be a method.")


def _check_suffixes(adapter: Any, port: str) -> None:
    suffixes = _static(adapter, "suffixes")
    if suffixes is _MISSING:
        raise AdapterContractError(f"{adapter!r} lacks suffixes of the {port} port.")
    if not isinstance(suffixes, property) and (
        isinstance(suffixes, str) or not all(isinstance(s, str) and s.startswith(".") for s in suffixes)
    ):
        raise AdapterContractError(f"{adapter!r}: {port}.suffixes must be a tuple of '.suffix' strings.")


def check_array_storage(adapter: Any) -> None:
    """ArrayStorage: names, methods, and (if declared) a StorageCapabilities and a callable ``prepare``."""
    _check_members(adapter, "ArrayStorage", ("data_format", "engine"), ("create", "open", "exists"))
    capabilities = _static(adapter, "capabilities")
    if capabilities is not _MISSING and not isinstance(capabilities, (property, StorageCapabilities)):
        raise AdapterContractError(
            f"{adapter!r}: ArrayStorage.capabilities must be a daedalus.core.ports.StorageCapabilities, "
            f"not {type(capabilities).__name__} {capabilities!r}."
        )
    if _static(adapter, "prepare") is not _MISSING and not callable(adapter.prepare):
        raise AdapterContractError(f"{adapter!r}: ArrayStorage.prepare must be a method.")


def check_attachment_storage(adapter: Any) -> None:
    """AttachmentStorage: ``data_format`` and the four methods."""
    methods = ("read_array", "write_arrays", "list_arrays", "read_attributes")
    _check_members(adapter, "AttachmentStorage", ("data_format",), methods)


def check_annotation_codec(adapter: Any) -> None:
    """AnnotationCodec: ``file_format``, ``load`` and ``dump``."""
    _check_members(adapter, "AnnotationCodec", ("file_format",), ("load", "dump"))


def check_image_reader(adapter: Any) -> None:
    """ImageReader: ``name``, ``suffixes``, ``info`` and ``read``."""
    _check_members(adapter, "ImageReader", ("name",), ("info", "read"))
    _check_suffixes(adapter, "ImageReader")


def check_image_writer(adapter: Any) -> None:
    """ImageWriter: ``name``, ``suffixes``, ``write`` and ``write_ome_tiff``."""
    _check_members(adapter, "ImageWriter", ("name",), ("write", "write_ome_tiff"))
    _check_suffixes(adapter, "ImageWriter")


def _sequence_of(check: Callable[[Any], None]) -> Callable[[Any], None]:
    def check_all(result: Any) -> None:
        if isinstance(result, (str, bytes, Mapping)) or not isinstance(result, Sequence):
            raise AdapterContractError(f"the hook must return a list of adapters, not {type(result).__name__}.")
        for adapter in result:
            check(adapter)

    return check_all


def _factories(result: Any) -> None:
    if not isinstance(result, Mapping):
        raise AdapterContractError(f"the hook must return a dict of factories by name, not {type(result).__name__}.")
    for name, factory in result.items():
        if not (isinstance(name, str) and name) or not callable(factory):
            raise AdapterContractError(f"entry {name!r}: {factory!r} must be a callable under a non-empty str name.")


RESULT_CHECKS: dict[str, Callable[[Any], None]] = {
    "daedalus_array_storages": _sequence_of(check_array_storage),
    "daedalus_attachment_storages": _sequence_of(check_attachment_storage),
    "daedalus_annotation_codecs": _sequence_of(check_annotation_codec),
    "daedalus_image_readers": _sequence_of(check_image_reader),
    "daedalus_image_writers": _sequence_of(check_image_writer),
    "daedalus_executors": _factories,
    "daedalus_webknossos_transports": _factories,
    "daedalus_progress_reporters": _factories,
}
"""Hook name -> the check of one plugin's result, run when the plugin loads. Not called at load: hooks taking
arguments (the CLI hook) and ``daedalus_file_services`` (its built-in imports the annotation model)."""


# --------------------------------------------------------------------------- the port's defaults


class ArrayWithDefaults(StoredArrayDefaults):
    """A StoredArray lacking optional members (``native``, ``read_into``): the port's defaults, the rest from it."""

    def __init__(self, array: Any) -> None:
        self._array = array

    def __getattr__(self, name: str) -> Any:
        if name == "_array":
            raise AttributeError(name)
        return getattr(self._array, name)

    def __repr__(self) -> str:
        return repr(self._array)


_OPTIONAL_ARRAY_MEMBERS = ("native", "read_into")


def _with_array_defaults(array: Any) -> Any:
    if all(_static(array, name) is not _MISSING for name in _OPTIONAL_ARRAY_MEMBERS):
        return array
    return ArrayWithDefaults(array)


class StorageWithDefaults(ArrayStorageDefaults):
    """An ArrayStorage that omits optional members: the port's defaults for those, the adapter for the rest."""

    def __init__(self, adapter: Any) -> None:
        self.adapter = adapter
        self.data_format = adapter.data_format
        self.engine = adapter.engine
        self._declared = {name: _static(adapter, name) is not _MISSING for name in ("capabilities", "prepare")}

    @property  # type: ignore[override]
    def capabilities(self) -> Any:
        """The adapter's capabilities (read when asked: a property may load the engine), else the defaults."""
        return self.adapter.capabilities if self._declared["capabilities"] else ArrayStorageDefaults.capabilities

    def prepare(self) -> None:
        """The adapter's ``prepare`` if it has one (the default: nothing)."""
        if self._declared["prepare"]:
            self.adapter.prepare()

    def create(self, path: Any, info: Any) -> Any:
        """Create an array (see the ArrayStorage port)."""
        return _with_array_defaults(self.adapter.create(path, info))

    def open(self, path: Any) -> Any:
        """Open an array (see the ArrayStorage port)."""
        return _with_array_defaults(self.adapter.open(path))

    def exists(self, path: Any) -> bool:
        """Whether an array of this format is stored at ``path``."""
        return self.adapter.exists(path)

    def __getattr__(self, name: str) -> Any:
        if name == "adapter":
            raise AttributeError(name)
        return getattr(self.adapter, name)  # engine-specific extras

    def __repr__(self) -> str:
        return repr(self.adapter)


def with_storage_defaults(adapter: Any) -> Any:
    """``adapter`` itself when it declares every member of the ArrayStorage port, else it with the defaults.

    Only a wrapped adapter's arrays get StoredArray's defaults here (checked as each array is opened); an
    adapter that declares every storage member gives its arrays every StoredArray member itself (its array
    class subclasses ``StoredArrayDefaults``), which the shipped contract suite checks.
    """
    if all(_static(adapter, name) is not _MISSING for name in ("capabilities", "prepare")):
        return adapter
    return StorageWithDefaults(adapter)
