"""RemoteMagView: a mag of a RemoteDataset, read in one RemoteAccessMode (zarr streaming, proxy or direct path).

Different mags of one layer may use different modes: ``layer.get_mag(1, access_mode=RemoteAccessMode.DIRECT_PATH)``.
A mag in another mode is found by opening the dataset in that mode (one request for its properties).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from upath import UPath

from ..dataset.mag_view import MagView
from ..dataset.paths import resolve_mag_path
from ..errors import ArrayException
from ..geometry import Mag
from .access_mode import RemoteAccessMode

if TYPE_CHECKING:
    from .remote_layer import RemoteLayer


class RemoteMagView(MagView):
    """A mag of a remote dataset, accessed in one particular RemoteAccessMode (read-only in daedalus)."""

    def __init__(
        self,
        layer: RemoteLayer,
        mag: Any,
        *,
        access_mode: RemoteAccessMode | None = None,
        read_only: bool = True,
        path: Any = None,
    ) -> None:
        """The mag ``mag`` of ``layer`` as its dataset reaches it (``access_mode``: the dataset's by default);
        ``path`` overrides where its array is."""
        mag = Mag(mag)
        if path is None:
            entry = layer.mag_entry(mag)
            path = resolve_mag_path(layer.dataset.path, layer.path, entry)
        # daedalus writes no voxel data to the server; the array is in the format the layer is read in
        super().__init__(layer, mag, path, True, data_format=layer.properties_data_format)
        self._access_mode = RemoteAccessMode(access_mode) if access_mode is not None else layer.dataset.access_mode

    def __repr__(self) -> str:
        return f"RemoteMagView(name={self.name!r}, access_mode={self._access_mode.value}, path={str(self.path)!r})"

    @property
    def _array(self) -> Any:
        """The array, opened on first use; ArrayException (as the reference) if the server does not serve it."""
        try:
            return super()._array
        except ArrayException:
            raise
        except Exception as error:  # noqa: BLE001 - any failure to open is reported with the array's URL
            raise ArrayException(f"Could not open array at {self.path}: {error}") from error

    @property
    def access_mode(self) -> RemoteAccessMode:
        """How the data of this mag is accessed."""
        return self._access_mode

    def with_access_mode(self, access_mode: RemoteAccessMode) -> RemoteMagView:
        """This mag reached through ``access_mode`` (ValueError if the dataset does not offer it, e.g. proxy or
        direct paths for the volume layers of an annotation)."""
        access_mode = RemoteAccessMode(access_mode)
        if access_mode is self._access_mode:
            return self
        other = self.layer.dataset.with_access_mode(access_mode)
        return other.get_layer(self.layer.name).get_mag(self.mag)  # type: ignore[return-value]

    @property
    def paths_by_access_mode(self) -> dict[RemoteAccessMode, UPath]:
        """Every path at which this mag's data can be reached, by access mode (unavailable modes are left out)."""
        paths: dict[RemoteAccessMode, UPath] = {}
        for mode in RemoteAccessMode:
            try:
                paths[mode] = self.with_access_mode(mode).path
            except (ValueError, KeyError, IndexError, FileNotFoundError, RuntimeError):
                continue
        return paths

    @property
    def paths(self) -> tuple[UPath, ...]:
        """Deprecated: use ``paths_by_access_mode``."""
        warnings.warn(
            "[DEPRECATION] `RemoteMagView.paths` is deprecated, please use `paths_by_access_mode` instead.",
            DeprecationWarning,
            stacklevel=2,
        )
        return tuple(self.paths_by_access_mode.values())
