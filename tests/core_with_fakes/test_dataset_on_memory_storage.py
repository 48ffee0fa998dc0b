"""Core against the fakes only: dataset create/write/read/downsample with the in-memory storage serving zarr3.

No built-in or entry-point storage, executor or image plugin is registered (daedalus.testing.use_fakes), so
every voxel goes through MemoryStorage and every task through the RecordingExecutor.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from daedalus.core import ports

import daedalus as wk
from daedalus.testing import MemoryStorage, NumpyImageWriter, use_fakes

pytestmark = pytest.mark.filterwarnings("ignore:.*chunk_shape.*is recommended")  # small chunks keep the test small


@pytest.fixture
def fakes():
    with use_fakes(("zarr3",)) as installed:
        yield installed


def test_only_the_fakes_serve_the_ports(fakes) -> None:
    assert isinstance(ports.resolve_storage("zarr3"), MemoryStorage)
    with pytest.raises(ValueError, match="wkw"):
        ports.resolve_storage("wkw")
    assert type(ports.resolve_executor("threads")).__name__ == "RecordingExecutor"


def test_write_and_read_a_layer(fakes, tmp_path) -> None:
    dataset = wk.Dataset(tmp_path / "ds", voxel_size=(11, 11, 24))
    layer = dataset.add_layer("color", wk.COLOR_CATEGORY, dtype="uint16", data_format="zarr3")
    mag = layer.add_mag(1, chunk_shape=8, shard_shape=16)
    data = np.random.default_rng(0).integers(0, 60000, size=(40, 24, 20), dtype="uint16")
    mag.write(data, absolute_offset=(3, 5, 7), allow_resize=True)

    assert layer.bounding_box == wk.BoundingBox((3, 5, 7), (40, 24, 20))
    np.testing.assert_array_equal(mag.read(absolute_offset=(3, 5, 7), size=(40, 24, 20))[0], data)
    storage = fakes.storages["zarr3"]
    stored = storage.open(mag.path)
    boxes = list(stored.list_bounding_boxes())
    assert boxes and all(shape[1:] == (16, 16, 16) for _, shape in boxes)

    reopened = wk.Dataset.open(tmp_path / "ds").get_layer("color").get_mag(1)
    np.testing.assert_array_equal(reopened.read(absolute_offset=(3, 5, 7), size=(40, 24, 20))[0], data)


def test_downsample_runs_on_the_fakes(fakes, tmp_path) -> None:
    dataset = wk.Dataset(tmp_path / "ds", voxel_size=(10, 10, 10))
    layer = dataset.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8", data_format="zarr3")
    mag1 = layer.add_mag(1, chunk_shape=8, shard_shape=16)
    blocks = np.random.default_rng(2).integers(0, 255, size=(8, 8, 8), dtype="uint8")
    data = blocks.repeat(4, axis=0).repeat(4, axis=1).repeat(4, axis=2)  # constant 4^3 blocks: every mode agrees
    mag1.write(data, absolute_offset=(0, 0, 0), allow_resize=True)

    executor = ports.resolve_executor("recording")
    layer.downsample(from_mag=wk.Mag(1), coarsest_mag=wk.Mag(4), sampling_mode="isotropic", executor=executor)

    assert sorted(layer.mags) == [wk.Mag(1), wk.Mag(2), wk.Mag(4)]
    np.testing.assert_array_equal(layer.get_mag(2).read()[0], data[::2, ::2, ::2])
    np.testing.assert_array_equal(layer.get_mag(4).read()[0], data[::4, ::4, ::4])
    assert set(fakes.storages["zarr3"].paths()) >= {str(layer.get_mag(m).path).rstrip("/") for m in (1, 2, 4)}
    assert executor in fakes.executors and len(executor.calls) >= 2  # at least one task per target mag


def test_image_import_reads_through_the_fake_reader(fakes, tmp_path) -> None:
    folder = tmp_path / "images"
    folder.mkdir()
    slices = np.random.default_rng(1).integers(0, 255, size=(3, 20, 12, 1), dtype="uint8")
    writer = NumpyImageWriter()
    for z, image in enumerate(slices):
        writer.write(folder / f"slice_{z:02}.npy", image)

    dataset = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    layer = dataset.add_layer_from_images(folder, layer_name="color", data_format="zarr3", chunk_shape=8)

    assert layer.bounding_box.size == wk.Vec3Int(20, 12, 3)
    np.testing.assert_array_equal(layer.get_finest_mag().read()[0], np.moveaxis(slices[..., 0], 0, -1))


def test_no_adapter_library_is_imported(tmp_path) -> None:
    """A whole write/read/downsample on the fakes imports none of the storage or image libraries."""
    script = f"""
import sys
import subprocess
import sys

import numpy as np
import daedalus as wk
from daedalus.testing import use_fakes

with use_fakes(("zarr3",)):
    layer = wk.Dataset({str(tmp_path / "ds")!r}, voxel_size=(1, 1, 1)).add_layer("color", "color", data_format="zarr3")
    layer.add_mag(1, chunk_shape=32, shard_shape=64).write(np.ones((64, 64, 64), "uint8"), allow_resize=True)
    layer.downsample(coarsest_mag=wk.Mag(2))
    assert layer.get_mag(2).read().sum() == 32 ** 3
loaded = [m for m in ("tensorstore", "zarr", "wkw", "h5py", "tifffile", "PIL") if m in sys.modules]
print("loaded:", loaded)
"""
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    assert "loaded: []" in completed.stdout
