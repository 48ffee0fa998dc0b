"""TransferMode: copy, move + symlink and symlink between local paths; HTTP is not a local transfer."""

import os

import pytest
from upath import UPath

import daedalus as wk


@pytest.fixture
def folder(tmp_path):
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.bin").write_bytes(b"abc")
    (src / "sub" / "b.bin").write_bytes(b"xyz")
    return src


def test_values():
    assert [m.value for m in wk.TransferMode] == ["copy", "move+symlink", "symlink", "http"]
    assert wk.TransferMode("move+symlink") is wk.TransferMode.MOVE_AND_SYMLINK


def test_copy_local_and_to_memory(folder, tmp_path):
    wk.TransferMode.COPY.transfer(UPath(folder), UPath(tmp_path / "dst"))
    assert (tmp_path / "dst" / "sub" / "b.bin").read_bytes() == b"xyz"
    assert (folder / "a.bin").exists()
    wk.TransferMode.COPY.copy(UPath(folder), UPath("memory:///transfer-test"))
    assert UPath("memory:///transfer-test/sub/b.bin").read_bytes() == b"xyz"
    wk.TransferMode.COPY.copy(UPath("memory:///transfer-test"), UPath(tmp_path / "back"))
    assert (tmp_path / "back" / "a.bin").read_bytes() == b"abc"


def test_symlink(folder, tmp_path):
    wk.TransferMode.SYMLINK.transfer(UPath(folder), UPath(tmp_path / "link"))
    assert os.path.islink(tmp_path / "link")
    assert (tmp_path / "link" / "a.bin").read_bytes() == b"abc"


def test_move_and_symlink(folder, tmp_path):
    wk.TransferMode.MOVE_AND_SYMLINK.transfer(UPath(folder), UPath(tmp_path / "moved"))
    assert (tmp_path / "moved").is_dir() and not os.path.islink(tmp_path / "moved")
    assert os.path.islink(folder)
    assert (folder / "sub" / "b.bin").read_bytes() == b"xyz"


def test_http_and_remote_symlinks_are_refused(folder, tmp_path):
    with pytest.raises(ValueError, match="HTTP"):
        wk.TransferMode.HTTP.transfer(UPath(folder), UPath(tmp_path / "x"))
    with pytest.raises(ValueError, match="local paths"):
        wk.TransferMode.SYMLINK.transfer(UPath(folder), UPath("memory:///nope"))
