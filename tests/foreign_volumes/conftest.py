"""Volumes written by the tools that write them (ome-zarr-py, zarr-python, tensorstore, cloud-volume), an http
server on 127.0.0.1 serving a folder, and the reference webknossos 4.3.3 for interop checks."""

from __future__ import annotations

import functools
import json
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
