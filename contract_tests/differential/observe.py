"""Run one scenario and describe what happened as plain JSON data; imported by daedalus' side and the reference's.

Only the standard library and numpy: the same file runs in daedalus' environment and in the reference venv, so
both sides are observed by the same code. An observation holds the normalised return value, the exception raised
(its class names, most specific first) and the categories of the warnings the package under test issued; with
``track`` also the classes of the package the scenario exercised (see `ClassTracker`).
"""

from __future__ import annotations

import enum
import functools
import hashlib
import importlib.util
import inspect
import math
import os
import sys
import threading
import traceback
import warnings
from pathlib import Path, PurePath
from types import ModuleType
from typing import Any

_modules: dict[str, ModuleType] = {}
SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"


def load_scenario(scenario_id: str) -> Any:
    """The function named by ``"module:function"`` from ``scenarios/module.py`` (modules loaded once by path)."""
    module_name, _, function_name = scenario_id.partition(":")
    module = _modules.get(module_name)
    if module is None:
        path = SCENARIO_DIR / f"{module_name}.py"
        spec = importlib.util.spec_from_file_location(f"differential_scenarios_{module_name}", path)
        if spec is None or spec.loader is None:
            raise ImportError(f"no scenario module {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        _modules[module_name] = module
    return getattr(module, function_name)


def normalize(value: Any, tmp: str, depth: int = 0) -> Any:
    """``value`` as JSON data: containers recursively, arrays by dtype/shape/digest, objects by type and repr."""
    if depth > 20:
        return {"type": "too-deep"}
    if value is None or isinstance(value, (bool, str)):
        return value.replace(tmp, "<tmp>") if isinstance(value, str) else value
    if isinstance(value, enum.Enum):
        return {"enum": type(value).__name__, "value": normalize(value.value, tmp, depth + 1)}
    if isinstance(value, int) and type(value) in (int,):
        return value
    if isinstance(value, float) and type(value) is float:
        return value if math.isfinite(value) else {"float": repr(value)}
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy is in both environments
        np = None
    if np is not None and isinstance(value, np.ndarray):
        data = np.ascontiguousarray(value)
        return {
            "array": str(data.dtype),
            "shape": list(data.shape),
            "sha256": hashlib.sha256(data.tobytes()).hexdigest()[:16],
        }
    if np is not None and isinstance(value, np.generic):
        return {"scalar": str(value.dtype), "value": normalize(value.item(), tmp, depth + 1)}
    if isinstance(value, PurePath):
        return {"path": str(value).replace(tmp, "<tmp>")}
    if isinstance(value, dict) and type(value) is dict:
        return {"dict": sorted([normalize(k, tmp, depth + 1), normalize(v, tmp, depth + 1)] for k, v in value.items())}
    if type(value) in (list, tuple):
        return [normalize(item, tmp, depth + 1) for item in value]
    if isinstance(value, (set, frozenset)):
        return {"set": sorted((normalize(item, tmp, depth + 1) for item in value), key=repr)}
    if isinstance(value, BaseException):
        return describe_exception(value, tmp)
    return {"type": type(value).__name__, "repr": repr(value).replace(tmp, "<tmp>")}


def describe_exception(error: BaseException, tmp: str) -> dict[str, Any]:
    """The class names of ``error`` (most specific first, up to BaseException) and its message."""
    names = [cls.__name__ for cls in type(error).__mro__ if cls is not object]
    return {"raised": names, "message": str(error).replace(tmp, "<tmp>")[:500]}


def _from_package(filename: str, package_roots: list[str], scenario_file: str) -> bool:
    path = os.path.abspath(filename)
    return path == scenario_file or any(path.startswith(root) for root in package_roots)


def observe(
    wk: ModuleType,
    scenario_id: str,
    tmp: str,
    params: dict[str, Any],
    package_roots: list[str],
    track: str | None = None,
) -> dict:
    """Run the scenario with ``wk`` in ``tmp`` and return its observation (result or error, and warnings).

    Warnings count when they are attributed to the package under test (a file under ``package_roots``) or to the
    scenario itself (a warning the package issued with a stacklevel pointing at its caller). With ``track`` (a
    package name) the observation also lists, under ``touched``, the classes of that package the run exercised.
    """
    function = load_scenario(scenario_id)
    scenario_file = os.path.abspath(function.__code__.co_filename)
    observation: dict[str, Any] = {"result": None, "error": None, "warnings": []}
    tracker = _tracker(track) if track else None
    with warnings.catch_warnings(record=True) as caught, tracker.watching() if tracker else _nothing():
        warnings.simplefilter("always")
        try:
            value = function(wk, Path(tmp), **params)
            if tracker is not None:
                tracker.add_values(value)
            observation["result"] = normalize(value, tmp)
        except Exception as error:  # the exception is what is observed
            if tracker is not None:
                tracker.add_values(error)
            observation["error"] = describe_exception(error, tmp)
            observation["error"]["where"] = traceback.format_exc(limit=-3)[-1500:].replace(tmp, "<tmp>")
    categories = {
        warning.category.__name__ for warning in caught if _from_package(warning.filename, package_roots, scenario_file)
    }
    observation["warnings"] = sorted(categories)
    if tracker is not None:
        observation["touched"] = tracker.touched()
    return observation


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: object) -> None:
        return None


