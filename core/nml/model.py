"""The NML data model: immutable records mirroring the elements of a WEBKNOSSOS NML file."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import IO, Any, BinaryIO, Literal, NamedTuple

from daedalus.core.geometry import NDBoundingBox, Vec3Int
from daedalus.core.properties import VoxelSize

Vector3 = tuple[float, float, float]
Vector4 = tuple[float, float, float, float]


class Branchpoint(NamedTuple):
    """``<branchpoint id time>``: a node marked as branchpoint."""

    id: int
    time: int | None = None


class Comment(NamedTuple):
    """``<comment node content>``: a text comment on a node."""

    node: int
    content: str


class Edge(NamedTuple):
    """``<edge source target>`` of a tree."""

    source: int
    target: int


class Group(NamedTuple):
    """``<group id name isExpanded>`` with nested child groups (``is_expanded`` None: attribute absent)."""

    id: int
    name: str
    children: list[Group]
    is_expanded: bool | None = None


class Meta(NamedTuple):
    """``<meta name content>``: free-form metadata of the annotation (writer, annotation id, ...)."""

    name: str
    content: str


class MetadataEntry(NamedTuple):
    """``<metadataEntry>`` of a tree or segment: a string, number or string-list value."""

    key: str
    type: Literal["str", "number", "list"]
    value: str | int | float | Sequence[str]


class Node(NamedTuple):
    """``<node>`` of a tree."""

    id: int
    position: Vector3
    radius: float | None = None
    rotation: Vector3 | None = None
    inVp: int | None = None
    inMag: int | None = None
    bitDepth: int | None = None
    interpolation: bool | None = None
    time: int | None = None


class Parameters(NamedTuple):
    """``<parameters>``: dataset, voxel size, view state and bounding boxes of the annotation.

    ``wkUrl`` (of ``<experiment>``), ``activeNode`` (its node id) and ``userBoundingBoxIds`` (the ``id`` of each
    ``<userBoundingBox>``, parallel to ``userBoundingBoxes``; None: numbered from 0) keep the rest of the file.
    """

    name: str
    scale: VoxelSize
    offset: Vector3 | None = None
    time: int | None = None
    editPosition: Vector3 | None = None
    editRotation: Vector3 | None = None
    zoomLevel: float | None = None
    taskBoundingBox: NDBoundingBox | None = None
    userBoundingBoxes: list[NDBoundingBox] | None = None
    organization: str | None = None
    description: str | None = None
    dataset_id: str | None = None
    wkUrl: str | None = None
    activeNode: int | None = None
    userBoundingBoxIds: list[int] | None = None


class Segment(NamedTuple):
    """``<segment>`` of a volume annotation."""

    id: int
    name: str | None
    anchor_position: Vec3Int | None
    color: Vector4 | None
    metadata: list[MetadataEntry]
    created: int | None = None


class Tree(NamedTuple):
    """``<thing>``: one tree with its nodes, edges and metadata (``type``: WEBKNOSSOS' tree type, e.g. DEFAULT)."""

    id: int
    color: Vector4 | None
    name: str
    nodes: list[Node]
    edges: list[Edge]
    metadata: list[MetadataEntry]
    groupId: int | None = None
    is_visible: bool = True
    type: str | None = None


class Volume(NamedTuple):
    """``<volume>``: a volume layer of the annotation (data lives in the zip entry ``location``).

    ``segment_groups`` are the ``<groups>`` of its segments (None: the file has no such element).
    """

    id: int
    location: str | None
    fallback_layer: str | None
    name: str | None
    segments: list[Segment]
    format: str | None = None
    largest_segment_id: int | None = None
    segment_groups: list[Group] | None = None


class Nml(NamedTuple):
    """A whole NML file: meta, parameters, trees, branchpoints, comments, groups and volumes."""

    meta: list[Meta]
    parameters: Parameters
    trees: list[Tree]
    branchpoints: list[Branchpoint]
    comments: list[Comment]
    groups: list[Group]
    volumes: list[Volume] = []

    def get_meta(self, key: str) -> str | None:
        """The content of the ``<meta>`` named ``key``, or None."""
        for meta in self.meta:
            if meta.name == key:
                return meta.content
        return None

    @classmethod
    def parse(cls, file: IO[bytes]) -> Nml:
        """Parse an NML file from a binary stream (through the registered ``nml`` annotation codec)."""
        from daedalus.core.ports import resolve_annotation_codec

        return resolve_annotation_codec("nml").load(file).to_nml()

    def write(self, file: BinaryIO) -> None:
        """Write this NML to a binary stream (through the registered ``nml`` annotation codec)."""
        from daedalus.core.ports import resolve_annotation_codec

        resolve_annotation_codec("nml").dump(self, file)


def metadata_entries(metadata: dict[str, Any]) -> list[MetadataEntry]:
    """Tree/segment metadata dict -> NML metadata entries (lists and tuples become string lists)."""
    entries = []
    for key, value in metadata.items():
        if isinstance(value, str):
            entries.append(MetadataEntry(key, "str", value))
        elif isinstance(value, bool):
            entries.append(MetadataEntry(key, "number", value))
        elif isinstance(value, numbers.Integral):
            entries.append(MetadataEntry(key, "number", int(value)))
        elif isinstance(value, numbers.Real):
            entries.append(MetadataEntry(key, "number", float(value)))
        elif isinstance(value, Sequence):
            entries.append(MetadataEntry(key, "list", [str(v) for v in value]))
        else:
            raise TypeError(f"Metadata value for key {key!r} must be a str, number or list of str, got {value!r}.")
    return entries


def metadata_dict(entries: Sequence[MetadataEntry]) -> dict[str, Any]:
    """NML metadata entries -> dict (string lists become lists)."""
    return {entry.key: (list(entry.value) if entry.type == "list" else entry.value) for entry in entries}
