"""Opening a dataset whose datastore is known (as after an upload): the datastore's properties are asked for with
the dataset's information, and taken from the datastore the information names when the guess was wrong."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from bench_server import bench_server_module
from daedalus.core.remote import RemoteDatasetNotFoundError
from daedalus.core.remote.opening import Target, fetch_info_and_properties

import daedalus as wk

TOKEN = "test-token-not-a-secret"


@pytest.fixture
def two_servers() -> Iterator[tuple[Any, Any, str]]:
    """Two benchmark servers (no added latency); the first serves dataset "small", whose id is returned."""
    module = bench_server_module()
    home, other = module.WkServer(latency_s=0.0).start(), module.WkServer(latency_s=0.0).start()
    try:
        dataset = home.add_dataset("small", {"color": np.arange(40 * 30 * 20, dtype=np.uint8).reshape(40, 30, 20)})
        yield home, other, dataset.id
    finally:
        home.stop()
        other.stop()


def _kinds(server: Any) -> dict[str, int]:
    return server.stats.snapshot()["kinds"]


def test_known_datastore_gives_the_dataset_open_gives(two_servers) -> None:
    home, _, dataset_id = two_servers
    with wk.webknossos_context(url=home.url, token=TOKEN):
        target = Target(_context(), dataset_id, None, None, _mode())
        info, location, properties = fetch_info_and_properties(target, datastore_url=home.url)
        opened = wk.RemoteDataset.open_target(target, datastore_url=home.url)
        plain = wk.RemoteDataset.open(dataset_id=dataset_id)
    assert info.id == dataset_id and str(location).startswith(home.url)
    assert [layer.name for layer in properties.data_layers] == ["color"]
    assert opened.layers.keys() == plain.layers.keys() and opened.zarr_streaming_path == plain.zarr_streaming_path
    np.testing.assert_array_equal(
        opened.get_layer("color").get_mag(1).read(), plain.get_layer("color").get_mag(1).read()
    )
    # three opens: the dataset's information and its properties once each
    assert _kinds(home)["GET datasets/<id>"] == 3 and _kinds(home)["GET zarr datasource-properties.json"] == 3


def test_wrong_datastore_guess_falls_back_to_the_named_datastore(two_servers) -> None:
    home, other, dataset_id = two_servers
    with wk.webknossos_context(url=home.url, token=TOKEN):
        opened = wk.RemoteDataset.open_target(
            Target(_context(), dataset_id, None, None, _mode()), datastore_url=other.url
        )
    assert str(opened.zarr_streaming_path).startswith(home.url)
    assert list(opened.layers) == ["color"]
    assert _kinds(other) == {"GET zarr datasource-properties.json": 1}  # the guess, answered 400: not used
    assert _kinds(home)["GET zarr datasource-properties.json"] == 1


def test_unknown_dataset_reports_the_information_error_first(two_servers) -> None:
    home, _, _ = two_servers
    with wk.webknossos_context(url=home.url, token=TOKEN):
        with pytest.raises(RemoteDatasetNotFoundError, match="with id 'no-such-id'"):
            wk.RemoteDataset.open_target(Target(_context(), "no-such-id", None, None, _mode()), datastore_url=home.url)


def _context() -> Any:
    from daedalus.core.client.context import get_context

    return get_context()


def _mode() -> Any:
    return wk.RemoteAccessMode.ZARR_STREAMING


def test_upload_asks_its_questions_once_and_opens_the_uploaded_dataset(two_servers, tmp_path) -> None:
    home, _, _ = two_servers
    local = wk.Dataset(tmp_path / "local", voxel_size=(11.24, 11.24, 28.0))
    layer = local.add_layer(
        "color", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=wk.BoundingBox((0, 0, 0), (64,) * 3)
    )
    layer.add_mag(1).write(np.arange(64**3, dtype=np.uint32).astype(np.uint8).reshape((64,) * 3))
    with wk.webknossos_context(url=home.url, token=TOKEN):
        remote = local.upload(new_dataset_name="uploaded_small")
    kinds = _kinds(home)
    questions = ["GET datastores", "GET datasets/uploaded_small/isValidNewName", "GET user"]
    for question in [*questions, "POST datasets/reserveUpload", "POST datasets/finishUpload"]:
        assert kinds[question] == 1, question
    folder = home.datasets[remote.dataset_id].upload_folder
    local_files = sorted(p.relative_to(local.path) for p in local.path.rglob("*") if p.is_file())
    assert sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file()) == local_files
    assert all((folder / f).read_bytes() == (local.path / f).read_bytes() for f in local_files)
    assert list(remote.layers) == ["color"] and str(remote.zarr_streaming_path).startswith(home.url)
