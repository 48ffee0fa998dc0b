"""The server classes behave like the reference's against a recorded WEBKNOSSOS: users, teams, projects, tasks,
task types, logged time, datastores, remote datasets (open, list, metadata, layers, mags, reads, download),
folders, annotations (download, infos), the WkApiClient, and the errors of unknown ids and missing tokens.

Both sides talk to one real HTTP server on 127.0.0.1 (`scenario_server.ScenarioServer`) answering from the
recordings in ``../shared/wk-server-recordings`` (API version 12). webknossos 4.3.3 only talks to servers of API
version 13 or newer, so the server says it speaks 5 to 13 and answers 4.3.3's ``/api/v13`` and ``/data/v13``
routes from the recorded ``v12`` exchanges: for everything here 4.3.3 sends the same routes, queries and bodies
under the newer prefix, except that it lists datasets with ``compact=true`` (the recorded full reply holds every
field of the compact one, so that parameter is not matched). Each test fails if either side sent a request the
recording cannot answer. Stand-ins for answers no recording holds are named in the tests that use them: 404
replies (in the recorded "could not be found" form) for unknown ids, 401 replies for requests without a token,
an empty dataset search.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("daedalus_differential_scenario_server", HERE / "scenario_server.py")
server_module = sys.modules.get(_spec.name) or importlib.util.module_from_spec(_spec)
if _spec.name not in sys.modules:
    sys.modules[_spec.name] = server_module
    _spec.loader.exec_module(server_module)

TOKEN = server_module.TOKEN
L4_SAMPLE_ID = "59e9cfbdba632ac2ab8b23b5"
UNKNOWN_ID = "ffffffffffffffffffffffff"
OPEN_L4_SAMPLE = (  # open by name, the layers' mags and the recorded box of mag 1, the folder tree
    "test_remote_dataset/test_url_open_remote[RemoteAccessMode.ZARR_STREAMING-l4_sample].yml",
    "test_remote_dataset/test_ref_layer_from_remote_layer.yml",
    "test_remote_dataset/test_get_remote_datasets.yml",
)


@pytest.fixture
def serve() -> Iterator[object]:
    """``serve(*recordings, **options)``: a started ScenarioServer, stopped after the test."""
    if not server_module.RECORDINGS.is_dir():
        pytest.skip(f"the WEBKNOSSOS server recordings are absent ({server_module.RECORDINGS}); check out ../shared")
    servers = []

    def start(*recordings: str, **options: object) -> object:
        server = server_module.ScenarioServer(*recordings, **options).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def check(differential, server, scenario: str, token: str | None = TOKEN, **params: object) -> list[str]:
    """``differential.check`` of ``scenario`` with the server's URL (and ``token``); fails on unanswered requests."""
    if token is not None:
        params["token"] = token
    try:
        kinds = differential.check(f"server_classes:{scenario}", around_side=server.side, url=server.url, **params)
    except AssertionError as error:
        unanswered = server.answered_everything()
        raise AssertionError(f"{error}\nrequests the recording cannot answer:\n{unanswered or '(none)'}") from None
    assert server.answered_everything() == "", "requests the recording cannot answer:\n" + server.answered_everything()
    return kinds


# ---------------------------------------------------------------------------------------------------- users, teams


def test_current_user(differential, serve):
    check(differential, serve("test_user/test_get_current_user.yml"), "current_user")


def test_managed_users(differential, serve):
    check(differential, serve("test_user/test_get_all_managed_users.yml"), "managed_users")


def test_user_by_id(differential, serve):
    check(
        differential, serve("test_project/test_project_get_owner.yml"), "user_by_id", user_id="570b9f4d2a7c0e4d008da6ef"
    )


def test_logged_times(differential, serve):
    check(differential, serve("test_user/test_get_logged_time.yml"), "logged_times")


def test_teams(differential, serve):
    check(differential, serve("test_project/test_get_project.yml"), "teams")


