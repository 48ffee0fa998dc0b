"""Hostile ``header.wkw`` files are refused with a ValueError naming the file and field, never handed to wkw.

The ``wkw`` library trusts its header: one claiming 2^12 blocks per file axis makes it allocate a 512 GiB
block table and abort the whole process. The cases that could kill the process run in a subprocess.
"""

from __future__ import annotations

import io
import os
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import daedalus as wk

HOSTILE = bytes.fromhex("574b5701c2020202d000000000000000")
"""16 bytes claiming 4096 blocks per file edge (the 512 GiB allocation of issue 16)."""
GENUINE = bytes.fromhex("574b5701150303040000000000000000")
"""What the WEBKNOSSOS Python library writes for a compressed uint32 layer (32³ blocks, 2 per file edge)."""
FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures"


def _header(
    magic: bytes = b"WKW",
    version: int = 1,
    lengths: int = 0x15,
    block_type: int = 3,
    voxel_type: int = 3,
    voxel_size: int = 4,
    data_offset: int = 0,
) -> bytes:
    return struct.pack("<3sBBBBBQ", magic, version, lengths, block_type, voxel_type, voxel_size, data_offset)


def _layer_folder(root: Path, header: bytes) -> Path:
    mag = root / "seg" / "1"
    mag.mkdir(parents=True)
    (mag / "header.wkw").write_bytes(header)
    return mag


def _add_existing(root: Path) -> wk.Layer:
    dataset = wk.Dataset(root, voxel_size=(1, 1, 1), exist_ok=True)
    return dataset.add_layer_for_existing_files("seg", "segmentation", data_format="wkw")


_IN_SUBPROCESS = """
import sys, shutil
from pathlib import Path
import daedalus as wk
root = Path(sys.argv[1])
mag = root / "seg" / "1"
mag.mkdir(parents=True)
(mag / "header.wkw").write_bytes(bytes.fromhex(sys.argv[2]))
dataset = wk.Dataset(root, voxel_size=(1, 1, 1), exist_ok=True)
try:
    dataset.add_layer_for_existing_files("seg", "segmentation", data_format="wkw")
except ValueError as error:
    print("refused:", error)
"""


