"""The ports state the whole contract: declared capabilities with defaults, broken plugins reported when they load
(with their name), one precedence rule through pluggy for every port, and progress display as a hook."""

from __future__ import annotations

import importlib.metadata
import sys
import types

import numpy as np
import pytest
from daedalus.core import ports
from daedalus.core.array_info import ArrayInfo
from daedalus.core.ports import ArrayStorageDefaults, StorageCapabilities
from daedalus.plugins import PluginLoadError, PluginManager, hookimpl
from daedalus.plugins import manager as manager_module
from daedalus.plugins.manager import ENTRYPOINT_GROUP

import daedalus as wk


@pytest.fixture(autouse=True)
def _no_plugin_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts without the DAEDALUS_* variables that steer plugin loading."""
    for variable in ("DAEDALUS_LOAD_ENTRYPOINTS", "DAEDALUS_DISABLE_PLUGINS", "DAEDALUS_ENGINES"):
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture
def installed():
    """Install a PluginManager as core's registry for one test; the previous registry comes back afterwards."""
    previous = ports.current_registry()

    def install(manager: PluginManager) -> PluginManager:
        ports.install_registry(manager)
        return manager

    yield install
    ports.install_registry(previous)


class MemoryArray:
    """A StoredArray in memory that declares none of the optional members."""

    def __init__(self, info) -> None:
        self.info = info
        self.data = np.zeros(info.shape, dtype=info.voxel_type)

    def read(self, offset, shape):
        return self.data[tuple(slice(o, o + s) for o, s in zip(offset, shape))].copy()

    def write(self, offset, data) -> None:
        self.data[tuple(slice(o, o + s) for o, s in zip(offset, data.shape))] = data

    def resize(self, new_shape) -> None:
        raise NotImplementedError

    def list_bounding_boxes(self):
        yield (0,) * self.data.ndim, self.data.shape


class BareStorage:
    """An ArrayStorage written to the required members only (no ``capabilities``, no ``prepare``)."""

    data_format = "bare"
    engine = "memory"

    def __init__(self) -> None:
        self.arrays: dict[str, MemoryArray] = {}

    def create(self, path, info):
        self.arrays[str(path)] = MemoryArray(info)
        return self.arrays[str(path)]

    def open(self, path):
        return self.arrays[str(path)]

    def exists(self, path) -> bool:
        return str(path) in self.arrays


def storage_plugin(*storages, **hook_options):
    """A plugin object whose ``daedalus_array_storages`` hook offers ``storages`` (with hookimpl options)."""

    class Plugin:
        @hookimpl(**hook_options)
        def daedalus_array_storages(self):
            return list(storages)

    return Plugin()


def executor_plugin(name: str, factory, **hook_options):
    """A plugin object offering one executor factory under ``name``."""

    class Plugin:
        @hookimpl(**hook_options)
        def daedalus_executors(self):
            return {name: factory}

    return Plugin()


def plugin_offering(port: str, **hook_options):
    """A plugin offering one adapter under the key ``zarr3`` (storage) or ``threads`` (executor)."""
    if port == "storage":
        storage = ZarrEngine(f"engine-{len(hook_options)}-{id(hook_options)}")
        return storage_plugin(storage, **hook_options), storage.engine
    factory = type(f"Executor{id(hook_options)}", (), {"__init__": lambda self, **kwargs: None})
    return executor_plugin("threads", factory, **hook_options), factory


def chosen(manager: PluginManager, port: str):
    """What the manager resolves for the key ``zarr3`` / ``threads``, comparable to plugin_offering's second value."""
    if port == "storage":
        return manager.storage("zarr3").engine
    return type(manager.executor("threads"))


class ZarrEngine(ArrayStorageDefaults):
    """A zarr3 engine that declares its optional members through ArrayStorageDefaults; only names matter here."""

    data_format = "zarr3"

    def __init__(self, engine: str) -> None:
        self.engine = engine

    def create(self, path, info):
        raise NotImplementedError

    def open(self, path):
        raise NotImplementedError

    def exists(self, path) -> bool:
        return False


# --------------------------------------------------------------------------- capabilities with defaults


def test_capabilities_have_defaults_and_reject_values_of_the_wrong_type() -> None:
    assert StorageCapabilities() == StorageCapabilities(
        stores_shape=True, supports_compression=True, supports_extra_axes=True, voxel_types=None
    )
    assert ArrayStorageDefaults.capabilities == StorageCapabilities()
    assert ArrayStorageDefaults().prepare() is None
    assert StorageCapabilities(voxel_types=[np.dtype("uint8"), "uint16"]).voxel_types == ("uint8", "uint16")
    with pytest.raises(TypeError, match="stores_shape"):
        StorageCapabilities(stores_shape="no")


def test_builtin_storages_declare_their_capabilities() -> None:
    manager = PluginManager(load_entrypoints=False)
    for _, storage in manager.storages():
        assert isinstance(storage, ports.ArrayStorage)
        assert isinstance(storage.capabilities, StorageCapabilities)
    if "wkw" in manager.data_formats():
        assert manager.storage("wkw").capabilities == StorageCapabilities(stores_shape=False, supports_extra_axes=False)
    if "neuroglancerPrecomputed" in manager.data_formats():
        precomputed = manager.storage("neuroglancerPrecomputed").capabilities
        assert not precomputed.supports_extra_axes and "uint8" in precomputed.voxel_types


