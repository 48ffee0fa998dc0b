"""Built-in plugin: registers the annotation codecs (NML)."""

from __future__ import annotations

from typing import Any

from .hookspecs import hookimpl


@hookimpl
def daedalus_annotation_codecs() -> list[Any]:
    """The NML codec (``file_format`` ``nml``), imported when an annotation codec is first asked for."""
    from daedalus.adapters.nml_codec import NmlCodec

    return [NmlCodec()]
