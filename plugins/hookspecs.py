"""The hooks a daedalus plugin implements: one per port, each returning the adapters it offers.

Built-in adapters are registered through exactly these hooks, like any third-party plugin.

**Precedence (one rule for every port).** The manager calls each hook through pluggy
(``pm.hook.daedalus_array_storages()``, ...), so pluggy's order decides: a plugin registered later is asked
before one registered earlier, ``@hookimpl(tryfirst=True)`` / ``@hookimpl(trylast=True)`` move a plugin to the
front / back, and ``hookwrapper``/``wrapper`` implementations see and may change the combined result. Where
several adapters answer the same key (a data format, an executor name, an image suffix, ...), the first one in
that order wins; within one plugin's list, the earlier entry wins. Built-in plugins register first, then
entry-point plugins, then plugins registered at run time, so a later plugin overrides a built-in adapter. A
plugin that only adds an alternative engine and should not become the default marks its hook ``trylast=True``.
For storage, ``set_engine`` / ``DAEDALUS_ENGINES`` choose an engine by name before this rule applies.

**Checked when a plugin loads.** The manager calls every hook of a plugin (except the CLI hook) as soon as the
plugin is registered and checks the result against the port (``plugins/port_checks.py``): the result's type, every
required member of every adapter, and the type of declared optional members (``capabilities`` must be a
``StorageCapabilities``). A plugin that fails, or whose hook raises, is reported with its name: built-in and
entry-point plugins are skipped with a warning and listed in ``PluginManager.failed_plugins``; a plugin passed
to ``PluginManager.register`` raises ``PluginLoadError`` and is not registered. An ArrayStorage that omits an
optional member gets the port's default (``ArrayStorageDefaults``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from daedalus.core.ports import (
        AnnotationCodec,
        ArrayStorage,
        AttachmentStorage,
        ExecutorFactory,
        ImageReader,
        ImageWriter,
        ProgressFactory,
        TransportFactory,
    )

PROJECT_NAME = "daedalus"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def daedalus_array_storages() -> list[ArrayStorage]:
    """Return ArrayStorage adapters; each names its ``data_format`` and ``engine``.

    For one data format, the first adapter in precedence order is the default engine.
    """


@hookspec
def daedalus_attachment_storages() -> list[AttachmentStorage]:
    """Return AttachmentStorage adapters; each names its ``data_format`` (hdf5, zarr3, json)."""


@hookspec
def daedalus_annotation_codecs() -> list[AnnotationCodec]:
    """Return AnnotationCodec adapters; each names its ``file_format`` (nml, zip)."""


@hookspec
def daedalus_webknossos_transports() -> dict[str, TransportFactory]:
    """Return factories ``(*, timeout_seconds, retry_policy=None) -> WebknossosTransport`` keyed by transport name.

    The client passes the token per request in headers; ``DAEDALUS_TRANSPORT`` chooses the transport by name.
    """


@hookspec
def daedalus_executors() -> dict[str, ExecutorFactory]:
    """Return executor factories ``(**kwargs) -> Executor`` keyed by name (e.g. ``threads``, ``slurm``)."""


@hookspec
def daedalus_image_readers() -> list[ImageReader]:
    """Return ImageReader adapters; each names itself and the file suffixes it reads."""


@hookspec
def daedalus_image_writers() -> list[ImageWriter]:
    """Return ImageWriter adapters (for exports); each names itself and the file suffixes it writes."""


@hookspec
def daedalus_progress_reporters() -> dict[str, ProgressFactory]:
    """Return progress display factories ``(description, total) -> ProgressReporter`` keyed by name (``rich``).

    Long operations use the first factory in precedence order; without any they show nothing.
    """


@hookspec
def daedalus_cli_commands(cli: Any) -> None:
    """Add click commands or groups to the ``daedalus`` CLI group ``cli``."""


@hookspec
def daedalus_file_services() -> dict[str, Any]:
    """Return the file-handling adapters keyed by port: ``file_transfer`` (FileTransfer), ``zip_archives``
    (ZipArchives) and ``format_metadata`` (a dict of FormatMetadata keyed by data format); the first plugin in
    precedence order that offers an entry wins."""
