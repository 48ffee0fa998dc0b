"""Skeleton: the root group of a skeleton annotation, with dataset metadata, id allocation, load and save."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import networkx as nx
from daedalus.core import ports
from daedalus.core.geometry import Vec3Float
from daedalus.core.properties import VoxelSize

from .group import Group, children_summary
from .node import NODE_ATTRIBUTES
from .tree import Tree


class SkeletonFileSuffixError(ValueError, AssertionError):
    """The path given to ``Skeleton.save``/``load`` does not end with .nml or .zip."""


def _to_voxel_size(voxel_size: Any) -> VoxelSize:
    if isinstance(voxel_size, VoxelSize):
        return voxel_size
    return VoxelSize(tuple(voxel_size))


class Skeleton(Group):
    """The root of a skeleton annotation: groups and trees plus the dataset they belong to.

    ``Skeleton(voxel_size=(11, 11, 24), dataset_name="cortex")``; ``Skeleton.load("a.nml")`` reads an NML
    (or the NML inside an annotation zip). Node, tree and group ids are unique within the skeleton.
    """

    dataset_name: str
    dataset_id: str | None
    organization_id: str | None
    description: str | None

    def __init__(
        self,
        voxel_size: Any,
        dataset_name: str,
        dataset_id: str | None = None,
        organization_id: str | None = None,
        description: str | None = None,
        enforced_id: int | None = None,
    ) -> None:
        """A skeleton of the dataset ``dataset_name`` with voxels of ``voxel_size``; ``enforced_id`` is the id
        of its root group (default 0)."""
        self.next_id = 1  # internal (not webknossos API): the next free element id (tree.add_node takes it)
        self._setup(0 if enforced_id is None else int(enforced_id), "Root", self, True)
        if enforced_id is not None:
            self.reserve_id(int(enforced_id))
        self._voxel_size = _to_voxel_size(voxel_size)
        self.dataset_name = dataset_name
        self.dataset_id = dataset_id
        self.organization_id = organization_id
        self.description = description

    # ------------------------------------------------------------------ dataset metadata

    @property
    def voxel_size(self) -> Vec3Float:
        """Voxel size (x, y, z) in nanometers, whatever unit ``voxel_size_with_unit`` keeps (µm: 4 -> 4000)."""
        return Vec3Float(self._voxel_size.to_nanometer())

    @voxel_size.setter
    def voxel_size(self, value: Any) -> None:
        """Set the voxel size in nanometers; it is kept in the current unit (like the reference library)."""
        if isinstance(value, VoxelSize):
            self._voxel_size = value
            return
        unit = self._voxel_size.unit
        self._voxel_size = VoxelSize(tuple(float(v) / unit.nanometers for v in value), unit)

    @property
    def voxel_size_with_unit(self) -> VoxelSize:
        """Voxel size with its length unit."""
        return self._voxel_size

    @voxel_size_with_unit.setter
    def voxel_size_with_unit(self, value: VoxelSize) -> None:
        self._voxel_size = _to_voxel_size(value)

    # ------------------------------------------------------------------ ids

    def reserve_id(self, element_id: int) -> None:
        """Internal (not webknossos API): make ``element_id`` taken (ids given out later are larger)."""
        if element_id >= self.next_id:
            self.next_id = element_id + 1

    def _new_id(self) -> int:
        element_id = self.next_id
        self.next_id = element_id + 1
        return element_id

    def claim_tree_id(self, enforced_id: int | None) -> int:
        """Internal (not webknossos API): a new tree id, or ``enforced_id`` if no tree has it."""
        if enforced_id is None:
            return self._new_id()
        enforced_id = int(enforced_id)
        if self.has_tree_id(enforced_id):
            raise ValueError(f"A tree with id {enforced_id} already exists in this skeleton; choose another id.")
        self.reserve_id(enforced_id)
        return enforced_id

    def claim_group_id(self, enforced_id: int | None) -> int:
        """Internal (not webknossos API): a new group id, or ``enforced_id`` if no group has it."""
        if enforced_id is None:
            return self._new_id()
        enforced_id = int(enforced_id)
        if enforced_id == 0 or any(g.id == enforced_id for g in self.flattened_groups()):
            raise ValueError(f"A group with id {enforced_id} already exists in this skeleton; choose another id.")
        self.reserve_id(enforced_id)
        return enforced_id

    def claim_node_id(self, enforced_id: int | None, check: bool = True) -> int:
        """Internal (not webknossos API): a new node id, or ``enforced_id`` if (``check``) no node has it."""
        if enforced_id is None:
            element_id = self.next_id
            self.next_id = element_id + 1
            return element_id
        enforced_id = int(enforced_id)
        if check and any(enforced_id in tree.node_store for tree in self.flattened_trees()):
            raise ValueError(f"A node with id {enforced_id} already exists in this skeleton; choose another id.")
        self.reserve_id(enforced_id)
        return enforced_id

    def node_ids(self) -> set[int]:
        """Internal (not webknossos API): the ids of every node in the skeleton."""
        ids: set[int] = set()
        for tree in self.flattened_trees():
            ids.update(tree.node_store)
        return ids

    # ------------------------------------------------------------------ import

    def add_nx_graphs(self, tree_dict: list[nx.Graph] | dict[str, list[nx.Graph]]) -> None:
        """Add networkx graphs as trees: a list goes into a new group ``main_group``, a dict maps group names
        to lists of graphs. Every graph node needs a ``position``; other node attributes are kept."""
        if isinstance(tree_dict, dict):
            items = list(tree_dict.items())
        elif isinstance(tree_dict, (list, tuple)):
            items = [("main_group", list(tree_dict))]
        else:
            raise TypeError(
                f"add_nx_graphs expects a list of networkx graphs or a dict of group name -> list of graphs, "
                f"got {type(tree_dict).__name__}."
            )
        for group_name, graphs in items:
            group = self.add_group(group_name)
            for index, graph in enumerate(graphs):
                _add_nx_graph(group, graph, index)

    # ------------------------------------------------------------------ files

    @classmethod
    def load(cls, file_path: str | os.PathLike) -> Skeleton:
        """Load a skeleton from an .nml file or from the NML inside an annotation .zip."""
        from daedalus.core.ports import resolve_annotation_codec

        path = file_path if hasattr(file_path, "protocol") else Path(file_path)
        suffix = path.suffix.lower()
        if suffix not in (".nml", ".zip"):
            raise SkeletonFileSuffixError(
                f"Cannot load a skeleton from {file_path}: the file must end with .nml or .zip."
            )
        if not path.exists():
            raise FileNotFoundError(f"Skeleton file {file_path} does not exist.")
        codec = resolve_annotation_codec("nml")
        if suffix == ".nml":
            return codec.load(path).skeleton
        # the annotation zip reader refuses zip slip, zip bombs and damaged zips (ValueError and RuntimeError)
        from daedalus.core.annotation.annotation_files import read_annotation_zip

        return read_annotation_zip(path)[1].skeleton

    def save(self, out_path: str | os.PathLike) -> None:
        """Save the skeleton as an .nml file, or as a .zip holding ``<stem>.nml``; never leaves a partial file."""
        from daedalus.core.nml.document import NmlDocument
        from daedalus.core.ports import resolve_annotation_codec

        path = out_path if hasattr(out_path, "protocol") else Path(out_path)
        suffix = path.suffix.lower()
        if suffix not in (".nml", ".zip"):
            raise SkeletonFileSuffixError(
                f"Cannot save the skeleton to {out_path}: the file name must end with .nml or .zip."
            )
        codec = resolve_annotation_codec("nml")
        document = NmlDocument.from_skeleton(self)
        if suffix == ".nml":
            codec.dump(document, path)
            return
        _write_zip_atomically(path, f"{path.stem}.nml", lambda stream: codec.dump(document, stream))

    def __repr__(self) -> str:
        """As the reference shows a skeleton: its child counts, voxel size and dataset fields."""
        return (
            f"Skeleton(_child_groups={children_summary(self._child_groups, 'group')}, "
            f"_child_trees={children_summary(self._child_trees, 'tree')}, _voxel_size={self._voxel_size!r}, "
            f"dataset_name={self.dataset_name!r}, dataset_id={self.dataset_id!r}, "
            f"organization_id={self.organization_id!r}, description={self.description!r})"
        )


def _write_zip_atomically(path: Any, member: str, write_member: Any) -> None:
    """Write a zip with one member at ``path`` through a temp file + rename (local paths)."""
    zips = ports.zip_archives()
    if hasattr(path, "protocol") and path.protocol not in ("", "file", "local"):
        with path.open("wb") as raw, zips.open_writer(raw) as archive:
            with archive.open_member(member) as stream:
                write_member(stream)
        return
    path = Path(path)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with zips.open_writer(temp) as archive:
            with archive.open_member(member) as stream:
                write_member(stream)
        ports.file_transfer().replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()


def _add_nx_graph(group: Group, graph: nx.Graph, index: int) -> Tree:
    name = graph.graph.get("name") or f"tree_{index}"
    tree = group.add_tree(name)
    mapping = {}
    for node, data in graph.nodes(data=True):
        if data.get("position") is None:
            raise ValueError(
                f"Node {node!r} of networkx graph {name!r} has no 'position' attribute; every node needs "
                "position=(x, y, z)."
            )
        kwargs = {key: data[key] for key in NODE_ATTRIBUTES if key in data}
        kwargs.setdefault("radius", 1.0)  # the reference's default radius of imported nodes
        mapping[node] = tree.add_node(**kwargs)
    for u, v in graph.edges():
        tree.add_edge(mapping[u], mapping[v])
    return tree
