"""Fixtures for skeleton tests: canonical, comparable forms of skeletons and NML documents."""

from __future__ import annotations

from typing import Any

import pytest


def canonical_skeleton(skeleton: Any) -> dict:
    """Everything a skeleton holds, as plain sorted data (ids, attributes, edges, groups, metadata)."""
    trees = {}
    for tree in skeleton.flattened_trees():
        group = tree.group
        trees[tree.id] = {
            "name": tree.name,
            "color": tree.color,
            "is_visible": tree.is_visible,
            "group": None if group is skeleton else group.id,
            "metadata": tree.metadata,
            "nodes": {node.id: node.get_dict() for node in tree.nodes},
            "edges": sorted(tuple(sorted((u.id, v.id))) for u, v in tree.edges),
        }
    return {
        "dataset_name": skeleton.dataset_name,
        "dataset_id": skeleton.dataset_id,
        "organization_id": skeleton.organization_id,
        "description": skeleton.description,
        "voxel_size": skeleton.voxel_size_with_unit,
        "groups": [group.as_nml_group() for group in skeleton.groups],
        "trees": trees,
    }


def canonical_document(document: Any) -> dict:
    """A parsed NML document: its skeleton plus parameters, meta and volumes."""
    return {
        "skeleton": canonical_skeleton(document.skeleton),
        "parameters": document.effective_parameters(),
        "meta": list(document.meta),
        "volumes": list(document.volumes),
    }


@pytest.fixture(name="canonical_skeleton")
def canonical_skeleton_fixture():
    """The function ``canonical_skeleton(skeleton) -> dict``."""
    return canonical_skeleton


@pytest.fixture(name="canonical_document")
def canonical_document_fixture():
    """The function ``canonical_document(document) -> dict``."""
    return canonical_document