def test_hostile_header_is_refused_not_allocated(tmp_path):
    """The header of issue 16 gives a ValueError naming the file and field, in a process that stays alive."""
    result = subprocess.run(
        [sys.executable, "-c", _IN_SUBPROCESS, str(tmp_path / "ds"), HOSTILE.hex()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"process died ({result.returncode}): {result.stderr[-2000:]}"
    assert "refused:" in result.stdout
    assert str(tmp_path / "ds" / "seg" / "1" / "header.wkw") in result.stdout
    assert "file length" in result.stdout


@pytest.mark.parametrize(
    ("header", "field"),
    [
        (b"WKW\x01\x15", "length"),
        (_header(magic=b"WKX"), "magic"),
        (_header(version=2), "version"),
        (_header(lengths=0x0C), "block length"),
        (_header(lengths=0x85), "file length"),
        (_header(block_type=0), "block type"),
        (_header(block_type=4), "block type"),
        (_header(voxel_type=0), "voxel type"),
        (_header(voxel_type=11), "voxel type"),
        (_header(voxel_size=0), "voxel size"),
        (_header(voxel_type=3, voxel_size=6), "voxel size"),
        (_header(lengths=0x07, voxel_type=4, voxel_size=248), "block length and voxel size"),
        (_header(data_offset=0xD0), "data offset"),
        (_header() + b"\0", "length"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_invalid_header_fields_are_named(tmp_path, header, field):
    mag = _layer_folder(tmp_path / "ds", header)
    with pytest.raises(ValueError, match="Invalid WKW header") as info:
        _add_existing(tmp_path / "ds")
    assert str(mag / "header.wkw") in str(info.value)
    assert field in str(info.value)


def test_hostile_header_inside_annotation_zip_is_refused(tmp_path):
    """A WKW volume in an annotation zip goes through the same check when its data is opened."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as inner:
        inner.writestr("1/header.wkw", HOSTILE)
        inner.writestr("1/z0/y0/x0.wkw", HOSTILE + bytes(64))
    nml = (
        '<things><parameters><experiment name="ds"/><scale x="1" y="1" z="1"/></parameters>'
        '<volume id="0" name="Volume" location="data_Volume.zip" format="wkw"/></things>'
    )
    path = tmp_path / "hostile.zip"
    with zipfile.ZipFile(path, "w") as outer:
        outer.writestr("hostile.nml", nml)
        outer.writestr("data_Volume.zip", data.getvalue())
    script = (
        "import sys, daedalus as wk\n"
        "annotation = wk.Annotation.load(sys.argv[1])\n"
        "try:\n"
        "    with annotation.temporary_volume_layer_copy() as layer:\n"
        "        layer.get_mag(1).read()\n"
        "except ValueError as error:\n"
        "    print('refused:', error)\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"process died ({result.returncode}): {result.stderr[-2000:]}"
    assert "refused:" in result.stdout and "header.wkw" in result.stdout and "file length" in result.stdout


def _written_wkw(tmp_path: Path, compressed: bool) -> wk.MagView:
    dataset = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    layer = dataset.add_layer(
        "color", "color", dtype="uint8", data_format="wkw", bounding_box=wk.BoundingBox((0, 0, 0), (64, 64, 64))
    )
    mag = layer.add_mag(1, chunk_shape=32, shard_shape=64, compress=compressed)
    mag.write(np.full((64, 64, 64), 7, np.uint8), absolute_offset=(0, 0, 0))
    return mag


@pytest.mark.parametrize("compressed", [True, False], ids=["lz4", "raw"])
def test_data_file_with_foreign_header_is_refused_on_read_and_write(tmp_path, compressed):
    """A data file whose own header claims another layout (or a truncated file) names the file."""
    mag = _written_wkw(tmp_path, compressed)
    file = Path(str(mag.path)) / "z0" / "y0" / "x0.wkw"
    original = file.read_bytes()
    file.write_bytes(original[:4] + bytes([0xC5]) + original[5:])
    with pytest.raises(ValueError, match="file length") as info:
        mag.read(absolute_offset=(0, 0, 0), size=(8, 8, 8))
    assert str(file) in str(info.value)
    with pytest.raises(ValueError, match="file length"):
        mag.write(np.zeros((64, 64, 64), np.uint8), absolute_offset=(0, 0, 0))
    file.write_bytes(original[:-1])
    with pytest.raises(ValueError, match=r"x0\.wkw"):
        wk.Dataset.open(tmp_path / "ds").get_layer("color").get_mag(1).read(absolute_offset=(0, 0, 0), size=(8, 8, 8))


@pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"shared fixtures absent at {FIXTURES}")
def test_genuine_headers_are_accepted(tmp_path):
    """Every header.wkw in the shared fixtures (WEBKNOSSOS, its library, old datasets) opens and reads."""
    headers = sorted(FIXTURES.rglob("header.wkw"))
    assert headers
    for index, header in enumerate(headers):
        root = tmp_path / f"ds{index}"
        shutil.copytree(header.parent, root / "seg" / "1")
        layer = _add_existing(root)
        if layer.bounding_box.volume() > 0:
            assert layer.get_mag(1).read().dtype == layer.dtype_per_channel


FUZZ_EXAMPLES = int(os.environ.get("DAEDALUS_RELIABILITY_FUZZ_EXAMPLES", "50"))  # set by the tier (conftest)

_FUZZ_SETTINGS = settings(
    max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_FUZZ_SETTINGS
@given(
    header=st.one_of(
        st.binary(min_size=0, max_size=20),
        st.builds(
            _header,
            magic=st.sampled_from([b"WKW", b"WKW", b"wkw"]),
            version=st.sampled_from([1, 1, 1, 0, 2, 255]),
            lengths=st.integers(0, 255),
            block_type=st.integers(0, 5),
            voxel_type=st.integers(0, 12),
            voxel_size=st.one_of(st.sampled_from([1, 2, 4, 8, 3, 12]), st.integers(0, 255)),
            data_offset=st.sampled_from([0, 16, 80, 0xD0, 2**63]),
        ),
    )
)
def test_fuzzed_headers_are_refused_or_opened(tmp_path_factory, header):
    """Any 0..20 bytes as header.wkw either open as a WKW array or give the documented ValueError."""
    from daedalus.adapters.wkw_header import MAX_BLOCK_LEN_LOG2, MAX_FILE_LEN_LOG2, WkwHeaderError

    root = tmp_path_factory.mktemp("fuzz")
    _layer_folder(root, header)
    if len(header) >= 5 and ((header[4] & 0x0F) > MAX_BLOCK_LEN_LOG2 or (header[4] >> 4) > MAX_FILE_LEN_LOG2):
        expected_refusal = True
    else:
        expected_refusal = False
    try:
        layer = _add_existing(root)
    except WkwHeaderError as error:
        assert str(root / "seg" / "1" / "header.wkw") in str(error)
        return
    assert not expected_refusal
    assert layer.bounding_box.volume() == 0  # no data files: an empty layer
    assert np.dtype(layer.dtype_per_channel).itemsize * layer.num_channels == header[7]
