"""Built-in plugin: registers the annotation codecs (NML)."""

from __future__ import annotations

from typing import Any

from .hookspecs import hookimpl


class LazyNmlCodec:
    """The NML AnnotationCodec, imported (with the skeleton model) when an annotation is first read or written."""

    file_format = "nml"

    def __init__(self) -> None:
        self._codec: Any = None

    def _real(self) -> Any:
        if self._codec is None:
            from daedalus.adapters.nml_codec import NmlCodec

            self._codec = NmlCodec()
        return self._codec

    def load(self, source: Any) -> Any:
        """Parse an annotation from a path or binary stream (see the AnnotationCodec port)."""
        return self._real().load(source)

    def dump(self, annotation: Any, target: Any) -> None:
        """Serialise an annotation to a path or binary stream."""
        self._real().dump(annotation, target)

    def __repr__(self) -> str:
        return "LazyNmlCodec()"


@hookimpl
def daedalus_annotation_codecs() -> list[Any]:
    """The NML codec (``file_format`` ``nml``)."""
    return [LazyNmlCodec()]
