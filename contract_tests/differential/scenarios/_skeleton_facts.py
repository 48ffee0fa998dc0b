"""Observers of skeletons and annotations for the scenarios: trees, nodes, edges, groups and attributes as plain
data (stdlib + numpy only, loaded by path from the scenario modules)."""

from __future__ import annotations


def _float(value):
    return None if value is None else float(value)


def _vec(value):
    return None if value is None else [float(v) for v in value]


def node_facts(node, interpolation=True, branchpoint_time=True) -> list:
    """Every attribute of a node a user reads (``interpolation`` / ``branchpoint_time`` False leave them out)."""
    return [
        node.id,
        [float(v) for v in node.position],
        node.comment,
        _float(node.radius),
        _vec(node.rotation),
        node.inVp,
        node.inMag,
        node.bitDepth,
        node.interpolation if interpolation else "not compared",
        node.time,
        node.is_branchpoint,
        node.branchpoint_time if branchpoint_time else "not compared",
    ]


def tree_facts(tree, colorless=frozenset(), interpolation=True) -> list:
    """A tree: id, name, color, metadata, visibility, its nodes (by id) and edges (as sorted id pairs).

    The colour of trees whose id is in ``colorless`` is not compared (the reference saves them with random ones).
    """
    nodes = sorted((node_facts(node, interpolation) for node in tree.nodes), key=lambda facts: facts[0])
    edges = sorted(sorted([a.id, b.id]) for a, b in tree.edges)
    color = None if tree.color is None else [round(float(c), 6) for c in tree.color]
    if tree.id in colorless:
        color = "not compared"
    metadata = {str(k): v if not isinstance(v, (list, tuple)) else list(v) for k, v in dict(tree.metadata).items()}
    return [tree.id, tree.name, color, metadata, bool(tree.is_visible), nodes, edges]


def group_facts(group, colorless=frozenset(), interpolation=True) -> list:
    """A group: id, name, its trees and its child groups (recursively), sorted by id."""
    trees = sorted((tree_facts(tree, colorless, interpolation) for tree in group.trees), key=lambda facts: facts[0])
    groups = sorted(
        (group_facts(child, colorless, interpolation) for child in group.groups), key=lambda facts: facts[0]
    )
    return [group.id, group.name, trees, groups]


def colorless_trees(skeleton) -> frozenset:
    """Ids of the trees without a colour (saving gives them random ones in the reference)."""
    return frozenset(tree.id for tree in skeleton.flattened_trees() if tree.color is None)


def skeleton_facts(skeleton, colorless=frozenset(), interpolation=True) -> list:
    """A skeleton: dataset name/id, organization, description, voxel size with unit, groups and trees."""
    voxel = skeleton.voxel_size_with_unit
    return [
        skeleton.dataset_name,
        skeleton.dataset_id,
        skeleton.organization_id,
        skeleton.description,
        [float(v) for v in skeleton.voxel_size],
        [[float(v) for v in voxel.factor], str(voxel.unit.value)],
        sorted((tree_facts(tree, colorless, interpolation) for tree in skeleton.trees), key=lambda facts: facts[0]),
        sorted((group_facts(g, colorless, interpolation) for g in skeleton.groups), key=lambda facts: facts[0]),
        skeleton.get_total_node_count(),
        skeleton.get_max_node_id(),
    ]


def box_facts(box) -> list | None:
    """A (user or task) bounding box: topleft, size, name, visibility, color and id where known."""
    if box is None:
        return None
    out = [list(box.topleft), list(box.size), box.name, box.is_visible]
    color = getattr(box, "color", None)
    out.append(None if color is None else [round(float(c), 6) for c in color])
    return out


def annotation_facts(annotation, colorless=frozenset(), interpolation=True) -> list:
    """What an annotation tells: names, ids, position, rotation, zoom, time, metadata, boxes, volume layers."""
    boxes = [box_facts(box) for box in annotation.user_bounding_boxes]
    return [
        annotation.name,
        annotation.dataset_name,
        annotation.dataset_id,
        annotation.organization_id,
        annotation.description,
        annotation.owner_name,
        annotation.annotation_id,
        annotation.time,
        _vec(annotation.edit_position),
        _vec(annotation.edit_rotation),
        _float(annotation.zoom_level),
        {str(k): str(v) for k, v in dict(annotation.metadata).items()},
        box_facts(annotation.task_bounding_box),
        boxes,
        list(annotation.voxel_size),
        sorted(annotation.get_volume_layer_names()),
        skeleton_facts(annotation.skeleton, colorless, interpolation),
    ]


def without_branchpoint_times(facts: list) -> list:
    """Skeleton facts with every node's branchpoint time replaced by "not compared" (index 11 of a node)."""

    def trees(tree_list):
        for tree in tree_list:
            for node in tree[5]:
                node[11] = "not compared"

    def groups(group_list):
        for group in group_list:
            trees(group[2])
            groups(group[3])

    trees(facts[6])
    groups(facts[7])
    return facts
