"""FormatMetadata adapters for zarr groups: ``zarr.json`` (zarr v3, OME-NGFF 0.5) and ``.zgroup``/``.zattrs``
(zarr v2, OME-NGFF 0.4), written as plain JSON files (atomically where the file system allows)."""

from __future__ import annotations

import json
from typing import Any

from daedalus.core.properties.files import write_text_atomically

# zarr v2 group marker: ``zarr_format`` is the integer 2 (the zarr v2 spec); the reference writes the string "2",
# which zarr-python, ome-zarr-py and ome-zarr-models refuse, while the reference reads either.
_ZARR2_GROUP = {"zarr_format": 2}


def _write_json(path: Any, content: dict[str, Any]) -> None:
    """Write metadata atomically: a killed writer never leaves a half-written ``zarr.json``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(path, json.dumps(content, indent=4))


def _read_json(path: Any) -> Any:
    """The parsed JSON at ``path``, or None when it is missing or not valid JSON."""
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return None


class Zarr3GroupMetadata:
    """Group metadata of zarr v3: one ``zarr.json`` per group, OME-NGFF 0.5 under ``attributes.ome``."""

    data_format = "zarr3"

    def mark_group(self, folder: Any) -> None:
        """Write ``zarr.json`` (a group node) unless the folder has one."""
        if not (folder / "zarr.json").exists():
            _write_json(folder / "zarr.json", {"zarr_format": 3, "node_type": "group"})

    def write_multiscales(self, folder: Any, multiscale: dict[str, Any]) -> None:
        """Write the group's ``zarr.json`` with the OME-NGFF 0.5 ``multiscale``."""
        attributes = {"ome": {"version": "0.5", "multiscales": [multiscale]}}
        _write_json(folder / "zarr.json", {"zarr_format": 3, "node_type": "group", "attributes": attributes})


class Zarr2GroupMetadata:
    """Group metadata of zarr v2: ``.zgroup`` marks the group, ``.zattrs`` holds OME-NGFF 0.4."""

    data_format = "zarr"

    def mark_group(self, folder: Any) -> None:
        """Write ``.zgroup`` unless it holds the correct marker (a string ``"2"`` is rewritten as the integer)."""
        if _read_json(folder / ".zgroup") != _ZARR2_GROUP:
            _write_json(folder / ".zgroup", _ZARR2_GROUP)

    def write_multiscales(self, folder: Any, multiscale: dict[str, Any]) -> None:
        """Write ``.zgroup`` and a ``.zattrs`` with the OME-NGFF 0.4 ``multiscale``."""
        _write_json(folder / ".zgroup", _ZARR2_GROUP)
        _write_json(folder / ".zattrs", {"multiscales": [{"version": "0.4", **multiscale}]})
