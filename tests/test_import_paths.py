"""Scripts written for the reference import from its submodules: ``daedalus.<submodule>`` offers the same names."""

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec" / "webknossos-api-reference.md"

# Submodules whose every class of the API reference daedalus implements today.
COMPLETE_SUBMODULES = (
    "geometry",
    "skeleton",
    "dataset_properties",
    "utils",
    "client",
    "administration",
    "datastore",
    "ai_model",
)
# Submodules that exist and export what is implemented (some server-side classes are still missing).
ALL_SUBMODULES = (*COMPLETE_SUBMODULES, "dataset", "annotation")


def spec_classes() -> dict[str, set[str]]:
    """Module name (without ``webknossos.``) -> the classes the API reference lists under it."""
    if not SPEC.is_file():
        pytest.skip(f"the API reference is not at {SPEC} (../shared is absent)")
    classes: dict[str, set[str]] = {}
    module = None
    for line in SPEC.read_text().splitlines():
        heading = re.match(r"^# webknossos\.([\w\\]+)\s*$", line)
        if heading:
            module = heading.group(1).replace("\\", "")
            continue
        cls = re.match(r"^## ([A-Za-z_]\w*)\b", line)
        if cls and module:
            classes.setdefault(module, set()).add(cls.group(1))
    return classes


@pytest.mark.parametrize("submodule", COMPLETE_SUBMODULES)
def test_submodule_exports_every_class_the_reference_lists(submodule: str) -> None:
    module = importlib.import_module(f"daedalus.{submodule}")
    expected = spec_classes()[submodule]
    missing = sorted(name for name in expected if not hasattr(module, name))
    assert not missing, f"daedalus.{submodule} lacks {missing}"
    assert expected <= set(module.__all__)


@pytest.mark.parametrize("submodule", [name for name in ALL_SUBMODULES if name != "utils"])
def test_submodule_offers_the_implemented_classes_under_the_same_objects(submodule: str) -> None:
    import daedalus

    module = importlib.import_module(f"daedalus.{submodule}")
    implemented = [name for name in spec_classes()[submodule] if hasattr(daedalus, name)]
    assert implemented, f"nothing of webknossos.{submodule} is implemented?"
    for name in implemented:
        assert getattr(module, name) is getattr(daedalus, name), name
    for name in module.__all__:
        assert hasattr(module, name), f"daedalus.{submodule}.__all__ names {name}, which it lacks"


def test_a_script_written_for_the_reference_runs_with_its_imports(tmp_path: Path) -> None:
    script = tmp_path / "script.py"
    script.write_text(
        "import numpy as np\n"
        "import daedalus as wk\n"
        "from daedalus.dataset import Dataset, View\n"
        "from daedalus.geometry import BoundingBox, Mag\n"
        "from daedalus.utils import named_partial\n"
        "from daedalus.skeleton import Skeleton\n"
        "from daedalus.annotation import Annotation\n"
        "from daedalus.dataset_properties import LengthUnit\n"
        "def invert(args: tuple[View, int], maximum: int) -> None:\n"
        "    view, _ = args\n"
        "    view.write(maximum - view.read())\n"
        f"ds = Dataset({str(tmp_path / 'ds')!r}, voxel_size=(11, 11, 25))\n"
        "box = BoundingBox((0, 0, 0), (64, 64, 32))\n"
        "layer = ds.add_layer('color', wk.COLOR_CATEGORY, dtype='uint8', bounding_box=box)\n"
        "mag = layer.add_mag(Mag(1))\n"
        "mag.write(np.full((64, 64, 32), 5, dtype='uint8'), absolute_offset=(0, 0, 0), allow_unaligned=True)\n"
        "mag.for_each_chunk(named_partial(invert, maximum=200))\n"
        "print(int(mag.read().min()), int(mag.read().max()), named_partial(invert, maximum=1).__name__)\n"
    )
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["195", "195", "invert"]
