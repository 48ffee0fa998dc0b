"""``import daedalus`` is cheap: the public names, submodules, heavy libraries and plugins load on first use."""

from __future__ import annotations

import ast
import importlib
import json
import pickle
import pydoc
import subprocess
import sys
from pathlib import Path

import pytest
from daedalus.core import ports

import daedalus

FACADE = Path(daedalus.__file__)

HEAVY_LIBRARIES = (
    "networkx",
    "tensorstore",
    "zarr",
    "requests",
    "dask",
    "h5py",
    "rich",
    "scipy",
    "wkw",
    "tifffile",
    "click",
)
"""Third-party libraries no public name needs at import; only the functions that use them import them."""


def _fresh(code: str) -> dict:
    """Run ``code`` in a new interpreter; it prints one JSON value as its last line, which is returned."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{code!r} failed:\n{done.stderr}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def _loaded_after(statement: str, candidates: tuple[str, ...]) -> list[str]:
    """Which of ``candidates`` are in ``sys.modules`` after ``statement`` in a new interpreter."""
    return _fresh(f"import json, sys\n{statement}\nprint(json.dumps([m for m in {candidates!r} if m in sys.modules]))")


def test_import_daedalus_loads_no_heavy_library_no_numpy_and_no_plugin() -> None:
    candidates = (*HEAVY_LIBRARIES, "numpy", "fsspec", "upath", "pluggy", "daedalus.plugins", "daedalus.core.dataset")
    assert _loaded_after("import daedalus", candidates) == []


@pytest.mark.parametrize(
    "name",
    ["Dataset", "BoundingBox", "RemoteDataset", "webknossos_context", "User", "AgglomerateAttachment", "Skeleton"],
)
def test_first_use_of_a_name_loads_only_what_it_needs(name: str) -> None:
    unneeded = tuple(lib for lib in HEAVY_LIBRARIES if not (name == "Skeleton" and lib == "networkx"))
    assert _loaded_after(f"import daedalus\ndaedalus.{name}", unneeded) == []


def test_a_graph_name_loads_networkx_when_used() -> None:
    assert _loaded_after("import daedalus\ndaedalus.AgglomerateGraph", ("networkx",)) == ["networkx"]


def test_every_public_name_resolves_in_a_fresh_interpreter_to_the_object_of_its_module() -> None:
    code = (
        "import importlib, json, daedalus\n"
        "wrong = [n for n in daedalus.__all__ if n in daedalus._MODULE_OF and getattr(daedalus, n) is not "
        "getattr(importlib.import_module(daedalus._MODULE_OF[n]), n)]\n"
        "missing = [n for n in daedalus.__all__ if not hasattr(daedalus, n)]\n"
        "print(json.dumps({'wrong': wrong, 'missing': missing, 'count': len(daedalus.__all__)}))"
    )
    result = _fresh(code)
    assert result["missing"] == [] and result["wrong"] == []
    assert result["count"] == len(daedalus.__all__) > 100


def test_from_imports_and_attribute_access_give_the_same_objects() -> None:
    from daedalus.core.dataset.dataset import Dataset as CoreDataset
    from daedalus.core.geometry import Mag as CoreMag
    from daedalus.core.skeleton import Skeleton as CoreSkeleton
    from daedalus.plugins.manager import get_plugin_manager as manager_factory

    from daedalus import Dataset, Mag, Skeleton, get_plugin_manager

    assert (Dataset, Mag, Skeleton, get_plugin_manager) == (CoreDataset, CoreMag, CoreSkeleton, manager_factory)
    assert daedalus.Dataset is Dataset


def test_public_names_are_the_submodules_all_and_match_the_type_checking_imports() -> None:
    eager = {"get_executor", "current_version"}
    assert set(daedalus._MODULE_OF) | eager == set(daedalus.__all__)
    assert len(daedalus.__all__) == len(set(daedalus.__all__)), "a name is listed twice in __all__"
    for submodule in daedalus._REEXPORTED_SUBMODULES:
        module = importlib.import_module(f"daedalus.{submodule}")
        offered = set(module.__all__) - daedalus._NOT_REEXPORTED
        assert offered <= set(daedalus.__all__), f"daedalus.{submodule}.__all__ names missing from daedalus.__all__"
        assert all(getattr(daedalus, name) is getattr(module, name) for name in offered), submodule
    tree = ast.parse(FACADE.read_text())
    checking = next(
        node for node in tree.body if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
    )
    imports = [
        (node.module, alias.name) for node in checking.body if isinstance(node, ast.ImportFrom) for alias in node.names
    ]
    starred = {module for module, name in imports if name == "*"}
    assert starred == {f"daedalus.{submodule}" for submodule in daedalus._REEXPORTED_SUBMODULES}
    explicit = {name: module for module, name in imports if name != "*"}
    assert explicit == {name: module for module, names in daedalus._OWN_NAMES.items() for name in names}


def test_dir_lists_every_public_name_and_submodule_before_they_load() -> None:
    listed = _fresh("import json, daedalus\nprint(json.dumps(dir(daedalus)))")
    assert set(daedalus.__all__) <= set(listed)
    assert {"dataset", "geometry", "annotation", "skeleton", "utils", "__version__"} <= set(listed)
    assert listed == sorted(listed)


def test_submodules_are_attributes_of_the_package_on_first_use() -> None:
    result = _fresh(
        "import json, sys, daedalus\n"
        "before = 'daedalus.geometry' in sys.modules\n"
        "module = daedalus.geometry\n"
        "print(json.dumps([before, module is sys.modules['daedalus.geometry'], module.Mag is daedalus.Mag]))"
    )
    assert result == [False, True, True]


def test_an_unknown_name_raises_attribute_error_naming_it() -> None:
    with pytest.raises(AttributeError, match="'daedalus' has no attribute 'NoSuchThing'"):
        daedalus.NoSuchThing  # noqa: B018
    with pytest.raises(AttributeError, match="_private_nothing"):
        daedalus._private_nothing  # noqa: B018
    assert not hasattr(daedalus, "no_such_submodule")
    with pytest.raises(ImportError, match="NoSuchThing"):
        exec("from daedalus import NoSuchThing", {})


def test_help_renders_the_public_names() -> None:
    text = pydoc.render_doc(daedalus, renderer=pydoc.plaintext)
    for name in ("Dataset", "RemoteDataset", "get_executor", "webknossos_context"):
        assert name in text


def test_objects_pickled_after_a_plain_import_load_in_a_process_that_never_imported_daedalus() -> None:
    dumped = subprocess.run(
        [
            sys.executable,
            "-c",
            "import pickle, sys, daedalus\n"
            "sys.stdout.buffer.write(pickle.dumps([daedalus.BoundingBox((1, 2, 3), (4, 5, 6)), daedalus.Mag(2), "
            "daedalus.LengthUnit.NANOMETER, daedalus.Vec3Int(7, 8, 9)]))",
        ],
        capture_output=True,
        check=True,
    ).stdout
    loaded = subprocess.run(
        [sys.executable, "-c", "import pickle, sys\nprint(repr(pickle.loads(sys.stdin.buffer.read())))"],
        input=dumped,
        capture_output=True,
        check=True,
    ).stdout.decode()
    expected = [daedalus.BoundingBox((1, 2, 3), (4, 5, 6)), daedalus.Mag(2), daedalus.LengthUnit.NANOMETER]
    assert loaded.strip() == repr([*expected, daedalus.Vec3Int(7, 8, 9)])
    assert pickle.loads(dumped) == [*expected, daedalus.Vec3Int(7, 8, 9)]


def test_plugins_load_at_the_first_adapter_look_up(tmp_path: Path) -> None:
    result = _fresh(
        "import json, sys, numpy as np, daedalus\n"
        "before = 'daedalus.plugins.manager' in sys.modules\n"
        f"ds = daedalus.Dataset({str(tmp_path / 'ds')!r}, voxel_size=(1, 1, 1))\n"
        "layer = ds.add_layer('color', 'color', dtype='uint8')\n"
        "layer.add_mag(1).write(np.full((4, 4, 4), 7, dtype=np.uint8), absolute_offset=(0, 0, 0), allow_resize=True)\n"
        "from daedalus.core import ports\n"
        "print(json.dumps([before, ports.current_registry() is daedalus.get_plugin_manager(), "
        "int(layer.get_mag(1).read().sum())]))"
    )
    assert result == [False, True, 7 * 64]


def test_the_registry_factory_rebuilds_a_removed_registry_and_without_one_the_error_says_what_to_do() -> None:
    manager = daedalus.get_plugin_manager()
    previous = ports.install_registry(None)
    try:
        assert ports.current_registry() is manager
        ports.install_registry(None)
        ports.install_registry_factory(None)
        with pytest.raises(RuntimeError, match="Import daedalus"):
            ports.current_registry()
    finally:
        ports.install_registry_factory(daedalus._plugin_registry)
        ports.install_registry(previous)
    assert ports.current_registry() is previous


def test_threads_asking_for_their_first_adapter_at_once_share_one_plugin_manager() -> None:
    result = _fresh(
        "import json, threading, daedalus\n"
        "from daedalus.core import ports\n"
        "barrier, found = threading.Barrier(8), []\n"
        "def ask():\n"
        "    barrier.wait()\n"
        "    found.append(ports.current_registry())\n"
        "threads = [threading.Thread(target=ask) for _ in range(8)]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\n"
        "print(json.dumps([len(found), len({id(r) for r in found}), found[0] is daedalus.get_plugin_manager()]))"
    )
    assert result == [8, 1, True]
