"""Opening a dataset loads the storage engine its layers need, and only that one."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np

import daedalus as wk

_PROBE = """
import json, sys
import daedalus as wk
before = "daedalus.adapters.tensorstore_zarr" in sys.modules
ds = wk.Dataset.open(sys.argv[1])
print(json.dumps({
    "before_open": before,
    "after_open": "daedalus.adapters.tensorstore_zarr" in sys.modules,
    "zarr_python": "zarr" in sys.modules,
    "wkw": "wkw" in sys.modules,
}))
"""


def test_opening_loads_only_the_engine_of_its_layers(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    layer = ds.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=wk.BoundingBox((0, 0, 0), (8, 8, 8)))
    layer.add_mag(1).write(np.ones((8, 8, 8), np.uint8), absolute_offset=(0, 0, 0))
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, str(tmp_path / "ds")], capture_output=True, text=True, check=True
    )
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded == {"before_open": False, "after_open": True, "zarr_python": False, "wkw": False}


_OPEN_WITHOUT_ENGINES = """
import sys
import daedalus as wk
ds = wk.Dataset.open(sys.argv[1])  # opening does not need the engine
mag = ds.get_layer("color").get_mag(1)
try:
    mag.read()
except Exception as error:
    print(type(error).__name__, error)
"""


def test_a_layer_whose_engine_is_missing_opens_and_fails_on_first_read(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    layer = ds.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=wk.BoundingBox((0, 0, 0), (8, 8, 8)))
    layer.add_mag(1)
    env = dict(os.environ, DAEDALUS_DISABLE_PLUGINS="daedalus.plugins.builtin_storage")
    result = subprocess.run(
        [sys.executable, "-c", _OPEN_WITHOUT_ENGINES, str(tmp_path / "ds")],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    assert "UnknownAdapterError" in result.stdout and "'zarr3'" in result.stdout, result.stdout + result.stderr
