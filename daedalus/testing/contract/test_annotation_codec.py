"""Contract suite of the AnnotationCodec port, run against every annotation codec the plugins offer.

``load`` returns a document whose ``skeleton`` is a Skeleton (core reads ``.skeleton`` and ``.to_nml()``);
``dump`` writes an NmlDocument to a path or a binary stream. Run it with
``python -m pytest --pyargs daedalus.testing.contract.test_annotation_codec -k <file_format>``.
"""

from __future__ import annotations

import io

import pytest

from daedalus.core.nml.document import NmlDocument
from daedalus.core.ports import AnnotationCodec
from daedalus.core.skeleton import Skeleton

from .adapters import codec_params


@pytest.fixture(params=codec_params())
def codec(request):
    return request.param


def sample_skeleton() -> Skeleton:
    """Two trees (one in a group) with comments, a branchpoint, edges and a tree metadata entry."""
    skeleton = Skeleton(voxel_size=(11.24, 11.24, 28.0), dataset_name="cortex_sample")
    first = skeleton.add_tree("axon", color=(1.0, 0.0, 0.0, 1.0), metadata={"cell_type": "pyramidal"})
    nodes = [first.add_node(position=(10 * i, 20 + i, 30 - i), radius=1.5) for i in range(5)]
    nodes[0].comment = "soma"
    for a, b in zip(nodes, nodes[1:]):
        first.add_edge(a, b)
    group = skeleton.add_group("dendrites")
    second = group.add_tree("dendrite")
    second.add_edge(second.add_node(position=(1, 2, 3), is_branchpoint=True), second.add_node(position=(4, 5, 6)))
    return skeleton


def shape_of(skeleton: Skeleton) -> dict:
    """What a round trip must keep: per tree (by name) its node positions, comments and edges by position."""
    trees = {}
    for tree in skeleton.flattened_trees():
        positions = {node.id: tuple(node.position) for node in tree.nodes}
        trees[tree.name] = {
            "nodes": sorted(positions.values()),
            "comments": sorted((tuple(n.position), n.comment) for n in tree.nodes if n.comment),
            "edges": sorted(tuple(sorted((positions[a.id], positions[b.id]))) for a, b in tree.edges),
        }
    return {
        "dataset_name": skeleton.dataset_name,
        "voxel_size": tuple(skeleton.voxel_size),
        "groups": sorted(g.name for g in skeleton.flattened_groups()),
        "trees": trees,
    }


def test_codec_implements_the_port(codec) -> None:
    assert isinstance(codec, AnnotationCodec)
    assert isinstance(codec.file_format, str) and codec.file_format


def test_round_trip_through_a_file(codec, tmp_path) -> None:
    skeleton = sample_skeleton()
    target = tmp_path / f"annotation.{codec.file_format}"
    codec.dump(NmlDocument.from_skeleton(skeleton), target)
    loaded = codec.load(target)
    assert isinstance(loaded.skeleton, Skeleton)
    assert shape_of(loaded.skeleton) == shape_of(skeleton)


def test_round_trip_through_a_stream(codec) -> None:
    skeleton = sample_skeleton()
    stream = io.BytesIO()
    codec.dump(NmlDocument.from_skeleton(skeleton), stream)
    assert stream.getvalue(), "dump wrote nothing to the stream"
    stream.seek(0)
    assert shape_of(codec.load(stream).skeleton) == shape_of(skeleton)


def test_dump_replaces_an_existing_file(codec, tmp_path) -> None:
    target = tmp_path / f"annotation.{codec.file_format}"
    codec.dump(NmlDocument.from_skeleton(sample_skeleton()), target)
    empty = Skeleton(voxel_size=(1, 1, 1), dataset_name="empty")
    codec.dump(NmlDocument.from_skeleton(empty), target)
    assert shape_of(codec.load(target).skeleton) == shape_of(empty)


def test_missing_file_raises_file_not_found(codec, tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="missing"):
        codec.load(tmp_path / f"missing.{codec.file_format}")


def test_malformed_input_raises_value_error(codec, tmp_path) -> None:
    broken = tmp_path / f"broken.{codec.file_format}"
    broken.write_bytes(b"\x00\x01 this is not an annotation <<<")
    with pytest.raises(ValueError):
        codec.load(broken)
