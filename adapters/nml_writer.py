"""Writes an NmlDocument as NML XML: preformatted lines in WEBKNOSSOS's element order, streamed in chunks.

Part of the NML codec (``nml_codec``); it only serialises, never parses.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, BinaryIO

from daedalus.core.nml.document import NmlDocument
from daedalus.core.nml.model import Group as NmlGroup
from daedalus.core.nml.model import MetadataEntry, Parameters, Segment, Volume, metadata_entries
from daedalus.core.skeleton import Group, Tree

_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
)
_CHUNK_LINES = 65536


def _esc(value: Any) -> str:
    text = str(value)
    return text.translate(_ESCAPES) if any(c in text for c in '&<>"\n\r\t') else text


def _num(value: float) -> str:
    """A number as WEBKNOSSOS writes it: integral values without a fraction."""
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def _bool(value: Any) -> str:
    return "true" if value else "false"


def _color_attrs(color: Any, prefix: str = "color.") -> str:
    if color is None:
        return ""
    r, g, b, a = color
    return f' {prefix}r="{float(r)!r}" {prefix}g="{float(g)!r}" {prefix}b="{float(b)!r}" {prefix}a="{float(a)!r}"'


DEFAULT_BOX_COLOR = (0.2, 0.5, 0.1, 1.0)
"""The colour written for a bounding box without one (what the reference library writes)."""


def _bbox_attrs(box: Any) -> str:
    x, y, z = tuple(box.topleft)[-3:]
    w, h, d = tuple(box.size)[-3:]
    name = "" if box.name is None else f' name="{_esc(box.name)}"'
    color = DEFAULT_BOX_COLOR if box.color is None else box.color
    return (
        f'{name} isVisible="{_bool(box.is_visible)}"{_color_attrs(color)} topLeftX="{x}" topLeftY="{y}" '
        f'topLeftZ="{z}" width="{w}" height="{h}" depth="{d}"'
    )


def _parameter_lines(p: Parameters) -> list[str]:
    experiment = f'    <experiment name="{_esc(p.name)}"'
    if p.organization is not None:
        experiment += f' organization="{_esc(p.organization)}"'
    if p.description is not None:
        experiment += f' description="{_esc(p.description)}"'
    if p.wkUrl is not None:
        experiment += f' wkUrl="{_esc(p.wkUrl)}"'
    if p.dataset_id is not None:
        experiment += f' datasetId="{_esc(p.dataset_id)}"'
    sx, sy, sz = p.scale.factor
    lines = ["  <parameters>\n", experiment + " />\n"]
    lines.append(f'    <scale x="{float(sx)!r}" y="{float(sy)!r}" z="{float(sz)!r}" unit="{p.scale.unit.value}" />\n')
    if p.offset is not None:
        lines.append('    <offset x="{}" y="{}" z="{}" />\n'.format(*map(_num, p.offset)))
    if p.time is not None:
        lines.append(f'    <time ms="{int(p.time)}" />\n')
    if p.editPosition is not None:
        lines.append('    <editPosition x="{}" y="{}" z="{}" />\n'.format(*map(_num, p.editPosition)))
    if p.editRotation is not None:
        lines.append('    <editRotation xRot="{}" yRot="{}" zRot="{}" />\n'.format(*map(_num, p.editRotation)))
    if p.zoomLevel is not None:
        lines.append(f'    <zoomLevel zoom="{_num(p.zoomLevel)}" />\n')
    if p.activeNode is not None:
        lines.append(f'    <activeNode id="{int(p.activeNode)}" />\n')
    if p.taskBoundingBox is not None:
        lines.append(f"    <taskBoundingBox{_bbox_attrs(p.taskBoundingBox)} />\n")
    boxes = p.userBoundingBoxes or []
    ids = p.userBoundingBoxIds
    if ids is None or len(ids) != len(boxes) or len(set(ids)) != len(ids):
        ids = range(len(boxes))
    for box_id, box in zip(ids, boxes):
        lines.append(f'    <userBoundingBox id="{int(box_id)}"{_bbox_attrs(box)} />\n')
    lines.append("  </parameters>\n")
    return lines


def _metadata_lines(entries: Iterable[MetadataEntry], indent: str) -> list[str]:
    lines = []
    for entry in entries:
        key = _esc(entry.key)
        value = entry.value
        if entry.type == "list" or isinstance(value, (list, tuple)):
            items = " ".join(f'stringListValue-{i}="{_esc(v)}"' for i, v in enumerate(value))  # type: ignore[arg-type]
            lines.append(f'{indent}<metadataEntry key="{key}" {items} />\n')
        elif isinstance(value, bool):
            lines.append(f'{indent}<metadataEntry key="{key}" boolValue="{_bool(value)}" />\n')
        elif isinstance(value, (int, float)):
            lines.append(f'{indent}<metadataEntry key="{key}" numberValue="{value!r}" />\n')
        else:
            lines.append(f'{indent}<metadataEntry key="{key}" stringValue="{_esc(value)}" />\n')
    return lines


def _node_tail(a: dict) -> str:
    """The optional attributes after x/y/z, in WEBKNOSSOS's order."""
    tail = ""
    rotation = a.get("rotation")
    if rotation is not None:
        tail += f' rotX="{rotation[0]!r}" rotY="{rotation[1]!r}" rotZ="{rotation[2]!r}"'
    for key in ("inVp", "inMag", "bitDepth"):
        value = a.get(key)
        if value is not None:
            tail += f' {key}="{value}"'
    value = a.get("interpolation")
    if value is not None:
        tail += f' interpolation="{_bool(value)}"'
    value = a.get("time")
    if value is not None:
        tail += f' time="{value}"'
    return tail


