"""Contract suite of the ImageReader port, run against every image reader the plugins offer.

Readers return ``(x, y, z, c)`` arrays: columns are x, rows y, pages z, samples c. Sample files are made with a
registered ImageWriter of the reader's suffix, or the format's own library (tifffile, Pillow, mrcfile); a reader
for which none can make a file is skipped with the reason. Run it with
``python -m pytest --pyargs daedalus.testing.contract.test_image_reader -k <reader name>``.
"""

from __future__ import annotations

import numpy as np
import pytest

from daedalus.core.ports import ImageReader

from .adapters import hook_results, image_reader_params
from .image_samples import write_image, write_stack


@pytest.fixture(params=image_reader_params())
def reader(request):
    return request.param


def _image(shape, seed=0, dtype="uint8") -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 255, size=shape, dtype=dtype)


def sample_dtype(reader) -> str:
    """uint8, or int16 for MRC readers (MRC stores no uint8: mrcfile would widen it)."""
    return "int16" if ".mrc" in reader.suffixes else "uint8"


def sample(reader, tmp_path, image: np.ndarray):
    """A file of ``reader``'s format holding the ``(x, y, c)`` ``image``, or a skip naming why there is none."""
    writers = hook_results("daedalus_image_writers")
    for suffix in reader.suffixes:
        path = tmp_path / f"sample{suffix}"
        if write_image(path, image, writers):
            return path
    pytest.skip(f"no writer or library here makes a {'/'.join(reader.suffixes)} file for {reader!r}")


def stack(reader, tmp_path, volume: np.ndarray):
    """A multi-page file of ``reader``'s format holding the ``(x, y, z, c)`` ``volume``, or a skip naming why."""
    for suffix in reader.suffixes:
        path = tmp_path / f"stack{suffix}"
        if write_stack(path, volume):
            return path
    pytest.skip(f"{reader!r} reads {'/'.join(reader.suffixes)}, which has no multi-page form this suite can write")


def test_reader_implements_the_port(reader) -> None:
    assert isinstance(reader, ImageReader)
    assert isinstance(reader.name, str) and reader.name
    assert reader.suffixes and all(s.startswith(".") and s == s.lower() for s in reader.suffixes)


def test_grayscale_image_round_trips(reader, tmp_path) -> None:
    image = _image((13, 7, 1), dtype=sample_dtype(reader))
    path = sample(reader, tmp_path, image)
    shape, dtype = reader.info(path)
    assert tuple(shape) == (13, 7, 1, 1) and np.dtype(dtype) == image.dtype
    result = reader.read(path)
    assert result.shape == (13, 7, 1, 1) and result.dtype == image.dtype
    np.testing.assert_array_equal(result[:, :, 0, :], image)


def test_rgb_image_round_trips(reader, tmp_path) -> None:
    if ".mrc" in reader.suffixes:
        pytest.skip("MRC volumes have one channel")
    image = _image((9, 11, 3), seed=1)
    path = sample(reader, tmp_path, image)
    assert tuple(reader.info(path)[0]) == (9, 11, 1, 3)
    np.testing.assert_array_equal(reader.read(path)[:, :, 0, :], image)


def test_stack_reads_every_page_and_page_ranges(reader, tmp_path) -> None:
    volume = _image((10, 6, 5, 1), seed=2, dtype=sample_dtype(reader))
    path = stack(reader, tmp_path, volume)
    assert tuple(reader.info(path)[0]) == (10, 6, 5, 1)
    np.testing.assert_array_equal(reader.read(path), volume)
    np.testing.assert_array_equal(reader.read(path, 1, 3), volume[:, :, 1:3])
    np.testing.assert_array_equal(reader.read(path, 4), volume[:, :, 4:])


def test_missing_file_raises_os_error(reader, tmp_path) -> None:
    with pytest.raises(OSError):
        reader.info(tmp_path / f"missing{reader.suffixes[0]}")


def test_damaged_file_raises(reader, tmp_path) -> None:
    path = tmp_path / f"damaged{reader.suffixes[0]}"
    path.write_bytes(b"\x00\x01 not an image \xff" * 3)
    with pytest.raises(Exception):  # noqa: B017 - any error, but never garbage pixels: core reports it with the path
        reader.read(path)
