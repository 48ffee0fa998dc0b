"""JSON codec of a segmentation layer's ``attachments`` object."""

from __future__ import annotations

from typing import Any

from .attachments import ATTACHMENT_KINDS, AttachmentProperties, AttachmentsProperties
from .data_formats import AttachmentDataFormat
from .json_source import JsonSource

_ATTACHMENT_KEYS = ("name", "path", "dataFormat")


def _attachment_from_json(obj: object, source: JsonSource, where: str) -> AttachmentProperties:
    data = source.mapping(obj, where)
    name, path, data_format = (
        source.string(source.require(data, key, where), f"{where}.{key}") for key in _ATTACHMENT_KEYS
    )
    source.name(name, f"{where}.name", "attachment")  # copies are written to <layer>/<kind folder>/<name>
    try:
        fmt = AttachmentDataFormat(data_format)
    except ValueError:
        allowed = ", ".join(f.value for f in AttachmentDataFormat)
        raise source.error(
            f"{where}.dataFormat",
            f"unknown attachment data format {data_format!r}; expected one of {allowed}.",
        ) from None
    extra = {k: v for k, v in data.items() if k not in _ATTACHMENT_KEYS}
    return AttachmentProperties(name, path, fmt, extra=extra)


def attachments_from_json(obj: object, source: JsonSource, where: str) -> AttachmentsProperties:
    """Decode ``attachments``; list kinds (meshes, agglomerates, connectomes) and single ones."""
    data = source.mapping(obj, where)
    values: dict[str, Any] = {}
    keys = set()
    for attribute, (key, is_list) in ATTACHMENT_KINDS.items():
        keys.add(key)
        value = data.get(key)
        if value is None:
            continue
        at = f"{where}.{key}"
        if is_list:
            items = source.array(value, at)
            values[attribute] = [_attachment_from_json(item, source, f"{at}[{i}]") for i, item in enumerate(items)]
        else:
            values[attribute] = _attachment_from_json(value, source, at)
    extra = {k: v for k, v in data.items() if k not in keys}
    return AttachmentsProperties(**values, extra=extra)


def _attachment_to_json(attachment: AttachmentProperties) -> dict[str, Any]:
    out = {"name": attachment.name, "path": str(attachment.path), "dataFormat": attachment.data_format.value}
    out.update(attachment.extra)
    return out


def attachments_to_json(attachments: AttachmentsProperties) -> dict[str, Any]:
    """Encode ``attachments``: kinds that are None or empty lists are left out."""
    out: dict[str, Any] = {}
    for attribute, (key, is_list) in ATTACHMENT_KINDS.items():
        value = getattr(attachments, attribute)
        if not value:
            continue
        out[key] = [_attachment_to_json(a) for a in value] if is_list else _attachment_to_json(value)
    out.update(attachments.extra)
    return out
