"""The NML codec rejects unsafe and malformed XML with errors naming the file, and never clobbers on failure."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from daedalus.core.ports import resolve_annotation_codec

import daedalus as wk

HEADER = b'<things><parameters><experiment name="ds" /><scale x="1" y="1" z="1" /></parameters>'

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<things><parameters><experiment name="&lol4;" /><scale x="1" y="1" z="1" /></parameters></things>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE things [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<things><parameters><experiment name="&secret;" /><scale x="1" y="1" z="1" /></parameters></things>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE things SYSTEM "http://example.com/evil.dtd">
<things><parameters><experiment name="x" /><scale x="1" y="1" z="1" /></parameters></things>"""


@pytest.fixture(scope="module")
def codec():
    """The registered NML codec."""
    return resolve_annotation_codec("nml")


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "data", "match"),
    [
        ("laughs.nml", BILLION_LAUGHS, "DOCTYPE"),
        ("xxe.nml", EXTERNAL_ENTITY, "DOCTYPE"),
        ("dtd.nml", EXTERNAL_DTD, "DOCTYPE"),
    ],
)
def test_dtds_and_entities_are_rejected(codec, tmp_path, name, data, match):
    path = _write(tmp_path, name, data)
    with pytest.raises(ValueError, match=match) as info:
        codec.load(path)
    assert name in str(info.value)
    with pytest.raises(ValueError, match=name):
        wk.Skeleton.load(path)


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (HEADER + b"<thing id='1'><nodes><node id='1' x='1' y='1' z='1'/>", "not well-formed"),
        (b"this is not xml", "not well-formed"),
        (
            HEADER + b"<thing id='1'><nodes><node id='1' x='1' y='1' z='1'/><node id='1' x='2' y='2' z='2'/>"
            b"</nodes></thing></things>",
            "node id 1 occurs more than once",
        ),
        (
            HEADER + b"<thing id='1'><nodes><node id='1' x='1' y='1' z='1'/></nodes></thing>"
            b"<thing id='2'><nodes><node id='1' x='1' y='1' z='1'/></nodes></thing></things>",
            "node id 1 occurs more than once",
        ),
        (
            HEADER + b"<thing id='1'><nodes><node id='1' x='1' y='1' z='1'/></nodes>"
            b"<edges><edge source='1' target='7'/></edges></thing></things>",
            "refers to node 7",
        ),
        (
            HEADER + b"<thing id='1'><nodes/></thing><thing id='1'><nodes/></thing></things>",
            "tree id 1 occurs more than once",
        ),
        (HEADER + b"<thing id='1' groupId='4'><nodes/></thing></things>", "group 4"),
        (HEADER + b"<thing id='1'><nodes><node id='1' x='one' y='1' z='1'/></nodes></thing></things>", "line 1"),
        (b"<things><parameters><experiment name='ds'/></parameters></things>", "scale"),
    ],
)
def test_malformed_nml_errors_name_the_file(codec, tmp_path, body, match):
    path = _write(tmp_path, "broken_annotation.nml", body)
    with pytest.raises(ValueError, match=match) as info:
        codec.load(path)
    assert "broken_annotation.nml" in str(info.value)


def test_missing_file_and_wrong_suffix(tmp_path):
    with pytest.raises(FileNotFoundError, match="absent.nml"):
        wk.Skeleton.load(tmp_path / "absent.nml")
    skeleton = wk.Skeleton(voxel_size=(1, 1, 1), dataset_name="ds")
    with pytest.raises(AssertionError, match=r"\.nml or \.zip"):
        skeleton.save(tmp_path / "skeleton.txt")


def test_failed_save_keeps_the_existing_file(tmp_path):
    skeleton = wk.Skeleton(voxel_size=(1, 1, 1), dataset_name="ds")
    tree = skeleton.add_tree("t")
    tree.add_node((1, 2, 3))
    for name in ("kept.nml", "kept.zip"):
        path = tmp_path / name
        skeleton.save(path)
        before = path.read_bytes()
        tree.metadata["bad"] = object()  # cannot be written: fails in the middle of writing
        with pytest.raises(TypeError, match="bad"):
            skeleton.save(path)
        del tree.metadata["bad"]
        assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.nml", "kept.zip"]


def test_special_characters_round_trip(codec):
    skeleton = wk.Skeleton(voxel_size=(1, 1, 1), dataset_name='a "quoted" & <odd> name')
    tree = skeleton.add_group("g & h").add_tree(
        "tree <1>", metadata={"note": 'a\nb\t"c"', "flag": True, "x": 1.5, "np": np.int64(3)}
    )
    tree.add_node((1, 2, 3), comment="line one\nline two & more")
    buffer = io.BytesIO()
    codec.dump(skeleton, buffer)
    again = codec.load(io.BytesIO(buffer.getvalue())).skeleton
    (copy,) = again.flattened_trees()
    assert again.dataset_name == skeleton.dataset_name and copy.name == "tree <1>"
    assert copy.metadata == {"note": 'a\nb\t"c"', "flag": True, "x": 1.5, "np": 3}
    assert next(iter(copy.nodes)).comment == "line one\nline two & more"
    assert [g.name for g in again.groups] == ["g & h"]