def test_a_storage_declaring_only_required_members_gets_the_ports_defaults(tmp_path) -> None:
    bare = BareStorage()
    manager = PluginManager(load_entrypoints=False)
    manager.register(storage_plugin(bare), name="bare-storage")
    storage = manager.storage("bare")
    assert isinstance(storage, ports.ArrayStorage)
    assert storage.capabilities == StorageCapabilities()
    assert storage.prepare() is None
    info = ArrayInfo(
        data_format="bare",
        num_channels=1,
        voxel_type="uint8",
        chunk_shape=(4, 4, 4),
        shard_shape=(4, 4, 4),
        compression_mode=False,
        shape=(1, 4, 4, 4),
    )
    array = storage.create(tmp_path / "a", info)
    array.write((0, 1, 1, 1), np.full((1, 2, 2, 2), 9, dtype=np.uint8))
    reopened = storage.open(tmp_path / "a")
    assert isinstance(reopened, ports.StoredArray)
    assert reopened.native is None
    assert int(reopened.read((0, 0, 0, 0), (1, 4, 4, 4)).sum()) == 9 * 8
    assert storage.exists(tmp_path / "a") and not storage.exists(tmp_path / "b")


def test_an_engine_that_fails_to_prepare_fails_when_the_layer_opens(tmp_path, installed) -> None:
    """``prepare_storage`` no longer swallows errors: a broken engine is reported at ``Dataset.open``."""
    dataset = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    dataset.add_layer("color", "color", dtype="uint8", data_format="zarr3").add_mag(1)

    class BrokenEngine(ZarrEngine):
        def prepare(self) -> None:
            raise ImportError("the broken-engine library is missing; pip install broken-engine")

    manager = installed(PluginManager(load_entrypoints=False))
    manager.register(storage_plugin(BrokenEngine("broken")), name="broken-engine")
    with pytest.raises(ImportError, match="broken-engine library is missing"):
        wk.Dataset.open(tmp_path / "ds")


# --------------------------------------------------------------------------- broken plugins, reported at load


class NoCreate:
    data_format = "nocreate"
    engine = "x"

    def open(self, path): ...

    def exists(self, path): ...


class WrongCapabilities(ZarrEngine):
    capabilities = {"stores_shape": False}


class OldImageReader:
    """An image reader written to the former port (``read(path)`` only, no ``info``)."""

    name = "old"
    suffixes = (".old",)

    def read(self, path): ...


class RaisingPlugin:
    @hookimpl
    def daedalus_executors(self):
        raise RuntimeError("cluster configuration not found")


class ReaderPlugin:
    @hookimpl
    def daedalus_image_readers(self):
        return [OldImageReader()]


BROKEN = [
    pytest.param(storage_plugin(NoCreate()), "daedalus_array_storages", "lacks create", id="missing-method"),
    pytest.param(storage_plugin(WrongCapabilities("w")), "daedalus_array_storages", "StorageCapabilities", id="caps"),
    pytest.param(RaisingPlugin(), "daedalus_executors", "raised RuntimeError: cluster configuration", id="raises"),
    pytest.param(ReaderPlugin(), "daedalus_image_readers", "lacks info of the ImageReader port", id="old-reader"),
    pytest.param(executor_plugin("threads", "not callable"), "daedalus_executors", "must be a callable", id="factory"),
]


@pytest.mark.parametrize(("plugin", "hook", "problem"), BROKEN)
def test_a_broken_plugin_registered_at_run_time_raises_naming_it(plugin, hook, problem) -> None:
    manager = PluginManager(load_entrypoints=False)
    with pytest.raises(PluginLoadError, match=f"plugin 'my-plugin' is broken: {hook}\\(\\).*{problem}") as raised:
        manager.register(plugin, name="my-plugin")
    assert raised.value.plugin_name == "my-plugin" and raised.value.hook_name == hook
    assert "my-plugin" not in manager.plugin_names()
    assert manager.executor("sequential") is not None  # the manager keeps working


def _module(name: str, plugin: object) -> types.ModuleType:
    """A module named ``name`` whose hook implementations are those of ``plugin`` (as a plugin module has)."""
    module = types.ModuleType(name)
    for attribute in ("daedalus_array_storages", "daedalus_executors", "daedalus_image_readers"):
        if hasattr(plugin, attribute):
            setattr(module, attribute, getattr(type(plugin), attribute).__get__(plugin))
    return module


