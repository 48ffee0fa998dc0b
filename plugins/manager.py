"""The plugin manager: registers built-in and entry-point plugins and answers core's adapter look-ups.

Users choose which engine serves a data format (``set_engine`` or ``DAEDALUS_ENGINES="zarr3=zarr-python"``)
and whether entry-point plugins load (``configure_plugins(load_entrypoints=False)`` or
``DAEDALUS_LOAD_ENTRYPOINTS=0``; single plugins are blocked with ``DAEDALUS_DISABLE_PLUGINS=a,b``).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import threading
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import pluggy
from daedalus.core import ports

from . import hookspecs

ENTRYPOINT_GROUP = "daedalus.plugins"
BUILTIN_PLUGINS = (
    "daedalus.plugins.builtin_storage",
    "daedalus.plugins.builtin_executors",
    "daedalus.plugins.builtin_cli",
    "daedalus.plugins.builtin_attachments",
    "daedalus.plugins.builtin_annotations",
    "daedalus.plugins.builtin_images",
    "daedalus.plugins.builtin_image_writers",
    "daedalus.plugins.builtin_transports",
)
_FALSY = {"0", "false", "no", "off"}


class UnknownAdapterError(ValueError):
    """No registered plugin offers the requested format, engine, executor or reader."""


def _env_engines() -> dict[str, str]:
    raw = os.environ.get("DAEDALUS_ENGINES", "")
    choices = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        if "=" not in item:
            raise ValueError(
                f"DAEDALUS_ENGINES entry {item!r} is not of the form data_format=engine "
                "(e.g. DAEDALUS_ENGINES='zarr3=zarr-python')."
            )
        fmt, engine = item.split("=", 1)
        choices[fmt.strip()] = engine.strip()
    return choices


class PluginManager:
    """Holds the registered plugins and resolves adapters by name; implements ``ports.Registry``."""

    def __init__(self, load_entrypoints: bool | None = None, disabled: Iterable[str] | None = None) -> None:
        if load_entrypoints is None:
            load_entrypoints = os.environ.get("DAEDALUS_LOAD_ENTRYPOINTS", "1").strip().lower() not in _FALSY
        if disabled is None:
            disabled = [p.strip() for p in os.environ.get("DAEDALUS_DISABLE_PLUGINS", "").split(",")]
        self.load_entrypoints = load_entrypoints
        self._pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self._pm.add_hookspecs(hookspecs)
        for name in filter(None, disabled):
            self._pm.set_blocked(name)
        for module_name in BUILTIN_PLUGINS:
            if not self._pm.is_blocked(module_name):
                self._pm.register(importlib.import_module(module_name), name=module_name)
        self.failed_plugins: dict[str, str] = {}
        if load_entrypoints:
            self._load_entrypoints()
        self._engines: dict[str, str] = _env_engines()
        self._cache: dict[str, Any] = {}

    def _load_entrypoints(self) -> None:
        """Load each entry-point plugin on its own: a broken plugin is reported, not fatal."""
        for entry_point in importlib.metadata.entry_points(group=ENTRYPOINT_GROUP):
            if self._pm.is_blocked(entry_point.name) or self._pm.has_plugin(entry_point.name):
                continue
            try:
                self._pm.register(entry_point.load(), name=entry_point.name)
            except Exception as error:  # noqa: BLE001 - one broken plugin must not break daedalus
                self.failed_plugins[entry_point.name] = f"{type(error).__name__}: {error}"
                warnings.warn(
                    f"daedalus plugin {entry_point.name!r} ({entry_point.value}) failed to load and is skipped: "
                    f"{error}",
                    stacklevel=2,
                )

    # ------------------------------------------------------------------ registration

    @property
    def pluggy_manager(self) -> pluggy.PluginManager:
        """The underlying pluggy manager (for registering plugin objects at run time)."""
        return self._pm

    def register(self, plugin: object, name: str | None = None) -> None:
        """Register a plugin object or module at run time (e.g. from a test or a notebook)."""
        self._pm.register(plugin, name=name)
        self._cache.clear()

    def unregister(self, name: str) -> None:
        """Remove the plugin registered under ``name``."""
        self._pm.unregister(name=name)
        self._cache.clear()

    def plugin_names(self) -> list[str]:
        """Names of all registered plugins, built-in ones first."""
        return [name for name, plugin in self._pm.list_name_plugin() if plugin is not None]

    def _per_plugin(self, hook_name: str) -> list[tuple[str, Any]]:
        """Call ``hook_name`` on every plugin separately: ``[(plugin_name, result), ...]`` in load order."""
        if hook_name in self._cache:
            return self._cache[hook_name]
        caller = getattr(self._pm.hook, hook_name)
        results = []
        for impl in caller.get_hookimpls():  # registration order
            value = impl.function()
            if value is not None:
                results.append((impl.plugin_name, value))
        self._cache[hook_name] = results
        return results

    def _adapters(self, hook_name: str, key: Callable[[Any], str]) -> list[tuple[str, str, Any]]:
        found = []
        for plugin_name, adapters in self._per_plugin(hook_name):
            items = adapters.items() if isinstance(adapters, dict) else ((key(a), a) for a in adapters)
            for name, adapter in items:
                found.append((plugin_name, name, adapter))
        return found

    # ------------------------------------------------------------------ storage

    def storages(self) -> list[tuple[str, Any]]:
        """All ArrayStorage adapters as ``(plugin_name, adapter)``."""
        return [(p, a) for p, _, a in self._adapters("daedalus_array_storages", lambda a: a.data_format)]

    def data_formats(self) -> list[str]:
        """Every data format some plugin can store."""
        return sorted({str(a.data_format) for _, a in self.storages()})

    def engines(self, data_format: str) -> list[str]:
        """Engines registered for ``data_format``, in registration order."""
        return [a.engine for _, a in self.storages() if str(a.data_format) == str(data_format)]

    def set_engine(self, data_format: str, engine: str | None) -> None:
        """Choose the engine that serves ``data_format`` (None restores the default: first registered)."""
        if engine is None:
            self._engines.pop(str(data_format), None)
            return
        if engine not in self.engines(data_format):
            raise UnknownAdapterError(
                f"No engine {engine!r} is registered for data format {data_format!r}; "
                f"available: {self.engines(data_format) or 'none'}."
            )
        self._engines[str(data_format)] = engine

    def storage(self, data_format: str, engine: str | None = None) -> Any:
        """The ArrayStorage serving ``data_format`` with the chosen (or given) engine."""
        data_format = str(getattr(data_format, "value", data_format))
        candidates = [a for _, a in self.storages() if str(a.data_format) == data_format]
        if not candidates:
            raise UnknownAdapterError(
                f"No storage adapter is registered for data format {data_format!r}; available formats: "
                f"{', '.join(self.data_formats()) or 'none'}. Install the missing extra "
                "(pip install 'daedalus[all]') or a plugin that provides it."
            )
        wanted = engine or self._engines.get(data_format)
        if wanted is None:
            return candidates[0]
        for adapter in candidates:
            if adapter.engine == wanted:
                return adapter
        raise UnknownAdapterError(
            f"Engine {wanted!r} is not registered for data format {data_format!r}; "
            f"available engines: {', '.join(a.engine for a in candidates)}."
        )

    # ------------------------------------------------------------------ other ports

    def _named(self, hook_name: str, kind: str, name: str, key: Callable[[Any], str]) -> Any:
        adapters = self._adapters(hook_name, key)
        for _, adapter_name, adapter in reversed(adapters):  # later plugins override earlier ones
            if adapter_name == name:
                return adapter
        available = sorted({n for _, n, _ in adapters})
        raise UnknownAdapterError(f"Unknown {kind} {name!r}; available: {', '.join(available) or 'none'}.")

    def executor_names(self) -> list[str]:
        """Names of every registered executor."""
        return sorted({n for _, n, _ in self._adapters("daedalus_executors", lambda a: a)})

    def executor(self, name: str, **kwargs: Any) -> Any:
        """A new executor of kind ``name`` built with ``kwargs``."""
        return self._named("daedalus_executors", "executor", name, lambda a: a)(**kwargs)

    def image_reader(self, name_or_suffix: str) -> Any:
        """The ImageReader registered under a name or reading files with that suffix."""
        readers = [a for _, _, a in self._adapters("daedalus_image_readers", lambda a: a.name)]
        wanted = name_or_suffix.lower()
        for reader in reversed(readers):
            if reader.name == wanted or wanted in [s.lower() for s in reader.suffixes]:
                return reader
        available = sorted({r.name for r in readers} | {s for r in readers for s in r.suffixes})
        raise UnknownAdapterError(
            f"No image reader for {name_or_suffix!r}; available: {', '.join(available) or 'none'}."
        )

    def image_writer(self, name_or_suffix: str) -> Any:
        """The ImageWriter registered under a name or writing files with that suffix."""
        writers = [a for _, _, a in self._adapters("daedalus_image_writers", lambda a: a.name)]
        wanted = name_or_suffix.lower()
        for writer in reversed(writers):
            if writer.name == wanted or wanted in [s.lower() for s in writer.suffixes]:
                return writer
        available = sorted({w.name for w in writers} | {s for w in writers for s in w.suffixes})
        raise UnknownAdapterError(
            f"No image writer for {name_or_suffix!r}; available: {', '.join(available) or 'none'}. "
            "Install tifffile (pip install 'daedalus[images]') to export TIFF images."
        )

    def attachment_storage(self, data_format: str) -> Any:
        """The AttachmentStorage for an attachment data format (hdf5, zarr3, json)."""
        fmt = str(getattr(data_format, "value", data_format))
        return self._named("daedalus_attachment_storages", "attachment format", fmt, lambda a: a.data_format)

    def annotation_codec(self, file_format: str) -> Any:
        """The AnnotationCodec for a file format (nml, zip)."""
        return self._named("daedalus_annotation_codecs", "annotation format", file_format, lambda a: a.file_format)

    def transport(self, name: str = "requests") -> Any:
        """The WebknossosTransport factory registered under ``name``."""
        return self._named("daedalus_webknossos_transports", "server transport", name, lambda a: a)

    def dask_array(self, source: Any, chunks: tuple[tuple[int, ...], ...]) -> Any:
        """A dask array over the array-like ``source`` in blocks of ``chunks`` (core's lazy-array port)."""
        from daedalus.adapters.dask_arrays import dask_array

        return dask_array(source, chunks)

    def progress(self, description: str, total: int) -> Any:
        """A rich progress bar labelled ``description`` (core's progress port)."""
        from daedalus.adapters.rich_progress import RichProgress

        return RichProgress(description, total)

    def add_cli_commands(self, cli: Any) -> None:
        """Let every plugin add its commands to the click group ``cli``."""
        self._pm.hook.daedalus_cli_commands(cli=cli)

    def cli_commands(self) -> list[tuple[str, str]]:
        """``(plugin_name, command_name)`` for every CLI command a plugin adds, in load order.

        Each plugin's hook runs once on an empty click group of its own, so the listing does not depend on
        which group the commands were added to.
        """
        if "cli_commands" not in self._cache:
            import click

            found = []
            for impl in self._pm.hook.daedalus_cli_commands.get_hookimpls():
                scratch = click.Group("daedalus")
                impl.function(cli=scratch)
                found.extend((impl.plugin_name, name) for name in scratch.commands)
            self._cache["cli_commands"] = found
        return self._cache["cli_commands"]

    # ------------------------------------------------------------------ introspection

    def describe(self) -> list[tuple[str, list[str]]]:
        """For every plugin, a list of what it provides (e.g. ``storage zarr3 (tensorstore)``)."""
        provided: dict[str, list[str]] = {name: [] for name in self.plugin_names()}
        for plugin, adapter in self.storages():
            provided[plugin].append(f"storage {adapter.data_format} ({adapter.engine})")
        for plugin, name, _ in self._adapters("daedalus_executors", lambda a: a):
            provided[plugin].append(f"executor {name}")
        for plugin, name, _ in self._adapters("daedalus_attachment_storages", lambda a: a.data_format):
            provided[plugin].append(f"attachment format {name}")
        for plugin, name, _ in self._adapters("daedalus_annotation_codecs", lambda a: a.file_format):
            provided[plugin].append(f"annotation format {name}")
        for plugin, name, _ in self._adapters("daedalus_webknossos_transports", lambda a: a):
            provided[plugin].append(f"server transport {name}")
        for plugin, name, _ in self._adapters("daedalus_image_readers", lambda a: a.name):
            provided[plugin].append(f"image reader {name}")
        for plugin, name, _ in self._adapters("daedalus_image_writers", lambda a: a.name):
            provided[plugin].append(f"image writer {name}")
        for plugin, command in self.cli_commands():
            provided[plugin].append(f"cli command {command}")
        return list(provided.items())


_manager: PluginManager | None = None
_manager_lock = threading.RLock()  # threads asking for their first adapter at once share one manager


def get_plugin_manager() -> PluginManager:
    """The process-wide plugin manager (created on first use and installed as core's registry)."""
    global _manager
    if _manager is None:
        with _manager_lock:
            if _manager is None:
                _manager = PluginManager()
                ports.install_registry(_manager)
    return _manager


def configure_plugins(load_entrypoints: bool | None = None, disabled: Iterable[str] | None = None) -> PluginManager:
    """Rebuild the plugin manager, choosing whether entry-point plugins load and which plugins are blocked."""
    global _manager
    _manager = PluginManager(load_entrypoints=load_entrypoints, disabled=disabled)
    ports.install_registry(_manager)
    return _manager


def set_engine(data_format: str, engine: str | None) -> None:
    """Choose the engine that serves ``data_format`` (e.g. ``set_engine("zarr3", "zarr-python")``)."""
    get_plugin_manager().set_engine(data_format, engine)
