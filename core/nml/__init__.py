"""The NML data model (``webknossos._nml``); ``document.NmlDocument`` is the parsed form the NML codec exchanges."""

from .model import (
    Branchpoint,
    Comment,
    Edge,
    Group,
    Meta,
    MetadataEntry,
    Nml,
    Node,
    Parameters,
    Segment,
    Tree,
    Volume,
)

__all__ = [
    "Branchpoint",
    "Comment",
    "Edge",
    "Group",
    "Meta",
    "MetadataEntry",
    "Nml",
    "Node",
    "Parameters",
    "Segment",
    "Tree",
    "Volume",
]
