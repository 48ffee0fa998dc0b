"""Describe the public API of a package (modules, classes, functions, members, signatures) as plain JSON data.

Standard library only: the same file runs inside the reference venv (``python members.py webknossos`` prints the
description of ``webknossos`` as one JSON line) and in daedalus' environment, so both sides are described by
the same code and `compare` reports what daedalus lacks.
"""

from __future__ import annotations

import collections.abc
import enum
import functools
import importlib
import inspect
import json
import math
import sys
import typing
import warnings
from typing import Any

SUBMODULES = (
    "",
    "administration",
    "ai_model",
    "annotation",
    "client",
    "dataset",
    "dataset.layer",
    "dataset_properties",
    "datastore",
    "geometry",
    "proofreading",
    "skeleton",
    "utils",
)
"""The modules compared, relative to the package: the package itself and the public submodules the API reference
names (``cli`` is compared by the CLI option tests; ``version`` and ``ssl_context`` hold no API)."""

REACHABLE = {
    "annotation.volume_layer.VolumeLayer": "annotation.volume_layer.VolumeLayer",
    "annotation.volume_layer.VolumeLayerEditMode": "annotation.volume_layer.VolumeLayerEditMode",
    "dataset._utils.buffered_slice_writer.BufferedSliceWriter": "core.dataset.buffered_slice.BufferedSliceWriter",
    "dataset._utils.buffered_slice_reader.BufferedSliceReader": "core.dataset.buffered_slice.BufferedSliceReader",
    "administration.task.TaskStatus": "core.administration.task.TaskStatus",
    "administration.task.TaskExperience": "core.administration.task.TaskExperience",
    "administration.user.LoggedTime": "core.administration.user.LoggedTime",
    "dataset._metadata.DatasetMetadata": "core.remote.metadata.DatasetMetadata",
    "dataset._metadata.FolderMetadata": "core.remote.metadata.FolderMetadata",
}
"""Classes no compared module exports that the API hands out (``annotation.add_volume_layer()`` returns a
VolumeLayer, ``view.get_buffered_slice_writer()`` a BufferedSliceWriter, ...): the reference's location (relative
to ``webknossos``) -> where daedalus offers the class (relative to ``daedalus``). They are described under the
pseudo-module ``<reachable>`` and keyed by the reference's location."""
REACHABLE_MODULE = "<reachable>"

DATA_KINDS = frozenset({"property", "field", "attribute"})
"""Member kinds read as ``obj.name``: any of them stands in for another."""
CLASS_CALLABLE_KINDS = frozenset({"classmethod", "staticmethod"})
"""Member kinds callable on the class itself (``Dataset.open(...)``)."""

_KIND_NAMES = {
    inspect.Parameter.POSITIONAL_ONLY: "positional-only",
    inspect.Parameter.POSITIONAL_OR_KEYWORD: "positional-or-keyword",
    inspect.Parameter.VAR_POSITIONAL: "*args",
    inspect.Parameter.KEYWORD_ONLY: "keyword-only",
    inspect.Parameter.VAR_KEYWORD: "**kwargs",
}
_POSITIONAL = ("positional-only", "positional-or-keyword")


# ---------------------------------------------------------------------------------------------------- describing


def _plain(value: Any) -> Any:
    """``value`` as JSON if it is a plain value (None, bool, int, float, str, tuples/lists of them), else a marker."""
    if isinstance(value, enum.Enum) and type(value).__name__ != "_Nothing":  # attrs' NOTHING: a factory default
        return {"enum": f"{type(value).__name__}.{value.name}"}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int) and not isinstance(value, enum.Enum):
        return int(value)
    if isinstance(value, float) and not isinstance(value, enum.Enum):
        return value if math.isfinite(value) else repr(value)
    if type(value) in (tuple, list):
        items = [_plain(item) for item in value]
        if not any(isinstance(item, dict) and "opaque" in item for item in items):
            return {"sequence": items}
    return {"opaque": type(value).__name__}


def _is_opaque(encoded: Any) -> bool:
    return isinstance(encoded, dict) and "opaque" in encoded


