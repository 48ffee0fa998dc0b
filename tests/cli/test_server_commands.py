"""``daedalus download`` and ``daedalus upload`` end to end against replayed WEBKNOSSOS recordings of the reference CLI.

The recordings are the reference's own CLI runs (``test_cli/...``); the commands get the server and token from
``--webknossos-url`` / ``--url`` and ``--token`` (the environment holds neither unless a test sets it). What the
replies mean is checked independently: voxels against the recorded data replies, upload chunks against the fixture's
files.
"""

from __future__ import annotations

import email
import email.policy
import json
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result

for _folder in (Path(__file__).resolve().parents[1] / "server", Path(__file__).resolve().parents[1] / "remote"):
    if str(_folder) not in sys.path:
        sys.path.append(str(_folder))

from recorded import body, interactions, reply  # noqa: E402
from wk_replay import RECORDINGS, Interaction, ReplayServer  # noqa: E402

import daedalus as wk  # noqa: E402
from daedalus.cli import cli  # noqa: E402

TOKEN = "secrettoken-for-cli-tests"
DATASET_ID = "59e9cfbdba632ac2ab8b23b5"
DATA = f"/data/v12/datasets/{DATASET_ID}/layers"
UPLOADED_ID = "69aed5416eb20671afef7730"
FIXTURE = RECORDINGS.parent / "fixtures" / "wk-testdata" / "simple_wkw_dataset"
UPLOAD = "test_cli/test_upload.yml"
RESERVE = "/data/v12/datasets/reserveUpload"
FINISH = "/data/v12/datasets/finishUpload"
SMALL_BOX = ["--bbox", "0,0,0,5,5,5", "--mag", "8-8-1"]  # what the reference CLI's recorded runs asked for


