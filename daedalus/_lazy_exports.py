"""Where each name of a facade submodule's ``__all__`` comes from, read from the submodule's source without running it.

The package's lazy ``__getattr__`` uses it, so the submodules' ``__all__`` stay the one list of their names and
``daedalus.Mag`` still imports only ``daedalus.core.geometry``, not all that ``daedalus.geometry`` imports.
"""

from __future__ import annotations

import ast
import importlib
import importlib.machinery
import importlib.util


def exports_of(module_name: str) -> dict[str, str]:
    """Each name of ``module_name``'s ``__all__`` -> the module to take it from, in the order of ``__all__``.

    A name the module imports at its top level with ``from X import name`` comes from ``X`` (the same object); one
    it defines, renames or imports in a nested block comes from the module itself. Without readable source (an
    install of ``.pyc`` files only) or with an ``__all__`` that is not a literal list, the module is imported.
    """
    spec = importlib.util.find_spec(module_name)
    tree = _parsed(spec)
    names = None if tree is None else _literal_all(tree)
    if tree is None or names is None:
        return dict.fromkeys(importlib.import_module(module_name).__all__, module_name)
    package = module_name if spec.submodule_search_locations is not None else module_name.rpartition(".")[0]
    origin = _imported_names(tree, package)
    return {name: origin.get(name, module_name) for name in names}


def import_from(module_name: str, name: str) -> object:
    """What ``from module_name import name`` gives: the module's attribute, else its submodule of that name."""
    module = importlib.import_module(module_name)
    try:
        return getattr(module, name)
    except AttributeError:
        return importlib.import_module(f"{module_name}.{name}")


def _parsed(spec: importlib.machinery.ModuleSpec | None) -> ast.Module | None:
    """The syntax tree of the module's source, or None when its loader has no source to give."""
    get_source = getattr(spec.loader, "get_source", None) if spec is not None else None
    source = get_source(spec.name) if get_source is not None else None
    return None if source is None else ast.parse(source, spec.origin or spec.name)


def _literal_all(tree: ast.Module) -> list[str] | None:
    """The module's one top-level ``__all__ = [...]`` (or tuple) of strings; None when it has none such, or when
    the module changes ``__all__`` afterwards (``+=``, ``.extend(...)``, a second assignment)."""
    names = None
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            targets = [getattr(node.value.func, "value", None)]
        if not any(isinstance(target, ast.Name) and target.id == "__all__" for target in targets):
            continue
        if names is not None or not isinstance(node, ast.Assign):
            return None
        try:
            names = ast.literal_eval(node.value)
        except ValueError:
            return None
        if not isinstance(names, (list, tuple)) or not all(isinstance(name, str) for name in names):
            return None
    return None if names is None else list(names)


def _imported_names(tree: ast.Module, package: str) -> dict[str, str]:
    """Name -> module of the top-level ``from X import name`` statements that bind it last (no ``as``; relative
    imports resolved against ``package``)."""
    origin: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            source = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
            for alias in node.names:
                if alias.asname is None or alias.asname == alias.name:
                    origin[alias.name] = source
                else:
                    origin.pop(alias.asname, None)
        else:
            for bound in _bound_names(node):
                origin.pop(bound, None)
    return origin


def _bound_names(node: ast.AST) -> list[str]:
    """The names a statement other than a top-level ``from ... import`` binds, nested blocks included."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [(alias.asname or alias.name).partition(".")[0] for alias in node.names]
    if isinstance(node, ast.Name):
        return [node.id] if isinstance(node.ctx, (ast.Store, ast.Del)) else []
    return [name for child in ast.iter_child_nodes(node) for name in _bound_names(child)]
