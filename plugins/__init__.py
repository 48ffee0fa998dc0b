"""daedalus plugins: hookspecs, the plugin manager and the built-in plugins that register the adapters."""

from .hookspecs import hookimpl
from .manager import (
    ENTRYPOINT_GROUP,
    PluginLoadError,
    PluginManager,
    UnknownAdapterError,
    configure_plugins,
    get_plugin_manager,
    set_engine,
)

__all__ = [
    "ENTRYPOINT_GROUP",
    "PluginLoadError",
    "PluginManager",
    "UnknownAdapterError",
    "configure_plugins",
    "get_plugin_manager",
    "hookimpl",
    "set_engine",
]
