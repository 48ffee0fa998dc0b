"""daedalus: volumetric microscopy data in the WEBKNOSSOS ecosystem (public facade).

``import daedalus as wk`` offers the names of the WEBKNOSSOS Python library's API reference. They are loaded on
first use (PEP 562), so ``import daedalus`` stays cheap: ``wk.Dataset`` imports the dataset modules, the plugins
load when core first asks for an adapter.
"""

import functools as _functools
import importlib as _importlib
import typing as _typing

from daedalus.core import ports as _ports

__version__ = "0.1.0"
current_version = __version__
"""The installed daedalus version (the reference's ``current_version`` names its own)."""

_REEXPORTED_SUBMODULES = (
    "administration",
    "ai_model",
    "annotation",
    "client",
    "dataset",
    "dataset_properties",
    "datastore",
    "geometry",
    "skeleton",
)
"""Facade submodules whose ``__all__`` names the package offers too (``wk.Dataset`` is ``wk.dataset.Dataset``)."""

_NOT_REEXPORTED = frozenset(
    {"DatasetComparison", "compare_datasets", "dataset_summary", "VolumeLayer", "VolumeLayerEditMode"}
)
"""daedalus' additions to those submodules that stay out of the package's own names (the reference lacks them)."""

_OWN_NAMES = {
    "daedalus.core.array_info": ("ArrayInfo",),
    "daedalus.plugins": ("configure_plugins", "get_plugin_manager", "set_engine"),
    "daedalus.utils": ("check_version_in_background",),
}
"""Module -> the public names the package takes from it that come from no submodule above (one of ``utils``)."""

_EAGER_NAMES = ("current_version", "get_executor")
"""Public names defined in this file itself."""

_PUBLIC_SUBMODULES = (*_REEXPORTED_SUBMODULES, "proofreading", "utils")
"""The facade's submodules the reference offers as attributes of the package (``wk.dataset``, ``wk.geometry``)."""

# The same names for type checkers and IDEs; tests/test_lazy_imports.py keeps them equal to the tables above.
if _typing.TYPE_CHECKING:
    from daedalus.administration import *  # noqa: F403
    from daedalus.ai_model import *  # noqa: F403
    from daedalus.annotation import *  # noqa: F403
    from daedalus.client import *  # noqa: F403
    from daedalus.core.array_info import ArrayInfo as ArrayInfo
    from daedalus.dataset import *  # noqa: F403
    from daedalus.dataset_properties import *  # noqa: F403
    from daedalus.datastore import *  # noqa: F403
    from daedalus.geometry import *  # noqa: F403
    from daedalus.plugins import configure_plugins as configure_plugins
    from daedalus.plugins import get_plugin_manager as get_plugin_manager
    from daedalus.plugins import set_engine as set_engine
    from daedalus.skeleton import *  # noqa: F403
    from daedalus.utils import check_version_in_background as check_version_in_background


@_functools.cache
def _module_of() -> dict[str, str]:
    """Public name -> the module it is imported from on first use, in the order of ``__all__``.

    The submodules' names come from their ``__all__``, read from their source (not imported, so ``wk.Mag`` loads
    ``daedalus.core.geometry`` alone); the first submodule that exports a name wins.
    """
    from daedalus._lazy_exports import exports_of

    table: dict[str, str] = {}
    for submodule in _REEXPORTED_SUBMODULES:
        for name, module in exports_of(f"{__name__}.{submodule}").items():
            if name not in _NOT_REEXPORTED:
                table.setdefault(name, module)
    for module, names in _OWN_NAMES.items():
        table.update(dict.fromkeys(names, module))
    return table


def __getattr__(name: str) -> object:
    """Import a public name (or a submodule such as ``daedalus.dataset``) on its first use and keep it.

    ``__all__`` and ``_MODULE_OF`` (public name -> its module) are built here too, on first use.
    """
    if name == "__all__":
        value = [*_module_of(), *_EAGER_NAMES]
    elif name == "_MODULE_OF":
        value = dict(_module_of())
    elif name.startswith("_"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    elif name in _module_of():
        from daedalus._lazy_exports import import_from

        value = import_from(_module_of()[name], name)
    else:
        try:
            value = _importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The loaded names plus every public name and submodule, loaded or not (for ``dir()``, ``help()``, completion)."""
    return sorted({*globals(), *_module_of(), *_EAGER_NAMES, *_PUBLIC_SUBMODULES})


def _plugin_registry() -> object:
    """The process-wide plugin manager, built when core first asks for an adapter."""
    from daedalus.plugins.manager import get_plugin_manager

    return get_plugin_manager()


def get_executor(name: str = "sequential", **kwargs: object) -> object:
    """A new executor registered under ``name`` (``sequential``, ``threads``, ``multiprocessing``, ...)."""
    return _plugin_registry().executor(name, **kwargs)


_ports.install_registry_factory(_plugin_registry)
