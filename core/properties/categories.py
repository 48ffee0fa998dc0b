"""Layer categories of a dataset: ``color`` (image data) and ``segmentation`` (ids)."""

from __future__ import annotations

from typing import Literal

LayerCategoryType = Literal["color", "segmentation"]
COLOR_CATEGORY: LayerCategoryType = "color"
SEGMENTATION_CATEGORY: LayerCategoryType = "segmentation"
LAYER_CATEGORIES: tuple[LayerCategoryType, ...] = (COLOR_CATEGORY, SEGMENTATION_CATEGORY)


def check_category(value: str) -> LayerCategoryType:
    """Return ``value`` if it is a layer category, else raise a ValueError naming it."""
    if value not in LAYER_CATEGORIES:
        raise ValueError(f"Unknown layer category {value!r}; expected one of {', '.join(LAYER_CATEGORIES)}.")
    return value  # type: ignore[return-value]
