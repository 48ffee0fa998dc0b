"""``daedalus.skeleton``: the names of the reference's ``webknossos.skeleton`` (skeletons, trees, nodes, groups)."""

from daedalus.core.skeleton import Group, Node, Skeleton, Tree

__all__ = ["Group", "Node", "Skeleton", "Tree"]
