"""Small general helpers of the API reference's ``webknossos.utils``: lazy paths and maps, named partials."""

from daedalus.core.utils.array_like import NDArrayLike
from daedalus.core.utils.functions import get_chunks, named_partial
from daedalus.core.utils.lazy import LazyPath, LazyReadOnlyDict
from daedalus.core.utils.missing_package import WkImportError

__all__ = ["LazyPath", "LazyReadOnlyDict", "NDArrayLike", "WkImportError", "get_chunks", "named_partial"]