@functools.cache
def _tracker(package: str) -> ClassTracker:
    return ClassTracker(package)


class ClassTracker:
    """Which classes of ``package`` a run exercised: the class's own code ran (a method, property, classmethod or
    attrs-generated method defined in its body), an instance of it (or of a subclass) was the first argument of
    such code or of the ``enum`` machinery (an enum member read, compared or looked up), or it was returned or
    raised. A class merely named by the scenario does not count. Each class is named ``module.qualname``.

    Code is watched with ``sys.setprofile`` (and ``threading.setprofile`` for threads started during the run).
    """

    def __init__(self, package: str) -> None:
        self.package = package
        self._owners: dict[Any, str] = {}
        self._indexed: set[str] = set()
        self._codes: set[Any] = set()
        self._types: set[type] = set()
        self._enum_file = os.path.abspath(enum.__file__)

    def _own(self, name: str) -> bool:
        return name == self.package or name.startswith(self.package + ".")

    def _index(self) -> None:
        """Map the code objects of every class defined in an imported module of the package to that class."""
        for name, module in list(sys.modules.items()):
            if name in self._indexed or module is None or not self._own(name):
                continue
            self._indexed.add(name)
            for value in list(vars(module).values()):
                if inspect.isclass(value) and value.__module__ == name:
                    self._index_class(value)

    def _index_class(self, cls: type) -> None:
        owner = f"{cls.__module__}.{cls.__qualname__}"
        for attribute in list(vars(cls).values()):
            functions = [attribute]
            if isinstance(attribute, (classmethod, staticmethod)):
                functions = [attribute.__func__]
            elif isinstance(attribute, property):
                functions = [attribute.fget, attribute.fset, attribute.fdel]
            elif isinstance(attribute, functools.cached_property):
                functions = [attribute.func]
            for function in functions:
                code = getattr(inspect.unwrap(function), "__code__", None) if function is not None else None
                if code is not None:
                    self._owners.setdefault(code, owner)

    def _profile(self, frame: Any, event: str, arg: Any) -> None:
        if event != "call":
            return
        code = frame.f_code
        if code in self._owners:
            self._codes.add(code)
            if code.co_argcount:
                first = frame.f_locals.get(code.co_varnames[0])
                self._types.add(first if isinstance(first, type) else type(first))
        elif code.co_filename == self._enum_file:
            for name in code.co_varnames[: code.co_argcount]:
                value = frame.f_locals.get(name)
                if isinstance(value, enum.Enum):
                    self._types.add(type(value))
                elif isinstance(value, enum.EnumMeta):
                    self._types.add(value)

    def watching(self) -> Any:
        """A context manager watching the code run inside it (the sets of earlier runs are cleared)."""
        tracker = self

        class _Watch:
            def __enter__(self) -> None:
                tracker._index()
                tracker._codes, tracker._types = set(), set()
                threading.setprofile(tracker._profile)
                sys.setprofile(tracker._profile)

            def __exit__(self, *exc_info: object) -> None:
                sys.setprofile(None)
                threading.setprofile(None)
                tracker._index()  # modules imported during the run, for the next runs

        return _Watch()

    def add_values(self, value: Any, depth: int = 0) -> None:
        """Count the classes of ``value`` (and of what containers in it hold) as exercised."""
        if depth > 6:
            return
        self._types.add(type(value))
        if isinstance(value, (list, tuple, set, frozenset)):
            for item in list(value)[:1000]:
                self.add_values(item, depth + 1)
        elif isinstance(value, dict):
            for key, item in list(value.items())[:1000]:
                self.add_values(key, depth + 1)
                self.add_values(item, depth + 1)

    def touched(self) -> list[str]:
        """The classes exercised by the last watched run, sorted."""
        names = {self._owners[code] for code in self._codes}
        for cls in self._types:
            for base in getattr(cls, "__mro__", ()):
                if self._own(getattr(base, "__module__", "") or ""):
                    names.add(f"{base.__module__}.{base.__qualname__}")
        return sorted(names)
