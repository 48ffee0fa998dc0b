"""Hostile NMLs and damaged zips give the documented error types naming the file, never internal errors.

``Skeleton.load`` documents ValueError for a corrupt file, ``Annotation.load`` RuntimeError for an invalid
one. Before issue 16, groups nested 1000 deep gave RecursionError, ``x="1e999"`` OverflowError, and a damaged
zip member a bare ``zlib.error`` / ``UnicodeDecodeError`` without the file name.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import daedalus as wk

HEAD = '<things><parameters><experiment name="ds"/><scale x="1" y="1" z="1"/></parameters>'


def _nml(body: str) -> bytes:
    return (HEAD + body + "</things>").encode()


def _load_both(path: Path) -> list[BaseException]:
    """The errors of Annotation.load and Skeleton.load on ``path``, checked against what each documents."""
    errors = []
    for load, documented in ((wk.Annotation.load, RuntimeError), (wk.Skeleton.load, ValueError)):
        with pytest.raises(documented) as info:
            load(path)
        assert str(path) in str(info.value) or path.name in str(info.value), str(info.value)
        errors.append(info.value)
    return errors


def _deep_groups(depth: int) -> str:
    opening = "".join(f'<group id="{i + 1}" name="g{i}">' for i in range(depth))
    return opening + "</group>" * depth


def test_groups_nested_1000_deep(tmp_path):
    path = tmp_path / "deep.nml"
    path.write_bytes(_nml(f"<groups>{_deep_groups(1000)}</groups>"))
    for error in _load_both(path):
        assert "nested" in str(error) and "101" in str(error)


def test_segment_groups_nested_1000_deep(tmp_path):
    path = tmp_path / "deep_segments.nml"
    path.write_bytes(_nml(f'<volume id="0" name="v"><groups>{_deep_groups(1000)}</groups></volume>'))
    _load_both(path)


def test_groups_nested_100_deep_still_load_and_save(tmp_path):
    """The depth limit leaves room: 100 levels load, walk and save again."""
    path = tmp_path / "hundred.nml"
    tree = '<thing id="1" groupId="100"><nodes><node id="1" x="1" y="2" z="3"/></nodes><edges/></thing>'
    path.write_bytes(_nml(f"{tree}<groups>{_deep_groups(100)}</groups>"))
    skeleton = wk.Skeleton.load(path)
    assert len(list(skeleton.flattened_groups())) == 100
    assert skeleton.get_node_by_id(1).position == (1, 2, 3)
    skeleton.save(tmp_path / "again.nml")
    assert len(list(wk.Skeleton.load(tmp_path / "again.nml").flattened_groups())) == 100


@pytest.mark.parametrize(
    "body",
    [
        '<thing id="1"><nodes><node id="1" x="1e999" y="0" z="0"/></nodes><edges/></thing>',
        '<thing id="1"><nodes><node id="1" x="0" y="-1e999" z="0" radius="1" inVp="1"/></nodes><edges/></thing>',
        '<thing id="1"><nodes><node id="1" x="0" y="0" z="nan"/></nodes><edges/></thing>',
        '<parameters><taskBoundingBox topLeftX="1e999" topLeftY="0" topLeftZ="0" width="1" height="1" depth="1"/>'
        "</parameters>",
        '<volume id="0" name="v"><segments><segment id="1" anchorPositionX="1e999" anchorPositionY="0" '
        'anchorPositionZ="0"/></segments></volume>',
    ],
    ids=["x", "y-with-attributes", "nan", "task-bounding-box", "segment-anchor"],
)
def test_infinite_numbers(tmp_path, body):
    path = tmp_path / "overflow.nml"
    path.write_bytes(_nml(body))
    _load_both(path)


def _zip_with_nml(path: Path, nml: bytes) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ann.nml", nml)
    return path


def test_damaged_nml_member(tmp_path):
    path = _zip_with_nml(tmp_path / "damaged.zip", _nml('<thing id="1" name="' + "x" * 5000 + '"/>'))
    data = bytearray(path.read_bytes())
    start = 30 + len("ann.nml") + 10
    data[start : start + 20] = bytes(b ^ 0x55 for b in data[start : start + 20])
    path.write_bytes(bytes(data))
    for error in _load_both(path):
        assert "ann.nml" in str(error)


def test_member_with_bad_crc(tmp_path):
    path = _zip_with_nml(tmp_path / "crc.zip", _nml(""))
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 14), (b"PK\x01\x02", 16)):
        at = data.index(signature) + offset
        data[at : at + 4] = bytes(4)
    path.write_bytes(bytes(data))
    for error in _load_both(path):
        assert "ann.nml" in str(error)


def test_undecodable_member_name(tmp_path):
    """A member flagged UTF-8 whose name is not UTF-8 (zipfile raises UnicodeDecodeError)."""
    path = _zip_with_nml(tmp_path / "names.zip", _nml(""))
    data = bytearray(path.read_bytes())
    data = bytearray(bytes(data).replace(b"ann.nml", b"\xff\xfe\xfd.nml"))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(signature) + offset
        data[at : at + 2] = (int.from_bytes(data[at : at + 2], "little") | 0x800).to_bytes(2, "little")
    path.write_bytes(bytes(data))
    _load_both(path)


def test_truncated_zip(tmp_path):
    path = _zip_with_nml(tmp_path / "truncated.zip", _nml(""))
    path.write_bytes(path.read_bytes()[:40])
    _load_both(path)


def test_damaged_volume_data_member(tmp_path):
    """A corrupt member inside a volume layer's data zip names the annotation file when the data is read."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("1/header.wkw", bytes.fromhex("574b5701050203040000000000000000") * 64)
    data = bytearray(inner.getvalue())
    start = 30 + len("1/header.wkw") + 2
    data[start : start + 8] = bytes(b ^ 0xA5 for b in data[start : start + 8])
    path = tmp_path / "volume.zip"
    nml = _nml('<volume id="0" name="Volume" location="data_Volume.zip" format="wkw"/>')
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("ann.nml", nml)
        archive.writestr("data_Volume.zip", bytes(data))
    annotation = wk.Annotation.load(path)
    with pytest.raises(RuntimeError) as info:
        with annotation.temporary_volume_layer_copy():
            pass
    assert isinstance(info.value, ValueError)
    assert str(path) in str(info.value) or "Volume" in str(info.value)
    assert "damaged" in str(info.value)


