"""Built-in plugin: registers the attachment storages (zarr3, hdf5, json) whose library is installed."""

from __future__ import annotations

import importlib
from typing import Any

from .hookspecs import hookimpl

_ATTACHMENT_ADAPTERS = (
    ("daedalus.adapters.zarr3_attachments", "Zarr3AttachmentStorage"),
    ("daedalus.adapters.hdf5_attachments", "Hdf5AttachmentStorage"),
    ("daedalus.adapters.json_attachments", "JsonAttachmentStorage"),
)


@hookimpl
def daedalus_attachment_storages() -> list[Any]:
    """AttachmentStorage adapters of the built-in formats (a format whose library is missing is left out)."""
    adapters = []
    for module_name, class_name in _ATTACHMENT_ADAPTERS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        adapters.append(getattr(module, class_name)())
    return adapters
