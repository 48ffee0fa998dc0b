"""Scenarios for classes no larger scenario reaches: AiModelCategory, VolumeLayer.edit and its VolumeLayerEditMode,
BufferedSliceReader, the image import errors, AgglomerateGraph, SegmentStatisticsAttachment, LazyPath and
WkImportError."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import numpy as np

FIXTURES = Path(__file__).resolve().parents[4] / "shared" / "fixtures"  # ../shared next to the repository
AGGLOMERATE_DATASET = FIXTURES / "generated" / "datasets" / "zarr3_sharded"


def ai_model_category(wk, tmp, value):
    """An AiModelCategory looked up by value (ValueError for an unknown one) and the list of all."""
    found = wk.AiModelCategory(value)
    return [repr(found), found.name, sorted([m.name, m.value] for m in wk.AiModelCategory)]


def volume_layer_edit(wk, tmp, edit_mode, suffix):
    """A volume layer edited in ``edit_mode`` (a VolumeLayerEditMode value): the layer handed out, data written
    into it, the annotation saved and loaded, the data read back."""
    annotation = wk.Annotation(name="edited", dataset_name="ds", voxel_size=(1, 2, 3))
    volume = annotation.add_volume_layer("vol", dtype="uint32")
    mode_class = type(inspect.signature(volume.edit).parameters["edit_mode"].default)
    out = [type(volume).__name__, mode_class.__name__, sorted(m.value for m in mode_class)]
    with volume.edit(edit_mode=mode_class(edit_mode)) as layer:
        out.append([type(layer).__name__, layer.category, sorted(m.to_layer_name() for m in layer.mags)])
        data = np.arange(1, 1 + 8 * 8 * 4, dtype="uint32").reshape(1, 8, 8, 4)
        layer.add_mag(1).write(data, absolute_offset=(8, 0, 4), allow_resize=True)
    annotation.save(tmp / f"edited{suffix}")
    loaded = wk.Annotation.load(tmp / f"edited{suffix}")
    with loaded.temporary_volume_layer_copy() as copy:
        finest = copy.get_finest_mag()
        out += [repr(copy.bounding_box), finest.read(absolute_bounding_box=copy.bounding_box)]
    return out


def buffered_slices(wk, tmp, num_channels, buffer_size, dimension):
    """The slices a BufferedSliceReader yields along ``dimension``, ``buffer_size`` at a time."""
    dataset = wk.Dataset(tmp / "ds", voxel_size=(1, 1, 1))
    mag = dataset.add_layer("color", "color", dtype="uint8", num_channels=num_channels).add_mag(1)
    data = np.random.default_rng(7).integers(0, 255, (num_channels, 12, 10, 6), dtype="uint8")
    mag.write(data, absolute_offset=(2, 0, 1), allow_resize=True)
    reader = mag.get_buffered_slice_reader(buffer_size=buffer_size, dimension=dimension)
    with reader as slices:
        planes = list(slices)
    return [type(reader).__name__, len(planes), planes[:3], planes[-1]]


def image_error(wk, tmp, kind):
    """Dataset.from_images of a file no reader takes, or of a damaged TIFF or PNG (the error is compared)."""
    files = {"unsupported": ("x.unknownext", b"hello"), "tiff": ("x.tif", b"II*\x00garbage" * 10)}
    files["png"] = ("images/x.png", b"\x89PNG\r\n\x1a\nbroken")
    name, content = files[kind]
    path = tmp / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    source = path.parent if "/" in name else path
    return repr(wk.Dataset.from_images(source, tmp / "out", voxel_size=(1, 1, 1)))


def agglomerate_graph(wk, tmp):
    """The graph of the fixture's agglomerate file: an AgglomerateGraph with node positions and edge affinities."""
    layer = wk.Dataset.open(AGGLOMERATE_DATASET).get_segmentation_layer("segmentation")
    graph = layer.attachments.agglomerates[0].to_graph()
    nodes = sorted([int(n), [int(v) for v in data["position"]]] for n, data in graph.nodes(data=True))
    edges = sorted([sorted([int(u), int(v)]), float(data["affinity"])] for u, v, data in graph.edges(data=True))
    return [type(graph).__name__, graph.number_of_nodes(), graph.number_of_edges(), nodes, edges]


def segment_statistics(wk, tmp):
    """A SegmentStatisticsAttachment (not yet written) added to a segmentation layer by reference."""
    dataset = wk.Dataset(tmp / "ds", voxel_size=(1, 1, 1))
    layer = dataset.add_layer("seg", "segmentation", dtype="uint32", largest_segment_id=0)
    path = tmp / "ds" / "seg" / "segment_statistics" / "stats"
    attachment = wk.SegmentStatisticsAttachment.from_path_and_name(
        path, "stats", data_format=wk.AttachmentDataFormat.Zarr3
    )
    added = layer.attachments.add_attachment_as_ref(attachment)
    reopened = wk.Dataset.open(tmp / "ds").get_segmentation_layer("seg").attachments.segment_statistics
    properties = json.loads((tmp / "ds" / "datasource-properties.json").read_text())
    return [repr(attachment), repr(added), repr(reopened), properties["dataLayers"][0].get("attachments")]


def lazy_path(wk, tmp, existing):
    """A LazyPath of candidates (the ``existing`` ones created): its repr and which candidate it resolves to."""
    from upath import UPath

    candidates = [UPath(tmp / name) for name in ("first", "second", "third")]
    for index in existing:
        candidates[index].mkdir()
    lazy = wk.utils.LazyPath(*candidates)
    return [repr(lazy), str(lazy.resolve()).replace(str(tmp), "<tmp>")]


def import_error(wk, tmp, args):
    """A WkImportError made with ``args``: an ImportError whose message names the package and the extra to install
    (the package's own name and the quoting of the pip argument left out of the comparison)."""
    import importlib

    utils = importlib.import_module(f"{wk.__name__}.utils")
    error = utils.WkImportError(*args)
    message = str(error).replace(wk.__name__, "PACKAGE").replace("'", "")
    return [type(error).__name__, isinstance(error, ImportError), message, len(error.args)]
