"""Zip bombs are refused however their size is spread over members; genuine annotation zips stay accepted.

Before issue 16, members of 16 MiB or less were never checked for their ratio and the total cap was 64 GiB,
so a 1 MB zip extracting to 1 GiB (64 members of 16 MiB) was accepted. The bombs here are built by hand
from one precompressed deflate stream, so building them takes milliseconds.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from daedalus.core.annotation import UnsafeZipError, safe_zip

import daedalus as wk

ANNOTATIONS = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "wk-testdata" / "annotations"
NML = (
    b'<things><parameters><experiment name="ds"/><scale x="1" y="1" z="1"/></parameters>'
    b'<volume id="0" name="Volume" location="data_Volume.zip" format="wkw"/></things>'
)
MiB = 1024**2


def _deflated(payload: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(payload) + compressor.flush()


def _zip(members: list[tuple[str, bytes, bytes | None, int]]) -> bytes:
    """A zip of (name, stored bytes, None for stored / the raw payload for deflated, repeat) entries."""
    out, central = io.BytesIO(), io.BytesIO()
    count = 0
    for name, data, payload, repeat in members:
        plain = data if payload is None else payload
        crc, method = zlib.crc32(plain), (0 if payload is None else 8)
        for index in range(repeat):
            member = name.format(index).encode()
            offset = out.tell()
            out.write(
                struct.pack(
                    "<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, len(data), len(plain), len(member), 0
                )
            )
            out.write(member + data)
            central.write(
                struct.pack(
                    "<4sHHHHHHIIIHHHHHII",
                    b"PK\x01\x02",
                    20,
                    20,
                    0,
                    method,
                    0,
                    0x21,
                    crc,
                    len(data),
                    len(plain),
                    len(member),
                    0,
                    0,
                    0,
                    0,
                    0,
                    offset,
                )
                + member
            )
            count += 1
    start = out.tell()
    out.write(central.getvalue())
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, count, count, len(central.getvalue()), start, 0))
    return out.getvalue()


ZEROS_16M = bytes(16 * MiB)
DEFLATED_16M = _deflated(ZEROS_16M)


def _many_member_bomb(count: int = 64) -> bytes:
    """``count`` members of 16 MiB zeros (each ~16 KB deflated): 1 GiB from about 1 MB."""
    return _zip([("1/z0/y0/x{}.wkw", DEFLATED_16M, ZEROS_16M, count)])


def _annotation(path: Path, extra: list[tuple[str, bytes, bytes | None, int]], data_zip: bytes = b"") -> Path:
    members = [("ann.nml", NML, None, 1), *extra]
    if data_zip:
        members.append(("data_Volume.zip", data_zip, None, 1))
    path.write_bytes(_zip(members))
    return path


def test_hand_built_zips_are_valid():
    archive = zipfile.ZipFile(io.BytesIO(_many_member_bomb(2)))
    assert archive.testzip() is None
    assert [i.file_size for i in archive.infolist()] == [16 * MiB, 16 * MiB]


def test_one_megabyte_zip_extracting_to_one_gibibyte_is_refused(tmp_path):
    """The bypass of issue 16: 64 members of 16 MiB in the annotation zip itself."""
    bomb = _annotation(tmp_path / "bomb.zip", [("pad/x{}.bin", DEFLATED_16M, ZEROS_16M, 64)])
    assert bomb.stat().st_size < 1.5 * MiB
    with pytest.raises(UnsafeZipError, match="zip bomb") as info:
        wk.Annotation.load(bomb)
    assert str(bomb) in str(info.value)
    assert isinstance(info.value, RuntimeError)  # what Annotation.load documents
    with pytest.raises(ValueError, match="zip bomb"):  # what Skeleton.load documents
        wk.Skeleton.load(bomb)


def test_volume_data_of_small_members_is_refused_before_extraction(tmp_path):
    """A data zip of many small members, each harmless alone, is refused before anything is written."""
    bomb = _annotation(tmp_path / "bomb.zip", [], data_zip=_many_member_bomb(64))
    annotation = wk.Annotation.load(bomb)  # the outer zip stores the data zip: ratio 1
    with pytest.raises(UnsafeZipError, match="zip bomb") as info:
        with annotation.temporary_volume_layer_copy():
            pass
    assert "Volume" in str(info.value)
    assert "MAX_RATIO" in str(info.value)  # says what to do with a genuine zip


def test_bytes_are_counted_while_extracting(tmp_path):
    """The budget counts bytes actually produced, independently of the declared sizes."""
    archive = zipfile.ZipFile(io.BytesIO(_zip([("m{}.bin", DEFLATED_16M, ZEROS_16M, 2)])))
    budget = safe_zip.ExtractionBudget(20 * MiB, "test.zip", 1)
    safe_zip.copy_member(archive, archive.infolist()[0], io.BytesIO(), "test.zip", budget)
    assert budget.used == 16 * MiB
    with pytest.raises(UnsafeZipError, match="m1.bin"):
        safe_zip.copy_member(archive, archive.infolist()[1], io.BytesIO(), "test.zip", budget)


def test_member_producing_more_than_declared_is_refused(tmp_path):
    """A central directory understating a member's size: refused (never more than declared is written)."""
    data = bytearray(_zip([("m{}.bin", DEFLATED_16M, ZEROS_16M, 1)]))
    central = data.index(b"PK\x01\x02")
    data[central + 24 : central + 28] = struct.pack("<I", 1024)  # uncompressed size: 1 KiB
    local = data.index(b"PK\x03\x04")
    data[local + 22 : local + 26] = struct.pack("<I", 1024)
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    with pytest.raises((UnsafeZipError, safe_zip.DamagedZipError), match="m0.bin"):
        safe_zip.safe_extract(archive, tmp_path / "out", "lying.zip")
    assert sum(f.stat().st_size for f in (tmp_path / "out").rglob("*") if f.is_file()) <= 1024


