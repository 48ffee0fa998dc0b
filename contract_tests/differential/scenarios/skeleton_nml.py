"""Skeleton and NML scenarios: skeletons built with the API, saved and loaded back; NML texts with absent
attributes and ``<scale>`` units; the NML fixtures loaded."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "differential_scenarios__skeleton_facts", Path(__file__).with_name("_skeleton_facts.py")
)
facts = sys.modules.get(_spec.name) or importlib.util.module_from_spec(_spec)
if _spec.name not in sys.modules:
    sys.modules[_spec.name] = facts
    _spec.loader.exec_module(facts)

FIXTURES = Path(__file__).resolve().parents[4] / "shared" / "fixtures"  # ../shared next to the repository


def _build(wk, spec):
    """A skeleton from a plain description: voxel size, groups (nested) and trees of nodes and edges."""
    skeleton = wk.Skeleton(voxel_size=tuple(spec["voxel_size"]), dataset_name=spec["dataset_name"])
    groups = {None: skeleton}
    for name, parent in spec["groups"]:
        groups[name] = groups[parent].add_group(name)
    for tree_spec in spec["trees"]:
        parent = groups[tree_spec["group"]]
        tree = parent.add_tree(
            tree_spec["name"],
            color=None if tree_spec["color"] is None else tuple(tree_spec["color"]),
            metadata=tree_spec["metadata"],
            is_visible=tree_spec["visible"],
        )
        nodes = []
        for node_spec in tree_spec["nodes"]:
            nodes.append(
                tree.add_node(
                    position=tuple(node_spec["position"]),
                    comment=node_spec["comment"],
                    radius=node_spec["radius"],
                    rotation=None if node_spec["rotation"] is None else tuple(node_spec["rotation"]),
                    inVp=node_spec["inVp"],
                    inMag=node_spec["inMag"],
                    time=node_spec["time"],
                    is_branchpoint=node_spec["branchpoint"],
                )
            )
        for a, b in tree_spec["edges"]:
            if a < len(nodes) and b < len(nodes) and a != b:
                tree.add_edge(nodes[a], nodes[b])
    return skeleton


def built(wk, tmp, spec):
    """The facts of a skeleton built with the API (ids, defaults the API fills in)."""
    return facts.skeleton_facts(_build(wk, spec))


def save_and_load(wk, tmp, spec, suffix):
    """Build, save (as .nml or .zip), load again: the loaded skeleton's facts, and whether it equals the built one."""
    skeleton = _build(wk, spec)
    colorless = facts.colorless_trees(skeleton)
    path = tmp / f"skeleton{suffix}"
    skeleton.save(path)
    loaded = wk.Skeleton.load(path)
    after = facts.skeleton_facts(loaded, colorless)
    return [after, facts.skeleton_facts(skeleton, colorless) == after]


_NML = """<things>
  <parameters>
    <experiment name="{dataset}" {organization}/>
    {scale}
    {extra_parameters}
  </parameters>
  <thing id="{tree_id}" {tree_attributes}>
    <nodes>
      <node id="1" x="1" y="2" z="3" {node_attributes}/>
      <node id="2" x="4.5" y="5" z="6"/>
    </nodes>
    <edges>
      <edge source="1" target="2"/>
    </edges>
  </thing>
  {after_trees}
</things>
"""


def nml_text(wk, tmp, scale, tree_attributes, node_attributes, extra_parameters, after_trees, organization):
    """An NML written by hand (attributes present or absent) loaded as Skeleton and as Annotation."""
    text = _NML.format(
        dataset="ds",
        organization=organization,
        scale=scale,
        extra_parameters=extra_parameters,
        tree_id=3,
        tree_attributes=tree_attributes,
        node_attributes=node_attributes,
        after_trees=after_trees,
    )
    path = tmp / "hand.nml"
    path.write_text(text)
    skeleton = wk.Skeleton.load(path)
    annotation = wk.Annotation.load(path)
    return [facts.skeleton_facts(skeleton), facts.annotation_facts(annotation)]


def load_fixture(wk, tmp, relative, resave):
    """A fixture NML loaded as Skeleton (optionally saved and loaded again by the same package)."""
    skeleton = wk.Skeleton.load(FIXTURES / relative)
    colorless = facts.colorless_trees(skeleton)
    if resave:
        skeleton.save(tmp / "again.nml")
        skeleton = wk.Skeleton.load(tmp / "again.nml")
    observed = facts.skeleton_facts(skeleton, colorless if resave else frozenset())
    # the reference loses branchpoint times when it saves (see branchpoint_time_saved)
    return facts.without_branchpoint_times(observed) if resave else observed


