"""Skeletons and NML files behave like the reference's: skeletons built with the API, saved (.nml, .zip) and
loaded back; hand-written NMLs with absent attributes and ``<scale>`` units; the NML fixtures."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

_spec = importlib.util.spec_from_file_location("dataset_strategies", Path(__file__).with_name("dataset_strategies.py"))
ds = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ds)

FIXTURE_NMLS = [
    "wk-testdata/nmls/generate_nml_snapshot.nml",
    "wk-testdata/nmls/generated_annotation_snapshot.nml",
    "wk-testdata/nmls/generated_skeleton_snapshot.nml",
    "wk-testdata/nmls/nml_with_small_distance_nodes.nml",
    "wk-testdata/nmls/test_a.nml",
    "wk-testdata/annotations/nml_with_volumes.nml",
    "generated/annotations/reference_skeleton.nml",
]
coordinate = st.integers(-1000, 100000)
node = st.fixed_dictionaries(
    {
        "position": st.tuples(coordinate, coordinate, coordinate),
        "comment": st.one_of(st.none(), st.sampled_from(["", "a comment", "<&>\"'", "ümlaut"])),
        "radius": st.one_of(st.none(), st.sampled_from([0.0, 1.0, 2.5, 123.25])),
        "rotation": st.one_of(st.none(), st.tuples(*[st.sampled_from([0.0, 0.5, -90.0, 180.0])] * 3)),
        "inVp": st.one_of(st.none(), st.integers(0, 3)),
        "inMag": st.one_of(st.none(), st.integers(0, 4)),
        "time": st.one_of(st.none(), st.integers(0, 2**41)),
        "branchpoint": st.booleans(),
    }
).map(lambda n: {**n, "time": None} if n["branchpoint"] else n)  # branchpoint times: test_branchpoint_time_saved
metadata = st.dictionaries(
    st.sampled_from(["a", "key", "x y"]),
    st.one_of(st.integers(-5, 5), st.sampled_from(["text", ""]), st.sampled_from([1.5, -0.25]), st.just(["p", "q"])),
    max_size=3,
)


@st.composite
def skeleton_spec(draw):
    """A skeleton as plain data: voxel size, nested groups and trees of nodes and edges."""
    groups = []
    for i in range(draw(st.integers(0, 3))):
        parent = draw(st.sampled_from([None] + [name for name, _ in groups]))
        groups.append([f"group{i}", parent])
    trees = []
    for i in range(draw(st.integers(0, 4))):
        nodes = draw(st.lists(node, max_size=5))
        edges = draw(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), max_size=4))
        trees.append(
            {
                "name": draw(st.sampled_from([f"tree{i}", "", "same"])),
                "group": draw(st.sampled_from([None] + [name for name, _ in groups])),
                "color": draw(st.one_of(st.none(), st.tuples(*[st.sampled_from([0.0, 0.25, 1.0])] * 4))),
                "metadata": draw(metadata),
                "visible": draw(st.booleans()),
                "nodes": nodes,
                "edges": [list(e) for e in edges],
            }
        )
    return {
        "voxel_size": draw(st.sampled_from([[1, 1, 1], [11.24, 11.24, 28], [0.5, 2, 100]])),
        "dataset_name": draw(st.sampled_from(["ds", "My Dataset", ""])),
        "groups": groups,
        "trees": trees,
    }


@ds.examples(20)
@given(spec=skeleton_spec())
def test_built(differential, spec):
    differential.check("skeleton_nml:built", spec=spec)


@ds.examples(20)
@given(spec=skeleton_spec(), suffix=st.sampled_from([".nml", ".zip"]))
def test_save_and_load(differential, spec, suffix):
    differential.check("skeleton_nml:save_and_load", spec=spec, suffix=suffix)


SCALES = [
    '<scale x="1" y="2" z="3"/>',
    '<scale x="1" y="2" z="3" unit="micrometer"/>',
    '<scale x="1" y="2" z="3" unit="nm"/>',
    '<scale x="1" y="2" z="3" unit="µm"/>',
    '<scale x="1.5" y="2" z="3" unit="foot"/>',
    '<scale x="1" y="2" z="3" unit="parsec"/>',
    "",
]
TREE_ATTRIBUTES = [
    "",
    'name="t" color.r="1" color.g="0" color.b="0" color.a="1"',
    'color.r="1" color.g="0.5" color.b="0"',
    'name="x" isVisible="false"',
    'type="AGGLOMERATE"',
]
NODE_ATTRIBUTES = ["", 'radius="3"', 'rotX="1" rotY="2" rotZ="3"', 'inVp="1" inMag="2" bitDepth="8" time="5"']
EXTRA_PARAMETERS = [
    "",
    '<editPosition x="1" y="2" z="3"/>',
    '<editRotation xRot="1" yRot="2" zRot="3"/>',
    '<zoomLevel zoom="2.5"/>',
    '<time ms="1234"/>',
    '<offset x="0" y="0" z="0"/>',
    '<offset x="1" y="2" z="3"/>',
    '<taskBoundingBox topLeftX="1" topLeftY="2" topLeftZ="3" width="4" height="5" depth="6"/>',
    '<userBoundingBox id="3" name="b" isVisible="false" color.r="1" color.g="0" color.b="0" color.a="1" '
    'topLeftX="1" topLeftY="2" topLeftZ="3" width="4" height="5" depth="6"/>',
    '<userBoundingBox topLeftX="1" topLeftY="2" topLeftZ="3" width="4" height="5" depth="6"/>',
    "<description>some text</description>",
]
AFTER_TREES = [
    "",
    '<branchpoints><branchpoint id="1" time="9"/></branchpoints>',
    '<branchpoints><branchpoint id="1"/></branchpoints>',
    '<comments><comment node="2" content="c"/></comments>',
    '<groups><group id="5" name="gg"><group id="6" name="inner"/></group></groups>',
    '<meta name="annotationOwner" content="me"/>',
]


@ds.examples(30)
@given(
    scale=st.sampled_from(SCALES),
    tree_attributes=st.sampled_from([*TREE_ATTRIBUTES, 'groupId="5"', 'color.r="0.5"']),
    node_attributes=st.sampled_from([*NODE_ATTRIBUTES, 'x="1.5"', 'radius="NaN"']),
    extra_parameters=st.sampled_from(EXTRA_PARAMETERS),
    after_trees=st.sampled_from(AFTER_TREES),
    organization=st.sampled_from(["", 'organization="org" datasetId="abc123"']),
)
def test_nml_text(differential, scale, tree_attributes, node_attributes, extra_parameters, after_trees, organization):
    differential.check(
        "skeleton_nml:nml_text",
        scale=scale,
        tree_attributes=tree_attributes,
        node_attributes=node_attributes,
        extra_parameters=extra_parameters,
        after_trees=after_trees,
        organization=organization,
    )


@pytest.mark.parametrize("resave", [False, True])
@pytest.mark.parametrize("relative", FIXTURE_NMLS)
def test_load_fixture(differential, relative, resave):
    if not (ds.FIXTURES / relative).is_file():
        pytest.skip(f"fixture {relative} not found under {ds.FIXTURES}")
    differential.check("skeleton_nml:load_fixture", relative=relative, resave=resave)


@pytest.mark.parametrize("nx_graph", [False, True])
def test_skeleton_edits(differential, nx_graph):
    differential.check("skeleton_nml:skeleton_edits", remove_tree=False, nx_graph=nx_graph)


@pytest.mark.parametrize("suffix", [".nml", ".zip"])
def test_uncolored_tree_saved(differential, suffix):
    assert differential.check("skeleton_nml:uncolored_tree_saved", suffix=suffix) == ["result"]


@pytest.mark.parametrize(("node_time", "branchpoint_time"), [(1234, None), (None, 99), (5, 7)])
def test_branchpoint_time_saved(differential, node_time, branchpoint_time):
    kinds = differential.check(
        "skeleton_nml:branchpoint_time_saved", node_time=node_time, branchpoint_time=branchpoint_time
    )
    assert kinds == ["result"]


def test_remove_grouped_tree(differential):
    assert differential.check("skeleton_nml:remove_grouped_tree") == ["no-exception"]


@pytest.mark.parametrize("groups", [0, 1, 2])
@pytest.mark.parametrize("trees", [0, 1, 3])
@pytest.mark.parametrize("node_values", [False, True])
def test_object_reprs(differential, groups, trees, node_values):
    differential.check(
        "skeleton_nml:object_reprs", groups=groups, trees=trees, node_values=node_values, reload=trees == 1
    )


def test_tree_repr(differential):
    differential.check("skeleton_nml:tree_repr")