def test_absolute_cap_is_read_at_call_time(tmp_path, monkeypatch):
    """MAX_TOTAL_BYTES bounds any zip, even one of ratio 1; the module attribute is read at each call."""
    path = tmp_path / "stored.zip"
    path.write_bytes(_zip([("ann.nml", NML, None, 1), ("blob{}.bin", bytes(2 * MiB), None, 1)]))
    wk.Annotation.load(path)
    monkeypatch.setattr(safe_zip, "MAX_TOTAL_BYTES", MiB)
    with pytest.raises(UnsafeZipError, match="MAX_TOTAL_BYTES"):
        wk.Annotation.load(path)


def test_small_zips_are_not_refused_for_their_ratio(tmp_path):
    """Up to RATIO_FREE_BYTES in all, any ratio is fine (a 16 KB zip of 8 MiB zeros)."""
    eight = bytes(8 * MiB)
    path = _annotation(tmp_path / "small.zip", [("pad.bin", _deflated(eight), eight, 1)])
    assert path.stat().st_size * safe_zip.MAX_RATIO < 8 * MiB
    assert wk.Annotation.load(path).name == "ann"


@pytest.mark.skipif(not ANNOTATIONS.is_dir(), reason=f"shared fixtures absent at {ANNOTATIONS}")
@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in ANNOTATIONS.glob("*.zip")) if ANNOTATIONS.is_dir() else [],
)
def test_genuine_annotation_zips_are_accepted(name):
    """WEBKNOSSOS' own annotation zips load and their volume data extracts (whole-zip ratios 0.1 to 3.1)."""
    annotation = wk.Annotation.load(ANNOTATIONS / name)
    for volume in annotation._volume_layers:
        if not volume.has_data:  # saved without (or with an empty) data zip: refused like in the reference
            with pytest.raises(AssertionError, match="not available"):
                with annotation.temporary_volume_layer_copy(volume_layer_id=volume.id):
                    pass
            continue
        with annotation.temporary_volume_layer_copy(volume_layer_id=volume.id) as layer:
            assert layer.name


def test_daedalus_annotation_with_constant_label_is_accepted(tmp_path):
    """daedalus' own most compressible data zips (one label everywhere, chunks deflate ~115:1) round-trip."""
    annotation = wk.Annotation(name="ann", dataset_name="ds", voxel_size=(1, 1, 1))
    annotation.add_volume_layer("Volume", dtype=np.uint32)
    data = np.zeros((128, 128, 64), np.uint32)
    data[:, :, :60] = 7
    with annotation.temporary_volume_layer_copy(read_only=False) as layer:
        mag = layer.get_mag(1) if layer.mags else layer.add_mag(1)
        mag.write(data, absolute_offset=(0, 0, 0), allow_resize=True)
    annotation.save(tmp_path / "ann.zip")
    loaded = wk.Annotation.load(tmp_path / "ann.zip")
    with loaded.temporary_volume_layer_copy() as layer:
        assert np.array_equal(layer.get_mag(1).read(absolute_offset=(0, 0, 0), size=(128, 128, 64))[0], data)
