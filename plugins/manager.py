"""The plugin manager: registers built-in and entry-point plugins and answers core's adapter look-ups.

Every look-up calls its hook through pluggy, and one precedence rule holds for every port (see
``plugins/hookspecs.py``): a later-registered plugin overrides an earlier one (built-ins register first, then
entry-point plugins, then run-time ones), ``tryfirst``/``trylast`` and hook wrappers are honoured, and within one
plugin's list the earlier adapter wins. Each plugin's hooks are called and checked against the ports when the
plugin registers (``plugins/port_checks.py``); a broken built-in or entry-point plugin is skipped with a warning
naming it (``failed_plugins``), a broken plugin given to ``register`` raises ``PluginLoadError``.

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
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pluggy
from daedalus.core import ports
from daedalus.core.ports import UnknownAdapterError

from . import hookspecs
from .port_checks import RESULT_CHECKS, AdapterContractError, with_storage_defaults

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
    "daedalus.plugins.builtin_files",
    "daedalus.plugins.builtin_progress",
)
_FALSY = {"0", "false", "no", "off"}

# hook -> (what the describe() listing calls one entry, how a listed adapter is named)
_NAMED_HOOKS: dict[str, tuple[str, Callable[[Any], str]]] = {
    "daedalus_array_storages": ("storage", lambda a: str(a.data_format)),
    "daedalus_executors": ("executor", str),
    "daedalus_attachment_storages": ("attachment format", lambda a: str(a.data_format)),
    "daedalus_annotation_codecs": ("annotation format", lambda a: str(a.file_format)),
    "daedalus_webknossos_transports": ("server transport", str),
    "daedalus_image_readers": ("image reader", lambda a: str(a.name)),
    "daedalus_image_writers": ("image writer", lambda a: str(a.name)),
    "daedalus_progress_reporters": ("progress reporter", str),
}

__all__ = ["ENTRYPOINT_GROUP", "PluginLoadError", "PluginManager", "UnknownAdapterError"]


class PluginLoadError(ValueError):
    """A plugin's hook raised or returned something that does not fulfil its port; names the plugin and hook."""

    def __init__(self, plugin_name: str, hook_name: str, problem: str) -> None:
        super().__init__(f"daedalus plugin {plugin_name!r} is broken: {hook_name}() {problem}")
        self.plugin_name = plugin_name
        self.hook_name = hook_name


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


def _entries(result: Any, key: Callable[[Any], str]) -> list[tuple[str, Any]]:
    """``(name, adapter)`` of one plugin's hook result: a dict's items, or each listed adapter under ``key``."""
    if isinstance(result, Mapping):
        return list(result.items())
    return [(key(adapter), adapter) for adapter in result]


