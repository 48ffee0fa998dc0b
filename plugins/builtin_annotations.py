"""Built-in plugin: registers the annotation codecs (NML)."""

from __future__ import annotations

from typing import Any

from daedalus.adapters.nml_codec import NmlCodec

from .hookspecs import hookimpl


@hookimpl
def daedalus_annotation_codecs() -> list[Any]:
    """The NML codec (``file_format`` ``nml``)."""
    return [NmlCodec()]
