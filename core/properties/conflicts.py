"""Errors for a layer name or mag that another writer took first, carrying the properties now on disk."""

from __future__ import annotations

from typing import Any

from ..errors import LayerExistsError

__all__ = ["LayerNameTakenError", "MagTakenError", "NameTakenError"]


class NameTakenError(IndexError):
    """Another writer added this layer (or this mag of a layer) first; nothing of this writer's was written.

    ``on_disk`` is the dataset's properties as just read (the winner's layer or mag in them), or None if they
    were not read; the loser adopts it so that its objects match the file again.
    """

    def __init__(self, message: str, on_disk: Any = None) -> None:
        super().__init__(message)
        self.on_disk = on_disk


class LayerNameTakenError(NameTakenError, LayerExistsError):
    """A layer of that name was added by another writer first (an IndexError, like any existing layer name)."""


class MagTakenError(NameTakenError):
    """The mag was added to the layer by another writer first (an IndexError, like any existing mag)."""


def name_taken_error(path: Any, layer: str, mag: Any = None, on_disk: Any = None) -> NameTakenError:
    """The error for the loser of a race for layer ``layer`` (or its mag ``mag``) of the dataset at ``path``."""
    if mag is None:
        return LayerNameTakenError(
            f"Adding layer {layer!r} failed: the dataset at {path} already has it (another process added it "
            "meanwhile; open the dataset again to use that layer, or choose another name).",
            on_disk,
        )
    return MagTakenError(
        f"Adding mag {mag.to_layer_name()} to layer {layer!r} failed: it exists (another process added it "
        f"meanwhile to the dataset at {path}).",
        on_disk,
    )