class PluginManager:
    """Holds the registered plugins and resolves adapters by name; implements ``ports.Registry``."""

    def __init__(self, load_entrypoints: bool | None = None, disabled: Iterable[str] | None = None) -> None:
        if load_entrypoints is None:
            load_entrypoints = os.environ.get("DAEDALUS_LOAD_ENTRYPOINTS", "1").strip().lower() not in _FALSY
        if disabled is None:
            disabled = [p.strip() for p in os.environ.get("DAEDALUS_DISABLE_PLUGINS", "").split(",")]
        self.load_entrypoints = load_entrypoints
        self.failed_plugins: dict[str, str] = {}
        self._offers: dict[str, dict[str, list[tuple[str, Any]]]] = {}  # plugin -> hook -> its entries
        self._cache: dict[str, Any] = {}
        self._pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self._pm.add_hookspecs(hookspecs)
        for name in filter(None, disabled):
            self._pm.set_blocked(name)
        for module_name in BUILTIN_PLUGINS:
            if not self._pm.is_blocked(module_name):
                self._load(module_name, lambda name=module_name: importlib.import_module(name), module_name)
        if load_entrypoints:
            for entry_point in importlib.metadata.entry_points(group=ENTRYPOINT_GROUP):
                if not (self._pm.is_blocked(entry_point.name) or self._pm.has_plugin(entry_point.name)):
                    self._load(entry_point.name, entry_point.load, f"{entry_point.name} ({entry_point.value})")
        self._engines: dict[str, str] = _env_engines()

    def _load(self, name: str, load: Callable[[], object], label: str) -> None:
        """Import, register and check one plugin; a broken one is skipped with a warning naming it."""
        try:
            self._register_checked(load(), name)
        except Exception as error:  # noqa: BLE001 - one broken plugin must not break daedalus
            self.failed_plugins[name] = f"{type(error).__name__}: {error}"
            warnings.warn(f"daedalus plugin {label} failed to load and is skipped: {error}", stacklevel=3)

    def _register_checked(self, plugin: object, name: str | None) -> None:
        """Register ``plugin``, call each of its hooks once and check the results (PluginLoadError if broken)."""
        name = self._pm.register(plugin, name=name)
        if name is None:  # blocked
            return
        try:
            self._offers[name] = self._check(plugin, name)
        except BaseException:
            self._pm.unregister(name=name)
            raise
        self._cache.clear()

    def _check(self, plugin: object, name: str) -> dict[str, list[tuple[str, Any]]]:
        offers = {}
        for caller in self._pm.get_hookcallers(plugin) or []:
            check = RESULT_CHECKS.get(caller.name)
            if check is None:
                continue
            for impl in caller.get_hookimpls():
                if impl.plugin is not plugin or impl.hookwrapper or impl.wrapper:
                    continue
                try:
                    result = impl.function()
                    if result is None:
                        continue
                    check(result)
                except AdapterContractError as error:
                    raise PluginLoadError(name, caller.name, f"breaks its port: {error}") from None
                except Exception as error:
                    raise PluginLoadError(name, caller.name, f"raised {type(error).__name__}: {error}") from error
                key = _NAMED_HOOKS.get(caller.name, ("", str))[1]
                offers[caller.name] = _entries(result, key) if caller.name in _NAMED_HOOKS else []
        return offers

    # ------------------------------------------------------------------ registration

    @property
    def pluggy_manager(self) -> pluggy.PluginManager:
        """The underlying pluggy manager (prefer ``register``, which checks the plugin against the ports)."""
        return self._pm

    def register(self, plugin: object, name: str | None = None) -> None:
        """Register a plugin object or module at run time (e.g. from a test or a notebook).

        Its hooks are called and checked at once: a broken plugin raises PluginLoadError and is not registered.
        """
        self._register_checked(plugin, name)

    def unregister(self, name: str) -> None:
        """Remove the plugin registered under ``name``."""
        self._pm.unregister(name=name)
        self._offers.pop(name, None)
        self._cache.clear()

    def plugin_names(self) -> list[str]:
        """Names of all registered plugins in registration order (built-in ones first)."""
        return [name for name, plugin in self._pm.list_name_plugin() if plugin is not None]

    def _ordered(self, hook_name: str) -> list[tuple[str, Any]]:
        """``(name, adapter)`` offered through ``hook_name``, called through pluggy, in precedence order."""
        if hook_name not in self._cache:
            key = _NAMED_HOOKS[hook_name][1]
            entries = [entry for result in getattr(self._pm.hook, hook_name)() for entry in _entries(result, key)]
            if hook_name == "daedalus_array_storages":
                entries = [(name, with_storage_defaults(adapter)) for name, adapter in entries]
            self._cache[hook_name] = entries
        return self._cache[hook_name]

    def _named(self, hook_name: str, kind: str, name: str) -> Any:
        entries = self._ordered(hook_name)
        for adapter_name, adapter in entries:
            if adapter_name == name:
                return adapter
        available = sorted({n for n, _ in entries})
        raise UnknownAdapterError(f"Unknown {kind} {name!r}; available: {', '.join(available) or 'none'}.")

    def _plugin_of(self, hook_name: str, adapter: Any) -> str:
        """The plugin whose checked offer named ``adapter``'s entry (``?`` for one only a hook wrapper made)."""
        key = _NAMED_HOOKS[hook_name][1]
        for plugin_name, offers in self._offers.items():
            for name, offered in offers.get(hook_name, []):
                if name == key(adapter) and getattr(offered, "engine", None) == getattr(adapter, "engine", None):
                    return plugin_name
        return "?"

    # ------------------------------------------------------------------ storage

    def storages(self) -> list[tuple[str, Any]]:
        """All ArrayStorage adapters as ``(plugin_name, adapter)``, in precedence order."""
        return [(self._plugin_of("daedalus_array_storages", a), a) for _, a in self._ordered("daedalus_array_storages")]

    def data_formats(self) -> list[str]:
        """Every data format some plugin can store."""
        return sorted({name for name, _ in self._ordered("daedalus_array_storages")})

    def engines(self, data_format: str) -> list[str]:
        """Engines registered for ``data_format`` in precedence order (the first is the default)."""
        return [a.engine for name, a in self._ordered("daedalus_array_storages") if name == str(data_format)]

    def set_engine(self, data_format: str, engine: str | None) -> None:
        """Choose the engine that serves ``data_format`` (None restores the default: the first in precedence)."""
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
        candidates = [a for name, a in self._ordered("daedalus_array_storages") if name == data_format]
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

    def executor_names(self) -> list[str]:
        """Names of every registered executor."""
        return sorted({name for name, _ in self._ordered("daedalus_executors")})

    def executor(self, name: str, **kwargs: Any) -> Any:
        """A new executor of kind ``name`` built with ``kwargs``."""
        return self._named("daedalus_executors", "executor", name)(**kwargs)

    def _by_name_or_suffix(self, hook_name: str, name_or_suffix: str) -> tuple[Any, list[str]]:
        """The first adapter named ``name_or_suffix`` or handling that suffix, and every name and suffix known."""
        adapters = [a for _, a in self._ordered(hook_name)]
        wanted = name_or_suffix.lower()
        for adapter in adapters:
            if adapter.name == wanted or wanted in [s.lower() for s in adapter.suffixes]:
                return adapter, []
        return None, sorted({a.name for a in adapters} | {s for a in adapters for s in a.suffixes})

    def image_reader(self, name_or_suffix: str) -> Any:
        """The ImageReader registered under a name or reading files with that suffix."""
        reader, available = self._by_name_or_suffix("daedalus_image_readers", name_or_suffix)
        if reader is None:
            raise UnknownAdapterError(
                f"No image reader for {name_or_suffix!r}; available: {', '.join(available) or 'none'}."
            )
        return reader

    def image_writer(self, name_or_suffix: str) -> Any:
        """The ImageWriter registered under a name or writing files with that suffix."""
        writer, available = self._by_name_or_suffix("daedalus_image_writers", name_or_suffix)
        if writer is None:
            raise UnknownAdapterError(
                f"No image writer for {name_or_suffix!r}; available: {', '.join(available) or 'none'}. "
                "Install tifffile (pip install 'daedalus[images]') to export TIFF images."
            )
        return writer

    def attachment_storage(self, data_format: str) -> Any:
        """The AttachmentStorage for an attachment data format (hdf5, zarr3, json)."""
        fmt = str(getattr(data_format, "value", data_format))
        return self._named("daedalus_attachment_storages", "attachment format", fmt)

    def annotation_codec(self, file_format: str) -> Any:
        """The AnnotationCodec for a file format (nml, zip)."""
        return self._named("daedalus_annotation_codecs", "annotation format", file_format)

    def transport(self, name: str = "requests") -> Any:
        """The WebknossosTransport factory registered under ``name``."""
        return self._named("daedalus_webknossos_transports", "server transport", name)

    def dask_array(self, source: Any, chunks: tuple[tuple[int, ...], ...]) -> Any:
        """A dask array over the array-like ``source`` in blocks of ``chunks`` (core's lazy-array port)."""
        from daedalus.adapters.dask_arrays import dask_array

        return dask_array(source, chunks)

    def progress(self, description: str, total: int) -> ports.ProgressReporter:
        """A progress display from the first ``daedalus_progress_reporters`` factory (silent without one)."""
        factories = self._ordered("daedalus_progress_reporters")
        if not factories:
            return ports.SilentProgress()
        return factories[0][1](description, total)

    def _file_services(self) -> list[dict[str, Any]]:
        """Each plugin's ``daedalus_file_services`` result, called through pluggy, in precedence order."""
        if "daedalus_file_services" not in self._cache:
            self._cache["daedalus_file_services"] = list(self._pm.hook.daedalus_file_services())
        return self._cache["daedalus_file_services"]

    def _file_service(self, key: str) -> Any:
        """The ``key`` entry of the first plugin (in precedence order) offering it in ``daedalus_file_services``."""
        for services in self._file_services():
            if key in services:
                return services[key]
        raise UnknownAdapterError(f"No plugin offers the {key} adapter; is daedalus.plugins.builtin_files blocked?")

    def file_transfer(self) -> Any:
        """The FileTransfer adapter (copying, moving, deleting files and folders)."""
        return self._file_service("file_transfer")

    def zip_archives(self) -> Any:
        """The ZipArchives adapter (zip reading and writing)."""
        return self._file_service("zip_archives")

    def format_metadata(self, data_format: str) -> Any:
        """The FormatMetadata adapter writing ``data_format``'s group metadata; None for formats without one."""
        for services in self._file_services():
            if data_format in services.get("format_metadata", {}):
                return services["format_metadata"][data_format]
        return None

    def add_cli_commands(self, cli: Any) -> None:
        """Let every plugin add its commands to the click group ``cli``."""
        self._pm.hook.daedalus_cli_commands(cli=cli)

    def cli_commands(self) -> list[tuple[str, str]]:
        """``(plugin_name, command_name)`` for every CLI command a plugin adds, in registration order.

        For this listing only, each plugin's hook runs once on an empty click group of its own, so the listing
        does not depend on which group the commands were added to.
        """
        if "cli_commands" not in self._cache:
            import click

            found = []
            for impl in self._pm.hook.daedalus_cli_commands.get_hookimpls():
                if impl.hookwrapper or impl.wrapper:
                    continue
                scratch = click.Group("daedalus")
                impl.function(cli=scratch)
                found.extend((impl.plugin_name, name) for name in scratch.commands)
            found.sort(key=lambda entry: self.plugin_names().index(entry[0]))
            self._cache["cli_commands"] = found
        return self._cache["cli_commands"]

    # ------------------------------------------------------------------ introspection

    def describe(self) -> list[tuple[str, list[str]]]:
        """For every plugin (in registration order), what it provides (e.g. ``storage zarr3 (tensorstore)``)."""
        provided: dict[str, list[str]] = {name: [] for name in self.plugin_names()}
        for hook_name, (kind, _) in _NAMED_HOOKS.items():
            for plugin in provided:
                for name, adapter in self._offers.get(plugin, {}).get(hook_name, []):
                    engine = f" ({adapter.engine})" if hook_name == "daedalus_array_storages" else ""
                    provided[plugin].append(f"{kind} {name}{engine}")
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