@pytest.fixture
def wk_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., ReplayServer]]:
    """``wk_server(recording, extra=[interactions], **options)``: a running replay server; the environment names no
    server or token.

    Every server is stopped afterwards, and the test fails if a request matched no recorded interaction.
    """
    from daedalus.core.client.context import clear_context_caches

    if not RECORDINGS.is_dir():
        pytest.skip(f"the WEBKNOSSOS server recordings are absent ({RECORDINGS}); check out ../shared")
    for name in ("WK_URL", "WK_TOKEN", "WK_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    clear_context_caches()
    servers: list[ReplayServer] = []

    def start(recording: str, extra: list[Interaction] | None = None, **options: object) -> ReplayServer:
        server = ReplayServer(recording, **options)
        server.interactions.extend(extra or [])
        server.start()
        servers.append(server)
        return server

    yield start
    clear_context_caches()
    for server in servers:
        server.stop()
    for server in servers:
        server.assert_no_unmatched()


def run(*args: str) -> Result:
    """``daedalus ARGS...`` through click's runner (standalone mode: exit codes and one-line errors)."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def one_error_line(result: Result, exit_code: int, *named: str) -> str:
    """The command exited with ``exit_code`` and ended with exactly one ``Error:`` line naming each of ``named``."""
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(errors) == 1, result.output
    assert result.output.rstrip().splitlines()[-1] == errors[0], result.output
    for text in named:
        assert text in errors[0], errors[0]
    return errors[0]


def dataset_url(server: ReplayServer, view: bool = False) -> str:
    """The URL of the recorded sample dataset on the replay server (optionally its ``/view`` page)."""
    return f"{server.url}/datasets/Organization_X/l4_sample" + ("/view" if view else "")


def data_requests(server: ReplayServer) -> list:
    """The datastore's raw data requests the server received."""
    return [r for r in server.received if r.path.endswith("/data")]


# ---------------------------------------------------------------------------------------------------- download


@pytest.mark.parametrize("name", ["l4_sample", "l4_sample__view"])
def test_download_writes_the_recorded_box_and_mag_of_both_layers(wk_server, tmp_path, name: str) -> None:
    recording = f"test_cli/test_download_dataset[{name}].yml"
    server = wk_server(recording)
    target = tmp_path / "out"

    result = run(
        "download", "--url", dataset_url(server, view=name.endswith("view")), "--token", TOKEN, *SMALL_BOX, str(target)
    )

    assert result.exit_code == 0, result.output
    ds = wk.Dataset.open(target)
    assert sorted(ds.layers) == ["color", "segmentation"]
    assert ds.voxel_size == pytest.approx((11.24, 11.24, 28.0))
    for layer_name, dtype in [("color", np.uint8), ("segmentation", np.uint32)]:
        layer = ds.get_layer(layer_name)
        assert layer.bounding_box == wk.BoundingBox((0, 0, 0), (5, 5, 5))
        assert list(layer.mags) == [wk.Mag("8-8-1")]
        assert layer.dtype == dtype
        assert layer.get_mag("8-8-1").info.data_format == "zarr3"
        # mag 8-8-1 of the 5³ box is one column of 1x1x5 voxels: the recorded reply of the data route
        data = layer.get_mag("8-8-1").read(absolute_bounding_box=wk.BoundingBox((0, 0, 0), (8, 8, 5)))
        recorded = reply(recording, f"{DATA}/{layer_name}/data?mag=8-8-1&x=0&y=0&z=0&width=1&height=1&depth=5")
        np.testing.assert_array_equal(data.ravel(), np.frombuffer(recorded, dtype=dtype))
    assert ds.get_segmentation_layer("segmentation").largest_segment_id == 2504697
    assert len(data_requests(server)) == 2
    assert all(r.headers.get("x-auth-token") == TOKEN for r in data_requests(server))
    assert [i.describe() for i in server.unused()] == [f"HEAD /data/v12/zarr/{DATASET_ID}/datasource-properties.json"]
    assert f"Downloaded {server.url}/datasets/{DATASET_ID} to {target}" in result.output
    assert "color: uint8 box BoundingBox(topleft=(0, 0, 0), size=(5, 5, 5)), mags 8-8-1" in result.output
    assert "Downloading layer=segmentation mag=8-8-1" in result.output  # the progress bar of each mag


def test_download_takes_the_token_from_wk_token(wk_server, tmp_path, monkeypatch) -> None:
    server = wk_server("test_cli/test_download_dataset[l4_sample].yml")
    monkeypatch.setenv("WK_TOKEN", "token-from-the-environment")

    result = run("download", "--url", dataset_url(server), *SMALL_BOX, str(tmp_path / "out"))

    assert result.exit_code == 0, result.output
    assert {r.headers.get("x-auth-token") for r in server.received} == {"token-from-the-environment"}


def test_download_by_name_looks_the_dataset_up_on_the_webknossos_url(wk_server, tmp_path) -> None:
    user = next(i for i in interactions(UPLOAD) if i["request"]["path"] == "/api/v12/user")  # of Organization_X
    server = wk_server("test_cli/test_download_dataset[l4_sample].yml", extra=[Interaction.from_yaml(user)])

    result = run(
        "download", "--url", "l4_sample", "--webknossos-url", server.url, "--token", TOKEN, *SMALL_BOX,
        str(tmp_path / "out"),
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert sorted(wk.Dataset.open(tmp_path / "out").layers) == ["color", "segmentation"]
    assert len(data_requests(server)) == 2


def test_download_of_one_layer_in_wkw(wk_server, tmp_path) -> None:
    recording = "test_cli/test_download_dataset[l4_sample].yml"
    server = wk_server(recording)

    result = run(
        "download", "--url", dataset_url(server), "--token", TOKEN, *SMALL_BOX, "--layer", "segmentation",
        "--data-format", "wkw", str(tmp_path / "out"),
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    ds = wk.Dataset.open(tmp_path / "out")
    assert list(ds.layers) == ["segmentation"]
    mag = ds.get_layer("segmentation").get_mag("8-8-1")
    assert mag.info.data_format == "wkw"
    recorded = reply(recording, f"{DATA}/segmentation/data?mag=8-8-1&x=0&y=0&z=0&width=1&height=1&depth=5")
    read = mag.read(absolute_bounding_box=wk.BoundingBox((0, 0, 0), (8, 8, 5)))
    np.testing.assert_array_equal(read.ravel(), np.frombuffer(recorded, dtype=np.uint32))
    assert [r.path.split("/")[-2] for r in data_requests(server)] == ["segmentation"]


@pytest.mark.parametrize(
    ("option", "value", "named"),
    [
        ("--bbox", "1,2", "'--bbox'"),
        ("--bbox", "0,0,0,10,10", "x,y,z,width,height,depth"),
        ("--bbox", "0.5,0,0,1,1,1", "'0.5,0,0,1,1,1'"),
        ("--bbox", "0,0,0,0,5,5", "at least one voxel"),
        ("--mag", "1-x", "'--mag'"),
        ("--mag", "2-2", "'2-2'"),
        ("--mag", "3", "power of two"),
        ("--data-format", "tiff", "'--data-format'"),
    ],
)
def test_download_refuses_bad_option_values_before_any_request(wk_server, tmp_path, option, value, named) -> None:
    server = wk_server("default.yml")

    result = run("download", "--url", dataset_url(server), "--token", TOKEN, option, value, str(tmp_path / "out"))

    one_error_line(result, 2, named)
    assert server.received == []
    assert not (tmp_path / "out").exists()


def test_download_needs_the_url_option(tmp_path) -> None:
    one_error_line(run("download", str(tmp_path / "out")), 2, "--url")


def test_download_into_a_folder_holding_a_dataset_is_refused(wk_server, tmp_path) -> None:
    server = wk_server("default.yml")
    existing = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    existing.add_layer("other", wk.COLOR_CATEGORY, dtype="uint8")

    result = run("download", "--url", dataset_url(server), "--token", TOKEN, *SMALL_BOX, str(tmp_path / "ds"))

    one_error_line(result, 2, str(tmp_path / "ds"), "already holds a dataset", "'TARGET'")
    assert server.received == []
    assert list(wk.Dataset.open(tmp_path / "ds").layers) == ["other"]


def test_download_into_a_file_is_refused(wk_server, tmp_path) -> None:
    server = wk_server("default.yml")
    (tmp_path / "file").write_text("x")
    result = run("download", "--url", dataset_url(server), str(tmp_path / "file"))
    one_error_line(result, 2, "is a file")
    assert server.received == []


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("{server}/annotations/0123456789abcdef01234567", "annotation URL"),
        ("{server}/dashboard", "not a WEBKNOSSOS dataset URL"),
    ],
)
def test_download_refuses_urls_that_name_no_dataset(wk_server, tmp_path, url: str, named: str) -> None:
    server = wk_server("default.yml")
    result = run("download", "--url", url.format(server=server.url), str(tmp_path / "out"))
    one_error_line(result, 2, "'--url'", named)
    assert server.received == []


def test_download_refuses_a_webknossos_url_naming_another_server(wk_server, tmp_path) -> None:
    server = wk_server("default.yml")
    result = run(
        "download", "--url", dataset_url(server), "--webknossos-url", "https://webknossos.org", str(tmp_path / "out")
    )
    one_error_line(result, 2, "'--webknossos-url'", server.url)


def test_download_of_a_layer_the_dataset_lacks_is_a_usage_error(wk_server, tmp_path) -> None:
    server = wk_server("test_cli/test_download_dataset[l4_sample].yml")
    result = run("download", "--url", dataset_url(server), "--token", TOKEN, "--layer", "nope", str(tmp_path / "out"))
    one_error_line(result, 2, "'--layer'", "['nope']", "['color', 'segmentation']")
    assert data_requests(server) == []
    assert not (tmp_path / "out").exists()


def test_download_of_a_missing_dataset_fails_in_one_line(wk_server, tmp_path) -> None:
    server = wk_server("default.yml")
    missing = "0123456789abcdef01234567"
    server.reply_next(404, '{"messages":[{"error":"Dataset not found"}]}', path_prefix=f"/api/v12/datasets/{missing}")

    result = run(
        "download", "--url", f"{server.url}/datasets/nope-{missing}/view", "--token", TOKEN, str(tmp_path / "d")
    )

    one_error_line(result, 1, missing, "Dataset not found")
    assert not (tmp_path / "d").exists()


def test_download_interrupted_by_the_datastore_fails_in_one_line(wk_server, tmp_path) -> None:
    server = wk_server("test_cli/test_download_dataset[l4_sample].yml")
    server.reply_next(400, '{"messages":[{"error":"no data here"}]}', path_prefix=f"{DATA}/color/data")

    result = run("download", "--url", dataset_url(server), "--token", TOKEN, *SMALL_BOX, str(tmp_path / "out"))

    one_error_line(result, 1, "'color' mag 8-8-1", "no data here", "incomplete")


# ---------------------------------------------------------------------------------------------------- upload


def _form(request) -> dict[str, bytes]:
    """The fields of a multipart/form-data request body, by name."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = email.message_from_bytes(head + request.body, policy=email.policy.HTTP)
    return {
        part.get_param("name", header="content-disposition"): part.get_payload(decode=True)
        for part in message.iter_parts()
    }


def _posted(server: ReplayServer, path: str) -> list:
    return [r for r in server.received if r.method == "POST" and r.path == path]


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A copy of the fixture dataset the reference CLI uploaded in the recording."""
    if not FIXTURE.is_dir():
        pytest.skip(f"fixture {FIXTURE} is absent")
    return Path(shutil.copytree(FIXTURE, tmp_path / "simple_wkw_dataset"))


def test_upload_sends_every_file_and_prints_the_new_dataset(wk_server, source: Path) -> None:
    server = wk_server(UPLOAD, match_body=False)  # upload ids are random: the payloads are checked below

    result = run(
        "upload", "--webknossos-url", server.url, "--token", TOKEN, "--dataset-name", "test_upload_cli",
        "--jobs", "2", str(source),
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert f"Uploaded {source} as test_upload_cli: {server.url}/datasets/{UPLOADED_ID}" in lines
    assert f"dataset id: {UPLOADED_ID}" in lines
    assert "Uploading test_upload_cli" in result.output  # the progress bar of the chunks
    (reserve,) = _posted(server, RESERVE)
    sent = json.loads(reserve.body)
    recorded = json.loads(body(next(i for i in interactions(UPLOAD) if i["request"]["path"] == RESERVE)["request"]))
    upload_id, _ = sent.pop("uploadId"), recorded.pop("uploadId")
    assert sent == recorded  # name, organization, 3 files, their total size, no teams, links or folder
    chunks = {_form(r)["resumableRelativePath"].decode(): _form(r) for r in _posted(server, "/data/datasets")}
    assert sorted(chunks) == ["color/1/header.wkw", "color/1/z0/y0/x0.wkw", "datasource-properties.json"]
    for relative, form in chunks.items():
        assert form["file"] == (source / relative).read_bytes()
        assert form["resumableIdentifier"].decode() == f"{upload_id}/{relative}"
        assert form["name"] == b"test_upload_cli"
    assert [json.loads(r.body) for r in _posted(server, FINISH)] == [{"uploadId": upload_id}]
    assert {r.headers.get("x-auth-token") for r in server.received} == {TOKEN}


def test_upload_takes_server_and_token_from_the_environment(wk_server, source: Path, monkeypatch) -> None:
    server = wk_server(UPLOAD, match_body=False)
    monkeypatch.setenv("WK_URL", server.url)
    monkeypatch.setenv("WK_TOKEN", "token-from-the-environment")

    result = run("upload", "--dataset-name", "test_upload_cli", str(source))

    assert result.exit_code == 0, result.output
    assert f"dataset id: {UPLOADED_ID}" in result.output.splitlines()
    assert len(_posted(server, "/data/datasets")) == 3
    assert {r.headers.get("x-auth-token") for r in server.received} == {"token-from-the-environment"}


def _folder_tree() -> Interaction:
    """The recorded folder tree of Organization_X (its subfolders "A subfolder!", "Another subfolder!", ...)."""
    recorded = interactions("test_remote_dataset/test_folders_and_teams.yml")
    return Interaction.from_yaml(next(i for i in recorded if i["request"]["path"] == "/api/v12/folders/tree"))


def test_upload_into_a_folder_given_by_its_path(wk_server, source: Path) -> None:
    server = wk_server(UPLOAD, extra=[_folder_tree()], match_body=False)

    result = run(
        "upload", "--webknossos-url", server.url, "--token", TOKEN, "--dataset-name", "test_upload_cli",
        "--folder", "Organization_X/A subfolder!", str(source),
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    (reserve,) = _posted(server, RESERVE)
    assert json.loads(reserve.body)["folderId"] == "570b9f4e4bb848d08880712a"


def test_upload_into_a_missing_folder_is_refused(wk_server, source: Path) -> None:
    server = wk_server(UPLOAD, extra=[_folder_tree()], match_body=False)
    result = run("upload", "--webknossos-url", server.url, "--token", TOKEN, "--folder", "nope/deeper", str(source))
    one_error_line(result, 2, "'--folder'", "'nope/deeper'", "root folder")
    assert _posted(server, RESERVE) == []


def test_upload_without_a_token_is_refused(wk_server, source: Path) -> None:
    server = wk_server(UPLOAD, match_body=False)
    result = run("upload", "--webknossos-url", server.url, str(source))
    one_error_line(result, 2, "'--token'", "WK_TOKEN")
    assert server.received == []


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--transfer-mode", "copy"], "'--transfer-mode'"),
        (["--transfer-mode", "ftp"], "'--transfer-mode'"),
        (["--jobs", "0"], "'--jobs'"),
    ],
)
def test_upload_refuses_bad_option_values(wk_server, source: Path, args: list[str], named: str) -> None:
    server = wk_server(UPLOAD, match_body=False)
    result = run("upload", "--webknossos-url", server.url, "--token", TOKEN, *args, str(source))
    one_error_line(result, 2, named)
    assert server.received == []


def test_upload_of_a_folder_without_a_dataset_is_refused(wk_server, tmp_path) -> None:
    server = wk_server(UPLOAD, match_body=False)
    result = run("upload", "--webknossos-url", server.url, "--token", TOKEN, str(tmp_path))
    one_error_line(result, 2, str(tmp_path), "datasource-properties.json")
    assert server.received == []


def test_an_interrupted_upload_fails_in_one_line_and_is_never_finished(wk_server, source: Path) -> None:
    server = wk_server(UPLOAD, match_body=False)
    server.reply_next(400, '{"messages":[{"error":"chunk refused"}]}', method="POST", path_prefix="/data/datasets")

    result = run(
        "upload", "--webknossos-url", server.url, "--token", TOKEN, "--dataset-name", "test_upload_cli",
        "--jobs", "1", str(source),
    )  # fmt: skip

    one_error_line(result, 1, "2 of 3 chunks arrived", "chunk refused", "no dataset was created")
    assert _posted(server, FINISH) == []


def test_an_upload_the_server_refuses_fails_in_one_line(wk_server, source: Path) -> None:
    server = wk_server(UPLOAD, match_body=False)
    server.reply_next(401, '{"messages":[{"error":"Invalid token"}]}', path_prefix="/api/v12/datastores")

    result = run("upload", "--webknossos-url", server.url, "--token", "wrong", str(source))

    line = one_error_line(result, 1, "401", "Invalid token")
    assert "wrong" not in line  # the token appears in no error
    assert _posted(server, RESERVE) == []
