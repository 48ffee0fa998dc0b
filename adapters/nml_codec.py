"""NML codec: reads and writes WEBKNOSSOS NML (XML) annotations; DTDs and entities are rejected.

Reading streams the file through expat straight into a Skeleton (no DOM); writing streams preformatted
lines in WEBKNOSSOS's element order, to a temp file renamed into place.
"""

from __future__ import annotations

import gc
import os
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import Any, BinaryIO
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

from daedalus.core.geometry import BoundingBox, Vec3Int
from daedalus.core.nml.document import NmlDocument
from daedalus.core.nml.model import Group as NmlGroup
from daedalus.core.nml.model import Meta, Nml, Parameters, Segment, Volume, metadata_entries
from daedalus.core.nml.node_rows import NodeRowError, add_edge_rows, add_node_rows, connect
from daedalus.core.properties import DataFormat, VoxelSize
from daedalus.core.skeleton import Group, Skeleton, Tree
from daedalus.core.skeleton.node import materialize

from .nml_writer import write_document

_TRUE = {"true", "True", "TRUE", "1"}
_BATCH = 65536  # <node>/<edge> elements collected before they are converted in one go
_VOLUME_FORMATS = frozenset(data_format.value for data_format in DataFormat)
MAX_GROUP_DEPTH = 100
"""Deepest accepted nesting of <group> elements (WEBKNOSSOS' trees hardly go beyond ten levels); skeleton
groups are walked recursively, and much deeper nesting would exhaust Python's recursion limit."""


class NmlFormatError(ValueError):
    """An NML file is malformed, unsafe (DTD/entities) or inconsistent (duplicate ids, dangling edges)."""


class NmlXmlError(NmlFormatError, ParseError):
    """An NML file is not well-formed XML (also the ``xml.etree.ElementTree.ParseError`` the reference raises)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class NmlUnknownGroupError(NmlFormatError, KeyError):
    """A tree names a group that ``<groups>`` does not declare (also the KeyError the reference raises)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def _int_from_float_text(text: str) -> int:
    return int(float(text))


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return float(text)


def _color(a: dict, prefix: str = "color.") -> tuple[float, float, float, float] | None:
    rgba = [a.get(prefix + channel) for channel in "rgba"]
    if all(value is None for value in rgba):
        return None
    if any(value is None for value in rgba):  # the reference refuses partial colours too
        missing = ", ".join(prefix + channel for channel, value in zip("rgba", rgba) if value is None)
        raise ValueError(f"a color needs {prefix}r, {prefix}g, {prefix}b and {prefix}a; {missing} is missing")
    return (float(rgba[0]), float(rgba[1]), float(rgba[2]), float(rgba[3]))


def _vec3(a: dict, keys: tuple[str, str, str]) -> tuple[float, float, float]:
    return tuple(float(a.get(k, 0)) for k in keys)  # type: ignore[return-value]


def _bounding_box(a: dict) -> BoundingBox:
    topleft = tuple(_int_from_float_text(a.get(k, "0")) for k in ("topLeftX", "topLeftY", "topLeftZ"))
    size = tuple(_int_from_float_text(a.get(k, "0")) for k in ("width", "height", "depth"))
    kwargs: dict[str, Any] = {"is_visible": a.get("isVisible", "true") in _TRUE, "color": _color(a)}
    return BoundingBox(topleft, size, name=a.get("name"), **kwargs)  # no name attribute: name None


def _metadata_value(a: dict) -> Any:
    if "stringValue" in a:
        return a["stringValue"]
    if "numberValue" in a:
        return _number(a["numberValue"])
    if "boolValue" in a:
        return a["boolValue"] in _TRUE
    items = sorted((int(k.rsplit("-", 1)[1]), v) for k, v in a.items() if k.startswith("stringListValue-"))
    return [v for _, v in items]


def _reject(kind: str, label: str) -> Any:
    def handler(*_args: Any) -> None:
        raise NmlFormatError(
            f"{label} contains {kind}, which NML files never need; it is rejected to protect against entity "
            "expansion (billion laughs) and external-entity attacks. Remove the DOCTYPE/ENTITY declarations."
        )

    return handler


