"""Segment statistics attachments (zarr3 only, one per layer) and neuroglancer precomputed meshes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import daedalus as wk


def _attachments_json(layer: wk.SegmentationLayer) -> dict:
    properties = json.loads((layer.dataset.path / "datasource-properties.json").read_text())
    return next(entry for entry in properties["dataLayers"] if entry["name"] == layer.name)["attachments"]


def test_segment_statistics_are_stored_like_webknossos_stores_them(seg_layer, tmp_path: Path) -> None:
    outside = tmp_path / "files" / "stats"
    outside.mkdir(parents=True)
    (outside / "zarr.json").write_text('{"zarr_format": 3, "node_type": "group"}')
    stats = wk.SegmentStatisticsAttachment.from_path_and_name(
        outside, "stats", data_format=wk.AttachmentDataFormat.Zarr3
    )
    assert (stats.type_name, stats.container_name) == ("segmentStatistics", "segment_statistics")

    seg_layer.attachments.add_attachment_as_ref(stats)
    assert seg_layer.attachments.segment_statistics == stats
    assert _attachments_json(seg_layer) == {
        "segmentStatistics": {"name": "stats", "path": str(outside), "dataFormat": "zarr3"}
    }

    copied = seg_layer.attachments.add_attachment_as_copy(stats)  # replaces the single segment statistics
    assert copied.path == seg_layer.path / "segmentStatistics" / "stats"
    assert (copied.path / "zarr.json").is_file()
    assert _attachments_json(seg_layer) == {
        "segmentStatistics": {"name": "stats", "path": "./seg/segmentStatistics/stats", "dataFormat": "zarr3"}
    }
    reopened = wk.Dataset.open(seg_layer.dataset.path).get_segmentation_layer("seg")
    assert reopened.attachments.segment_statistics == copied and list(reopened.attachments) == [copied]


def test_data_formats_allowed_per_attachment_kind(tmp_path: Path) -> None:
    path = tmp_path / "x"
    for fmt in (wk.AttachmentDataFormat.HDF5, wk.AttachmentDataFormat.JSON, "neuroglancerPrecomputed"):
        with pytest.raises(ValueError, match="not a valid data_format for SegmentStatisticsAttachment"):
            wk.SegmentStatisticsAttachment.from_path_and_name(path, "s", data_format=fmt)
    mesh = wk.MeshAttachment.from_path_and_name(path, "m", data_format=wk.AttachmentDataFormat.NeuroglancerPrecomputed)
    assert mesh.data_format.value == "neuroglancerPrecomputed"
    with pytest.raises(ValueError, match="not a valid data_format for CumsumAttachment"):
        wk.CumsumAttachment.from_path_and_name(path, "c", data_format="neuroglancerPrecomputed")
