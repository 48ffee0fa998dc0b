"""Run one scenario and describe what happened as plain JSON data; imported by daedalus' side and the reference's.

Only the standard library and numpy: the same file runs in daedalus' environment and in the reference venv, so
both sides are observed by the same code. An observation holds the normalised return value, the exception raised
(its class names, most specific first) and the categories of the warnings the package under test issued.
"""

from __future__ import annotations

import enum
import hashlib
import importlib.util
import math
import os
import sys
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


def observe(wk: ModuleType, scenario_id: str, tmp: str, params: dict[str, Any], package_roots: list[str]) -> dict:
    """Run the scenario with ``wk`` in ``tmp`` and return its observation (result or error, and warnings).

    Warnings count when they are attributed to the package under test (a file under ``package_roots``) or to the
    scenario itself (a warning the package issued with a stacklevel pointing at its caller).
    """
    function = load_scenario(scenario_id)
    scenario_file = os.path.abspath(function.__code__.co_filename)
    observation: dict[str, Any] = {"result": None, "error": None, "warnings": []}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            observation["result"] = normalize(function(wk, Path(tmp), **params), tmp)
        except Exception as error:  # the exception is what is observed
            observation["error"] = describe_exception(error, tmp)
            observation["error"]["where"] = traceback.format_exc(limit=-3)[-1500:].replace(tmp, "<tmp>")
    categories = {
        warning.category.__name__ for warning in caught if _from_package(warning.filename, package_roots, scenario_file)
    }
    observation["warnings"] = sorted(categories)
    return observation
