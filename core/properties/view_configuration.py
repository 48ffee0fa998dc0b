"""Default view settings WEBKNOSSOS applies when showing a dataset or one of its layers."""

from __future__ import annotations

from typing import Any

import attrs


def _optional_tuple(value: Any) -> tuple | None:
    return None if value is None else tuple(value)


@attrs.define
class LayerViewConfiguration:
    """Stores information on how the dataset is shown in webknossos by default.

    Every setting is optional; None means "use the WEBKNOSSOS default". ``extra`` keeps keys of the
    JSON this model does not know, so that they survive a rewrite.
    """

    color: tuple[int, int, int] | None = attrs.field(default=None, converter=_optional_tuple)
    alpha: float | None = None
    intensity_range: tuple[float, float] | None = attrs.field(default=None, converter=_optional_tuple)
    min: float | None = None
    max: float | None = None
    is_disabled: bool | None = None
    is_inverted: bool | None = None
    is_in_edit_mode: bool | None = None
    mapping: dict[str, str] | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, kw_only=True, repr=False)


@attrs.define
class DatasetViewConfiguration:
    """Stores information on how the dataset is shown in WEBKNOSSOS by default.

    Every setting is optional; None means "use the WEBKNOSSOS default". ``layers`` maps layer names to
    their :class:`LayerViewConfiguration`; ``extra`` keeps unknown JSON keys.
    """

    four_bit: bool | None = None
    interpolation: bool | None = None
    render_missing_data_black: bool | None = None
    loading_strategy: str | None = None
    segmentation_pattern_opacity: int | None = None
    zoom: float | None = None
    position: tuple[int, int, int] | None = attrs.field(default=None, converter=_optional_tuple)
    rotation: tuple[int, int, int] | None = attrs.field(default=None, converter=_optional_tuple)
    layers: dict[str, LayerViewConfiguration] | None = None
    color_layer_order: list[str] | None = None
    blend_mode: str | None = None
    natively_rendered_layer_name: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, kw_only=True, repr=False)
