"""``daedalus._nml``: the NML data model under the names of ``webknossos._nml``."""

from daedalus.core.nml.model import (
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