def _factory_defaults(cls: Any) -> dict[str, Any]:
    """Constructor defaults of an attrs class made by ``Factory(...)``, evaluated (``__init__`` shows NOTHING)."""
    defaults = {}
    for field in getattr(cls, "__attrs_attrs__", ()):
        factory = getattr(field.default, "factory", None)
        if factory in (list, dict, tuple, set, frozenset):  # other factories (e.g. the current time) stay opaque
            defaults[getattr(field, "alias", None) or field.name.lstrip("_")] = factory()
    return defaults


def signature_of(func: Any, drop_first: bool = False) -> list[dict[str, Any]] | None:
    """The parameters of ``func`` as ``[{"name", "kind", "default"?}]``; None when Python cannot tell them."""
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return None
    factories = _factory_defaults(func) if inspect.isclass(func) else {}
    params = list(sig.parameters.values())
    if drop_first and params and _KIND_NAMES[params[0].kind] in _POSITIONAL:
        params = params[1:]
    described = []
    for param in params:
        entry: dict[str, Any] = {"name": param.name, "kind": _KIND_NAMES[param.kind]}
        if param.name in factories:
            entry.update(default=_plain(factories[param.name]), factory=True)
        elif param.default is not inspect.Parameter.empty:
            entry["default"] = _plain(param.default)
        described.append(entry)
    return described


def _static_lookup(cls: type, name: str) -> tuple[Any, type | None]:
    """The raw attribute ``name`` of ``cls`` (no descriptor protocol) and the class of the MRO defining it."""
    for owner in cls.__mro__:
        if name in owner.__dict__:
            return owner.__dict__[name], owner
    return inspect.getattr_static(cls, name, None), None


def _field_names(cls: type) -> list[str]:
    """Instance fields declared by attrs, dataclasses, ``__slots__`` or class annotations of ``cls``."""
    names: list[str] = []
    attrs_fields = getattr(cls, "__attrs_attrs__", None)
    if attrs_fields is not None:
        names.extend(field.name for field in attrs_fields)
    names.extend(getattr(cls, "__dataclass_fields__", {}))
    for owner in cls.__mro__:
        if owner.__module__ in ("builtins", "typing", "abc", "enum"):
            continue
        slots = owner.__dict__.get("__slots__", ())
        names.extend([slots] if isinstance(slots, str) else list(slots))
        annotations = owner.__dict__.get("__annotations__", {})
        if isinstance(annotations, dict):
            names.extend(name for name, hint in annotations.items() if "ClassVar" not in str(hint))
    return [name for name in dict.fromkeys(names) if not name.startswith("_")]


def describe_member(cls: type, name: str) -> dict[str, Any]:
    """Kind (method, classmethod, staticmethod, property, field, attribute, enum_member, class) and signature."""
    raw, owner = _static_lookup(cls, name)
    entry: dict[str, Any] = {}
    if owner is not None and owner.__module__ == "builtins":
        entry["builtin"] = owner.__name__
    if isinstance(cls, enum.EnumMeta) and isinstance(raw, cls):
        entry.update(kind="enum_member", value=_plain(raw.value))
    elif isinstance(raw, classmethod):
        entry.update(kind="classmethod", signature=signature_of(getattr(cls, name)))
    elif isinstance(raw, staticmethod):
        entry.update(kind="staticmethod", signature=signature_of(raw.__func__))
    elif isinstance(raw, (property, functools.cached_property)) or inspect.isdatadescriptor(raw):
        entry["kind"] = "property"
    elif inspect.isclass(raw):
        entry["kind"] = "class"
    elif inspect.isfunction(raw) or inspect.ismethoddescriptor(raw) or callable(raw) and hasattr(raw, "__wrapped__"):
        entry.update(kind="method", signature=signature_of(raw, drop_first=True))
    elif raw is None and owner is None:
        entry["kind"] = "field"
    else:
        entry.update(kind="attribute", value=_plain(raw))
    return entry


def _mro_names(cls: type, package: str) -> list[list[str]]:
    """``[name, origin]`` of each base class; origin is "own" for the package's classes, else the module name."""
    bases = []
    for base in cls.__mro__[1:]:
        if base is object or base.__module__ in ("typing", "abc", "collections.abc", "_collections_abc"):
            continue  # abstract base classes are compared through `_abc_names`
        bases.append([base.__name__, "own" if _is_own(base, package) else base.__module__])
    return bases