def parse_nml(stream: BinaryIO, label: str) -> NmlDocument:
    """Parse the NML in the binary ``stream`` (``label`` names it in errors) into an NmlDocument."""
    skeleton = Skeleton(voxel_size=(1.0, 1.0, 1.0), dataset_name="")
    params: dict[str, Any] = {}
    user_boxes: list[BoundingBox] = []
    user_box_ids: list[int | None] = []
    meta: list[Meta] = []
    trees: list[tuple[Tree, int | None]] = []
    tree_ids: set[int] = set()
    branchpoints: list[tuple[int, str | None]] = []
    comments: list[tuple[int, str]] = []
    root_groups: list[list] = []
    group_stack: list[list] = []
    segment_group_stack: list[list] = []  # <group>s inside a <volume>'s <groups>
    volumes: list[Volume] = []
    volume: dict[str, Any] | None = None
    segment: dict[str, Any] | None = None
    cur_nodes: dict | None = None
    cur_adj: dict | None = None
    node_rows: list[list[str]] = []  # <node>/<edge> attribute lists of the current tree, converted in batches
    edge_rows: list[list[str]] = []
    sources: list[int] = []
    targets: list[int] = []
    cur_tree: Tree | None = None
    metadata_target: dict | None = None

    def start(name: str, attributes: list[str]) -> None:
        nonlocal cur_nodes, cur_adj, cur_tree, metadata_target, volume, segment
        if name == "node":
            node_rows.append(attributes)
            if len(node_rows) >= _BATCH:
                flush_nodes()
            return
        if name == "edge":
            edge_rows.append(attributes)
            if len(edge_rows) >= _BATCH:
                flush_edges()
            return
        a = dict(zip(attributes[::2], attributes[1::2]))
        if name == "edges":
            flush_nodes()
        elif name == "thing":
            if cur_tree is not None:
                finish_tree()
            else:  # elements before the first tree: nodes are an error, edges are ignored
                flush_nodes()
                edge_rows.clear()
            tree_id = int(a["id"])
            if tree_id in tree_ids:
                raise NmlFormatError(f"{label}: tree id {tree_id} occurs more than once; tree ids must be unique.")
            tree_ids.add(tree_id)
            cur_tree = Tree(
                name=a.get("name", ""),
                color=_color(a),
                enforced_id=tree_id,
                is_visible=a.get("isVisible", "true") in _TRUE,
            )
            cur_tree._skeleton = skeleton
            tree_type = a.get("type")
            if tree_type is not None:
                cur_tree.nml_type = tree_type
            group_id = a.get("groupId")
            trees.append((cur_tree, None if group_id in (None, "") else int(group_id)))
            cur_nodes = cur_tree.node_store
            cur_adj = cur_tree.adjacency_store
            metadata_target = cur_tree.metadata
        elif name == "metadataEntry":
            if metadata_target is not None:
                metadata_target[a["key"]] = _metadata_value(a)
        elif name == "comment":
            comments.append((int(a["node"]), a.get("content", "")))
        elif name == "branchpoint":
            branchpoints.append((int(a["id"]), a.get("time")))
        elif name == "groups":
            parser.EndElementHandler = end
            if volume is not None and volume["segment_groups"] is None:
                volume["segment_groups"] = []
        elif name == "group":
            depth = len(group_stack if volume is None else segment_group_stack) + 1
            if depth > MAX_GROUP_DEPTH:
                raise NmlFormatError(
                    f"{label}, line {parser.CurrentLineNumber}: <group> elements are nested {depth} deep, more than "
                    f"the {MAX_GROUP_DEPTH} levels daedalus reads; flatten the group hierarchy."
                )
            is_expanded = a.get("isExpanded")
            group = [int(a["id"]), a.get("name", ""), None if is_expanded is None else is_expanded in _TRUE, []]
            if volume is None:
                (group_stack[-1][3] if group_stack else root_groups).append(group)
                group_stack.append(group)
            else:
                (segment_group_stack[-1][3] if segment_group_stack else volume["segment_groups"]).append(group)
                segment_group_stack.append(group)
        elif name == "meta":
            meta.append(Meta(a.get("name", ""), a.get("content", "")))
        elif name == "experiment":
            params["name"] = a.get("name", "")
            params["organization"] = a.get("organization")
            params["description"] = a.get("description")
            params["dataset_id"] = a.get("datasetId")
            params["wkUrl"] = a.get("wkUrl")
        elif name == "activeNode":
            params["activeNode"] = int(a["id"])
        elif name == "scale":
            unit = a.get("unit")
            factor = _vec3(a, ("x", "y", "z"))
            params["scale"] = VoxelSize(factor) if unit is None else VoxelSize(factor, unit)
        elif name == "offset":
            params["offset"] = _vec3(a, ("x", "y", "z"))
        elif name == "editPosition":
            params["editPosition"] = _vec3(a, ("x", "y", "z"))
        elif name == "editRotation":
            params["editRotation"] = _vec3(a, ("xRot", "yRot", "zRot"))
        elif name == "time":
            params["time"] = int(a["ms"])
        elif name == "zoomLevel":
            params["zoomLevel"] = float(a["zoom"])
        elif name == "taskBoundingBox":
            params["taskBoundingBox"] = _bounding_box(a)
        elif name == "userBoundingBox":
            user_boxes.append(_bounding_box(a))
            box_id = a.get("id")
            user_box_ids.append(None if box_id in (None, "") else int(box_id))
        elif name == "volume":
            parser.EndElementHandler = end
            largest = a.get("largestSegmentId")
            volume_format = a.get("format")
            if volume_format not in (None, "") and volume_format not in _VOLUME_FORMATS:
                raise NmlFormatError(
                    f"{label}, line {parser.CurrentLineNumber}: <volume format={volume_format!r}> is not one of "
                    f"{sorted(_VOLUME_FORMATS)}; fix the attribute or re-export the annotation."
                )
            volume = {
                "id": int(a.get("id", len(volumes))),
                "location": a.get("location"),
                "fallback_layer": a.get("fallbackLayer"),
                "name": a.get("name"),
                "segments": [],
                "format": a.get("format"),
                "largest_segment_id": None if largest in (None, "") else int(largest),
                "segment_groups": None,
            }
        elif name == "segment" and volume is not None:
            anchor = None
            if "anchorPositionX" in a:
                anchor = Vec3Int(
                    *(_int_from_float_text(a[k]) for k in ("anchorPositionX", "anchorPositionY", "anchorPositionZ"))
                )
            created = a.get("created")
            segment = {
                "id": int(a["id"]),
                "name": a.get("name"),
                "anchor_position": anchor,
                "color": _color(a),
                "metadata": {},
                "created": None if created is None else int(created),
            }
            metadata_target = segment["metadata"]

    def where() -> str:
        tree = "no tree" if cur_tree is None else f"tree {cur_tree.id}"
        return f"{label} ({tree}, before line {parser.CurrentLineNumber})"

    def flush_nodes() -> None:
        if node_rows:
            if cur_nodes is None:
                raise NmlFormatError(f"{where()}: a <node> element outside a <thing>; nodes belong to a tree.")
            add_node_rows(node_rows, cur_nodes, cur_adj, where())  # type: ignore[arg-type]
            node_rows.clear()

    def flush_edges() -> None:
        add_edge_rows(edge_rows, sources, targets, where())
        edge_rows.clear()

    def finish_tree() -> None:
        """Add the remaining nodes and all edges of the tree read last (called when the next tree starts and
        at the end)."""
        nonlocal cur_nodes, cur_adj, cur_tree, metadata_target
        flush_nodes()
        flush_edges()
        connect(sources, targets, cur_adj, where())  # type: ignore[arg-type]
        sources.clear()
        targets.clear()
        cur_nodes = cur_adj = cur_tree = metadata_target = None

    def end(name: str) -> None:
        """End-tag handler, installed only inside <groups> and <volume> (the only nesting that matters)."""
        nonlocal metadata_target, volume, segment
        if name == "groups" and volume is None:
            parser.EndElementHandler = None
        elif name == "group":
            if volume is None:
                group_stack.pop()
            else:
                segment_group_stack.pop()
        elif name == "segment" and segment is not None and volume is not None:
            segment["metadata"] = metadata_entries(segment["metadata"])
            volume["segments"].append(Segment(**segment))
            segment = None
            metadata_target = None
        elif name == "volume" and volume is not None:
            if volume["segment_groups"] is not None:
                volume["segment_groups"] = _nml_groups(volume["segment_groups"])
            volumes.append(Volume(**volume))
            volume = None
            parser.EndElementHandler = None

    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.ordered_attributes = True  # attribute lists are cheaper than dicts for millions of <node>s
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _reject("a DOCTYPE declaration", label)
    parser.EntityDeclHandler = _reject("an ENTITY declaration", label)
    parser.ExternalEntityRefHandler = _reject("an external entity reference", label)
    parser.StartElementHandler = start
    gc_was_enabled = gc.isenabled()
    gc.disable()  # millions of new dicts would trigger many full collections; nothing here forms cycles
    try:
        parser.ParseFile(stream)
        if cur_tree is not None:
            finish_tree()
        elif node_rows:
            flush_nodes()
    except (NmlFormatError, NodeRowError) as error:
        raise (type(error) if isinstance(error, NmlFormatError) else NmlFormatError)(str(error)) from None
    except expat.ExpatError as error:
        raise NmlXmlError(f"{label} is not well-formed XML ({error}); is it really an NML file?") from None
    except (KeyError, ValueError, TypeError, OverflowError) as error:  # OverflowError: int(float("1e999"))
        raise NmlFormatError(
            f"{label}, line {parser.CurrentLineNumber}: invalid or missing attribute ({type(error).__name__}: {error})."
        ) from None
    except RecursionError:
        raise NmlFormatError(f"{label}: its elements are nested too deeply to be read.") from None
    except (zlib.error, zipfile.BadZipFile, EOFError) as error:  # a damaged compressed stream
        raise NmlFormatError(f"Cannot read {label}: its data is damaged ({type(error).__name__}: {error}).") from None
    finally:
        if gc_was_enabled:
            gc.enable()
    if user_boxes and all(box_id is not None for box_id in user_box_ids):
        params["userBoundingBoxIds"] = user_box_ids
    return _assemble(label, skeleton, params, user_boxes, meta, trees, branchpoints, comments, root_groups, volumes)