def _write_tree(tree: Tree, root: Group, write: Any) -> None:
    group = tree.group
    group_attr = "" if group is None or group is root else f' groupId="{group.id}"'
    tree_type = tree.nml_type
    type_attr = "" if tree_type is None else f' type="{_esc(tree_type)}"'
    name = tree.name or f"tree{tree.id}"  # the reference names unnamed trees when it writes them
    out = [
        f'  <thing id="{tree.id}"{_color_attrs(tree.color)} name="{_esc(name)}"{group_attr}{type_attr} '
        f'isVisible="{_bool(tree.is_visible)}">\n    <nodes>\n'
    ]
    append = out.append
    for node_id, a in tree.node_store.items():
        if type(a) is tuple:  # compact node: position and radius only
            x, y, z, radius = a
            if radius is None:
                append(f'      <node id="{node_id}" x="{x}" y="{y}" z="{z}" />\n')
            else:
                append(f'      <node id="{node_id}" radius="{radius!r}" x="{x}" y="{y}" z="{z}" />\n')
            if len(out) >= _CHUNK_LINES:
                write("".join(out).encode())
                out.clear()
            continue
        x, y, z = a["position"]
        radius = a.get("radius")
        if radius is None:
            head = f'      <node id="{node_id}"'
            plain = len(a) == 1
        else:
            head = f'      <node id="{node_id}" radius="{radius!r}"'
            plain = len(a) == 2
        append(
            f'{head} x="{x}" y="{y}" z="{z}" />\n' if plain else f'{head} x="{x}" y="{y}" z="{z}"{_node_tail(a)} />\n'
        )
        if len(out) >= _CHUNK_LINES:
            write("".join(out).encode())
            out.clear()
    append("    </nodes>\n    <edges>\n")
    seen: set[int] = set()
    for u, neighbours in tree.adjacency_store.items():
        for v in neighbours:
            if v not in seen:
                append(f'      <edge source="{u}" target="{v}" />\n')
        seen.add(u)
        if len(out) >= _CHUNK_LINES:
            write("".join(out).encode())
            out.clear()
    append("    </edges>\n")
    if tree.metadata:
        append("    <metadata>\n")
        out.extend(_metadata_lines(metadata_entries(tree.metadata), "      "))
        append("    </metadata>\n")
    else:
        append("    <metadata />\n")
    append("  </thing>\n")
    write("".join(out).encode())


