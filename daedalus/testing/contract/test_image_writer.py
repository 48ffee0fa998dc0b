"""Contract suite of the ImageWriter port, run against every image writer the plugins offer.

What a writer writes is read back with a registered ImageReader of the same suffix (skipped, with the reason,
when there is none). Run it with ``python -m pytest --pyargs daedalus.testing.contract.test_image_writer -k <name>``.
"""

from __future__ import annotations

import numpy as np
import pytest

from daedalus.core.ports import ImageWriter

from .adapters import hook_results, image_writer_params

OME_SUFFIXES = (".tif", ".tiff", ".ome.tif", ".ome.tiff")


@pytest.fixture(params=image_writer_params())
def writer(request):
    return request.param


def reader_for(writer):
    """``(suffix, reader)``: a registered ImageReader of one of ``writer``'s suffixes, or a skip naming why."""
    from ..numpy_images import NumpyImageReader

    readers = [*hook_results("daedalus_image_readers"), NumpyImageReader()]
    for suffix in writer.suffixes:
        for reader in readers:
            if suffix.lower() in [s.lower() for s in reader.suffixes]:
                return suffix, reader
    pytest.skip(f"no registered image reader reads {'/'.join(writer.suffixes)} files to check {writer!r}")


def _image(shape, dtype="uint8", seed=0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 255, size=shape, dtype=dtype)


def test_writer_implements_the_port(writer) -> None:
    assert isinstance(writer, ImageWriter)
    assert isinstance(writer.name, str) and writer.name
    assert writer.suffixes and all(s.startswith(".") and s == s.lower() for s in writer.suffixes)


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("channels", [1, 3])
def test_image_round_trips(writer, tmp_path, channels, compress) -> None:
    suffix, reader = reader_for(writer)
    image = _image((17, 9, channels), seed=channels)
    path = tmp_path / f"image{suffix}"
    writer.write(path, image, compress=compress)
    assert tuple(reader.info(path)[0]) == (17, 9, 1, channels)
    np.testing.assert_array_equal(reader.read(path)[:, :, 0, :], image)


def test_uint16_image_round_trips(writer, tmp_path) -> None:
    suffix, reader = reader_for(writer)
    image = _image((8, 12, 1), dtype="uint16") * 257
    path = tmp_path / f"image{suffix}"
    writer.write(path, image)
    result = reader.read(path)
    assert result.dtype == np.uint16
    np.testing.assert_array_equal(result[:, :, 0, :], image)


def test_write_replaces_an_existing_file(writer, tmp_path) -> None:
    suffix, reader = reader_for(writer)
    path = tmp_path / f"image{suffix}"
    writer.write(path, _image((20, 20, 1), seed=1))
    second = _image((5, 4, 1), seed=2)
    writer.write(path, second)
    np.testing.assert_array_equal(reader.read(path)[:, :, 0, :], second)


def test_ome_tiff_full_resolution_level_reads_back(writer, tmp_path) -> None:
    if not set(OME_SUFFIXES) & set(writer.suffixes):
        pytest.skip(f"{writer!r} writes no TIFF, so it needs no OME-TIFF export")
    suffix, reader = reader_for(writer)
    volume = _image((4, 16, 12), dtype="uint16")  # z, y, x
    levels = [volume, volume[:, ::2, ::2]]
    path = tmp_path / f"volume{suffix}"
    writer.write_ome_tiff(path, levels, axes="ZYX", physical_size={"x": (11.0, "nm"), "y": (11.0, "nm")})
    np.testing.assert_array_equal(reader.read(path)[..., 0], np.transpose(volume, (2, 1, 0)))
