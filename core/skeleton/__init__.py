"""Skeleton annotations: Skeleton (the root group), Group, Tree (a networkx Graph) and Node."""

from .group import Group
from .node import Node
from .skeleton import Skeleton
from .tree import Tree

__all__ = ["Group", "Node", "Skeleton", "Tree"]
