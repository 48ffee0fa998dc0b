"""NormalizedBoundingBox: an NDBoundingBox that carries the channel axis ``c`` explicitly (``normalize_axes``).

Combined with a BoundingBox, only the spatial axes take part and the channel range of the normalized box is
kept; with any other box the axes must match. Like the reference's it is not hashable.
"""

from __future__ import annotations

from typing import Any

import attrs

from .nd_bounding_box import NDBoundingBox, incompatible

_XYZ = ("x", "y", "z")


@attrs.frozen(repr=False, eq=False)
class NormalizedBoundingBox(NDBoundingBox):
    """A bounding box whose axes include the channel axis ``c`` (made by ``normalize_axes``)."""

    __hash__ = None  # type: ignore[assignment]

    def _channel(self) -> int:
        return list(self.axes).index("c")

    def _spatial(self) -> NDBoundingBox:
        """This box without its channel axis, as an NDBoundingBox (same name, visibility and color)."""
        keep = [i for i, axis in enumerate(self.axes) if axis != "c"]
        return NDBoundingBox(
            topleft=[self.topleft[i] for i in keep],
            size=[self.size[i] for i in keep],
            axes=[self.axes[i] for i in keep],
            index=[self.index[i] for i in keep],
            name=self.name,
            is_visible=self.is_visible,
            color=self.color,
        )

    def _with_spatial(self, spatial: NDBoundingBox) -> NormalizedBoundingBox:
        """This box' channel range with the spatial axes of ``spatial``."""
        c = self._channel()
        topleft, size = list(spatial.topleft), list(spatial.size)
        topleft.insert(c, self.topleft[c])
        size.insert(c, self.size[c])
        return attrs.evolve(self, topleft=topleft, size=size)

    def _denormalize_for_bbox_op(self, other: NDBoundingBox) -> tuple[NDBoundingBox, NDBoundingBox] | None:
        """(my spatial part, other) when ``other`` is a BoundingBox (only those combine by their x, y and z)."""
        if type(other).__name__ != "BoundingBox" or "c" not in self.axes:
            return None
        spatial = self._spatial()
        if tuple(other.axes) != spatial.axes:
            raise incompatible(tuple(self.axes), other.axes)
        return spatial, NDBoundingBox(other.topleft, other.size, axes=spatial.axes, index=spatial.index)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NDBoundingBox):
            return NotImplemented
        pair = self._denormalize_for_bbox_op(other)
        if pair is None:
            return super().__eq__(other)
        mine, theirs = pair
        return mine.topleft == theirs.topleft and mine.size == theirs.size

    def intersected_with(self, other: NDBoundingBox, dont_assert: bool = False) -> NormalizedBoundingBox:
        """The overlap of both boxes (a box without channel axis: along the spatial axes, keeping the channels)."""
        pair = self._denormalize_for_bbox_op(other)
        if pair is None:
            return super().intersected_with(other, dont_assert)  # type: ignore[arg-type,return-value]
        mine, theirs = pair
        result = self._with_spatial(mine.intersected_with(theirs, dont_assert=True))
        if not dont_assert:
            assert not result.is_empty(), f"No intersection between bounding boxes {self} and {other}."
        return result

    def extended_by(self, other: NDBoundingBox) -> NormalizedBoundingBox:
        """The smallest box containing both (a box without channel axis: along the spatial axes)."""
        pair = self._denormalize_for_bbox_op(other)
        if pair is None:
            return super().extended_by(other)  # type: ignore[arg-type,return-value]
        mine, theirs = pair
        return self._with_spatial(mine.extended_by(theirs))

    def contains_bbox(self, inner_bbox: NDBoundingBox) -> bool:
        """Whether ``inner_bbox`` lies inside this box (a box without channel axis: along the spatial axes)."""
        pair = self._denormalize_for_bbox_op(inner_bbox)
        if pair is None:
            return super().contains_bbox(inner_bbox)  # type: ignore[arg-type]
        mine, theirs = pair
        return mine.contains_bbox(theirs)

    def denormalize(self) -> NDBoundingBox:
        """This box as a BoundingBox when its axes are c, x, y, z; otherwise as an NDBoundingBox (same axes)."""
        from .bounding_box import BoundingBox

        extra = {"name": self.name, "is_visible": self.is_visible, "color": self.color}
        if "c" in self.axes and tuple(axis for axis in self.axes if axis != "c") == _XYZ:
            return BoundingBox(self.topleft_xyz, self.size_xyz, **extra)
        return NDBoundingBox(self.topleft, self.size, self.axes, self.index, **extra)

    def to_wkw_dict(self) -> dict:
        """The box as in datasource-properties.json: ``topLeft``, ``width``, ``height``, ``depth``, the
        ``additionalAxes`` (axes other than c, x, y, z), ``axisOrder`` and ``numChannels``."""
        topleft, size = self.topleft_xyz, self.size_xyz
        result: dict[str, Any] = {"topLeft": topleft.to_list(), "width": size.x, "height": size.y, "depth": size.z}
        extra = [
            {"name": axis, "bounds": [self.topleft[i], self.bottomright[i]], "index": self.index[i]}
            for i, axis in enumerate(self.axes)
            if axis not in ("c", *_XYZ)
        ]
        order = {axis: self.index[i] for i, axis in enumerate(self.axes) if axis in ("c", *_XYZ)}
        if "c" not in self.axes:
            raise IndexError("tuple index out of range")  # as the reference: a wkw dict needs the channel axis
        channels = self.size[self._channel()]
        if extra:
            result["additionalAxes"] = extra
            result["axisOrder"] = order
            result["numChannels"] = channels
        else:
            result["numChannels"] = channels
            result["axisOrder"] = order
        return result

    @classmethod
    def from_wkw_dict(cls, bbox: dict) -> NDBoundingBox:
        """Read a datasource-properties bounding box (``additionalAxes`` need an ``axisOrder``)."""
        topleft = list(bbox["topLeft"])
        size = [bbox["width"], bbox["height"], bbox["depth"]]
        channels = bbox.get("numChannels", 1)
        extra = bbox.get("additionalAxes") or []
        if not extra:
            return cls(topleft=(0, *topleft), size=(channels, *size), axes=("c", *_XYZ), index=(0, 1, 2, 3))
        assert "axisOrder" in bbox, "If there are additionalAxes an axisOrder needs to be provided."
        order = bbox["axisOrder"]
        axes, tl, sz, index = list(_XYZ), topleft, size, [order[axis] for axis in _XYZ]
        if "c" in order:
            axes, tl, sz, index = ["c", *axes], [0, *tl], [channels, *sz], [order["c"], *index]
        for axis in extra:
            low, high = axis["bounds"]
            axes.append(axis["name"])
            tl.append(low)
            sz.append(high - low)
            index.append(axis["index"])
        return cls(topleft=tl, size=sz, axes=axes, index=index)
