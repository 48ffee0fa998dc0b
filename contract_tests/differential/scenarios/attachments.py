"""Attachment scenarios: attachments of segmentation layers added by path (files need not exist), as
reference and as copy, renamed and deleted; what the properties record and what the layer lists."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location("differential_scenarios__facts", Path(__file__).with_name("_facts.py"))
facts = sys.modules.get(_spec.name) or importlib.util.module_from_spec(_spec)
if _spec.name not in sys.modules:
    sys.modules[_spec.name] = facts
    _spec.loader.exec_module(facts)

_ADDERS = {
    "meshes": "add_mesh",
    "agglomerates": "add_agglomerate",
    "connectomes": "add_connectome",
    "segment_index": "set_segment_index",
    "cumsum": "set_cumsum",
}
_CLASSES = {
    "meshes": "MeshAttachment",
    "agglomerates": "AgglomerateAttachment",
    "connectomes": "ConnectomeAttachment",
    "segment_index": "SegmentIndexAttachment",
    "cumsum": "CumsumAttachment",
}


def _segmentation(wk, root):
    ds = wk.Dataset(root, voxel_size=(1, 1, 1))
    layer = ds.add_layer("seg", "segmentation", dtype="uint32", largest_segment_id=1)
    layer.add_mag(1)
    return ds, layer


def _listed(layer) -> dict:
    """Every attachment the layer lists: kind -> [(name, data format, path relative to the tmp folder)]."""
    attachments = layer.attachments
    out = {}
    for kind in ("meshes", "agglomerates", "connectomes"):
        out[kind] = sorted([a.name, str(a.data_format), str(a.path)] for a in getattr(attachments, kind))
    for kind in ("segment_index", "cumsum"):
        single = getattr(attachments, kind)
        out[kind] = None if single is None else [single.name, str(single.data_format), str(single.path)]
    return out


def add_by_path(wk, tmp, kind, data_format, where, name):
    """``add_mesh`` & co. with a path that does not exist: what the layer lists and the properties record."""
    ds, layer = _segmentation(wk, tmp / "ds")
    path = {
        "inside": tmp / "ds" / "seg" / kind / f"{name}.file",
        "relative": Path(f"seg/{kind}/{name}.file"),
        "outside": tmp / "elsewhere" / f"{name}.file",
    }[where]
    getattr(layer.attachments, _ADDERS[kind])(path, name=name, data_format=wk.AttachmentDataFormat(data_format))
    reopened = wk.Dataset.open(tmp / "ds").get_segmentation_layer("seg")
    return [_listed(layer), _listed(reopened), facts.properties(tmp / "ds")["dataLayers"][0].get("attachments")]


def as_ref_and_copy(wk, tmp, kind, data_format, how, new_name):
    """An attachment of another dataset added as reference (optionally renamed) or as copy."""
    src, src_layer = _segmentation(wk, tmp / "src")
    file = tmp / "src" / "seg" / kind / ("att.hdf5" if data_format == "hdf5" else "att")
    file.parent.mkdir(parents=True, exist_ok=True)
    if data_format == "hdf5" or data_format == "json":
        file.write_bytes(b"placeholder")
    else:
        file.mkdir()
        (file / "zarr.json").write_text('{"zarr_format": 3, "node_type": "group", "attributes": {}}')
    getattr(src_layer.attachments, _ADDERS[kind])(file, name="att", data_format=wk.AttachmentDataFormat(data_format))
    attachment = getattr(src_layer.attachments, kind)
    attachment = attachment[0] if isinstance(attachment, (list, tuple)) else attachment
    target, layer = _segmentation(wk, tmp / "target")
    if how == "ref":
        layer.attachments.add_attachment_as_ref(attachment, new_name=new_name)
    elif how == "copy":
        layer.attachments.add_attachment_as_copy(attachment)
    elif how == "symlink":
        layer.attachments.add_symlink_attachments(attachment)
    reopened = wk.Dataset.open(tmp / "target").get_segmentation_layer("seg")
    files = sorted(str(p.relative_to(tmp / "target")) for p in (tmp / "target").rglob("*") if p.is_file())
    return [_listed(reopened), facts.properties(tmp / "target")["dataLayers"][0].get("attachments"), files]


def from_path_and_name(wk, tmp, kind, data_format, relative):
    """``<Kind>Attachment.from_path_and_name``: the attachment's name, format and path."""
    cls = getattr(wk, _CLASSES[kind])
    path = Path("some/where/file") if relative else tmp / "some" / "where" / "file"
    attachment = cls.from_path_and_name(
        path, "name", data_format=wk.AttachmentDataFormat(data_format), dataset_path=tmp / "ds"
    )
    return [attachment.name, str(attachment.data_format), str(attachment.path), type(attachment).__name__]


def rename_and_delete(wk, tmp, kind, data_format, action):
    """Rename or delete an attachment added by path: the listing and the properties afterwards."""
    ds, layer = _segmentation(wk, tmp / "ds")
    getattr(layer.attachments, _ADDERS[kind])(
        tmp / "ds" / "seg" / kind / "a.file", name="a", data_format=wk.AttachmentDataFormat(data_format)
    )
    attachment = getattr(layer.attachments, kind)
    attachment = attachment[0] if isinstance(attachment, (list, tuple)) else attachment
    if action == "rename":
        layer.attachments.rename_attachment(attachment, new_name="b")
    else:
        layer.attachments.delete_attachment(attachment)
    return [_listed(layer), facts.properties(tmp / "ds")["dataLayers"][0].get("attachments")]


def unreadable_agglomerate(wk, tmp, data_format):
    """An agglomerate file that is no agglomerate added as reference (documented: daedalus reads and refuses it,
    the reference records it unread)."""
    src, src_layer = _segmentation(wk, tmp / "src")
    file = tmp / "src" / "seg" / "agglomerates" / ("att.hdf5" if data_format == "hdf5" else "att")
    file.parent.mkdir(parents=True, exist_ok=True)
    if data_format == "hdf5":
        file.write_bytes(b"placeholder")
    else:
        file.mkdir()
        (file / "zarr.json").write_text('{"zarr_format": 3, "node_type": "group", "attributes": {}}')
    attachment = wk.AgglomerateAttachment.from_path_and_name(
        file, "att", data_format=wk.AttachmentDataFormat(data_format)
    )
    src_layer.attachments.add_attachment_as_ref(attachment)
    return _listed(src_layer)
