"""The attachment storage adapters (zarr3, hdf5, json) round-trip arrays and attributes through the port."""

from __future__ import annotations

import numpy as np
import pytest
from daedalus.core.ports import resolve_attachment_storage

ARRAYS = {"ids": np.array([0, 5, 7], dtype=np.uint64), "pairs": np.array([[1, 2], [3, 4]], dtype=np.uint32)}
ATTRIBUTES = {"voxelytics": {"artifact_schema_version": 4}, "label": "x"}


@pytest.mark.parametrize(("data_format", "name"), [("zarr3", "group"), ("hdf5", "file.hdf5"), ("json", "file.json")])
def test_round_trip(tmp_path, data_format, name):
    storage = resolve_attachment_storage(data_format)
    path = tmp_path / name
    storage.write_arrays(path, ARRAYS, ATTRIBUTES)
    for key, expected in ARRAYS.items():
        np.testing.assert_array_equal(storage.read_array(path, key), expected)
    listed = storage.list_arrays(path)
    assert {k: v[0] for k, v in listed.items()} == {"ids": (3,), "pairs": (2, 2)}
    if data_format != "json":  # JSON keeps values, not dtypes
        assert {k: v[1] for k, v in listed.items()} == {"ids": np.uint64, "pairs": np.uint32}
    assert storage.read_attributes(path) == ATTRIBUTES
    with pytest.raises(FileExistsError):
        storage.write_arrays(path, ARRAYS, {})
    with pytest.raises(KeyError, match="nope"):
        storage.read_array(path, "nope")
    with pytest.raises(FileNotFoundError, match="missing"):
        storage.list_arrays(tmp_path / "missing")
