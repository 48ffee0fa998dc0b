"""The file services core delegates to: FileTransfer (shutil, fsspec), ZipArchives (zipfile), FormatMetadata (zarr).

They run on the real local disk and fsspec's real in-memory file system; one test replaces the FileTransfer through a
plugin to show that core's file work goes through the port.
"""

from __future__ import annotations

import io
import json
import os
import uuid
import zipfile

import pytest
from daedalus.adapters.fsspec_files import FsspecFileTransfer
from daedalus.adapters.zarr_group_files import Zarr2GroupMetadata, Zarr3GroupMetadata
from daedalus.adapters.zip_archives import ZipfileArchives
from daedalus.core import ports
from daedalus.core.annotation.safe_zip import DamagedZipError
from daedalus.plugins import PluginManager, hookimpl
from upath import UPath

import daedalus as wk


def _tree(root) -> dict[str, bytes]:
    return {str(p.relative_to(root)).replace(os.sep, "/"): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def memory_folder():
    folder = UPath(f"memory://file-services-{uuid.uuid4().hex}")
    yield folder
    if folder.fs.exists(folder.path):
        folder.fs.rm(folder.path, recursive=True)


def _sample_tree(root) -> dict[str, bytes]:
    files = {"a.bin": b"\x00\x01", "sub/b.txt": b"bee", "sub/deeper/c.json": b"{}"}
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return files


# --------------------------------------------------------------------------- FileTransfer


def test_copy_tree_round_trips_through_an_fsspec_location(tmp_path, memory_folder) -> None:
    files = _sample_tree(tmp_path / "source")
    transfer = FsspecFileTransfer()
    transfer.copy_tree(UPath(tmp_path / "source"), memory_folder / "copy")
    transfer.copy_tree(memory_folder / "copy", UPath(tmp_path / "back"))
    assert _tree(tmp_path / "back") == files


def test_copy_tree_without_merge_refuses_an_existing_local_target(tmp_path) -> None:
    _sample_tree(tmp_path / "source")
    (tmp_path / "target").mkdir()
    with pytest.raises(FileExistsError):
        FsspecFileTransfer().copy_tree(tmp_path / "source", tmp_path / "target", merge=False)
    FsspecFileTransfer().copy_tree(tmp_path / "source", tmp_path / "target")  # merging is the default
    assert (tmp_path / "target" / "sub" / "b.txt").read_bytes() == b"bee"


def test_remove_deletes_a_link_but_not_what_it_points_to(tmp_path) -> None:
    _sample_tree(tmp_path / "data")
    (tmp_path / "link").symlink_to(tmp_path / "data", target_is_directory=True)
    transfer = FsspecFileTransfer()
    transfer.remove(tmp_path / "link")
    assert not os.path.lexists(tmp_path / "link")
    assert (tmp_path / "data" / "a.bin").exists()
    transfer.remove(tmp_path / "data")
    assert not (tmp_path / "data").exists()
    transfer.remove(tmp_path / "data")  # a missing path is no error


@pytest.mark.parametrize("where", ["local", "memory"])
def test_remove_contents_keeps_only_the_named_entry(where, tmp_path, memory_folder) -> None:
    root = UPath(tmp_path) if where == "local" else memory_folder
    _sample_tree(root)
    (root / "marker").write_bytes(b"keep me")
    FsspecFileTransfer().remove_contents(root, keep="marker")
    files = [name for name in root.fs.find(root.path)] if where == "memory" else list(_tree(tmp_path))
    assert [str(name).rsplit("/", 1)[-1] for name in files] == ["marker"]  # object stores keep no empty folders
    assert (root / "marker").read_bytes() == b"keep me"


def test_replace_and_move_on_local_files(tmp_path) -> None:
    (tmp_path / "new.tmp").write_text("new")
    (tmp_path / "file").write_text("old")
    transfer = FsspecFileTransfer()
    transfer.replace(tmp_path / "new.tmp", tmp_path / "file")
    assert (tmp_path / "file").read_text() == "new"
    assert not (tmp_path / "new.tmp").exists()
    transfer.move(tmp_path / "file", tmp_path / "elsewhere" / "file")
    assert (tmp_path / "elsewhere" / "file").read_text() == "new"


class _RecordingTransfer(FsspecFileTransfer):
    """The real FileTransfer, remembering which operations core asked for."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def replace(self, temporary, target) -> None:
        self.calls.append("replace")
        super().replace(temporary, target)

    def remove(self, path) -> None:
        self.calls.append("remove")
        super().remove(path)


class _TransferPlugin:
    def __init__(self, transfer) -> None:
        self.transfer = transfer

    @hookimpl
    def daedalus_file_services(self):
        return {"file_transfer": self.transfer}


def test_core_writes_and_deletes_through_the_registered_file_transfer(tmp_path) -> None:
    transfer = _RecordingTransfer()
    manager = PluginManager(load_entrypoints=False)
    manager.register(_TransferPlugin(transfer), name="recording-files")  # registered last: it wins
    previous = ports.install_registry(manager)
    try:
        dataset = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
        dataset.add_layer("color", wk.COLOR_CATEGORY, data_format="zarr3")
        assert "replace" in transfer.calls  # datasource-properties.json is replaced atomically through the port
        dataset.delete_layer("color")
        assert "remove" in transfer.calls
        assert ports.zip_archives() is not None  # the built-in plugin still serves the other entries
    finally:
        ports.install_registry(previous)
    assert not (tmp_path / "ds" / "color").exists()


# --------------------------------------------------------------------------- ZipArchives


def test_a_damaged_zip_is_a_damaged_zip_error_and_a_bad_zip_file() -> None:
    with pytest.raises(DamagedZipError, match="upload.zip") as info:
        ZipfileArchives().open_reader(io.BytesIO(b"this is no zip at all"), "upload.zip")
    assert isinstance(info.value, zipfile.BadZipFile)


def test_writer_stores_precompressed_members_and_deflates_the_rest(tmp_path) -> None:
    target = tmp_path / "out.zip"
    zips = ZipfileArchives()
    with zips.open_writer(target, comment=b"hello") as archive:
        with archive.open_member("doc.nml") as stream:
            stream.write(b"<things/>" * 100)
        archive.write_bytes("data.zip", b"\x00" * 1000, precompressed=True)
        (tmp_path / "plain.txt").write_text("plain")
        archive.write_file("plain.txt", tmp_path / "plain.txt")
    with zips.open_reader(target, str(target)) as archive:
        infos = {info.filename: info for info in archive.infolist()}
        assert archive.comment == b"hello"
        assert infos["doc.nml"].compress_type == zipfile.ZIP_DEFLATED
        assert infos["data.zip"].compress_type == zipfile.ZIP_STORED
        assert infos["data.zip"].date_time == (1980, 1, 1, 0, 0, 0)
        assert archive.read("plain.txt") == b"plain"
        assert zips.archive_size(archive) == target.stat().st_size
    assert zips.member_path(target, "doc.nml").read_bytes() == b"<things/>" * 100


def test_stored_writer_stores_everything(tmp_path) -> None:
    (tmp_path / "chunk").write_bytes(b"a" * 4096)
    with ZipfileArchives().open_writer(tmp_path / "out.ozx", compressed=False) as archive:
        archive.write_file("chunk", tmp_path / "chunk")
    with zipfile.ZipFile(tmp_path / "out.ozx") as archive:
        assert archive.getinfo("chunk").compress_type == zipfile.ZIP_STORED


# --------------------------------------------------------------------------- FormatMetadata


def test_zarr2_group_marker_is_the_integer_and_rewrites_the_string(tmp_path) -> None:
    folder = UPath(tmp_path)
    (tmp_path / ".zgroup").write_text('{"zarr_format": "2"}')
    Zarr2GroupMetadata().mark_group(folder)
    assert json.loads((tmp_path / ".zgroup").read_text()) == {"zarr_format": 2}


def test_zarr3_group_marker_keeps_an_existing_zarr_json(tmp_path) -> None:
    existing = {"zarr_format": 3, "node_type": "group", "attributes": {"mine": 1}}
    (tmp_path / "zarr.json").write_text(json.dumps(existing))
    Zarr3GroupMetadata().mark_group(UPath(tmp_path))
    assert json.loads((tmp_path / "zarr.json").read_text()) == existing
    Zarr3GroupMetadata().mark_group(UPath(tmp_path / "fresh"))
    assert json.loads((tmp_path / "fresh" / "zarr.json").read_text()) == {"zarr_format": 3, "node_type": "group"}


def test_multiscales_are_written_in_each_formats_ngff_version(tmp_path) -> None:
    multiscale = {"axes": [{"name": "x", "type": "space"}], "datasets": [{"path": "1"}]}
    Zarr3GroupMetadata().write_multiscales(UPath(tmp_path / "v3"), multiscale)
    Zarr2GroupMetadata().write_multiscales(UPath(tmp_path / "v2"), multiscale)
    v3 = json.loads((tmp_path / "v3" / "zarr.json").read_text())
    assert v3["attributes"]["ome"] == {"version": "0.5", "multiscales": [multiscale]}
    v2 = json.loads((tmp_path / "v2" / ".zattrs").read_text())
    assert v2 == {"multiscales": [{"version": "0.4", **multiscale}]}
    assert json.loads((tmp_path / "v2" / ".zgroup").read_text()) == {"zarr_format": 2}


def test_formats_without_groups_have_no_format_metadata() -> None:
    assert ports.format_metadata("wkw") is None
    assert ports.format_metadata("zarr3").data_format == "zarr3"
