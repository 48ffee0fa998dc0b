"""use_fakes() swaps the registry core asks for the block only, and can keep the built-ins beside the fakes."""

from __future__ import annotations

import numpy as np
import pytest
from daedalus.core import ports
from daedalus.core.array_info import ArrayInfo

from daedalus.testing import MemoryStorage, RecordingExecutor, use_fake_storage, use_fakes


def test_the_previous_registry_is_restored() -> None:
    before = ports.current_registry()
    with use_fake_storage("zarr3") as storage:
        assert ports.resolve_storage("zarr3") is storage
    assert ports.current_registry() is before
    assert not isinstance(ports.resolve_storage("zarr3"), MemoryStorage)


def test_builtins_stay_beside_the_fakes_when_asked() -> None:
    with use_fakes(("zarr3",), builtins=True) as fakes:
        assert ports.resolve_storage("zarr3") is fakes.storages["zarr3"]  # registered later: it wins
        assert ports.resolve_storage("wkw").data_format == "wkw"


def test_the_recording_executor_records_every_task() -> None:
    with use_fakes() as fakes:
        executor = ports.resolve_executor("threads", max_workers=3)
        assert isinstance(executor, RecordingExecutor) and executor.max_workers == 3
        assert [f.result() for f in executor.map_to_futures(abs, [-1, -2])] == [1, 2]
        with pytest.raises(ZeroDivisionError):
            executor.submit(divmod, 1, 0).result()
    assert fakes.executors == [executor]
    assert [(call.fn, call.args, call.raised) for call in executor.calls] == [
        (abs, (-1,), False),
        (abs, (-2,), False),
        (divmod, (1, 0), True),
    ]


def test_memory_arrays_are_shared_between_opens_and_reject_bad_infos(tmp_path) -> None:
    storage = MemoryStorage("zarr3")
    info = ArrayInfo("zarr3", 1, "uint8", (8, 8, 8), (16, 16, 16), True, shape=(1, 16, 16, 16))
    storage.create(tmp_path / "a", info).write((0, 0, 0, 0), np.full((1, 2, 2, 2), 9, dtype="uint8"))
    assert storage.open(tmp_path / "a").read((0, 0, 0, 0), (1, 2, 2, 2)).min() == 9
    bad = ArrayInfo("zarr3", 1, "uint8", (8, 8, 8), (12, 12, 12), True, shape=(1, 16, 16, 16))
    with pytest.raises(ValueError, match="multiple of the chunk shape"):
        storage.create(tmp_path / "b", bad)


def test_a_registry_replaced_inside_the_block_is_reported() -> None:
    with pytest.raises(RuntimeError, match="replaced inside use_fakes"):
        with use_fakes():
            ports.install_registry(None)  # what a first get_plugin_manager() in the block would do, in effect
    assert not isinstance(ports.resolve_storage("zarr3"), MemoryStorage)
