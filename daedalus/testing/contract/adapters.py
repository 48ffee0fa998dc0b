"""The adapters the contract suites run against: every one the plugin manager knows, plus daedalus' own fakes."""

from __future__ import annotations

from typing import Any

import pytest

from daedalus.plugins import get_plugin_manager

from ..memory_attachments import MemoryAttachmentStorage
from ..memory_storage import MemoryStorage
from ..numpy_images import NumpyImageReader, NumpyImageWriter


def hook_results_raw(hook_name: str) -> list[Any]:
    """The results of ``hook_name``, one per plugin that answered, in pluggy's call order (not flattened)."""
    return [r for r in getattr(get_plugin_manager().pluggy_manager.hook, hook_name)() if r is not None]


def hook_results(hook_name: str) -> list[Any]:
    """Every adapter the registered plugins return from ``hook_name`` (lists and dict values flattened)."""
    found: list[Any] = []
    for result in hook_results_raw(hook_name):
        found.extend(result.values() if isinstance(result, dict) else result)
    return found


def hook_items(hook_name: str) -> list[tuple[str, Any]]:
    """``(name, adapter)`` of every entry of the dicts the plugins return from ``hook_name``."""
    found: list[tuple[str, Any]] = []
    for result in hook_results_raw(hook_name):
        found.extend(result.items())
    return found


def storage_params() -> list[Any]:
    """ArrayStorage adapters as pytest params with ids ``<data_format>-<engine>``."""
    adapters = [adapter for _, adapter in get_plugin_manager().storages()] + [MemoryStorage("zarr3")]
    return [pytest.param(a, id=f"{a.data_format}-{a.engine}") for a in adapters]


def attachment_params() -> list[Any]:
    """AttachmentStorage adapters as pytest params with ids ``<data_format>-<class>``."""
    adapters = hook_results("daedalus_attachment_storages") + [MemoryAttachmentStorage("zarr3")]
    return [pytest.param(a, id=f"{a.data_format}-{type(a).__name__}") for a in adapters]


def codec_params() -> list[Any]:
    """AnnotationCodec adapters as pytest params with ids ``<file_format>-<class>``."""
    return [
        pytest.param(a, id=f"{a.file_format}-{type(a).__name__}") for a in hook_results("daedalus_annotation_codecs")
    ]


def image_reader_params() -> list[Any]:
    """ImageReader adapters as pytest params with ids ``<name>``."""
    adapters = hook_results("daedalus_image_readers") + [NumpyImageReader()]
    return [pytest.param(a, id=str(a.name)) for a in adapters]


def image_writer_params() -> list[Any]:
    """ImageWriter adapters as pytest params with ids ``<name>``."""
    adapters = hook_results("daedalus_image_writers") + [NumpyImageWriter()]
    return [pytest.param(a, id=str(a.name)) for a in adapters]


def executor_names() -> list[str]:
    """Names of every registered executor."""
    return get_plugin_manager().executor_names()


def transport_params() -> list[Any]:
    """WebknossosTransport factories as pytest params with their names as ids."""
    return [pytest.param(factory, id=name) for name, factory in hook_items("daedalus_webknossos_transports")]


def progress_params() -> list[Any]:
    """Progress factories ``(description, total) -> ProgressReporter`` as pytest params with their names as ids."""
    return [pytest.param(factory, id=name) for name, factory in hook_items("daedalus_progress_reporters")]


def file_service_params(key: str) -> list[Any]:
    """The ``key`` adapters (``file_transfer``, ``zip_archives``) of ``daedalus_file_services``, ids by class."""
    found = [services[key] for services in hook_results_raw("daedalus_file_services") if key in services]
    return [pytest.param(a, id=type(a).__name__) for a in found]
