"""Contract suite of the AttachmentStorage port, run against every attachment storage the plugins offer.

Attachments (agglomerates, meshes, ...) are named arrays plus attributes, written once and read many times.
Run it with ``python -m pytest --pyargs daedalus.testing.contract.test_attachment_storage -k <data_format>``.
"""

from __future__ import annotations

import numpy as np
import pytest
from upath import UPath

from daedalus.core.ports import AttachmentStorage

from .adapters import attachment_params

ATTRIBUTES = {"name": "agglomerate_view_5", "version": 2, "scale": 0.5}


@pytest.fixture(params=attachment_params())
def storage(request):
    return request.param


def sample_arrays() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {
        "segment_to_agglomerate": rng.integers(0, 2**40, size=1000, dtype="uint64"),
        "agglomerate_to_edges": rng.integers(0, 1000, size=(300, 2), dtype="int64"),
        "affinities": rng.random(300, dtype="float32"),
    }


def attachment_path(tmp_path) -> UPath:
    return UPath(tmp_path / "agglomerates" / "agglomerate_view_5")


@pytest.fixture
def written(storage, tmp_path):
    """``(path, arrays)`` of an attachment just written with ``sample_arrays()`` and ``ATTRIBUTES``."""
    path = attachment_path(tmp_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = sample_arrays()
    storage.write_arrays(path, arrays, dict(ATTRIBUTES))
    return path, arrays


def test_adapter_implements_the_port(storage) -> None:
    assert isinstance(storage, AttachmentStorage)
    assert isinstance(storage.data_format, str) and storage.data_format


def test_arrays_round_trip(storage, written) -> None:
    path, arrays = written
    for key, expected in arrays.items():
        result = storage.read_array(path, key)
        assert result.shape == expected.shape, key
        assert result.dtype.kind == expected.dtype.kind or {result.dtype.kind, expected.dtype.kind} <= {"i", "u"}
        np.testing.assert_array_equal(result, expected, err_msg=key)


def test_list_arrays_names_every_array_with_its_shape(storage, written) -> None:
    path, arrays = written
    listed = storage.list_arrays(path)
    assert set(listed) == set(arrays)
    for key, (shape, dtype) in listed.items():
        assert tuple(shape) == arrays[key].shape, key
        assert isinstance(np.dtype(dtype), np.dtype)


def test_attributes_round_trip(storage, written) -> None:
    path, _ = written
    assert {k: v for k, v in storage.read_attributes(path).items() if k in ATTRIBUTES} == ATTRIBUTES


def test_missing_attachment_raises_file_not_found(storage, tmp_path) -> None:
    path = UPath(tmp_path / "nothing-here")
    with pytest.raises(FileNotFoundError, match="nothing-here"):
        storage.list_arrays(path)
    with pytest.raises(FileNotFoundError):
        storage.read_array(path, "segment_to_agglomerate")
    with pytest.raises(FileNotFoundError):
        storage.read_attributes(path)


def test_unknown_array_raises_key_error(storage, written) -> None:
    path, _ = written
    with pytest.raises(KeyError, match="no_such_array"):
        storage.read_array(path, "no_such_array")


def test_writing_over_an_attachment_is_refused(storage, written) -> None:
    path, arrays = written
    with pytest.raises(FileExistsError):
        storage.write_arrays(path, {"other": np.zeros(3, dtype="uint8")}, {})
    np.testing.assert_array_equal(storage.read_array(path, "affinities"), arrays["affinities"])
