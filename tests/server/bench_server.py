"""Loads the benchmark's WEBKNOSSOS-like server (benchmarks/wk_datastore_server.py; benchmarks/ is no package)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

SERVER_FILE = Path(__file__).resolve().parents[2] / "benchmarks" / "wk_datastore_server.py"
_NAME = "daedalus_test_bench_wk_datastore_server"


def bench_server_module() -> Any:
    """The module ``wk_datastore_server`` (``WkServer``, ``timeline_summary``, ...), imported once."""
    if _NAME not in sys.modules:
        spec = importlib.util.spec_from_file_location(_NAME, SERVER_FILE)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[_NAME] = module
        spec.loader.exec_module(module)
    return sys.modules[_NAME]