@pytest.mark.parametrize(("plugin", "hook", "problem"), BROKEN)
def test_a_broken_builtin_plugin_is_skipped_with_a_warning_naming_it(monkeypatch, plugin, hook, problem) -> None:
    monkeypatch.setitem(sys.modules, "broken_builtin_plugin", _module("broken_builtin_plugin", plugin))
    monkeypatch.setattr(manager_module, "BUILTIN_PLUGINS", (*manager_module.BUILTIN_PLUGINS, "broken_builtin_plugin"))
    with pytest.warns(UserWarning, match=f"plugin broken_builtin_plugin failed to load and is skipped: .*{problem}"):
        manager = PluginManager(load_entrypoints=False)
    assert "broken_builtin_plugin" not in manager.plugin_names()
    assert hook in manager.failed_plugins["broken_builtin_plugin"]
    assert "daedalus.plugins.builtin_storage" in manager.plugin_names()


@pytest.mark.parametrize(("plugin", "hook", "problem"), BROKEN)
def test_a_broken_entry_point_plugin_is_skipped_with_a_warning_naming_it(monkeypatch, plugin, hook, problem) -> None:
    monkeypatch.setitem(sys.modules, "broken_ep_module", _module("broken_ep_module", plugin))
    entry_point = importlib.metadata.EntryPoint(name="broken-ep", value="broken_ep_module", group=ENTRYPOINT_GROUP)
    real = importlib.metadata.entry_points

    def entry_points(**selection):
        return [entry_point] if selection.get("group") == ENTRYPOINT_GROUP else real(**selection)

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)
    with pytest.warns(UserWarning, match=f"plugin broken-ep \\(broken_ep_module\\) failed to load .*{problem}"):
        manager = PluginManager()
    assert "broken-ep" not in manager.plugin_names()
    assert "broken-ep" in manager.failed_plugins


# --------------------------------------------------------------------------- one precedence rule, through pluggy


@pytest.mark.parametrize("port", ["storage", "executor"])
def test_precedence_is_the_same_for_storage_and_executors(port) -> None:
    manager = PluginManager(load_entrypoints=False)
    builtin = chosen(manager, port)

    early, early_choice = plugin_offering(port)
    late, late_choice = plugin_offering(port)
    manager.register(early, name="early")
    manager.register(late, name="late")
    assert chosen(manager, port) == late_choice  # a later-registered plugin overrides an earlier one

    manager.unregister("late")
    assert chosen(manager, port) == early_choice  # ... and a built-in one

    manager.unregister("early")
    modest, _ = plugin_offering(port, trylast=True)
    manager.register(modest, name="modest")
    assert chosen(manager, port) == builtin  # trylast keeps a later plugin behind the built-in

    first, first_choice = plugin_offering(port, tryfirst=True)
    manager.register(first, name="first")
    later, _ = plugin_offering(port)
    manager.register(later, name="later")
    assert chosen(manager, port) == first_choice  # tryfirst wins over a plugin registered after it


def test_hook_wrappers_see_and_change_the_combined_result() -> None:
    class ExtraEngine(ZarrEngine):
        pass

    class Wrapper:
        @hookimpl(wrapper=True)
        def daedalus_array_storages(self):
            offered = yield  # one list of adapters per plugin, in precedence order
            return [[ExtraEngine("wrapped")], *offered]

    manager = PluginManager(load_entrypoints=False)
    manager.register(Wrapper(), name="wrapper")
    assert manager.engines("zarr3")[0] == "wrapped"
    assert manager.storage("zarr3").engine == "wrapped"
    assert "wrapper" in manager.plugin_names()


# --------------------------------------------------------------------------- progress as a hook


class Recorder:
    """A ProgressReporter that records what it was told."""

    made: list[Recorder] = []

    def __init__(self, description: str, total: int) -> None:
        self.description, self.total, self.done, self.entered = description, total, 0, False
        Recorder.made.append(self)

    def __enter__(self) -> Recorder:
        self.entered = True
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def advance(self, steps: int = 1) -> None:
        self.done += steps


class RecordingProgressPlugin:
    @hookimpl
    def daedalus_progress_reporters(self):
        return {"recording": Recorder}


def test_a_progress_plugin_replaces_the_rich_bar_for_long_operations(tmp_path, installed) -> None:
    manager = installed(PluginManager(load_entrypoints=False))
    manager.register(RecordingProgressPlugin(), name="recording-progress")
    assert dict(manager.describe())["daedalus.plugins.builtin_progress"] == ["progress reporter rich"]
    Recorder.made.clear()
    layer = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1)).add_layer("color", "color", dtype="uint8")
    mag = layer.add_mag(1, compress=False)
    mag.write(np.ones((64, 64, 64), dtype=np.uint8), absolute_offset=(0, 0, 0), allow_resize=True)
    mag.compress()
    assert [r.description.split()[0] for r in Recorder.made] == ["Compressing"]
    assert Recorder.made[0].entered and Recorder.made[0].done == Recorder.made[0].total > 0
    assert int(layer.get_mag(1).read().sum()) == 64**3


def test_without_a_progress_plugin_progress_is_silent() -> None:
    manager = PluginManager(load_entrypoints=False, disabled=["daedalus.plugins.builtin_progress"])
    with manager.progress("Nothing to see", 3) as shown:
        shown.advance(3)
    assert isinstance(shown, ports.SilentProgress)
    assert isinstance(PluginManager(load_entrypoints=False).progress("x", 1), ports.ProgressReporter)