def _abc_names(cls: type) -> list[str]:
    """The abstract base classes of ``collections.abc`` that ``cls`` is a subclass of (registered or derived)."""
    found = []
    for name in collections.abc.__all__:
        abc_class = getattr(collections.abc, name)
        if inspect.isclass(abc_class) and name != "Buffer":
            try:
                if issubclass(cls, abc_class):
                    found.append(name)
            except TypeError:
                continue
    return found


def describe_class(cls: type, package: str) -> dict[str, Any]:
    """A class's bases, constructor signature and public members."""
    entry: dict[str, Any] = {
        "kind": "class",
        "bases": _mro_names(cls, package),
        "abcs": _abc_names(cls),
        "enum": isinstance(cls, enum.EnumMeta),
    }
    init_owner = next((base for base in cls.__mro__ if "__init__" in base.__dict__ or "__new__" in base.__dict__), None)
    if not entry["enum"] and init_owner is not None and init_owner.__module__ not in ("builtins", "typing", "abc"):
        entry["signature"] = signature_of(cls)
    names = [name for name in dir(cls) if not name.startswith("_")]
    members = {name: describe_member(cls, name) for name in names}
    for name in _field_names(cls):
        if name not in members or members[name]["kind"] in ("property", "attribute"):
            members[name] = {"kind": "field"}
    entry["members"] = dict(sorted(members.items()))
    return entry


def _is_own(value: Any, package: str) -> bool:
    module = getattr(value, "__module__", None) or ""
    return module == package or module.startswith(package + ".")


def describe_name(value: Any, package: str) -> dict[str, Any] | None:
    """A module attribute as class, function or constant; None for what is not part of the API (imports, modules)."""
    if inspect.ismodule(value):
        return None
    if inspect.isclass(value):
        return dict(describe_class(value, package), defined_in=value.__module__) if _is_own(value, package) else None
    if inspect.isfunction(value) or (callable(value) and hasattr(value, "__wrapped__")):
        if not _is_own(value, package):
            return None
        return {"kind": "function", "signature": signature_of(value), "defined_in": value.__module__}
    if isinstance(value, typing.TypeVar) or type(value).__module__ in ("typing", "types"):
        return {"kind": "alias"}
    plain = _plain(value)
    if not _is_opaque(plain):
        return {"kind": "constant", "value": plain}
    if _is_own(type(value), package):
        return {"kind": "constant", "type": type(value).__name__, "repr": repr(value)}
    return None


def describe_module(module: Any, package: str) -> dict[str, Any]:
    """Every public class, function, constant and type alias of ``module``."""
    names: dict[str, Any] = {}
    for name in sorted(dir(module)):
        if name.startswith("_") or len(name) == 1:  # one-letter names are type variables
            continue
        value = getattr(module, name)
        if getattr(typing, name, None) is value:  # ``from typing import Any, Literal, TYPE_CHECKING``
            continue
        described = describe_name(value, package)
        if described is not None:
            names[name] = described
    return names


def _import(package: str, relative: str) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return importlib.import_module(f"{package}.{relative}" if relative else package)


def describe_reachable(package: str, locations: dict[str, str]) -> dict[str, Any]:
    """The classes at ``locations`` (key -> ``module.path.Name`` relative to ``package``), keyed like ``locations``."""
    names: dict[str, Any] = {}
    for key, location in locations.items():
        module_name, _, name = location.rpartition(".")
        try:
            value = getattr(_import(package, module_name), name)
        except (ImportError, AttributeError):
            continue
        described = describe_name(value, package)
        if described is not None:
            names[key] = described
    return names


def describe_package(package: str, submodules: tuple[str, ...] = SUBMODULES) -> dict[str, Any]:
    """``{"modules": {relative name: names or {"error": ...}}}`` for ``package`` and its ``submodules``.

    The pseudo-module `REACHABLE_MODULE` holds the classes of `REACHABLE`: found at its keys for the reference
    (``webknossos``), at its values for any other package.
    """
    modules: dict[str, Any] = {}
    for relative in submodules:
        try:
            module = _import(package, relative)
        except ImportError as error:
            modules[relative] = {"error": f"{type(error).__name__}: {error}"}
            continue
        modules[relative] = {"names": describe_module(module, package)}
    locations = {key: key if package == "webknossos" else value for key, value in REACHABLE.items()}
    modules[REACHABLE_MODULE] = {"names": describe_reachable(package, locations)}
    return {"package": package, "modules": modules}


