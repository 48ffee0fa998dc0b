"""Plugin discovery: the entry-point plugin tests/plugin_npy, blocking, engine choice and executors."""

from __future__ import annotations

import importlib
import importlib.metadata

import numpy as np
import pytest
from daedalus.core import ports
from daedalus.plugins import PluginManager, UnknownAdapterError, hookimpl

NPY_DISTRIBUTION = "daedalus-npy-storage"
NPY_PLUGIN = "npy"  # the entry-point name, which is also the plugin's name in the manager
BUILTIN_PLUGINS = (
    "daedalus.plugins.builtin_storage",
    "daedalus.plugins.builtin_executors",
    "daedalus.plugins.builtin_cli",
)


def _npy_plugin_installed() -> bool:
    try:
        importlib.metadata.distribution(NPY_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


requires_npy_plugin = pytest.mark.skipif(
    not _npy_plugin_installed(),
    reason=f"the entry-point plugin {NPY_DISTRIBUTION} is not installed; run `pip install tests/plugin_npy` "
    "(the root conftest.py does this automatically unless pip failed)",
)


@pytest.fixture(autouse=True)
def _no_plugin_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts without the DAEDALUS_* variables that steer plugin loading."""
    for variable in ("DAEDALUS_LOAD_ENTRYPOINTS", "DAEDALUS_DISABLE_PLUGINS", "DAEDALUS_ENGINES"):
        monkeypatch.delenv(variable, raising=False)


class FakeZarr3Storage(ports.ArrayStorageDefaults):
    """A stand-in zarr3 engine; only its names matter for engine selection."""

    data_format = "zarr3"

    def __init__(self, engine: str) -> None:
        self.engine = engine

    def create(self, path, info):
        raise NotImplementedError

    def open(self, path):
        raise NotImplementedError

    def exists(self, path):
        return False


class FakeZarr3Plugin:
    """A plugin object registered at run time that offers one fake zarr3 engine."""

    def __init__(self, engine: str = "fake") -> None:
        self.storage = FakeZarr3Storage(engine)

    @hookimpl
    def daedalus_array_storages(self):
        return [self.storage]


class AlternativeZarr3Plugin(FakeZarr3Plugin):
    """Offers a zarr3 engine only as an alternative: ``trylast`` keeps it behind the built-in default."""

    @hookimpl(trylast=True)
    def daedalus_array_storages(self):
        return [self.storage]


def _builtin_zarr3_importable() -> bool:
    try:
        importlib.import_module("daedalus.adapters.tensorstore_zarr")
    except ImportError:
        return False
    return True


# --------------------------------------------------------------------------- (a) discovery


@requires_npy_plugin
def test_entry_point_plugin_is_discovered() -> None:
    manager = PluginManager()
    names = manager.plugin_names()
    assert NPY_PLUGIN in names
    assert names[: len(BUILTIN_PLUGINS)] == list(BUILTIN_PLUGINS)
    assert manager.pluggy_manager.get_plugin(NPY_PLUGIN).__name__ == "daedalus_npy_storage.plugin"
    storage = manager.storage("npy")
    assert storage.engine == "npy-files"
    assert storage.data_format == "npy"
    assert isinstance(storage, ports.ArrayStorage)
    assert "npy" in manager.data_formats()
    assert manager.engines("npy") == ["npy-files"]
    assert dict(manager.describe())[NPY_PLUGIN] == ["storage npy (npy-files)"]


@requires_npy_plugin
def test_entry_point_storage_round_trip(tmp_path) -> None:
    from daedalus.core.array_info import ArrayInfo

    storage = PluginManager().storage("npy")
    info = ArrayInfo(
        data_format="npy",
        num_channels=1,
        voxel_type="uint8",
        chunk_shape=(4, 4, 4),
        shard_shape=(4, 4, 4),
        compression_mode=False,
        shape=(1, 10, 6, 5),
    )
    array = storage.create(tmp_path / "array", info)
    assert isinstance(array, ports.StoredArray)
    data = np.arange(1 * 5 * 3 * 2, dtype=np.uint8).reshape(1, 5, 3, 2)
    array.write((0, 3, 2, 1), data)
    reopened = storage.open(str(tmp_path / "array"))
    assert reopened.info.shape == (1, 10, 6, 5)
    assert reopened.info.data_format == "npy"
    np.testing.assert_array_equal(reopened.read((0, 3, 2, 1), (1, 5, 3, 2)), data)
    assert reopened.read((0, 0, 0, 0), (1, 3, 6, 5)).sum() == 0
    assert storage.exists(tmp_path / "array") and not storage.exists(tmp_path / "elsewhere")


# --------------------------------------------------------------------------- (b, c) not loading it


def _without_entrypoints_argument(monkeypatch: pytest.MonkeyPatch) -> PluginManager:
    return PluginManager(load_entrypoints=False)


def _without_entrypoints_env_0(monkeypatch: pytest.MonkeyPatch) -> PluginManager:
    monkeypatch.setenv("DAEDALUS_LOAD_ENTRYPOINTS", "0")
    return PluginManager()


def _without_entrypoints_env_false(monkeypatch: pytest.MonkeyPatch) -> PluginManager:
    monkeypatch.setenv("DAEDALUS_LOAD_ENTRYPOINTS", "False")
    return PluginManager()


def _disabled_by_env(monkeypatch: pytest.MonkeyPatch) -> PluginManager:
    monkeypatch.setenv("DAEDALUS_DISABLE_PLUGINS", f"some-other-plugin, {NPY_PLUGIN}")
    return PluginManager()


def _disabled_by_argument(monkeypatch: pytest.MonkeyPatch) -> PluginManager:
    return PluginManager(disabled=[NPY_PLUGIN])


@requires_npy_plugin
@pytest.mark.parametrize(
    "make_manager",
    [
        _without_entrypoints_argument,
        _without_entrypoints_env_0,
        _without_entrypoints_env_false,
        _disabled_by_env,
        _disabled_by_argument,
    ],
)
def test_entry_point_plugin_can_be_kept_out(monkeypatch: pytest.MonkeyPatch, make_manager) -> None:
    manager = make_manager(monkeypatch)
    assert NPY_PLUGIN not in manager.plugin_names()
    assert set(BUILTIN_PLUGINS) <= set(manager.plugin_names())
    assert "npy" not in manager.data_formats()
    with pytest.raises(UnknownAdapterError) as raised:
        manager.storage("npy")
    message = str(raised.value)
    assert "'npy'" in message
    assert "available formats" in message
    for data_format in manager.data_formats():
        assert data_format in message
    if not manager.data_formats():
        assert "none" in message


def test_unknown_format_error_lists_available_formats() -> None:
    manager = PluginManager(load_entrypoints=False)
    manager.register(FakeZarr3Plugin(), name="fake-zarr3")
    with pytest.raises(UnknownAdapterError, match=r"'no-such-format'.*available formats: .*zarr3"):
        manager.storage("no-such-format")


def test_blocking_applies_to_one_manager_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocking lives in the manager instance, not in the process: a new default manager loads it again."""
    blocked = PluginManager(disabled=[NPY_PLUGIN])
    assert NPY_PLUGIN not in blocked.plugin_names()
    if _npy_plugin_installed():
        assert NPY_PLUGIN in PluginManager().plugin_names()


# --------------------------------------------------------------------------- (d) engine choice


def _manager_with_fake_zarr3(engine: str = "fake") -> PluginManager:
    manager = PluginManager(load_entrypoints=False)
    manager.register(FakeZarr3Plugin(engine), name=f"fake-zarr3-{engine}")
    return manager


def test_set_engine_picks_the_runtime_registered_engine() -> None:
    manager = _manager_with_fake_zarr3()
    assert "fake" in manager.engines("zarr3")
    manager.set_engine("zarr3", "fake")
    assert manager.storage("zarr3").engine == "fake"
    assert isinstance(manager.storage("zarr3"), FakeZarr3Storage)
    manager.set_engine("zarr3", None)
    assert manager.storage("zarr3").engine == manager.engines("zarr3")[0] == "fake"


def test_engine_argument_overrides_the_choice() -> None:
    manager = _manager_with_fake_zarr3()
    manager.register(FakeZarr3Plugin("other"), name="fake-zarr3-other")
    manager.set_engine("zarr3", "fake")
    assert manager.storage("zarr3", engine="other").engine == "other"


def test_env_engines_picks_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAEDALUS_ENGINES", "zarr3=fake, npy=npy-files")
    manager = _manager_with_fake_zarr3()
    assert manager.storage("zarr3").engine == "fake"


def test_env_engines_rejects_malformed_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAEDALUS_ENGINES", "zarr3")
    with pytest.raises(ValueError, match="DAEDALUS_ENGINES"):
        PluginManager(load_entrypoints=False)


def test_unknown_engine_lists_the_available_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    manager = _manager_with_fake_zarr3()
    with pytest.raises(UnknownAdapterError, match=r"'no-such-engine'.*available: .*'fake'"):
        manager.set_engine("zarr3", "no-such-engine")
    with pytest.raises(UnknownAdapterError, match=r"'no-such-engine'.*available engines: .*fake"):
        manager.storage("zarr3", engine="no-such-engine")

    monkeypatch.setenv("DAEDALUS_ENGINES", "zarr3=no-such-engine")
    from_env = _manager_with_fake_zarr3()
    with pytest.raises(UnknownAdapterError, match=r"'no-such-engine'.*available engines: .*fake"):
        from_env.storage("zarr3")


def test_unregistering_removes_the_engine() -> None:
    manager = _manager_with_fake_zarr3()
    assert "fake" in manager.engines("zarr3")
    manager.unregister("fake-zarr3-fake")
    assert "fake" not in manager.engines("zarr3")


def test_a_later_plugin_becomes_the_default_engine_and_trylast_keeps_it_behind() -> None:
    """One rule for storage as for every port: the later plugin wins, unless its hook is ``trylast``."""
    manager = _manager_with_fake_zarr3("fake")
    manager.register(FakeZarr3Plugin("fake-late"), name="fake-zarr3-late")
    assert manager.engines("zarr3")[:2] == ["fake-late", "fake"]
    assert manager.storage("zarr3").engine == "fake-late"

    behind = PluginManager(load_entrypoints=False)
    builtin_engines = behind.engines("zarr3")
    behind.register(AlternativeZarr3Plugin("alternative"), name="alternative-zarr3")
    assert behind.engines("zarr3") == [*builtin_engines, "alternative"]
    assert behind.storage("zarr3").engine == (builtin_engines or ["alternative"])[0]
    behind.set_engine("zarr3", "alternative")
    assert behind.storage("zarr3").engine == "alternative"
    if not _builtin_zarr3_importable():
        pytest.skip("the built-in zarr3 adapter (daedalus.adapters.tensorstore_zarr) is not importable")
    assert builtin_engines[0] == "tensorstore"  # within the built-in plugin, its first zarr3 engine is the default


def test_later_plugin_overrides_a_named_executor() -> None:
    """For named adapters (executors, readers, ...) the plugin registered last wins over a built-in one."""

    class OverridingThreads:
        def __init__(self, **kwargs) -> None:
            self.kwargs = kwargs

    class ThreadsOverridePlugin:
        @hookimpl
        def daedalus_executors(self):
            return {"threads": OverridingThreads}

    manager = PluginManager(load_entrypoints=False)
    manager.register(ThreadsOverridePlugin(), name="threads-override")
    executor = manager.executor("threads", max_workers=3)
    assert isinstance(executor, OverridingThreads)
    assert executor.kwargs == {"max_workers": 3}


# --------------------------------------------------------------------------- (e) executors


def test_unknown_executor_lists_the_available_ones() -> None:
    manager = PluginManager(load_entrypoints=False)
    with pytest.raises(UnknownAdapterError) as raised:
        manager.executor("no-such-executor")
    message = str(raised.value)
    assert "'no-such-executor'" in message
    for name in ("sequential", "threads", "multiprocessing"):
        assert name in message
    assert {"sequential", "threads", "multiprocessing"} <= set(manager.executor_names())


@pytest.mark.parametrize("name", ["sequential", "threads"])
def test_local_executors_run_work(name: str) -> None:
    executor = PluginManager(load_entrypoints=False).executor(name, max_workers=2)
    assert isinstance(executor, ports.Executor)
    try:
        assert executor.submit(pow, 2, 5).result() == 32
        futures = executor.map_to_futures(abs, [-1, -2, -3])
        assert [future.result() for future in futures] == [1, 2, 3]
        assert list(executor.map(max, [1, 5], [4, 2])) == [4, 5]
    finally:
        executor.shutdown()


def test_thread_executor_honours_max_workers() -> None:
    executor = PluginManager(load_entrypoints=False).executor("threads", max_workers=2)
    try:
        assert executor._max_workers == 2
    finally:
        executor.shutdown()
