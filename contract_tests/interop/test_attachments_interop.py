"""An agglomerate attachment added by daedalus is listed and read back identically by the reference package."""

from __future__ import annotations

import shutil

import pytest

import daedalus as wk

pytestmark = pytest.mark.interop

_LIST_AGGLOMERATES = """
import json, sys
import webknossos as wk
layer = wk.Dataset.open(sys.argv[1]).get_layer("segmentation")
out = []
for a in layer.attachments.agglomerates:
    graph = a.to_graph()
    out.append({
        "name": a.name,
        "data_format": a.data_format.value,
        "path": str(a.path),
        "nodes": sorted([int(n), [int(c) for c in p]] for n, p in graph.nodes(data="position")),
        "edges": sorted([min(u, v), max(u, v), float(w)] for u, v, w in graph.edges(data="affinity")),
    })
print(json.dumps(out))
"""


def _graph() -> wk.AgglomerateGraph:
    graph = wk.AgglomerateGraph()
    for segment_id in (7, 3, 1, 4, 2, 6, 5):
        graph.add_segment(segment_id, position=(segment_id, 10 + segment_id, 100 * segment_id))
    for u, v, affinity in [(4, 3, 0.25), (5, 1, 0.5), (3, 1, 0.75), (6, 2, 0.55)]:
        graph.add_affinity_edge(u, v, affinity=affinity)
    return graph


def test_daedalus_agglomerate_listed_by_reference(tmp_path, shared_dir, run_reference_json):
    source = shared_dir / "fixtures" / "generated" / "datasets" / "zarr3_sharded"
    if not source.is_dir():
        pytest.skip(f"fixture dataset missing: {source}")
    target = tmp_path / "zarr3_sharded"
    shutil.copytree(source, target)
    for path in [target, *target.rglob("*")]:  # the fixtures are read-only on disk
        path.chmod(0o755 if path.is_dir() else 0o644)
    layer = wk.Dataset.open(target).get_layer("segmentation")
    graph = _graph()
    added = wk.AgglomerateAttachment.create_and_add_to(layer, "from_daedalus", graph)

    listed = {a["name"]: a for a in run_reference_json(_LIST_AGGLOMERATES, target)}
    assert set(listed) == {"agglomerate_view_5", "from_daedalus"}
    mine = listed["from_daedalus"]
    assert mine["data_format"] == added.data_format.value == "zarr3"
    assert mine["path"] == str(added.path) == str(target / "segmentation" / "agglomerates" / "from_daedalus")
    expected_nodes = sorted([n, list(p)] for n, p in graph.nodes(data="position"))
    assert mine["nodes"] == expected_nodes
    expected_edges = sorted([min(u, v), max(u, v), w] for u, v, w in graph.edges(data="affinity"))
    assert [e[:2] for e in mine["edges"]] == [e[:2] for e in expected_edges]
    assert [e[2] for e in mine["edges"]] == pytest.approx([e[2] for e in expected_edges], abs=1e-6)
