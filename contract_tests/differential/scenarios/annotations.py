"""Annotation scenarios: fixture annotations (zips exported by WEBKNOSSOS, NMLs) loaded, their volume layers,
bounding boxes and metadata; annotations built, saved and loaded back."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "differential_scenarios__skeleton_facts", Path(__file__).with_name("_skeleton_facts.py")
)
facts = sys.modules.get(_spec.name) or importlib.util.module_from_spec(_spec)
if _spec.name not in sys.modules:
    sys.modules[_spec.name] = facts
    _spec.loader.exec_module(facts)

FIXTURES = Path(__file__).resolve().parents[4] / "shared" / "fixtures"  # ../shared next to the repository


def load(wk, tmp, relative):
    """A fixture annotation loaded: every fact of it."""
    return facts.annotation_facts(wk.Annotation.load(FIXTURES / relative), interpolation=False)


def volume_layers(wk, tmp, relative):
    """The volume layers of a fixture annotation: segments, dtype, mags, and 64³ of data around the centre."""
    annotation = wk.Annotation.load(FIXTURES / relative)
    out = {}
    for name in sorted(annotation.get_volume_layer_names()):
        segments = annotation.get_volume_layer_segments(name)
        segment_facts = sorted(
            [
                int(segment_id),
                getattr(info, "name", None),
                None if info.anchor_position is None else list(info.anchor_position),
            ]
            for segment_id, info in dict(segments).items()
        )
        with annotation.temporary_volume_layer_copy(volume_layer_name=name) as layer:
            mags = {mag.to_layer_name(): facts_of_box(view.bounding_box) for mag, view in sorted(layer.mags.items())}
            finest = layer.get_finest_mag() if layer.mags else None
            data = None
            if finest is not None and not layer.bounding_box.is_empty():
                center = [t + s // 2 for t, s in zip(layer.bounding_box.topleft, layer.bounding_box.size)]
                window = wk.BoundingBox([c - 32 for c in center], (64, 64, 64))
                data = finest.read(absolute_bounding_box=window.intersected_with(layer.bounding_box))
            out[name] = [segment_facts, str(layer.dtype), layer.largest_segment_id, layer.category, mags, data]
    return out


def facts_of_box(box):
    """A bounding box as [topleft, size]."""
    return [list(box.topleft), list(box.size)]


def save_and_load(wk, tmp, relative, suffix):
    """A fixture annotation saved by the package under test (as .zip or .nml) and loaded again."""
    annotation = wk.Annotation.load(FIXTURES / relative)
    colorless = facts.colorless_trees(annotation.skeleton)
    annotation.save(tmp / f"again{suffix}")
    return facts.annotation_facts(wk.Annotation.load(tmp / f"again{suffix}"), colorless, interpolation=False)


def built(wk, tmp, name, edit_position, zoom_level, metadata, boxes, task_box, suffix):
    """An annotation built with the API (boxes, metadata), saved and loaded back."""
    annotation = wk.Annotation(
        name=name,
        dataset_name="ds",
        voxel_size=(1.0, 2.0, 3.0),
        edit_position=None if edit_position is None else tuple(edit_position),
        zoom_level=zoom_level,
        metadata=metadata,
        task_bounding_box=None if task_box is None else wk.BoundingBox(*task_box),
        user_bounding_boxes=[wk.BoundingBox(*box) for box in boxes],
    )
    tree = annotation.skeleton.add_tree("tree")
    tree.add_node(position=(1, 2, 3))
    colorless = facts.colorless_trees(annotation.skeleton)
    before = facts.annotation_facts(annotation, colorless)
    annotation.save(tmp / f"built{suffix}")
    after = facts.annotation_facts(wk.Annotation.load(tmp / f"built{suffix}"), colorless)
    for observed in (before, after):  # the default time is "now": compare that it is on whole seconds
        observed[7] = ["whole seconds", observed[7] % 1000 == 0] if isinstance(observed[7], int) else observed[7]
    return [before, after]


def node_interpolation(wk, tmp, relative):
    """The ``interpolation`` attribute of a fixture's nodes (documented: the reference reads "false" as True)."""
    annotation = wk.Annotation.load(FIXTURES / relative)
    return sorted(
        [node.id, node.interpolation] for tree in annotation.skeleton.flattened_trees() for node in tree.nodes
    )


def unnamed_saved(wk, tmp):
    """An annotation named "" saved as .zip and loaded (documented: the reference cannot load its own file)."""
    annotation = wk.Annotation(name="", dataset_name="ds", voxel_size=(1.0, 1.0, 1.0))
    annotation.skeleton.add_tree("tree", color=(1, 0, 0, 1)).add_node(position=(1, 2, 3))
    annotation.save(tmp / "unnamed.zip")
    return facts.annotation_facts(wk.Annotation.load(tmp / "unnamed.zip"))[0]


def annotation_repr(wk, tmp, filled, volume, reload):
    """``repr`` and ``str`` of an annotation built with the API (its fields ``filled`` or left at their defaults,
    with a tree), of its ``volume`` layer if any, optionally after saving and loading it."""
    kwargs = dict(organization_id="org", description="desc", time=5) if filled else dict(time=7)
    annotation = wk.Annotation(name="ann", dataset_name="ds", voxel_size=(1, 2, 3), **kwargs)
    if filled:
        annotation.edit_position = (1, 2, 3)
        annotation.edit_rotation = (0.0, 90.0, 0.0)
        annotation.zoom_level = 2.0
        annotation.metadata["key"] = "value"
        annotation.task_bounding_box = wk.BoundingBox((0, 0, 0), (5, 5, 5))
        annotation.user_bounding_boxes = [wk.BoundingBox((1, 1, 1), (2, 2, 2)).with_name("box")]
    annotation.skeleton.add_tree("tree").add_node((1, 1, 1))
    if volume:
        annotation.add_volume_layer("volume", fallback_layer="segmentation", dtype="uint32")
    if reload:
        annotation.save(tmp / "annotation.zip")
        annotation = wk.Annotation.load(tmp / "annotation.zip")
    return [repr(annotation), str(annotation)]
