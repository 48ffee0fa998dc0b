"""Skeleton / Group / Tree / Node behaviour: ids, copies, removal, walking, networkx interplay."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

import daedalus as wk
from daedalus import _nml


@pytest.fixture
def skeleton() -> wk.Skeleton:
    """A skeleton with a nested group and a three-node chain."""
    skeleton = wk.Skeleton(voxel_size=(11, 11, 24), dataset_name="cortex")
    group = skeleton.add_group("neuron")
    tree = group.add_group("dendrites").add_tree("basal", color=(1, 0, 0))
    a = tree.add_node(position=(0, 0, 0), comment="soma", radius=2)
    b = tree.add_node(position=(10, 0, 0), is_branchpoint=True, branchpoint_time=5)
    c = tree.add_node(position=(20, 0, 0), rotation=(0.1, 0.2, 0.3), inVp=1, inMag=2, bitDepth=8, interpolation=True)
    tree.add_edge(a, b)
    tree.add_edge(b.id, c.id)
    return skeleton


def _tree(skeleton: wk.Skeleton) -> wk.Tree:
    return next(skeleton.flattened_trees())


def test_ids_are_unique_across_groups_trees_and_nodes(skeleton):
    tree = _tree(skeleton)
    ids = [g.id for g in skeleton.flattened_groups()] + [tree.id] + [n.id for n in tree.nodes]
    assert len(set(ids)) == len(ids) and skeleton.id == 0 and skeleton.name == "Root"
    other = skeleton.add_tree("other")
    node = other.add_node((1, 1, 1))
    assert node.id == max(ids) + 2 and other.id == max(ids) + 1
    with pytest.raises(ValueError, match="node with id [0-9]+ already exists"):
        other.add_node((0, 0, 0), _enforced_id=tree.get_max_node_id() - 1)
    with pytest.raises(ValueError, match=f"tree with id {tree.id}"):
        skeleton.add_tree("dup", _enforced_id=tree.id)
    with pytest.raises(ValueError, match="group with id 1"):
        skeleton.add_group("dup", _enforced_id=1)
    forced = other.add_node((0, 0, 0), _enforced_id=1000)
    assert forced.id == 1000 and skeleton.add_tree("after").id == 1001


def test_node_attributes_and_setters(skeleton):
    tree = _tree(skeleton)
    a, b, c = sorted(tree.nodes)
    assert isinstance(a, wk.Node) and a.position == wk.Vec3Int(0, 0, 0) and a.radius == 2.0 and a.comment == "soma"
    assert b.is_branchpoint and b.branchpoint_time == 5 and not a.is_branchpoint
    assert (c.rotation, c.inVp, c.inMag, c.bitDepth, c.interpolation) == ((0.1, 0.2, 0.3), 1, 2, 8, True)
    assert c.time is None and c.comment is None
    a.comment = "changed"
    a.is_branchpoint = True
    assert tree.get_node_by_id(a.id).comment == "changed" and tree.nodes[a]["is_branchpoint"] is True
    a.comment = None
    assert "comment" not in tree.nodes[a.id] and tree.nodes[a.id]["comment"] is None
    with pytest.raises(AttributeError):
        a.id = 7
    assert a.get_dict()["position"] == (0, 0, 0) and set(a.get_dict()) >= {"inVp", "branchpoint_time"}


def test_tree_is_a_networkx_graph(skeleton):
    tree = _tree(skeleton)
    a, b, c = sorted(tree.nodes)
    assert isinstance(tree, nx.Graph) and len(tree) == 3 and tree.number_of_edges() == 2
    assert nx.shortest_path(tree, a, c) == [a, b, c]
    assert [int(n) for n in nx.shortest_path(tree, a.id, c.id)] == [a.id, b.id, c.id]
    d = tree.add_node((50, 50, 50))
    components = sorted(nx.connected_components(tree), key=len)
    assert components == [{d}, {a, b, c}]
    assert dict(tree.degree) == {a: 1, b: 2, c: 1, d: 0}
    assert nx.is_tree(tree.subgraph([a, b, c]))
    copy = tree.copy()
    assert sorted(copy.nodes) == sorted(tree.nodes) and copy.number_of_edges() == 2
    tree.remove_node(b)
    assert b not in tree and tree.number_of_edges() == 0 and a in tree and a.id in tree
    assert np.array_equal(tree.get_node_positions(), [[0, 0, 0], [20, 0, 0], [50, 50, 50]])
    with pytest.raises(ValueError, match="not part of this tree"):
        tree.add_edge(a, 12345)
    with pytest.raises(KeyError):
        tree.get_node_by_id(b.id)
    assert tree.get_max_node_id() == d.id and skeleton.add_tree("empty").get_max_node_id() == 0


def test_add_tree_copies_with_new_ids_when_taken(skeleton):
    original = _tree(skeleton)
    copy = skeleton.add_tree(original, color=(0, 1, 0, 1))
    assert copy is not original and copy.group is skeleton and original.group.name == "dendrites"
    assert copy.id != original.id and copy.name == original.name and copy.color == (0.0, 1.0, 0.0, 1.0)
    assert {n.id for n in copy.nodes}.isdisjoint({n.id for n in original.nodes})
    assert sorted(n.position for n in copy.nodes) == sorted(n.position for n in original.nodes)
    assert sorted(n.comment or "" for n in copy.nodes) == sorted(n.comment or "" for n in original.nodes)
    assert copy.number_of_edges() == original.number_of_edges()
    next(iter(copy.nodes)).comment = "only in the copy"
    assert "only in the copy" not in {n.comment for n in original.nodes}
    other = wk.Skeleton(voxel_size=(1, 1, 1), dataset_name="other")
    kept = other.add_tree(original)
    assert kept.id == original.id and {n.id for n in kept.nodes} == {n.id for n in original.nodes}
    assert other.add_tree("next").id > max(n.id for n in kept.nodes)


def test_groups_flatten_find_and_remove(skeleton):
    neuron = skeleton.get_group_by_id(1)
    axons = neuron.add_group("axons")
    axon = axons.add_tree("axon", metadata={"kind": "axon"})
    axon.add_node((1, 2, 3))
    assert [g.name for g in skeleton.flattened_groups()] == ["neuron", "dendrites", "axons"]
    assert [t.name for t in skeleton.flattened_trees()] == ["basal", "axon"]
    assert [type(c).__name__ for c in neuron.children] == ["Group", "Group"]
    assert list(skeleton.trees) == [] and [g.name for g in skeleton.groups] == ["neuron"]
    assert neuron.get_total_node_count() == 4 and skeleton.get_max_tree_id() == axon.id
    assert skeleton.get_tree_by_id(axon.id) is axon and skeleton.has_tree_id(axon.id)
    assert skeleton.get_node_by_id(1 + axon.id).position == (1, 2, 3)
    assert neuron.as_nml_group() == _nml.Group(
        1, "neuron", [_nml.Group(2, "dendrites", []), _nml.Group(axons.id, "axons", [])]
    )
    skeleton.remove_tree_by_id(axon.id)
    assert not skeleton.has_tree_id(axon.id) and list(axons.trees) == []
    for call, arg in (
        (skeleton.get_group_by_id, 99),
        (skeleton.get_tree_by_id, 99),
        (skeleton.get_node_by_id, 999),
        (skeleton.remove_tree_by_id, 99),
    ):
        with pytest.raises(ValueError, match="99"):
            call(arg)


def test_skeleton_metadata_and_voxel_size():
    skeleton = wk.Skeleton(voxel_size=wk.VoxelSize((4, 4, 35), unit="micrometer"), dataset_name="ds", description="d")
    assert skeleton.voxel_size == (4000.0, 4000.0, 35000.0)  # nanometers, whatever the unit
    assert skeleton.voxel_size_with_unit == wk.VoxelSize((4, 4, 35), unit="micrometer")
    skeleton.voxel_size = (1000, 2000, 3000)  # set in nanometers, kept in the skeleton's unit
    assert skeleton.voxel_size_with_unit == wk.VoxelSize((1.0, 2.0, 3.0), unit="micrometer")
    assert skeleton.voxel_size == (1000.0, 2000.0, 3000.0)
    skeleton.voxel_size_with_unit = wk.VoxelSize((5, 5, 5))
    assert skeleton.voxel_size == (5.0, 5.0, 5.0) and skeleton.voxel_size_with_unit.unit == wk.LengthUnit.NANOMETER
    assert skeleton.organization_id is None and skeleton.dataset_id is None and skeleton.description == "d"


def test_add_nx_graphs():
    skeleton = wk.Skeleton(voxel_size=(1, 1, 1), dataset_name="ds")
    graph = nx.Graph()
    graph.add_node("a", position=(0, 0, 0), radius=3, comment="start")
    graph.add_node("b", position=(1, 0, 0))
    graph.add_edge("a", "b")
    skeleton.add_nx_graphs([graph])
    skeleton.add_nx_graphs({"axons": [graph, graph]})
    assert [g.name for g in skeleton.groups] == ["main_group", "axons"]
    trees = list(skeleton.flattened_trees())
    assert len(trees) == 3 and all(len(t) == 2 and t.number_of_edges() == 1 for t in trees)
    assert sorted((n.radius, n.comment) for n in trees[0].nodes if n.comment) == [(3.0, "start")]
    missing = nx.Graph()
    missing.add_node(1)
    with pytest.raises(ValueError, match="position"):
        skeleton.add_nx_graphs([missing])
    with pytest.raises(TypeError):
        skeleton.add_nx_graphs(5)


def test_tree_color_and_properties(skeleton):
    tree = _tree(skeleton)
    assert tree.color == (1.0, 0.0, 0.0, 1.0) and tree.is_visible and tree.metadata == {}
    tree.color = (0, 0, 1)
    assert tree.color == (0.0, 0.0, 1.0, 1.0)
    with pytest.raises(TypeError, match="color"):
        tree.color = (1, 2)
    assert str(tree) == "Tree named 'basal' with 3 nodes and 2 edges"
    with pytest.raises(AttributeError):
        tree.id = 3
