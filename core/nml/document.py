"""NmlDocument: a parsed NML as a Skeleton plus the rest of the file (parameters, meta, volumes)."""

from __future__ import annotations

import attrs
from daedalus.core.geometry import Vec3Int
from daedalus.core.skeleton import Skeleton
from daedalus.core.skeleton.node import NodeAttributes, expand_compact, set_node_attribute

from .model import (
    Branchpoint,
    Comment,
    Edge,
    Group,
    Meta,
    Nml,
    Node,
    Parameters,
    Tree,
    Volume,
    metadata_dict,
    metadata_entries,
)

_NODE_FIELDS = ("radius", "rotation", "inVp", "inMag", "bitDepth", "interpolation", "time")


@attrs.define
class NmlDocument:
    """What the NML codec reads and writes: the skeleton, the ``<parameters>``, ``<meta>`` and ``<volume>``s.

    The skeleton is the source of truth for dataset name, id, organization, description and voxel size;
    ``parameters`` holds the rest (view state, time, bounding boxes).
    """

    skeleton: Skeleton
    parameters: Parameters
    meta: list[Meta] = attrs.field(factory=list)
    volumes: list[Volume] = attrs.field(factory=list)

    @classmethod
    def from_skeleton(cls, skeleton: Skeleton) -> NmlDocument:
        """A document holding only ``skeleton`` (parameters derived from it)."""
        return cls(skeleton, Parameters(name=skeleton.dataset_name, scale=skeleton.voxel_size_with_unit))

    def effective_parameters(self) -> Parameters:
        """``parameters`` with the dataset fields taken from the skeleton."""
        sk = self.skeleton
        return self.parameters._replace(
            name=sk.dataset_name,
            scale=sk.voxel_size_with_unit,
            organization=sk.organization_id,
            description=sk.description,
            dataset_id=sk.dataset_id,
        )

    # ------------------------------------------------------------------ Nml conversion

    def to_nml(self) -> Nml:
        """The whole document as an ``Nml`` record."""
        trees, branchpoints, comments = [], [], []
        for tree in self.skeleton.flattened_trees():
            nodes = []
            for node_id, a in tree.node_store.items():
                if type(a) is tuple:
                    a = expand_compact(a)
                nodes.append(Node(node_id, a["position"], *(a.get(key) for key in _NODE_FIELDS)))
                if a.get("is_branchpoint"):
                    branchpoints.append(Branchpoint(node_id, a.get("branchpoint_time")))
                if a.get("comment") is not None:
                    comments.append(Comment(node_id, a["comment"]))
            edges = [Edge(u, v) for u, v in _edge_pairs(tree)]
            group = tree.group
            trees.append(
                Tree(
                    id=tree.id,
                    color=tree.color,
                    name=tree.name,
                    nodes=nodes,
                    edges=edges,
                    metadata=metadata_entries(tree.metadata),
                    groupId=None if group is None or group is self.skeleton else group.id,
                    is_visible=tree.is_visible,
                    type=tree.nml_type,
                )
            )
        groups = [group.as_nml_group() for group in self.skeleton.groups]
        return Nml(
            meta=list(self.meta),
            parameters=self.effective_parameters(),
            trees=trees,
            branchpoints=branchpoints,
            comments=comments,
            groups=groups,
            volumes=list(self.volumes),
        )

    @classmethod
    def from_nml(cls, nml: Nml) -> NmlDocument:
        """Build a document (and its Skeleton) from an ``Nml`` record; ids are kept."""
        params = nml.parameters
        skeleton = Skeleton(
            voxel_size=params.scale,
            dataset_name=params.name,
            dataset_id=params.dataset_id,
            organization_id=params.organization,
            description=params.description,
        )

        def add_groups(parent, groups: list[Group]) -> None:
            for group in groups:
                created = parent.add_group(group.name, _enforced_id=group.id)
                created.is_expanded = group.is_expanded is not False
                if group.is_expanded is True:
                    created.nml_explicit_expanded = True
                add_groups(created, group.children)

        add_groups(skeleton, nml.groups)
        comments = {c.node: c.content for c in nml.comments}
        branchpoints = {b.id: b.time for b in nml.branchpoints}
        seen_nodes: set[int] = set()
        for nml_tree in nml.trees:
            parent = skeleton if nml_tree.groupId is None else skeleton.get_group_by_id(nml_tree.groupId)
            tree = parent.add_tree(
                nml_tree.name,
                color=nml_tree.color,
                _enforced_id=nml_tree.id,
                metadata=metadata_dict(nml_tree.metadata),
                is_visible=nml_tree.is_visible,
            )
            if nml_tree.type is not None:
                tree.nml_type = nml_tree.type
            nodes = tree.node_store
            adjacency = tree.adjacency_store
            for node in nml_tree.nodes:
                if node.id in seen_nodes:
                    raise ValueError(f"Node id {node.id} occurs more than once in the Nml; node ids must be unique.")
                seen_nodes.add(node.id)
                attributes = NodeAttributes(position=Vec3Int(node.position))
                for key in _NODE_FIELDS:
                    set_node_attribute(attributes, key, getattr(node, key))
                set_node_attribute(attributes, "comment", comments.get(node.id))
                if node.id in branchpoints:
                    attributes["is_branchpoint"] = True
                    set_node_attribute(attributes, "branchpoint_time", branchpoints[node.id])
                nodes[node.id] = attributes
                adjacency[node.id] = {}
                skeleton.reserve_id(node.id)
            for edge in nml_tree.edges:
                tree.add_edge(edge.source, edge.target)
        return cls(skeleton, params, list(nml.meta), list(nml.volumes))


def _edge_pairs(tree) -> list[tuple[int, int]]:
    """Each undirected edge once, as (u, v) int ids in adjacency order."""
    pairs = []
    seen: set[int] = set()
    for u, neighbours in tree.adjacency_store.items():
        for v in neighbours:
            if v not in seen:
                pairs.append((u, v))
        seen.add(u)
    return pairs