def _nml_groups(groups: list[list]) -> list[NmlGroup]:
    """Parsed [id, name, is_expanded, children] lists as ``_nml.Group`` records."""
    return [NmlGroup(group_id, name, _nml_groups(children), expanded) for group_id, name, expanded, children in groups]


def _assemble(
    label: str,
    skeleton: Skeleton,
    params: dict[str, Any],
    user_boxes: list[BoundingBox],
    meta: list[Meta],
    trees: list[tuple[Tree, int | None]],
    branchpoints: list[tuple[int, str | None]],
    comments: list[tuple[int, str]],
    root_groups: list[list],
    volumes: list[Volume],
) -> NmlDocument:
    if "scale" not in params:
        raise NmlFormatError(f"{label} has no <parameters><scale .../>; an NML needs the dataset's voxel size.")
    if user_boxes:
        params["userBoundingBoxes"] = user_boxes
    params.setdefault("name", "")
    parameters = Parameters(**params)
    skeleton.voxel_size_with_unit = parameters.scale
    skeleton.dataset_name = parameters.name
    skeleton.organization_id = parameters.organization
    skeleton.description = parameters.description
    skeleton.dataset_id = parameters.dataset_id

    groups: dict[int, Group] = {}
    max_id = 0

    def build(parent: Group, children: list[list]) -> None:
        nonlocal max_id
        for group_id, name, is_expanded, grandchildren in children:
            if group_id in groups or group_id == 0:
                raise NmlFormatError(f"{label}: group id {group_id} occurs more than once or is reserved (0).")
            group = Group._restored(group_id, name, skeleton, is_expanded is not False)
            if is_expanded is True:
                group.nml_explicit_expanded = True
            groups[group_id] = group
            max_id = max(max_id, group_id)
            parent._child_groups.append(group)
            build(group, grandchildren)

    build(skeleton, root_groups)
    for tree, group_id in trees:
        if group_id is None:
            parent: Group = skeleton
        else:
            parent = groups.get(group_id)  # type: ignore[assignment]
            if parent is None:
                raise NmlUnknownGroupError(
                    f"{label}: tree {tree.id} ({tree.name!r}) belongs to group {group_id}, which is not declared "
                    "in <groups>."
                )
        tree.group = parent
        parent._child_trees.append(tree)
        max_id = max(max_id, tree.id)
    owner: dict[int, dict] = {}
    total = 0
    for tree, _ in trees:
        owner.update(tree.node_store)
        total += len(tree.node_store)
    if len(owner) != total:
        seen: set[int] = set()
        for tree, _ in trees:
            duplicates = seen.intersection(tree.node_store)
            if duplicates:
                raise NmlFormatError(
                    f"{label}: node id {min(duplicates)} occurs more than once (again in tree {tree.id}); node ids "
                    "must be unique across the file."
                )
            seen.update(tree.node_store)
    if comments or branchpoints:  # nodes with a comment or branchpoint need a full attribute dict
        for tree, _ in trees:
            store = tree.node_store
            for node_id in _compact_ids(store, comments, branchpoints):
                owner[node_id] = materialize(store, node_id)
    for node_id, content in comments:
        attributes = owner.get(node_id)
        if attributes is not None:
            attributes["comment"] = content
    for node_id, time in branchpoints:
        attributes = owner.get(node_id)
        if attributes is not None:
            attributes["is_branchpoint"] = True
            if time is not None:
                attributes["branchpoint_time"] = int(time)
    if owner:
        max_id = max(max_id, max(owner))
    skeleton.next_id = max_id + 1
    if any(params.get("offset") or ()):  # noticed once the file has been read without error, as the reference
        warnings.warn(
            f"[INFO] The offset parameter is not supported. The offset of {params['offset']} in {label} is ignored "
            "and will be omitted.",
            UserWarning,
            stacklevel=3,
        )
    return NmlDocument(skeleton, parameters, meta, volumes)


