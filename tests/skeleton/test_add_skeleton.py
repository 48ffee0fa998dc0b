"""Group.add_skeleton / Skeleton.add_skeleton merge skeletons with fresh ids; Group, Node and Skeleton constructors
take the reference's arguments."""

from __future__ import annotations

import pytest

import daedalus as wk


def _source() -> wk.Skeleton:
    skeleton = wk.Skeleton(voxel_size=(1, 1, 1), dataset_name="other")
    group = skeleton.add_group("GB")
    tree = group.add_tree("tb", color=(1, 0, 0, 1), metadata={"k": "v"})
    first, second = tree.add_node((7, 7, 7), comment="start"), tree.add_node((8, 8, 8))
    tree.add_edge(first, second)
    group.add_group("nested").add_tree("deep").add_node((9, 9, 9), is_branchpoint=True)
    skeleton.add_tree("tb_root").add_node((1, 1, 1))
    return skeleton


def test_a_skeleton_added_to_a_group_keeps_its_hierarchy_and_attributes_with_fresh_ids() -> None:
    target = wk.Skeleton(voxel_size=(1, 1, 1), dataset_name="ds")
    target.add_tree("mine").add_node((0, 0, 0))
    holder = target.add_group("imported")
    source = _source()
    before = [(t.name, t.id, sorted(n.id for n in t.nodes)) for t in source.flattened_trees()]

    assert holder.add_skeleton(source) is None

    assert [g.name for g in holder.flattened_groups()] == ["GB", "nested"]
    trees = {t.name: t for t in holder.flattened_trees()}
    assert sorted(trees) == ["deep", "tb", "tb_root"]
    copied = trees["tb"]
    assert copied.color == (1, 0, 0, 1) and copied.metadata == {"k": "v"}
    assert sorted(n.position for n in copied.nodes) == [(7, 7, 7), (8, 8, 8)] and len(copied.edges) == 1
    assert [n.comment for n in copied.nodes if n.position == (7, 7, 7)] == ["start"]
    assert next(iter(trees["deep"].nodes)).is_branchpoint
    ids = [t.id for t in target.flattened_trees()] + [g.id for g in target.flattened_groups()]
    ids += [n.id for t in target.flattened_trees() for n in t.nodes]
    assert len(ids) == len(set(ids))  # fresh ids: nothing collides
    assert [(t.name, t.id, sorted(n.id for n in t.nodes)) for t in source.flattened_trees()] == before


def test_a_skeleton_cannot_be_added_to_itself() -> None:
    skeleton = _source()
    with pytest.raises(ValueError, match="its own group"):
        skeleton.add_skeleton(skeleton)
    with pytest.raises(ValueError, match="its own group"):
        next(skeleton.groups).add_skeleton(skeleton)


def test_constructors_claim_ids_from_the_skeleton() -> None:
    skeleton = wk.Skeleton(voxel_size=(1, 1, 1), dataset_name="ds", enforced_id=5)
    assert skeleton.id == 5
    group = wk.Group("free", skeleton, enforced_id=7)
    node = wk.Node((1, 2, 3), skeleton, comment="c", radius=2.0)
    assert (group.id, group.name, list(skeleton.children)) == (7, "free", [])
    assert node.id == 8 and node.position == (1, 2, 3) and (node.comment, node.radius) == ("c", 2.0)
    assert skeleton.add_group("next").id == 9
    with pytest.raises(ValueError, match="already exists"):
        skeleton.add_group("clash", 9)
