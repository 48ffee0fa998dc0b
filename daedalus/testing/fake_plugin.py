"""The fakes as a daedalus plugin, and ``use_fakes()``: a fresh plugin manager in which the fakes serve their ports.

``with use_fakes() as fakes:`` installs, for the block, a registry in which core finds the in-memory storage for
``zarr3`` (and whatever else was asked for), the in-memory attachment storage, the recording executor (also under
``sequential`` and ``threads``) and the ``.npy`` image reader/writer. Entry-point plugins and the built-in plugins
of those ports are not loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from daedalus.core import ports
from daedalus.plugins.hookspecs import hookimpl
from daedalus.plugins.manager import BUILTIN_PLUGINS, PluginManager

from .memory_attachments import MemoryAttachmentStorage
from .memory_storage import MemoryStorage
from .numpy_images import NumpyImageReader, NumpyImageWriter
from .recording_executor import RecordingExecutor

PLUGIN_NAME = "daedalus-testing-fakes"
FAKED_PORTS = ("storage", "executors", "attachments", "images", "image_writers")
FAKED_BUILTINS = tuple(name for name in BUILTIN_PLUGINS if name.rsplit(".builtin_", 1)[-1] in FAKED_PORTS)
"""The built-in plugins whose ports the fakes replace; the others (files, annotations, CLI, ...) stay registered."""
EXECUTOR_NAMES = ("recording", "sequential", "threads")


class FakeAdapters:
    """A plugin object offering the fakes through the daedalus hooks; register it with ``PluginManager.register``.

    ``storages`` maps data format to its MemoryStorage, ``attachments`` attachment format to its storage;
    ``executors`` lists every RecordingExecutor made so far (so tests can inspect what ran).
    """

    def __init__(
        self,
        data_formats: Iterable[str] = ("zarr3",),
        attachment_formats: Iterable[str] = ("zarr3", "hdf5", "json"),
        executor_names: Iterable[str] = EXECUTOR_NAMES,
    ) -> None:
        self.storages = {str(f): MemoryStorage(f) for f in data_formats}
        self.attachments = {str(f): MemoryAttachmentStorage(f) for f in attachment_formats}
        self.executor_names = tuple(executor_names)
        self.executors: list[RecordingExecutor] = []
        self.image_reader = NumpyImageReader()
        self.image_writer = NumpyImageWriter()

    def __repr__(self) -> str:
        return f"FakeAdapters(data_formats={sorted(self.storages)})"

    def make_executor(self, **kwargs: Any) -> RecordingExecutor:
        """A new RecordingExecutor, remembered in ``executors``."""
        executor = RecordingExecutor(**kwargs)
        self.executors.append(executor)
        return executor

    @hookimpl
    def daedalus_array_storages(self) -> list[MemoryStorage]:
        """The in-memory storages, one per data format."""
        return list(self.storages.values())

    @hookimpl
    def daedalus_attachment_storages(self) -> list[MemoryAttachmentStorage]:
        """The in-memory attachment storages, one per attachment format."""
        return list(self.attachments.values())

    @hookimpl
    def daedalus_executors(self) -> dict[str, Any]:
        """The recording executor under each of ``executor_names``."""
        return {name: self.make_executor for name in self.executor_names}

    @hookimpl
    def daedalus_image_readers(self) -> list[NumpyImageReader]:
        """The ``.npy`` image reader."""
        return [self.image_reader]

    @hookimpl
    def daedalus_image_writers(self) -> list[NumpyImageWriter]:
        """The ``.npy`` image writer."""
        return [self.image_writer]


def fake_plugin_manager(fakes: FakeAdapters | None = None, *, builtins: bool = False) -> PluginManager:
    """A new PluginManager with ``fakes`` registered and no entry-point plugins.

    The built-in plugins of the faked ports (storage, executors, attachments, image readers and writers) are
    blocked unless ``builtins`` is true; the built-ins of the other ports stay.
    """
    manager = PluginManager(load_entrypoints=False, disabled=() if builtins else FAKED_BUILTINS)
    manager.register(fakes if fakes is not None else FakeAdapters(), name=PLUGIN_NAME)
    return manager


@contextmanager
def use_fakes(
    data_formats: Iterable[str] = ("zarr3",), *, builtins: bool = False, fakes: FakeAdapters | None = None
) -> Iterator[FakeAdapters]:
    """Make core resolve adapters from a fresh plugin manager holding only the fakes (restored on exit).

    ``builtins=True`` registers every built-in plugin too (the fakes are registered after them).
    """
    fakes = fakes if fakes is not None else FakeAdapters(data_formats)
    manager = fake_plugin_manager(fakes, builtins=builtins)
    previous = ports.install_registry(manager)
    try:
        yield fakes
    finally:
        replaced = ports.install_registry(previous) is not manager
    if replaced:
        raise RuntimeError(
            "The fakes' registry was replaced inside use_fakes(): something built or configured the process-wide "
            "plugin manager in the block (daedalus.get_executor, configure_plugins or set_engine on first use). "
            "Call daedalus.plugins.get_plugin_manager() once before entering use_fakes()."
        )


@contextmanager
def use_fake_storage(data_format: str = "zarr3") -> Iterator[MemoryStorage]:
    """``use_fakes((data_format,))``, yielding the MemoryStorage that serves ``data_format``."""
    with use_fakes((data_format,)) as fakes:
        yield fakes.storages[str(data_format)]