def _compact_ids(store: dict, comments: list[tuple[int, str]], branchpoints: list[tuple[int, str | None]]) -> list[int]:
    """Ids of the compact node entries in a tree's raw node ``store`` that a comment or branchpoint refers to."""
    ids = [node_id for node_id, _ in comments if type(store.get(node_id)) is tuple]
    ids.extend(node_id for node_id, _ in branchpoints if type(store.get(node_id)) is tuple)
    return ids


def _as_document(annotation: Any) -> NmlDocument:
    if isinstance(annotation, NmlDocument):
        return annotation
    if isinstance(annotation, Skeleton):
        return NmlDocument.from_skeleton(annotation)
    if isinstance(annotation, Nml):
        return NmlDocument.from_nml(annotation)
    if hasattr(annotation, "skeleton") and hasattr(annotation, "parameters"):
        return NmlDocument(
            annotation.skeleton,
            annotation.parameters,
            list(getattr(annotation, "meta", [])),
            list(getattr(annotation, "volumes", [])),
        )
    raise TypeError(f"The NML codec writes an NmlDocument, Skeleton or Nml, not {type(annotation).__name__}.")


def _is_remote(path: Any) -> bool:
    return hasattr(path, "protocol") and getattr(path, "protocol", "") not in ("", "file", "local")


class NmlCodec:
    """The AnnotationCodec for ``.nml`` files: ``load`` returns an NmlDocument, ``dump`` writes one."""

    file_format = "nml"

    def load(self, source: Any) -> NmlDocument:
        """Parse an NML from a path (str, PathLike, UPath) or a binary stream."""
        if hasattr(source, "read"):
            return parse_nml(source, str(getattr(source, "name", None) or "<NML stream>"))
        path = source if hasattr(source, "protocol") else Path(source)
        if not path.exists():
            raise FileNotFoundError(f"NML file {source} does not exist.")
        with path.open("rb") as stream:
            return parse_nml(stream, str(source))

    def dump(self, annotation: Any, target: Any) -> None:
        """Write an NmlDocument, Skeleton or Nml as NML to a path (atomically) or a binary stream."""
        document = _as_document(annotation)
        if hasattr(target, "write"):
            write_document(document, target)
            return
        if _is_remote(target):
            with target.open("wb") as stream:
                write_document(document, stream)
            return
        path = Path(target)
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            with open(temp, "wb") as stream:
                write_document(document, stream)
            os.replace(temp, path)
        finally:
            if temp.exists():
                temp.unlink()
