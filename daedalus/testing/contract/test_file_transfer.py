"""Contract suite of the FileTransfer port (``file_transfer`` of ``daedalus_file_services``), on the local disk.

Covers the operations whose result can be seen on disk: copying trees, files and streams, moving, removing,
replacing. Run it with ``python -m pytest --pyargs daedalus.testing.contract.test_file_transfer``.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from .adapters import file_service_params


@pytest.fixture(params=file_service_params("file_transfer"))
def transfer(request):
    return request.param


def make_tree(root):
    """A small folder tree; returns ``{relative path: bytes}`` of its files."""
    files = {"a.txt": b"alpha", "sub/b.bin": bytes(range(256)) * 10, "sub/deeper/c.json": b'{"c": 1}'}
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return files


def read_tree(root):
    """``{relative path: bytes}`` of every file below ``root``."""
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in Path(root).rglob("*") if path.is_file()}


def test_copy_tree_copies_every_file(transfer, tmp_path) -> None:
    files = make_tree(tmp_path / "source")
    transfer.copy_tree(tmp_path / "source", tmp_path / "target")
    assert read_tree(tmp_path / "target") == files
    assert read_tree(tmp_path / "source") == files


def test_copy_tree_without_merge_refuses_an_existing_target(transfer, tmp_path) -> None:
    make_tree(tmp_path / "source")
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "keep.txt").write_bytes(b"keep")
    with pytest.raises((FileExistsError, ValueError)):
        transfer.copy_tree(tmp_path / "source", tmp_path / "target", merge=False)
    assert (tmp_path / "target" / "keep.txt").read_bytes() == b"keep"


def test_copy_file_and_stream(transfer, tmp_path) -> None:
    (tmp_path / "one").write_bytes(b"x" * 5000)
    transfer.copy_file(tmp_path / "one", tmp_path / "two")
    assert (tmp_path / "two").read_bytes() == b"x" * 5000
    target = io.BytesIO()
    transfer.copy_stream(io.BytesIO(b"0123456789" * 100), target, block_size=64)
    assert target.getvalue() == b"0123456789" * 100


def test_move_creates_the_parent_and_leaves_nothing_behind(transfer, tmp_path) -> None:
    files = make_tree(tmp_path / "source")
    transfer.move(tmp_path / "source", tmp_path / "new" / "place")
    assert not (tmp_path / "source").exists()
    assert read_tree(tmp_path / "new" / "place") == files


def test_remove_deletes_files_and_folders_and_ignores_missing_ones(transfer, tmp_path) -> None:
    make_tree(tmp_path / "tree")
    (tmp_path / "file").write_bytes(b"1")
    transfer.remove(tmp_path / "tree")
    transfer.remove(tmp_path / "file")
    transfer.remove(tmp_path / "never-existed")
    assert not (tmp_path / "tree").exists() and not (tmp_path / "file").exists()


def test_remove_deletes_a_link_never_its_target(transfer, tmp_path) -> None:
    files = make_tree(tmp_path / "real")
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    transfer.remove(tmp_path / "link")
    assert not os.path.lexists(tmp_path / "link")
    assert read_tree(tmp_path / "real") == files


def test_replace_swaps_in_the_new_content(transfer, tmp_path) -> None:
    (tmp_path / "target.json").write_bytes(b"old")
    (tmp_path / "target.json.tmp").write_bytes(b"new")
    transfer.replace(tmp_path / "target.json.tmp", tmp_path / "target.json")
    assert (tmp_path / "target.json").read_bytes() == b"new"
    assert not (tmp_path / "target.json.tmp").exists()


def test_remove_contents_keeps_the_named_entry(transfer, tmp_path) -> None:
    make_tree(tmp_path / "folder")
    transfer.remove_contents(tmp_path / "folder", keep="sub")
    assert sorted(os.listdir(tmp_path / "folder")) == ["sub"]
    assert (tmp_path / "folder" / "sub" / "deeper" / "c.json").read_bytes() == b'{"c": 1}'
