"""NMLs written by daedalus load identically in the reference ``webknossos``, and vice versa."""

from __future__ import annotations

import inspect

import pytest
from daedalus.core.nml.document import NmlDocument
from daedalus.core.ports import resolve_annotation_codec

import daedalus as wk

pytestmark = pytest.mark.interop


# --- code shared verbatim by daedalus and the reference process (see `_script`) -------------------


def _build_skeleton(wk):
    """A skeleton with nested groups, metadata, comments, branchpoints and all node attributes."""
    skeleton = wk.Skeleton(voxel_size=(11.24, 11.24, 28.0), dataset_name="interop_ds")
    neuron = skeleton.add_group("neuron")
    dendrites = neuron.add_group("dendrites")
    root_tree = skeleton.add_tree("root tree", color=(0.1, 0.2, 0.3, 1.0))
    tree = dendrites.add_tree(
        "dendrite & <1>", color=(1.0, 0.5, 0.0), metadata={"kind": "axon", "n": 3, "tags": ["a", "b"]}
    )
    previous = None
    for i in range(6):
        node = tree.add_node(
            position=(10 * i, 20, 30 + i),
            comment="soma" if i == 0 else None,
            radius=1.5 + i,
            rotation=(0.0, 0.1 * i, 0.0),
            inVp=1,
            inMag=0,
            time=1700000000000 + i,
            is_branchpoint=i == 3,
            branchpoint_time=1700000000003 if i == 3 else None,
        )
        if previous is not None:
            tree.add_edge(previous, node)
        previous = node
    a = root_tree.add_node(position=(1, 2, 3))
    b = root_tree.add_node(position=(4, 5, 6), comment='quote " and\nnewline')
    root_tree.add_edge(a, b)
    neuron.add_tree("empty tree")
    return skeleton


def _describe_group(group):
    return {"id": group.id, "name": group.name, "children": [_describe_group(g) for g in group.groups]}


def _describe_skeleton(skeleton):
    trees = []
    for tree in skeleton.flattened_trees():
        nodes = []
        for node in sorted(tree.nodes, key=lambda n: n.id):
            nodes.append(
                [
                    node.id,
                    list(node.position),
                    node.radius,
                    None if node.rotation is None else list(node.rotation),
                    node.inVp,
                    node.inMag,
                    node.time,
                    node.comment,
                    bool(node.is_branchpoint),
                ]
            )
        edges = sorted(sorted([u.id, v.id]) for u, v in tree.edges)
        group_id = None if tree.group is skeleton else tree.group.id
        color = None if tree.color is None else [round(c, 6) for c in tree.color]
        trees.append(
            {
                "id": tree.id,
                "name": tree.name,
                "group": group_id,
                "color": color,
                "metadata": {k: list(v) if isinstance(v, (list, tuple)) else v for k, v in tree.metadata.items()},
                "nodes": nodes,
                "edges": edges,
            }
        )
    return {
        "dataset_name": skeleton.dataset_name,
        "voxel_size": list(skeleton.voxel_size),
        "groups": [_describe_group(g) for g in skeleton.groups],
        "trees": sorted(trees, key=lambda t: t["id"]),
    }


def _describe_box(box):
    return {
        "topleft": list(box.topleft),
        "size": list(box.size),
        "name": box.name,
        "is_visible": box.is_visible,
        "color": None if box.color is None else [round(c, 6) for c in box.color],
    }


# ---------------------------------------------------------------------------------------------------

_REFERENCE_MAIN = """
import json, sys, warnings
warnings.simplefilter("ignore")
import webknossos as wk

mode, path = sys.argv[1], sys.argv[2]
if mode == "write":
    skeleton = _build_skeleton(wk)
    annotation = wk.Annotation(name="interop", dataset_name=skeleton.dataset_name, voxel_size=skeleton.voxel_size)
    annotation.skeleton = skeleton
    annotation.user_bounding_boxes = [
        wk.BoundingBox((10, 20, 30), (40, 50, 60)).with_name("roi").with_color((1.0, 0.0, 0.0, 1.0)),
        wk.BoundingBox((1, 2, 3), (4, 5, 6)).with_name("hidden").with_is_visible(False),
    ]
    annotation.task_bounding_box = wk.BoundingBox((0, 0, 0), (500, 500, 100))
    annotation.save(path)
annotation = wk.Annotation.load(path)
print(json.dumps({
    "skeleton": _describe_skeleton(annotation.skeleton),
    "user_boxes": [_describe_box(b) for b in annotation.user_bounding_boxes],
    "task_box": None if annotation.task_bounding_box is None else _describe_box(annotation.task_bounding_box),
}))
"""


def _script() -> str:
    shared = "\n\n".join(
        inspect.getsource(f) for f in (_build_skeleton, _describe_group, _describe_skeleton, _describe_box)
    )
    return f"{shared}\n{_REFERENCE_MAIN}"


def _describe_daedalus(path) -> dict:
    document = resolve_annotation_codec("nml").load(path)
    params = document.parameters
    return {
        "skeleton": _describe_skeleton(document.skeleton),
        "user_boxes": [_describe_box(b) for b in params.userBoundingBoxes or []],
        "task_box": None if params.taskBoundingBox is None else _describe_box(params.taskBoundingBox),
    }


def test_daedalus_nml_loads_identically_in_reference(run_reference_json, tmp_path):
    skeleton = _build_skeleton(wk)
    document = NmlDocument.from_skeleton(skeleton)
    document.parameters = document.parameters._replace(
        userBoundingBoxes=[
            wk.BoundingBox((10, 20, 30), (40, 50, 60), name="roi", color=(1.0, 0.0, 0.0, 1.0)),
            wk.BoundingBox((1, 2, 3), (4, 5, 6), name="hidden", is_visible=False),
        ],
        taskBoundingBox=wk.BoundingBox((0, 0, 0), (500, 500, 100)),
    )
    path = tmp_path / "daedalus.nml"
    resolve_annotation_codec("nml").dump(document, path)
    expected = _describe_daedalus(path)
    assert expected["skeleton"] == _describe_skeleton(skeleton)
    assert len(expected["skeleton"]["trees"]) == 3 and expected["user_boxes"][1]["is_visible"] is False
    assert run_reference_json(_script(), "read", path) == expected


def test_reference_nml_loads_identically_in_daedalus(run_reference_json, tmp_path):
    path = tmp_path / "reference.nml"
    reference = run_reference_json(_script(), "write", path)
    assert _describe_daedalus(path) == reference
    assert reference["skeleton"]["trees"][1]["metadata"] == {"kind": "axon", "n": 3, "tags": ["a", "b"]}
    assert wk.Skeleton.load(path).get_total_node_count() == 8