# ---------------------------------------------------------------------------------------------------- comparing


def _display(package: str, relative: str, *parts: str) -> str:
    return ".".join([package, *([relative] if relative else []), *parts])


def compare_signatures(reference: list[dict] | None, ours: list[dict] | None) -> list[str]:
    """What makes ``ours`` refuse or mis-bind a call that ``reference`` accepts (empty when compatible)."""
    if reference is None or ours is None:
        return []
    problems: list[str] = []
    by_name = {param["name"]: param for param in ours}
    ref_positional = [p["name"] for p in reference if p["kind"] in _POSITIONAL]
    our_positional = [p["name"] for p in ours if p["kind"] in _POSITIONAL]
    for param in reference:
        name = param["name"]
        mine = by_name.get(name)
        if mine is None:
            if param["kind"] == "*args" and any(p["kind"] == "*args" for p in ours):
                continue
            if param["kind"] == "**kwargs" and any(p["kind"] == "**kwargs" for p in ours):
                continue
            problems.append(f"missing parameter {name} ({param['kind']})")
            continue
        if mine["kind"] != param["kind"]:
            problems.append(f"parameter {name} is {mine['kind']}, the reference's is {param['kind']}")
        if "default" in param and "default" not in mine:
            problems.append(f"parameter {name} is required, the reference's defaults to {param['default']!r}")
        elif param.get("factory") and mine["default"] is None:
            continue  # a new empty container per call, written the usual Python way (None -> [])
        elif "default" in param and not _is_opaque(param["default"]) and mine["default"] != param["default"]:
            problems.append(
                f"parameter {name} defaults to {mine['default']!r}, the reference's to {param['default']!r}"
            )
    misplaced = [n for i, n in enumerate(ref_positional) if n in our_positional and our_positional.index(n) != i]
    if misplaced:
        problems.append(
            f"positional parameters are ({', '.join(our_positional)}), the reference's ({', '.join(ref_positional)})"
        )
    ref_names = {p["name"] for p in reference}
    ref_has_kwargs = any(p["kind"] == "**kwargs" for p in reference)
    for param in ours:
        if param["name"] not in ref_names and param["kind"] not in ("*args", "**kwargs") and "default" not in param:
            if not (ref_has_kwargs and param["kind"] == "keyword-only"):
                problems.append(f"extra required parameter {param['name']}")
    return problems


def _extra_parameters(reference: list[dict] | None, ours: list[dict] | None) -> list[str]:
    if reference is None or ours is None:
        return []
    names = {p["name"] for p in reference}
    return [p["name"] for p in ours if p["name"] not in names and p["kind"] not in ("*args", "**kwargs")]


def _compatible_kinds(reference: str, ours: str) -> bool:
    if reference == ours:
        return True
    if reference in DATA_KINDS:
        return ours in DATA_KINDS
    if reference == "method":
        return ours in CLASS_CALLABLE_KINDS
    return reference in CLASS_CALLABLE_KINDS and ours in CLASS_CALLABLE_KINDS


def compare_member(where: str, reference: dict, ours: dict | None, report: Report) -> None:
    """Compare one class member; failures and notes go to ``report``."""
    if ours is None:
        if "builtin" in reference:  # e.g. ``str.upper`` of a str-based enum: reported through the bases
            return
        report.fail(where, "missing", f"missing {reference['kind']}")
        return
    if not _compatible_kinds(reference["kind"], ours["kind"]):
        report.fail(where, "kind", f"is a {ours['kind']}, the reference's is a {reference['kind']}")
        return
    if reference["kind"] == "enum_member" and not _is_opaque(reference.get("value")):
        if ours.get("value") != reference["value"]:
            report.fail(where, "value", f"has value {ours.get('value')!r}, the reference's {reference['value']!r}")
    for problem in compare_signatures(reference.get("signature"), ours.get("signature")):
        report.fail(where, "signature", problem)
    for extra in _extra_parameters(reference.get("signature"), ours.get("signature")):
        report.note(where, f"extra parameter {extra}")


