"""Three-way merge of dataset properties: apply what one writer changed since it last read onto the file now.

``merge_properties(base, mine, theirs)``: ``base`` is what this writer last read or wrote, ``mine`` its
in-memory state (base plus its own changes), ``theirs`` the file as it is on disk now (base plus what other
writers changed meanwhile). The result keeps every change of both sides. Layers are matched by name, mags by
mag, list attachments by name; any other value is taken from ``mine`` if this writer changed it, else from
``theirs``. Where both changed the same value, ``mine`` wins, except a layer's bounding box that both grew, which
becomes the box holding both; where both added a layer of the same name, or the
same mag to one layer, the merge raises ``BothAddedError`` (the name was taken meanwhile: this writer lost).
Without changes by others (``theirs`` equal to ``base``) the result equals ``mine``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import attrs

from .attachments import ATTACHMENT_KINDS, AttachmentsProperties
from .dataset import DatasetProperties
from .layer import LayerProperties, SegmentationLayerProperties

T = TypeVar("T")

# Fields merged by key (or recursively) instead of as one value.
_LAYER_MERGED_FIELDS = {"mags", "attachments"}


class BothAddedError(Exception):
    """This writer and another both added layer ``layer`` (``mag`` None) or mag ``mag`` of layer ``layer``."""

    def __init__(self, layer: str, mag: Any = None) -> None:
        what = f"layer {layer!r}" if mag is None else f"mag {mag} of layer {layer!r}"
        super().__init__(f"Another writer added {what} meanwhile.")
        self.layer = layer
        self.mag = mag


def merge_properties(
    base: DatasetProperties | None, mine: DatasetProperties, theirs: DatasetProperties
) -> DatasetProperties:
    """The properties ``theirs`` with this writer's changes (``mine`` relative to ``base``) applied.

    ``base`` None means this writer never read the file (it created the dataset): all of ``mine`` counts as
    its change, and layers only ``theirs`` has are kept. The result shares no objects with the arguments.
    Raises BothAddedError if a layer (or a mag of a layer) that this writer added was added by another too.
    """
    values = _merge_fields(base, mine, theirs, exclude={"data_layers"})

    def layer_taken(name: Hashable) -> None:
        raise BothAddedError(str(name))

    values["data_layers"] = _merge_keyed(
        None if base is None else base.data_layers,
        mine.data_layers,
        theirs.data_layers,
        _layer_key,
        _merge_layer,
        on_both_added=layer_taken,
    )
    return DatasetProperties(**values)


def _layer_key(layer: LayerProperties) -> Hashable:
    return layer.name


def _merge_layer(base: LayerProperties, mine: LayerProperties, theirs: LayerProperties) -> LayerProperties:
    if type(mine) is not type(theirs) or type(base) is not type(mine):
        return copy.deepcopy(mine if mine != base else theirs)  # the layer changed kind: one side wins whole
    values = _merge_fields(base, mine, theirs, exclude=_LAYER_MERGED_FIELDS)
    values["bounding_box"] = _merge_bounding_box(base.bounding_box, mine.bounding_box, theirs.bounding_box)

    def mag_taken(mag: Hashable) -> None:
        raise BothAddedError(mine.name, mag)

    values["mags"] = _merge_keyed(
        base.mags, mine.mags, theirs.mags, lambda m: m.mag, _merge_whole, on_both_added=mag_taken
    )
    if {m.mag for m in values["mags"]} - {m.mag for m in mine.mags}:  # others added mags: keep them in order
        values["mags"].sort(key=lambda m: (m.mag.max_dim, m.mag.to_list()))
    if isinstance(mine, SegmentationLayerProperties):
        values["attachments"] = _merge_attachments(base.attachments, mine.attachments, theirs.attachments)
    return type(mine)(**values)


def _merge_attachments(
    base: AttachmentsProperties, mine: AttachmentsProperties, theirs: AttachmentsProperties
) -> AttachmentsProperties:
    list_kinds = {kind for kind, (_, is_list) in ATTACHMENT_KINDS.items() if is_list}
    values = _merge_fields(base, mine, theirs, exclude=list_kinds)
    for kind in list_kinds:
        b, m, t = getattr(base, kind), getattr(mine, kind), getattr(theirs, kind)
        merged = _merge_keyed(b or [], m or [], t or [], lambda a: a.name, _merge_whole)
        values[kind] = merged if merged else copy.deepcopy(m if m != b else t)  # keeps None vs. []
    return AttachmentsProperties(**values)


def _merge_bounding_box(base: Any, mine: Any, theirs: Any) -> Any:
    """A layer's box: where both writers grew it (each box holds the old one), the box holding both."""
    if mine == base or theirs == base or mine == theirs:
        return _merge_whole(base, mine, theirs)
    try:
        both_grew = mine.contains_bbox(base) and theirs.contains_bbox(base)
        return mine.extended_by(theirs) if both_grew else copy.deepcopy(mine)
    except (AttributeError, TypeError, ValueError, AssertionError):  # boxes of different axes: mine wins
        return copy.deepcopy(mine)


def _merge_whole(base: T, mine: T, theirs: T) -> T:
    """One value: ``mine`` if this writer changed it, else ``theirs``."""
    return copy.deepcopy(mine if mine != base else theirs)


def _merge_fields(base: Any, mine: Any, theirs: Any, exclude: set[str]) -> dict[str, Any]:
    """The attrs fields of ``mine``'s class outside ``exclude``, each merged as one value (``_merge_whole``)."""
    values: dict[str, Any] = {}
    for field in attrs.fields(type(mine)):
        if field.name in exclude:
            continue
        name = field.name
        if base is None:
            values[name] = copy.deepcopy(getattr(mine, name))
        else:
            values[name] = _merge_whole(getattr(base, name), getattr(mine, name), getattr(theirs, name))
    return values


def _merge_keyed(
    base: list[T] | None,
    mine: list[T],
    theirs: list[T],
    key: Callable[[T], Hashable],
    merge_item: Callable[[T, T, T], T],
    on_both_added: Callable[[Hashable], None] | None = None,
) -> list[T]:
    """Merge lists of items identified by ``key``: ``mine``'s items in its order, then those only others added.

    An item this writer removed (in ``base``, not in ``mine``) is dropped; so is one others removed (in
    ``base``, not in ``theirs``), even if this writer changed it: its files are gone. Items in all three are
    merged by ``merge_item``. For an item both added, ``on_both_added(key)`` is called (it may raise); without
    it this writer's item is kept. When ``theirs`` equals ``base`` the result equals ``mine``.
    """
    base_by_key = {key(item): item for item in base or []}
    theirs_by_key = {key(item): item for item in theirs}
    mine_keys = {key(item) for item in mine}
    result: list[T] = []
    for my_item in mine:
        k = key(my_item)
        if k not in base_by_key:
            if on_both_added is not None and k in theirs_by_key:
                on_both_added(k)
            result.append(copy.deepcopy(my_item))  # added by this writer
        elif k in theirs_by_key:
            result.append(merge_item(base_by_key[k], my_item, theirs_by_key[k]))
    for k, their_item in theirs_by_key.items():
        if k not in base_by_key and k not in mine_keys:
            result.append(copy.deepcopy(their_item))  # added by others
    return result
