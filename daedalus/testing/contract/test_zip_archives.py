"""Contract suite of the ZipArchives port (``zip_archives`` of ``daedalus_file_services``): members written are read
back by name and in order, from paths and streams; a damaged zip raises one of ``damage_errors``.
"""

from __future__ import annotations

import io

import pytest

from .adapters import file_service_params

MEMBERS = {"annotation.nml": b"<things/>", "data_Volume.zip": bytes(range(256)) * 50, "folder/notes.txt": b"hi"}


@pytest.fixture(params=file_service_params("zip_archives"))
def archives(request):
    return request.param


def write_members(archives, target, *, compressed=True) -> None:
    with archives.open_writer(target, compressed=compressed, comment=b"made by the contract suite") as writer:
        writer.write_bytes("annotation.nml", MEMBERS["annotation.nml"])
        writer.write_bytes("data_Volume.zip", MEMBERS["data_Volume.zip"], precompressed=True)
        with writer.open_member("folder/notes.txt") as stream:
            stream.write(MEMBERS["folder/notes.txt"])


def read_members(archives, source) -> dict[str, bytes]:
    with archives.open_reader(source, "the test zip") as reader:
        assert reader.namelist() == list(MEMBERS)
        assert [entry.filename for entry in reader.infolist()] == list(MEMBERS)
        assert reader.getinfo("folder/notes.txt").file_size == len(MEMBERS["folder/notes.txt"])
        result = {}
        for name in reader.namelist():
            with reader.open(name) as stream:
                result[name] = stream.read()
        return result


@pytest.mark.parametrize("compressed", [True, False])
def test_members_round_trip_through_a_file(archives, tmp_path, compressed) -> None:
    write_members(archives, tmp_path / "a.zip", compressed=compressed)
    assert read_members(archives, tmp_path / "a.zip") == MEMBERS


def test_members_round_trip_through_a_stream(archives) -> None:
    buffer = io.BytesIO()
    write_members(archives, buffer)
    buffer.seek(0)
    assert read_members(archives, buffer) == MEMBERS


def test_write_file_adds_a_local_file(archives, tmp_path) -> None:
    (tmp_path / "local.bin").write_bytes(b"\x00" * 1000)
    with archives.open_writer(tmp_path / "b.zip") as writer:
        writer.write_file("inside/local.bin", tmp_path / "local.bin")
    with archives.open_reader(tmp_path / "b.zip", "b.zip") as reader, reader.open("inside/local.bin") as stream:
        assert stream.read() == b"\x00" * 1000


def test_a_damaged_zip_raises_a_declared_error(archives, tmp_path) -> None:
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 not really a zip" * 10)
    with pytest.raises(tuple(archives.damage_errors)):
        with archives.open_reader(tmp_path / "broken.zip", "broken.zip") as reader:
            reader.namelist()