# ---------------------------------------------------------------------------------------------- fuzzing

_VALUES = st.sampled_from(
    ["0", "1", "-1", "7", "1.5", "1e999", "-1e999", "nan", "inf", "", "abc", "9" * 30, "9" * 5000, "true", "\u00ff"]
)
_ELEMENTS = {
    "thing": ["id", "name", "groupId", "color.r", "isVisible"],
    "node": ["id", "x", "y", "z", "radius", "rotX", "inVp", "inMag", "time", "interpolation"],
    "edge": ["source", "target"],
    "group": ["id", "name", "isExpanded"],
    "comment": ["node", "content"],
    "branchpoint": ["id", "time"],
    "userBoundingBox": ["id", "topLeftX", "topLeftY", "topLeftZ", "width", "height", "depth", "color.r"],
    "taskBoundingBox": ["topLeftX", "topLeftY", "topLeftZ", "width", "height", "depth"],
    "metadataEntry": ["key", "stringValue", "numberValue", "boolValue", "stringListValue-0"],
    "volume": ["id", "name", "location", "format", "largestSegmentId"],
    "segment": ["id", "name", "created", "anchorPositionX", "anchorPositionY", "anchorPositionZ"],
    "scale": ["x", "y", "z", "unit"],
    "time": ["ms"],
    "zoomLevel": ["zoom"],
    "activeNode": ["id"],
    "editPosition": ["x", "y", "z"],
    "nodes": [],
    "edges": [],
    "groups": [],
    "segments": [],
    "metadata": [],
    "parameters": [],
}


@st.composite
def _element(draw, depth: int = 0) -> str:
    tag = draw(st.sampled_from(sorted(_ELEMENTS)))
    names = draw(st.lists(st.sampled_from(_ELEMENTS[tag]), unique=True, max_size=6)) if _ELEMENTS[tag] else []
    attributes = "".join(f' {name}="{draw(_VALUES)}"' for name in names)
    children = draw(st.lists(_element(depth + 1), max_size=3)) if depth < 4 else []
    return f"<{tag}{attributes}>{''.join(children)}</{tag}>"


FUZZ_EXAMPLES = int(os.environ.get("DAEDALUS_RELIABILITY_FUZZ_EXAMPLES", "50"))  # set by the tier (conftest)


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.lists(_element(), max_size=5), with_head=st.booleans())
def test_fuzzed_nml_snippets_raise_only_documented_errors(tmp_path, body, with_head):
    """Random NML elements with hostile attribute values load or fail with the documented types only."""
    path = tmp_path / "fuzz.nml"
    text = (HEAD if with_head else "<things>") + "".join(body) + "</things>"
    path.write_bytes(text.encode())
    for load, documented in ((wk.Skeleton.load, ValueError), (wk.Annotation.load, RuntimeError)):
        try:
            load(path)
        except documented as error:
            assert "fuzz.nml" in str(error), str(error)
