"""Every NML of ../shared/fixtures (plain files and the NML inside each annotation zip) reads, and
read -> write -> read gives the same skeleton, parameters, meta and volumes."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from daedalus.core.ports import resolve_annotation_codec

import daedalus as wk

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures"
SKIP_REASON = f"shared fixtures not found at {FIXTURES} (the repository's parent must hold shared/)"
REFERENCE_NML = FIXTURES / "generated" / "annotations" / "reference_skeleton.nml"
TESTDATA = FIXTURES / "wk-testdata"

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=SKIP_REASON)


def _nml_sources() -> list[tuple[str, bytes]]:
    if not FIXTURES.is_dir():
        return []
    files = [
        REFERENCE_NML,
        *sorted((TESTDATA / "nmls").glob("*.nml")),
        *sorted((TESTDATA / "annotations").glob("*.nml")),
    ]
    sources = [(str(path.relative_to(FIXTURES)), path.read_bytes()) for path in files]
    for archive_path in sorted((TESTDATA / "annotations").glob("*.zip")):
        with zipfile.ZipFile(archive_path) as archive:
            for member in archive.namelist():
                if member.endswith(".nml"):
                    sources.append((f"{archive_path.relative_to(FIXTURES)}/{member}", archive.read(member)))
    return sources


SOURCES = _nml_sources()


@pytest.fixture(scope="module")
def codec():
    """The registered NML codec."""
    return resolve_annotation_codec("nml")


def _parse(codec, name: str, data: bytes):
    stream = io.BytesIO(data)
    stream.name = name
    return codec.load(stream)


def test_fixture_list_covers_plain_and_zipped_nmls():
    names = [name for name, _ in SOURCES]
    assert len([n for n in names if "nmls/" in n]) == 5
    assert len([n for n in names if ".zip/" in n]) == 6  # one per annotation zip
    assert any(n.endswith("reference_skeleton.nml") for n in names)


@pytest.mark.parametrize(("name", "data"), SOURCES, ids=[name for name, _ in SOURCES])
def test_read_write_read_is_identical(codec, name, data, canonical_document):
    first = _parse(codec, name, data)
    buffer = io.BytesIO()
    codec.dump(first, buffer)
    second = _parse(codec, f"rewritten {name}", buffer.getvalue())
    assert canonical_document(second) == canonical_document(first)
    assert second.skeleton.get_total_node_count() == data.count(b"<node ")


def test_reference_skeleton_content(codec):
    document = codec.load(REFERENCE_NML)
    skeleton = document.skeleton
    assert skeleton.dataset_name == "zarr3_sharded"
    assert skeleton.description == "Fixture with groups, metadata, comments and branchpoints"
    assert tuple(skeleton.voxel_size) == (11.24, 11.24, 28.0)
    assert [t.id for t in skeleton.flattened_trees()] == [55, 3, 29]
    neuron = skeleton.get_group_by_id(1)
    assert neuron.name == "neuron_1"
    assert [g.name for g in neuron.groups] == ["dendrites"]
    tree = skeleton.get_tree_by_id(3)
    assert tree.group is neuron and tree.name == "tree_0"
    assert tree.color == (0.0, 0.5, 1.0, 1.0)
    assert tree.metadata == {"kind": "axon", "n": 0, "tags": ["a", "b"]}
    assert skeleton.get_tree_by_id(29).group is skeleton.get_group_by_id(2)
    node = skeleton.get_node_by_id(7)
    assert node.get_dict() == {
        "position": (121, 200, 33),
        "comment": None,
        "radius": 1.8,
        "rotation": (0.0, 0.30000000000000004, 0.0),
        "inVp": 1,
        "inMag": 0,
        "bitDepth": None,
        "interpolation": None,
        "time": 1700000000003,
        "is_branchpoint": False,
        "branchpoint_time": None,
    }
    assert skeleton.get_node_by_id(4).comment == "soma"
    branch = skeleton.get_node_by_id(9)
    assert branch.is_branchpoint and branch.branchpoint_time == 1700000000005
    assert len(tree) == 25 and tree.number_of_edges() == 24
    params = document.parameters
    assert params.time == 1795529556000
    assert [(m.name, m.content) for m in document.meta] == [("project", "fixtures")]
    (box,) = params.userBoundingBoxes
    assert (tuple(box.topleft), tuple(box.size), box.name, box.color) == (
        (10, 20, 30),
        (40, 50, 60),
        "roi",
        (1.0, 0.0, 0.0, 1.0),
    )
    task = params.taskBoundingBox
    assert (tuple(task.topleft), tuple(task.size), task.color) == ((0, 0, 0), (500, 500, 100), (0.2, 0.5, 0.1, 1.0))
    assert skeleton.get_max_node_id() == 80 and skeleton.get_max_tree_id() == 55
    new_tree = skeleton.add_tree("new")
    assert new_tree.id == 81  # new ids continue after every id in the file


def test_webknossos_export_with_all_node_attributes(codec):
    skeleton = codec.load(TESTDATA / "nmls" / "test_a.nml").skeleton
    assert skeleton.voxel_size_with_unit.unit == wk.LengthUnit.MICROMETER
    assert skeleton.organization_id == "orga" and skeleton.description == ""
    node = skeleton.get_node_by_id(3)
    assert (node.bitDepth, node.interpolation, node.inMag, node.inVp, node.time) == (8, True, 1, 0, 1644425546725)
    assert [t.id for t in skeleton.get_group_by_id(2).trees] == [3, 2]


def test_volumes_segments_and_user_bounding_boxes_are_kept(codec):
    document = codec.load(TESTDATA / "annotations" / "nml_with_volumes.nml")
    (volume,) = document.volumes
    assert (volume.id, volume.name, volume.fallback_layer, volume.largest_segment_id) == (
        0,
        "segmentation",
        "segmentation",
        2504698,
    )
    (segment,) = volume.segments
    assert (segment.id, segment.name, tuple(segment.anchor_position)) == (2504698, "test_segment", (3581, 3585, 1024))
    assert document.to_nml().get_meta("username") == "Sample User"
    with zipfile.ZipFile(TESTDATA / "annotations" / "bounding-boxes-example.zip") as archive:
        data = archive.read("l4dense_motta_et_al_demo_explorational.nml")
    boxes = _parse(codec, "bounding-boxes-example", data).parameters.userBoundingBoxes
    assert [(b.name, b.is_visible, tuple(b.topleft)) for b in boxes] == [
        ("Bounding box 1", True, (2371, 4063, 1676)),
        ("Bounding box 2", False, (371, 4063, 1676)),
    ]


def test_skeleton_load_reads_the_nml_inside_a_zip():
    skeleton = wk.Skeleton.load(TESTDATA / "annotations" / "l4_sample__explorational__suser__94b271.zip")
    (tree,) = skeleton.flattened_trees()
    assert [n.id for n in tree.nodes] == [1, 2, 3]
    assert sorted(tuple(sorted((u.id, v.id))) for u, v in tree.edges) == [(1, 2), (2, 3)]


def test_skeleton_save_and_load_nml_and_zip(tmp_path, canonical_skeleton):
    original = wk.Skeleton.load(REFERENCE_NML)
    for name in ("copy.nml", "copy.zip"):
        original.save(tmp_path / name)
        assert canonical_skeleton(wk.Skeleton.load(tmp_path / name)) == canonical_skeleton(original)
    with zipfile.ZipFile(tmp_path / "copy.zip") as archive:
        assert archive.namelist() == ["copy.nml"]


def test_nml_facade_parse_and_write():
    from daedalus import _nml

    with open(REFERENCE_NML, "rb") as stream:
        nml = _nml.Nml.parse(stream)
    assert isinstance(nml, _nml.Nml)
    assert len(nml.trees) == 3 and nml.groups[0].children[0].name == "dendrites"
    assert _nml.Comment(node=4, content="soma") in nml.comments
    assert _nml.Branchpoint(id=9, time=1700000000005) in nml.branchpoints
    tree = next(t for t in nml.trees if t.id == 3)
    assert tree.groupId == 1 and _nml.Edge(4, 5) in tree.edges
    assert _nml.MetadataEntry("tags", "list", ["a", "b"]) in tree.metadata
    buffer = io.BytesIO()
    nml.write(buffer)
    buffer.seek(0)
    again = _nml.Nml.parse(buffer)
    key = lambda n: (sorted(t.id for t in n.trees), sorted(n.comments), sorted(n.branchpoints), n.groups)  # noqa: E731
    assert key(again) == key(nml)
    assert again.parameters == nml.parameters
