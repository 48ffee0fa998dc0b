"""The hooks a daedalus plugin implements: one per port, each returning the adapters it offers.

Built-in adapters are registered through exactly these hooks, like any third-party plugin.
"""

from __future__ import annotations

from typing import Any

import pluggy

PROJECT_NAME = "daedalus"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def daedalus_array_storages() -> list[Any]:
    """Return ArrayStorage adapters; each names its ``data_format`` and ``engine``."""


@hookspec
def daedalus_attachment_storages() -> list[Any]:
    """Return AttachmentStorage adapters; each names its ``data_format`` (hdf5, zarr3, json)."""


@hookspec
def daedalus_annotation_codecs() -> list[Any]:
    """Return AnnotationCodec adapters; each names its ``file_format`` (nml, zip)."""


@hookspec
def daedalus_webknossos_transports() -> dict[str, Any]:
    """Return factories ``(*, timeout_seconds, retry_policy=None) -> WebknossosTransport`` keyed by transport name.

    The client passes the token per request in headers; ``DAEDALUS_TRANSPORT`` chooses the transport by name.
    """


@hookspec
def daedalus_executors() -> dict[str, Any]:
    """Return executor factories ``(**kwargs) -> Executor`` keyed by name (e.g. ``threads``, ``slurm``)."""


@hookspec
def daedalus_image_readers() -> list[Any]:
    """Return ImageReader adapters; each names itself and the file suffixes it reads."""


@hookspec
def daedalus_image_writers() -> list[Any]:
    """Return ImageWriter adapters (for exports); each names itself and the file suffixes it writes."""


@hookspec
def daedalus_cli_commands(cli: Any) -> None:
    """Add click commands or groups to the ``daedalus`` CLI group ``cli``."""