def _group_lines(group: Group | NmlGroup, indent: str) -> list[str]:
    """A skeleton group (or an ``_nml.Group`` of segments) with its subgroups as <group> lines."""
    if isinstance(group, NmlGroup):
        is_expanded, children = group.is_expanded, group.children
    else:
        is_expanded = group.is_expanded and (True if group.nml_explicit_expanded else None)
        children = list(group.groups)
    expanded = "" if is_expanded is None else f' isExpanded="{_bool(is_expanded)}"'
    head = f'{indent}<group id="{group.id}" name="{_esc(group.name)}"{expanded}'
    if not children:
        return [head + " />\n"]
    lines = [head + ">\n"]
    for child in children:
        lines.extend(_group_lines(child, indent + "  "))
    lines.append(f"{indent}</group>\n")
    return lines


def _segment_lines(segment: Segment) -> list[str]:
    line = f'      <segment id="{segment.id}"'
    if segment.name is not None:
        line += f' name="{_esc(segment.name)}"'
    if segment.created is not None:
        line += f' created="{segment.created}"'
    if segment.anchor_position is not None:
        ax, ay, az = segment.anchor_position
        line += f' anchorPositionX="{ax}" anchorPositionY="{ay}" anchorPositionZ="{az}"'
    line += _color_attrs(segment.color)
    if not segment.metadata:
        return [line + " />\n"]
    return [
        line + ">\n",
        "        <metadata>\n",
        *_metadata_lines(segment.metadata, "          "),
        "        </metadata>\n",
        "      </segment>\n",
    ]


def _volume_lines(volume: Volume) -> list[str]:
    line = f'  <volume id="{volume.id}"'
    for attr, value in (
        ("name", volume.name),
        ("location", volume.location),
        ("format", volume.format),
        ("fallbackLayer", volume.fallback_layer),
        ("largestSegmentId", volume.largest_segment_id),
    ):
        if value is not None:
            line += f' {attr}="{_esc(value)}"'
    lines = [line + ">\n", "    <segments>\n" if volume.segments else "    <segments />\n"]
    for segment in volume.segments:
        lines.extend(_segment_lines(segment))
    if volume.segments:
        lines.append("    </segments>\n")
    if volume.segment_groups is not None:
        if volume.segment_groups:
            lines.append("    <groups>\n")
            for group in volume.segment_groups:
                lines.extend(_group_lines(group, "      "))
            lines.append("    </groups>\n")
        else:
            lines.append("    <groups />\n")
    lines.append("  </volume>\n")
    return lines


def write_document(document: NmlDocument, stream: BinaryIO) -> None:
    """Write ``document`` as NML to the binary ``stream``."""
    write = stream.write
    skeleton = document.skeleton
    head = ['<?xml version="1.0" encoding="utf-8"?>\n<things>\n']
    head.extend(f'  <meta name="{_esc(m.name)}" content="{_esc(m.content)}" />\n' for m in document.meta)
    head.extend(_parameter_lines(document.effective_parameters()))
    write("".join(head).encode())
    trees = list(skeleton.flattened_trees())
    for tree in trees:
        _write_tree(tree, skeleton, write)
    tail = ["  <branchpoints>\n"]
    comments = []
    for tree in trees:
        for node_id, a in tree.node_store.items():
            if type(a) is not tuple and len(a) > 1:
                if a.get("is_branchpoint"):
                    time = a.get("branchpoint_time")
                    tail.append(
                        f'    <branchpoint id="{node_id}"' + ("" if time is None else f' time="{time}"') + " />\n"
                    )
                comment = a.get("comment")
                if comment is not None:
                    comments.append(f'    <comment node="{node_id}" content="{_esc(comment)}" />\n')
    tail.append("  </branchpoints>\n  <comments>\n")
    tail.extend(comments)
    tail.append("  </comments>\n  <groups>\n")
    for group in skeleton.groups:
        tail.extend(_group_lines(group, "    "))
    tail.append("  </groups>\n")
    for volume in document.volumes:
        tail.extend(_volume_lines(volume))
    tail.append("</things>\n")
    write("".join(tail).encode())