# ---------------------------------------------------------------------------------------------------- projects, tasks


@pytest.mark.parametrize(
    ("recording", "name", "operation"),
    [
        ("test_project/test_get_project.yml", "test_get_project", "get"),
        ("test_project/test_project_update.yml", "test_update_project", "update"),
        ("test_project/test_project_get_owner.yml", "test_get_owner_project", "owner"),
        ("test_project/test_project_create.yml", "test_create_project", "create"),
        ("test_project/test_project_delete.yml", "test_delete_project", "delete"),
    ],
)
def test_project(differential, serve, recording, name, operation):
    check(differential, serve(recording), "project", name=name, operation=operation)


def test_project_tasks(differential, serve):
    check(differential, serve("test_project/test_project_get_tasks.yml"), "project_tasks")


@pytest.mark.parametrize(
    ("recording", "operation", "drop_stale"),
    [
        ("test_task/test_get_task.yml", "get", True),
        ("test_task/test_get_task_type.yml", "get_task_type", False),
        ("test_task/test_task_list.yml", "list", False),
        ("test_task/test_task_get_project.yml", "project", False),
        ("test_task/test_update_task.yml", "update", False),
        ("test_task/test_delete_task.yml", "delete", False),
    ],
)
def test_task(differential, serve, recording, operation, drop_stale):
    check(differential, serve(recording), "task", operation=operation, drop_stale=drop_stale)


def test_task_type_settings(differential, serve):
    """Documented: the reference drops the settings and tracing type the server sends for a task type."""
    assert check(differential, serve("test_task/test_get_task_type.yml"), "task_type_settings") == ["result"]


def test_datastores(differential, serve):
    check(differential, serve("test_api_client/test_datastore_list.yml"), "datastores")


# ---------------------------------------------------------------------------------------------------- datasets


@pytest.mark.parametrize("how", ["name", "id", "url"])
def test_open_dataset(differential, serve, how):
    check(differential, serve(*OPEN_L4_SAMPLE), "open_dataset", how=how)


def test_open_dataset_through_the_proxy(differential, serve):
    recordings = ("test_remote_dataset/test_url_open_remote[RemoteAccessMode.PROXY_PATH-l4_sample].yml",)
    server = serve(*recordings, *OPEN_L4_SAMPLE[1:])
    check(differential, server, "open_dataset", how="name", access_mode="proxy_path", mags="finest")


def test_read_coarsest_mag(differential, serve):
    recordings = ("test_remote_dataset/test_shallow_copy_remote_layers.yml", *OPEN_L4_SAMPLE)
    check(differential, serve(*recordings), "read_coarsest")


def test_list_datasets(differential, serve):
    check(differential, serve("test_remote_dataset/test_get_remote_datasets.yml"), "list_datasets")


def test_dataset_metadata(differential, serve):
    check(differential, serve("test_dataset/test_remote_dataset_access_metadata.yml"), "dataset_metadata")


@pytest.mark.parametrize(
    ("recording", "read_only"),
    [
        ("test_remote_dataset/test_changing_properties_on_remote_dataset.yml", False),
        ("test_remote_dataset/test_changing_properties_on_read_only_remote_dataset.yml", True),
    ],
)
def test_change_description(differential, serve, recording, read_only):
    check(differential, serve(recording), "change_description", read_only=read_only)


READ_BOX = [[3164, 3212, 1017], [10, 10, 10]]


@pytest.mark.parametrize(
    ("recording", "box", "mags"),
    [
        ("test_remote_dataset/test_url_download[l4_sample].yml", READ_BOX, None),
        ("test_remote_dataset/test_url_download[l4_sample].yml", READ_BOX, [[1, 1, 1]]),
        ("test_cli/test_download_dataset[l4_sample].yml", [[0, 0, 0], [8, 8, 5]], [[8, 8, 1]]),
    ],
)
def test_download(differential, serve, recording, box, mags):
    check(differential, serve(recording), "download", box=box, mags=mags)


