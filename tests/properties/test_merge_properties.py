"""``merge_properties``: one writer's changes applied onto the properties others wrote meanwhile."""

from __future__ import annotations

import copy

from daedalus.core.geometry import BoundingBox, Mag
from daedalus.core.properties import (
    AttachmentProperties,
    AttachmentsProperties,
    DatasetProperties,
    LayerProperties,
    MagViewProperties,
    SegmentationLayerProperties,
)
from daedalus.core.properties.merge import merge_properties

BOX = BoundingBox((0, 0, 0), (8, 8, 8))


def _layer(name: str, *mags: int) -> LayerProperties:
    entries = [MagViewProperties(mag=Mag(m), path=f"./{name}/{m}") for m in mags]
    return LayerProperties(name=name, category="color", bounding_box=BOX, data_format="zarr3", mags=entries)


def _dataset(*layers: LayerProperties) -> DatasetProperties:
    return DatasetProperties(id={"name": "ds", "team": ""}, scale=(1, 1, 1), data_layers=list(layers))


def test_without_changes_by_others_the_result_is_mine():
    base = _dataset(_layer("a", 1, 2), _layer("b", 4, 1))
    mine = copy.deepcopy(base)
    mine.data_layers.reverse()
    mine.data_layers[0].mags.append(MagViewProperties(mag=Mag(8), path="./b/8"))
    assert merge_properties(base, mine, copy.deepcopy(base)) == mine


def test_layers_added_on_both_sides_are_all_kept():
    base = _dataset(_layer("a"))
    mine, theirs = copy.deepcopy(base), copy.deepcopy(base)
    mine.data_layers.append(_layer("mine"))
    theirs.data_layers.append(_layer("theirs"))
    assert [layer.name for layer in merge_properties(base, mine, theirs).data_layers] == ["a", "mine", "theirs"]


def test_mags_added_on_both_sides_are_kept_in_order_with_the_other_fields_of_each_side():
    base = _dataset(_layer("a", 1))
    mine, theirs = copy.deepcopy(base), copy.deepcopy(base)
    mine.data_layers[0].mags.append(MagViewProperties(mag=Mag(4), path="./a/4"))
    theirs.data_layers[0].mags.append(MagViewProperties(mag=Mag(2), path="./a/2"))
    theirs.data_layers[0].bounding_box = BoundingBox((0, 0, 0), (16, 16, 16))
    theirs.default_view_configuration = None
    mine.id = {"name": "renamed", "team": ""}
    merged = merge_properties(base, mine, theirs)
    assert [m.mag for m in merged.data_layers[0].mags] == [Mag(1), Mag(2), Mag(4)]
    assert merged.data_layers[0].bounding_box == BoundingBox((0, 0, 0), (16, 16, 16))
    assert merged.id["name"] == "renamed"


def test_deletions_on_either_side_stay_deleted():
    base = _dataset(_layer("gone_here", 1), _layer("gone_there"), _layer("kept", 1, 2))
    mine, theirs = copy.deepcopy(base), copy.deepcopy(base)
    del mine.data_layers[0]
    mine.data_layers[-1].mags.pop()
    del theirs.data_layers[1]
    merged = merge_properties(base, mine, theirs)
    assert [layer.name for layer in merged.data_layers] == ["kept"]
    assert [m.mag for m in merged.data_layers[0].mags] == [Mag(1)]


def test_attachments_added_on_both_sides_are_kept():
    def mesh(name: str) -> AttachmentProperties:
        return AttachmentProperties(name=name, path=f"./seg/meshes/{name}.hdf5", data_format="hdf5")

    seg = SegmentationLayerProperties(
        name="seg", category="segmentation", bounding_box=BOX, data_format="zarr3", attachments=AttachmentsProperties()
    )
    base = _dataset(seg)
    mine, theirs = copy.deepcopy(base), copy.deepcopy(base)
    mine.data_layers[0].attachments.meshes = [mesh("m1")]
    theirs.data_layers[0].attachments.meshes = [mesh("t1")]
    theirs.data_layers[0].largest_segment_id = 7
    merged = merge_properties(base, mine, theirs).data_layers[0]
    assert [a.name for a in merged.attachments.meshes] == ["m1", "t1"]
    assert merged.largest_segment_id == 7
    assert merged.attachments.agglomerates is None


def test_a_writer_that_never_read_the_file_keeps_the_layers_already_there():
    mine, theirs = _dataset(_layer("mine")), _dataset(_layer("theirs"))
    mine.id = {"name": "new", "team": ""}
    merged = merge_properties(None, mine, theirs)
    assert [layer.name for layer in merged.data_layers] == ["mine", "theirs"]
    assert merged.id["name"] == "new"
