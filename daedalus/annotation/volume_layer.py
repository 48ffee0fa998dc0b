"""``daedalus.annotation.volume_layer``: the names of the reference's ``webknossos.annotation.volume_layer``."""

from daedalus.core.annotation.volume_layer import VolumeLayer, VolumeLayerEditMode

__all__ = ["VolumeLayer", "VolumeLayerEditMode"]