def test_explore_and_add(differential, serve):
    check(differential, serve("test_dataset/test_explore_and_add_remote.yml"), "explore_and_add")


# ---------------------------------------------------------------------------------------------------- folders


def test_folders(differential, serve):
    check(differential, serve("test_remote_dataset/test_folders_and_teams.yml"), "folders")


@pytest.mark.parametrize(
    ("how", "key"),
    [
        ("id", "570b9f4e4bb848d0885ea917"),
        ("path", "Organization_X"),
        ("path", "Organization_X/A subfolder!/"),
        ("path", "/Organization_X/A subfolder!"),  # refused: a path starts with the root folder's name
        ("path", "A subfolder!"),  # refused, as above
    ],
)
def test_folder_lookup(differential, serve, how, key):
    check(differential, serve("test_remote_dataset/test_get_remote_datasets.yml"), "folder_lookup", how=how, key=key)


# ---------------------------------------------------------------------------------------------------- annotations


def test_annotation_infos(differential, serve):
    check(differential, serve("test_annotation/test_remote_annotation_list.yml"), "annotation_infos")


@pytest.mark.parametrize(
    ("recording", "annotation_id", "skip_volume_data"),
    [
        ("test_annotation/test_edited_volume_annotation_upload_download.yml", "69270bb7010000cf00110a9b", False),
        ("test_annotation/test_annotation_upload_download_roundtrip.yml", "69270ba1010000ca00110a99", True),
    ],
)
def test_download_annotation(differential, serve, recording, annotation_id, skip_volume_data):
    server = serve(recording)
    check(differential, server, "download_annotation", annotation_id=annotation_id, skip_volume_data=skip_volume_data)


def test_open_remote_annotation(differential, serve):
    server = serve("test_annotation/test_annotation_upload_download_roundtrip.yml")
    check(differential, server, "open_remote_annotation", annotation_id="69270ba1010000ca00110a99")


def test_remote_annotation_layers(differential, serve):
    """Documented: the reference's RemoteAnnotation.get_volume_layer_names raises AttributeError."""
    server = serve("test_annotation/test_annotation_upload_download_roundtrip.yml")
    kinds = check(differential, server, "remote_annotation_layers", annotation_id="69270ba1010000ca00110a99")
    assert kinds == ["no-exception"]


# ---------------------------------------------------------------------------------------------------- API client


@pytest.mark.parametrize(
    ("recording", "route"),
    [
        ("test_api_client/test_health.yml", "health"),
        ("test_api_client/test_datastore_list.yml", "datastore_list"),
        ("test_user/test_get_current_user.yml", "user_current"),
    ],
)
def test_api_client(differential, serve, recording, route):
    check(differential, serve(recording), "api_client", route=route)


# ---------------------------------------------------------------------------------------------------- errors

LOOKUPS = [  # what, key, the recordings answering the lookup's other requests
    ("dataset_id", UNKNOWN_ID, ()),
    ("dataset_name", "no_such_dataset", ()),
    ("user", UNKNOWN_ID, ()),
    ("team_id", UNKNOWN_ID, ("test_project/test_get_project.yml",)),
    ("team_name", "no such team", ("test_project/test_get_project.yml",)),
    ("project_id", UNKNOWN_ID, ()),
    ("project_name", "test_project", ("test_task/test_get_task_type.yml",)),  # recorded 404
    ("task_type_id", UNKNOWN_ID, ()),
    ("task_type_name", "no such task type", ("test_task/test_get_task_type.yml",)),
    ("task", "69270b390100009c00110a87", ("test_task/test_delete_task.yml",)),  # recorded 404 (deleted)
    ("annotation", UNKNOWN_ID, ()),
    ("folder_id", UNKNOWN_ID, ("test_remote_dataset/test_get_remote_datasets.yml",)),
    ("folder_path", "Organization_X/no such folder", ("test_remote_dataset/test_get_remote_datasets.yml",)),
    ("ai_model", UNKNOWN_ID, ()),
]


