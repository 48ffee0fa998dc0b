"""Volumes written by the tools that write them (ome-zarr-py, zarr-python, tensorstore, cloud-volume), an http
server on 127.0.0.1 serving a folder, and the reference webknossos 4.3.3 for interop checks."""

from __future__ import annotations

import functools
import importlib.util
import json
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pytest


def noisy_volume(shape: tuple[int, ...], dtype: str, seed: int = 7) -> np.ndarray:
    """Random voxels of ``dtype`` (no constant regions: misplaced data cannot compare equal)."""
    rng = np.random.default_rng(seed)
    high = 250 if np.dtype(dtype).itemsize == 1 else 60000
    return rng.integers(1, high, shape).astype(dtype)


def write_ome_zarr(path: Path, data: np.ndarray, version: str, axes: str, **options: Any) -> None:
    """Write ``data`` as an OME-Zarr image with ome-zarr-py's ``write_image`` (NGFF ``version`` 0.4 or 0.5)."""
    import zarr
    from ome_zarr.format import FormatV04, FormatV05
    from ome_zarr.io import parse_url
    from ome_zarr.writer import write_image

    fmt = FormatV04() if version == "0.4" else FormatV05()
    store = parse_url(str(path), mode="w", fmt=fmt).store
    root = zarr.group(store=store, zarr_format=2 if version == "0.4" else 3)
    write_image(image=data, group=root, axes=axes, fmt=fmt, **options)


def ome_levels(path: Path) -> list[np.ndarray]:
    """Every level of the OME-Zarr image at ``path`` as ome-zarr-py reads it (stored axis order)."""
    from ome_zarr.io import parse_url
    from ome_zarr.reader import Reader

    node = next(iter(Reader(parse_url(str(path)))()))
    return [np.asarray(level) for level in node.data]


class StaticServer:
    """A real ``http.server`` on 127.0.0.1 serving one folder from a thread; ``url`` is its root."""

    def __init__(self, folder: Path) -> None:
        class Quiet(SimpleHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@pytest.fixture
def serve() -> Iterator[Callable[[Path], StaticServer]]:
    """``serve(folder)`` starts an http server for ``folder``; every server started is stopped afterwards."""
    servers: list[StaticServer] = []

    def start(folder: Path) -> StaticServer:
        server = StaticServer(folder)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def properties_of(dataset_path: Path) -> dict[str, Any]:
    """The dataset's ``datasource-properties.json``."""
    return json.loads((dataset_path / "datasource-properties.json").read_text())


def _load_reference_env() -> Any:
    name = "daedalus_contract_tests_reference_env"  # the name the other suites load it under
    module = sys.modules.get(name)
    if module is None:
        path = Path(__file__).resolve().parents[2] / "contract_tests" / "reference_env.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def run_reference_json() -> Callable[..., Any]:
    """``run_reference_json(script, *args)`` of the webknossos 4.3.3 venv; skips when it cannot be built."""
    reference_env = _load_reference_env()
    try:
        reference_env.reference_python()
    except reference_env.ReferenceUnavailable as error:
        if reference_env.require_reference():
            pytest.fail(f"reference webknossos venv unavailable: {error} (and ${reference_env.ENV_REQUIRE} is set)")
        pytest.skip(f"reference webknossos venv unavailable: {error}")
    return reference_env.run_reference_json
