"""Group: a named container of trees and subgroups inside a skeleton; ids are unique skeleton-wide."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Union

from daedalus.core.nml.model import Group as NmlGroup

from .node import Node, NodeAttributes, stored_node
from .tree import Tree

if TYPE_CHECKING:
    from .skeleton import Skeleton

GroupOrTree = Union["Group", Tree]


class Group:
    """A hierarchical container of trees and subgroups in a skeleton annotation.

    Create groups with ``Skeleton.add_group`` / ``Group.add_group`` and trees with ``add_tree``;
    the ``flattened_*`` methods walk the whole hierarchy below this group.
    """

    name: str
    is_expanded: bool
    # internal (not webknossos API): the NML said isExpanded="true" (written again; absent means expanded too)
    nml_explicit_expanded = False

    def __init__(
        self, name: str, skeleton: Skeleton, enforced_id: int | None = None, *, is_expanded: bool = True
    ) -> None:
        """A group named ``name`` with an id claimed from ``skeleton`` (``enforced_id`` if given); it belongs to no
        parent yet: use ``add_group`` to create groups inside a skeleton."""
        self._setup(skeleton.claim_group_id(enforced_id), name, skeleton, is_expanded)

    def _setup(self, group_id: int, name: str, skeleton: Skeleton, is_expanded: bool) -> None:
        self._id = int(group_id)
        self.name = name
        self.is_expanded = bool(is_expanded)
        self._skeleton = skeleton
        self._child_groups: list[Group] = []
        self._child_trees: list[Tree] = []

    @classmethod
    def _restored(cls, group_id: int, name: str, skeleton: Skeleton, is_expanded: bool = True) -> Group:
        """A group with the id a file gave it (the loader checks ids itself; nothing is claimed)."""
        group = cls.__new__(cls)
        group._setup(group_id, name, skeleton, is_expanded)
        return group

    @property
    def id(self) -> int:
        """The group id (read-only)."""
        return self._id

    @property
    def children(self) -> Iterator[GroupOrTree]:
        """All immediate children: trees, then groups."""
        yield from self._child_trees
        yield from self._child_groups

    @property
    def groups(self) -> Iterator[Group]:
        """The immediate subgroups (use ``flattened_groups`` for all nested ones)."""
        return iter(list(self._child_groups))

    @property
    def trees(self) -> Iterator[Tree]:
        """The immediate trees (use ``flattened_trees`` for trees in subgroups too)."""
        return iter(list(self._child_trees))

    # ------------------------------------------------------------------ building

    def add_group(self, name: str, _enforced_id: int | None = None) -> Group:
        """Create a subgroup named ``name`` and return it."""
        group = Group(name, self._skeleton, _enforced_id)
        self._child_groups.append(group)
        return group

    def add_skeleton(self, skeleton: Skeleton) -> None:
        """Copy every group, tree, node and edge of another ``skeleton`` into this group, keeping its group
        hierarchy below this group; all copies get fresh ids (so skeletons with colliding ids merge). Node and
        tree attributes are kept; ``skeleton`` is not changed. ValueError if it is this group's own skeleton."""
        if skeleton is self._skeleton:
            raise ValueError(
                f"Cannot add skeleton {skeleton.dataset_name!r} to its own group {self.name!r}; add a copy instead."
            )
        self._copy_children(skeleton)

    def _copy_children(self, source: Group) -> None:
        for tree in source._child_trees:
            self._copy_tree(tree, None, None, None, True, fresh_ids=True)
        for group in source._child_groups:
            copy = self.add_group(group.name)
            copy.is_expanded = group.is_expanded
            copy.nml_explicit_expanded = group.nml_explicit_expanded
            copy._copy_children(group)

    def add_tree(
        self,
        name_or_tree: str | Tree,
        color: Sequence[float] | None = None,
        _enforced_id: int | None = None,
        metadata: dict[str, Any] | None = None,
        is_visible: bool = True,
    ) -> Tree:
        """Add a new tree named ``name_or_tree``, or a copy of the given Tree, to this group.

        A copy keeps the original's ids when they are still free in this skeleton and gets new ids
        otherwise; ``color`` and ``metadata`` override the original's when given.
        """
        if isinstance(name_or_tree, Tree):
            return self._copy_tree(name_or_tree, color, _enforced_id, metadata, is_visible)
        tree = Tree(
            name=str(name_or_tree),
            group=self,
            skeleton=self._skeleton,
            color=color,
            enforced_id=_enforced_id,
            metadata=metadata,
            is_visible=is_visible,
        )
        self._child_trees.append(tree)
        return tree

    def _copy_tree(
        self,
        source: Tree,
        color: Sequence[float] | None,
        enforced_id: int | None,
        metadata: dict[str, Any] | None,
        is_visible: bool,
        fresh_ids: bool = False,
    ) -> Tree:
        skeleton = self._skeleton
        if enforced_id is None and not fresh_ids and not skeleton.has_tree_id(source.id):
            enforced_id = source.id
        tree = Tree(
            name=source.name,
            group=self,
            skeleton=skeleton,
            color=source.color if color is None else color,
            enforced_id=enforced_id,
            metadata=dict(source.metadata) if not metadata else metadata,
            is_visible=source.is_visible and is_visible,
        )
        if source.nml_type is not None:
            tree.nml_type = source.nml_type
        source_nodes = source.node_store
        taken = skeleton.node_ids()
        keep_ids = not fresh_ids and taken.isdisjoint(source_nodes)
        mapping = {}
        nodes = tree.node_store
        adj = tree.adjacency_store
        for old_id, attributes in source_nodes.items():
            new_id = skeleton.claim_node_id(old_id if keep_ids else None, check=False)
            mapping[old_id] = new_id
            nodes[new_id] = attributes if type(attributes) is tuple else NodeAttributes(attributes)
            adj[new_id] = {}
        for u, neighbours in source.adjacency_store.items():
            for v, data in neighbours.items():
                if u <= v:
                    copied = None if data is None else dict(data)
                    adj[mapping[u]][mapping[v]] = copied
                    adj[mapping[v]][mapping[u]] = copied
        self._child_trees.append(tree)
        return tree

    # ------------------------------------------------------------------ walking

    def flattened_groups(self) -> Iterator[Group]:
        """All groups below this one (depth first)."""
        for group in list(self._child_groups):
            yield group
            yield from group.flattened_groups()

    def flattened_trees(self) -> Iterator[Tree]:
        """All trees in this group and its subgroups."""
        yield from list(self._child_trees)
        for group in list(self._child_groups):
            yield from group.flattened_trees()

    def get_group_by_id(self, group_id: int) -> Group:
        """The group with id ``group_id`` (this group or one below it); ValueError if there is none."""
        if self._id == group_id:
            return self
        for group in self.flattened_groups():
            if group._id == group_id:
                return group
        raise ValueError(f"No group with id {group_id} was found in group {self.name!r}.")

    def get_tree_by_id(self, tree_id: int) -> Tree:
        """The tree with id ``tree_id`` in this group or below; ValueError if there is none."""
        for tree in self.flattened_trees():
            if tree._id == tree_id:
                return tree
        raise ValueError(f"No tree with id {tree_id} was found in group {self.name!r}.")

    def has_tree_id(self, tree_id: int) -> bool:
        """Whether a tree with id ``tree_id`` exists in this group or below."""
        return any(tree._id == tree_id for tree in self.flattened_trees())

    def remove_tree_by_id(self, tree_id: int) -> None:
        """Remove the tree with id ``tree_id`` from this group or the subgroup holding it."""
        for group in (self, *self.flattened_groups()):
            for index, tree in enumerate(group._child_trees):
                if tree._id == tree_id:
                    del group._child_trees[index]
                    tree.group = None
                    return
        raise ValueError(f"No tree with id {tree_id} was found in group {self.name!r}; nothing was removed.")

    def get_node_by_id(self, node_id: int) -> Node:
        """The node with id ``node_id`` in any tree of this group or below; ValueError if there is none."""
        node_id = int(node_id)
        for tree in self.flattened_trees():
            store = tree.node_store
            attributes = store.get(node_id)
            if attributes is not None:
                return stored_node(node_id, attributes, store)
        raise ValueError(f"No node with id {node_id} was found in group {self.name!r}.")

    def get_max_node_id(self) -> int:
        """The highest node id of all trees in this group and below (0 if there are no nodes)."""
        return max((tree.get_max_node_id() for tree in self.flattened_trees()), default=0)

    def get_max_tree_id(self) -> int:
        """The highest tree id in this group and below (0 if there are no trees)."""
        return max((tree._id for tree in self.flattened_trees()), default=0)

    def get_total_node_count(self) -> int:
        """The number of nodes of all trees in this group and below."""
        return sum(len(tree.node_store) for tree in self.flattened_trees())

    def as_nml_group(self) -> NmlGroup:
        """This group and its subgroups as an ``_nml.Group`` (for serialisation)."""
        return NmlGroup(
            id=self._id,
            name=self.name,
            children=[group.as_nml_group() for group in self._child_groups],
            is_expanded=(True if self.nml_explicit_expanded else None) if self.is_expanded else False,
        )

    def __repr__(self) -> str:
        """As the reference shows a group: ``Group(_id=1, name='g', _child_groups=<1 child group>, ...)``."""
        return (
            f"Group(_id={self._id}, name={self.name!r}, _child_groups={children_summary(self._child_groups, 'group')}, "
            f"_child_trees={children_summary(self._child_trees, 'tree')})"
        )


def children_summary(children: Any, kind: str) -> str:
    """How a repr shows child groups or trees: ``<No child trees>``, ``<1 child tree>``, ``<2 child trees>``."""
    count = len(children)
    if count == 0:
        return f"<No child {kind}s>"
    return f"<{count} child {kind}{'' if count == 1 else 's'}>"