@pytest.mark.parametrize(("what", "key", "recordings"), LOOKUPS, ids=[row[0] for row in LOOKUPS])
def test_unknown(differential, serve, what, key, recordings):
    """Stand-ins: requests no recording answers get a 404 ``{"messages":[{"error":"Resource could not be found"}]}``
    (the form of the recorded "Project could not be found"), and the dataset search for an unknown name gets ``[]``
    (what a search without hits returns)."""
    search = server_module.interaction(
        "GET", "/api/v12/datasets", [], query=f"isActive=true&organizationId=Organization_X&searchQuery={key}"
    )
    server = serve(*recordings, extra=[search], not_found=True)
    check(differential, server, "lookup", what=what, key=key)


CALLS = ["current_user", "teams", "open_dataset", "list_datasets", "datastores", "annotation_infos"]


@pytest.mark.parametrize("call", CALLS)
def test_without_token(differential, serve, call):
    """Stand-in: the server answers every request without token with 401 (no recording holds such a reply)."""
    server = serve(*OPEN_L4_SAMPLE, require_token=True)
    check(differential, server, "without_token", token=None, call=call)


def test_storage_credentials(differential):
    differential.check("server_classes:storage_credentials", identifier="key-id", secret="s3cret")


def test_storage_credentials_repr(differential):
    """Documented: daedalus leaves the secret out of the repr."""
    kinds = differential.check("server_classes:storage_credentials_repr", identifier="key-id", secret="s3cret")
    assert kinds == ["result"]


# ---------------------------------------------------------------------------------------------------- new remote mags


@pytest.mark.parametrize("transfer_mode", ["copy", "http"])
def test_remote_downsample(differential, serve, tmp_path, transfer_mode):
    """The end of test_cli/test_convert_upload_downsample.yml: Mag 2-2-1 added to a dataset whose storage the client
    reaches. The recorded storage paths are moved into tmp_path (Mag 1 written there first, each 2 × 2 × 1 block of
    one value, so every interpolation gives the same Mag 2-2-1), the layer's box made 40 × 40 × 9 for speed.
    Reserve and finish bodies are not matched: 4.3.3 sends ``channelIndex`` 0 where the recorded client sent null.
    Stand-in: 4.3.3 also PATCHes the data source (``updatePartial``) after finishing, which the recording lacks; it
    is answered 200 with no body. Documented: with ``http`` the reference needs API 14+ (NotImplementedError here)."""
    import numpy as np

    import daedalus as wk

    dataset_id = "69aed4c06eb20670afef772f"
    patch = server_module.interaction("PATCH", f"/api/v12/datasets/{dataset_id}/updatePartial", b"")
    server = serve("test_cli/test_convert_upload_downsample.yml", extra=[patch])
    server.match_body = False
    box = '"width":40,"height":40,"depth":9'
    server.replace = {'"width":265,"height":265,"depth":257': box, RECORDED_STORAGE: str(tmp_path)}
    coarse = np.random.default_rng(5).integers(1, 255, (20, 20, 9), dtype=np.uint8)
    storage = wk.Dataset(
        tmp_path / "Organization_X" / f"test_remote_convert-{dataset_id}", voxel_size=(11.24, 11.24, 25)
    )
    layer = storage.add_layer(
        "tiff", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=wk.BoundingBox((0, 0, 0), (40, 40, 9))
    )
    layer.add_mag(1).write(np.repeat(np.repeat(coarse, 2, axis=0), 2, axis=1), absolute_offset=(0, 0, 0))
    kinds = check(differential, server, "remote_downsample", storage=str(tmp_path), transfer_mode=transfer_mode)
    assert kinds == ([] if transfer_mode == "copy" else ["no-exception"])


RECORDED_STORAGE = "/Users/norman/scalableminds/webknossos/binaryData"
"""Where the recorded datastore stored its datasets (the recording machine's disk)."""