def skeleton_edits(wk, tmp, remove_tree, nx_graph):
    """Edits of a loaded fixture skeleton: remove a tree by id, add networkx graphs, flattened listings."""
    skeleton = wk.Skeleton.load(FIXTURES / "generated" / "annotations" / "reference_skeleton.nml")
    if remove_tree:
        skeleton.remove_tree_by_id(min(tree.id for tree in skeleton.flattened_trees()))
    if nx_graph:
        import networkx as nx

        graph = nx.Graph()
        graph.add_node(1, position=(1, 2, 3))
        graph.add_node(2, position=(4, 5, 6))
        graph.add_edge(1, 2)
        skeleton.add_nx_graphs([graph])
    flat_trees = sorted(tree.id for tree in skeleton.flattened_trees())
    flat_groups = sorted(group.id for group in skeleton.flattened_groups())
    return [facts.skeleton_facts(skeleton), flat_trees, flat_groups, skeleton.get_max_tree_id()]


def uncolored_tree_saved(wk, tmp, suffix):
    """A tree without colour saved and loaded (documented: the reference writes a random colour)."""
    skeleton = wk.Skeleton(voxel_size=(1, 1, 1), dataset_name="ds")
    skeleton.add_tree("tree").add_node(position=(1, 2, 3))
    skeleton.save(tmp / f"s{suffix}")
    return [tree.color for tree in wk.Skeleton.load(tmp / f"s{suffix}").trees]


def branchpoint_time_saved(wk, tmp, node_time, branchpoint_time):
    """A branchpoint's time saved and loaded (documented: the reference writes the node's time instead)."""
    skeleton = wk.Skeleton(voxel_size=(1, 1, 1), dataset_name="ds")
    tree = skeleton.add_tree("tree", color=(1, 0, 0, 1))
    tree.add_node(position=(1, 2, 3), time=node_time, is_branchpoint=True, branchpoint_time=branchpoint_time)
    skeleton.save(tmp / "s.nml")
    node = next(iter(wk.Skeleton.load(tmp / "s.nml").get_tree_by_id(tree.id).nodes))
    return [node.is_branchpoint, node.branchpoint_time, node.time]


def remove_grouped_tree(wk, tmp):
    """``Skeleton.remove_tree_by_id`` of a tree inside a group (documented: the reference raises KeyError)."""
    skeleton = wk.Skeleton(voxel_size=(1, 1, 1), dataset_name="ds")
    tree = skeleton.add_group("group").add_tree("tree", color=(1, 0, 0, 1))
    skeleton.remove_tree_by_id(tree.id)
    return sorted(t.id for t in skeleton.flattened_trees())


def object_reprs(wk, tmp, groups, trees, node_values, reload):
    """``repr`` and ``str`` of a skeleton, its groups, nodes and edges (with ``groups`` subgroups and ``trees``
    trees in the first group, nodes with or without every attribute), optionally after saving and loading; the
    trees' ``str``."""
    skeleton = wk.Skeleton(voxel_size=(1, 2, 3), dataset_name="ds", organization_id="org", description="desc")
    group = skeleton.add_group("outer")
    for index in range(groups):
        group.add_group(f"inner{index}")
    tree = skeleton.add_tree("top", color=(1.0, 0.0, 0.0, 1.0))
    values = (
        dict(comment="c", radius=2.5, rotation=(0.0, 90.0, 1.5), inVp=1, inMag=2, bitDepth=8, interpolation=True,
             time=12345)
        if node_values else {}
    )  # fmt: skip
    first = tree.add_node((1, 2, 3), **values)
    second = tree.add_node((4, 5, 6), is_branchpoint=True)
    tree.add_edge(first, second)
    for index in range(trees):
        group.add_tree(f"tree{index}").add_node((index, 0, 0))
    if reload:
        skeleton.save(tmp / "skeleton.nml")
        skeleton = wk.Skeleton.load(tmp / "skeleton.nml")
    objects = [skeleton, *sorted(skeleton.groups, key=lambda g: g.id)]
    for each in sorted(skeleton.flattened_trees(), key=lambda t: t.id):
        objects += sorted(each.nodes, key=lambda n: n.id)
        objects += [edge for edge in sorted(each.edges, key=lambda e: (e[0].id, e[1].id))]
    shown = [repr(obj) for obj in objects] + [str(obj) for obj in objects]
    return shown + [str(each) for each in sorted(skeleton.flattened_trees(), key=lambda t: t.id)]


def tree_repr(wk, tmp):
    """``repr`` of a tree (its address left out)."""
    import re

    tree = wk.Skeleton(voxel_size=(1, 1, 1), dataset_name="ds").add_tree("t")
    tree.add_node((1, 1, 1))
    return re.sub(r" at 0x[0-9a-f]+", "", repr(tree))
