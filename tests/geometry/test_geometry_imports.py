"""daedalus.core.geometry must import with the standard library, numpy and attrs only."""

import subprocess
import sys
from pathlib import Path

FORBIDDEN = ("tensorstore", "zarr", "wkw", "h5py", "requests", "click", "xmltodict")
CORE_DIR = Path(__file__).resolve().parents[2] / "core"

# Stub the parent packages so only the geometry package itself is measured, not the facade.
ISOLATED_IMPORT = f"""
import sys, types
for name, path in (("daedalus", []), ("daedalus.core", [{str(CORE_DIR)!r}])):
    module = types.ModuleType(name)
    module.__path__ = path
    sys.modules[name] = module
import daedalus.core.geometry as g
g.BoundingBox((0, 0, 0), (4, 4, 4)).chunk((2, 2, 2))
print([m for m in {FORBIDDEN!r} if m in sys.modules])
"""


def test_geometry_imports_no_adapter_libraries():
    out = subprocess.run([sys.executable, "-c", ISOLATED_IMPORT], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_names():
    import daedalus.core.geometry as g

    expected = {
        "BoundingBox", "Mag", "MagLike", "NDBoundingBox", "NormalizedBoundingBox", "Vec3Float",
        "Vec3FloatLike", "Vec3Int", "Vec3IntLike", "VecInt", "VecIntLike",
    }  # fmt: skip
    assert expected <= set(g.__all__)
    assert all(hasattr(g, name) for name in expected)
