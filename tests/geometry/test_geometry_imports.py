"""daedalus.core.geometry must import with the standard library, numpy and attrs only."""

import subprocess
import sys

FORBIDDEN = ("tensorstore", "zarr", "wkw", "h5py", "requests", "click", "xmltodict")


def test_geometry_imports_no_adapter_libraries():
    code = f"import sys, daedalus.core.geometry as g; print([m for m in {FORBIDDEN!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_names():
    import daedalus.core.geometry as g

    expected = {
        "BoundingBox", "Mag", "MagLike", "NDBoundingBox", "NormalizedBoundingBox", "Vec3Float",
        "Vec3FloatLike", "Vec3Int", "Vec3IntLike", "VecInt", "VecIntLike",
    }  # fmt: skip
    assert expected <= set(g.__all__)
    assert all(hasattr(g, name) for name in expected)