def compare_class(where: str, reference: dict, ours: dict, report: Report, exported: set[str]) -> None:
    """Compare bases, constructor and members of one class.

    A base class of the reference counts when it is from the standard library or exported by a compared module
    (``Dataset`` need not derive from a class named ``AbstractDataset`` that no compared module offers).
    """
    our_bases = {name for name, _ in ours.get("bases", [])}
    for name, origin in reference["bases"]:
        if (origin != "own" or name in exported) and name not in our_bases:
            report.fail(where, "base", f"does not derive from {name}")
    for name in reference.get("abcs", []):
        if name not in ours.get("abcs", []):
            report.fail(where, "base", f"is no {name} (collections.abc)")
    for problem in compare_signatures(reference.get("signature"), ours.get("signature")):
        report.fail(where, "signature", f"constructor: {problem}")
    for name, member in reference["members"].items():
        compare_member(f"{where}.{name}", member, ours["members"].get(name), report)
    for name in ours["members"]:
        if name not in reference["members"]:
            report.note(f"{where}.{name}", "extra member")


def compare_name(where: str, reference: dict, ours: dict | None, report: Report, exported: set[str]) -> None:
    """Compare one module attribute (class, function, constant, alias)."""
    if ours is None:
        report.fail(where, "missing", f"missing {reference['kind']}")
        return
    if reference["kind"] != ours["kind"]:
        report.fail(where, "kind", f"is a {ours['kind']}, the reference's is a {reference['kind']}")
        return
    if reference["kind"] == "class":
        compare_class(where, reference, ours, report, exported)
    elif reference["kind"] == "function":
        for problem in compare_signatures(reference.get("signature"), ours.get("signature")):
            report.fail(where, "signature", problem)
    elif reference["kind"] == "constant":
        ref_value = reference.get("value", reference.get("repr"))
        our_value = ours.get("value", ours.get("repr"))
        if ref_value != our_value:
            report.fail(where, "value", f"is {our_value!r}, the reference's is {ref_value!r}")


def _without_origin(entry: dict | None) -> dict | None:
    return None if entry is None else {k: v for k, v in entry.items() if k != "defined_in"}


class Divergence(typing.NamedTuple):
    """One thing daedalus lacks or offers differently: where (as the reference spells it), kind and what."""

    module: str
    name: str
    where: str
    kind: str
    message: str


class Report:
    """Divergences and notes (what daedalus has beyond the reference) of a comparison."""

    def __init__(self) -> None:
        self.failures: list[Divergence] = []
        self.notes: list[tuple[str, str]] = []
        self.module = ""
        self.name = ""

    def fail(self, where: str, kind: str, message: str) -> None:
        """Record a divergence of ``kind`` (missing, kind, signature, base, value) at ``where``."""
        self.failures.append(Divergence(self.module, self.name, where, kind, message))

    def note(self, where: str, message: str) -> None:
        """Record something daedalus has beyond the reference."""
        self.notes.append((where, message))


def compare(reference: dict, ours: dict) -> Report:
    """Everything of the ``reference`` package's description that ``ours`` lacks or offers differently.

    A class exported from several modules is compared once per module it appears in, unless both sides
    describe it identically there as elsewhere (reported once).
    """
    report = Report()
    package = reference["package"]
    exported = {
        name
        for relative, module in reference["modules"].items()
        if relative != REACHABLE_MODULE
        for name, entry in module.get("names", {}).items()
        if entry["kind"] == "class"
    }
    seen: set[str] = set()
    for relative, ref_module in reference["modules"].items():
        if "error" in ref_module:
            continue
        our_module = ours["modules"].get(relative, {"error": "not described"})
        report.module, report.name = relative, ""
        if "error" in our_module:
            report.fail(_display(package, relative), "missing", f"module missing ({our_module['error']})")
            continue
        for name, ref_entry in ref_module["names"].items():
            our_entry = our_module["names"].get(name)
            fingerprint = json.dumps([name, _without_origin(ref_entry), _without_origin(our_entry)], sort_keys=True)
            if fingerprint in seen:
                continue
            seen.add(fingerprint)
            report.name = name
            where = f"{package}.{name}" if relative == REACHABLE_MODULE else _display(package, relative, name)
            compare_name(where, ref_entry, our_entry, report, exported)
        for name in our_module["names"]:
            if name not in ref_module["names"] and relative != REACHABLE_MODULE:
                report.note(_display(package, relative, name), "extra name")
    return report


if __name__ == "__main__":
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        description = describe_package(sys.argv[1] if len(sys.argv) > 1 else "webknossos")
    print(json.dumps(description, sort_keys=True))
