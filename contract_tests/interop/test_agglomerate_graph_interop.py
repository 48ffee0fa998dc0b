"""daedalus decodes the AgglomerateGraph protobuf the reference's protobuf classes write, to the same arrays."""

from __future__ import annotations

import numpy as np
import pytest
from daedalus.core.dataset.attachments.agglomerate_graph import AgglomerateGraphData

pytestmark = pytest.mark.interop

SCRIPT = r"""
import json, sys
import numpy as np
from webknossos.proofreading.generated import agglomerate_graph_pb2 as pb
from webknossos.proofreading.agglomerate_graph_data import AgglomerateGraphData

rng = np.random.default_rng(int(sys.argv[1]))
count = 50
graph = pb.AgglomerateGraph()
graph.segments.extend(rng.integers(1, 2**40, count).tolist())
for source, target in rng.integers(1, 2**40, (80, 2)).tolist():
    edge = graph.edges.add()
    edge.source, edge.target = source, target
for x, y, z in rng.integers(-(2**31), 2**31 - 1, (count, 3)).tolist():
    position = graph.positions.add()
    position.x, position.y, position.z = x, y, z
graph.affinities.extend(rng.random(80).astype("float32").tolist())
data = AgglomerateGraphData.from_proto(graph)
print(json.dumps({
    "bytes": graph.SerializeToString().hex(),
    **{name: [str(getattr(data, name).dtype), getattr(data, name).tolist()]
       for name in ("segments", "edges", "positions", "affinities")},
}))
"""


@pytest.mark.parametrize("seed", [0, 1])
def test_daedalus_decodes_what_the_reference_encodes(run_reference_json, seed: int) -> None:
    expected = run_reference_json(SCRIPT, str(seed))
    data = AgglomerateGraphData.from_proto(bytes.fromhex(expected["bytes"]))
    for name in ("segments", "edges", "positions", "affinities"):
        dtype, values = expected[name]
        got = getattr(data, name)
        assert str(got.dtype) == dtype, name
        assert np.array_equal(got, np.array(values, dtype=dtype)), name
    graph = data.to_agglomerate_graph()
    assert set(data.segments.tolist()) <= set(graph.nodes)
    assert graph.number_of_edges() == len({frozenset(edge) for edge in data.edges.tolist()})
