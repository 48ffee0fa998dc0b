"""NormalizedBoundingBox: an NDBoundingBox that carries the channel axis ``c`` explicitly."""

from __future__ import annotations

import attrs

from .nd_bounding_box import NDBoundingBox


@attrs.frozen(repr=False)
class NormalizedBoundingBox(NDBoundingBox):
    """A bounding box whose axes include the channel axis ``c`` (made by ``normalize_axes``).

    Combined with a box without a channel axis, only the shared (spatial) axes take part and
    the channel range of this box is kept.
    """

    def __attrs_post_init__(self) -> None:
        if "c" not in self.axes:
            raise ValueError(f"A NormalizedBoundingBox needs a channel axis 'c', got axes {self.axes}.")
        super().__attrs_post_init__()

    def denormalize(self) -> NDBoundingBox:
        """This box without its channel axis (a BoundingBox when only x, y, z remain)."""
        from .bounding_box import BoundingBox

        keep = [i for i, axis in enumerate(self.axes) if axis != "c"]
        axes = tuple(self.axes[i] for i in keep)
        topleft = [self.topleft[i] for i in keep]
        size = [self.size[i] for i in keep]
        index = [self.index[i] for i in keep]
        lowest = min(index)
        extra = {"name": self.name, "is_visible": self.is_visible, "color": self.color}
        if axes == ("x", "y", "z"):
            return BoundingBox(topleft, size, index=[i - lowest + 1 for i in index], **extra)
        return NDBoundingBox(topleft, size, axes, [i - lowest for i in index], **extra)
