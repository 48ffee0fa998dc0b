"""RemoteFolder (root, subfolders, teams, renaming, moving, deleting) and RemoteDataset.list."""

from __future__ import annotations

import json

from recorded import interactions

import daedalus as wk

TEAM_ID = "6981f8bace00002675ee2488"


def test_folders_and_teams(wk_server) -> None:
    server = wk_server("test_remote_dataset/test_folders_and_teams.yml")
    root = wk.RemoteFolder.get_root()
    assert (root.id, root.name) == ("570b9f4e4bb848d0885ea917", "Organization_X")
    folder = root.add_subfolder("test_folder")
    assert folder.name == "test_folder" and folder.id == "6981f8bace00002675ee2487"

    folder.allowed_teams = [TEAM_ID]
    assert json.loads(server.received[-1].body) == {"name": "test_folder", "allowedTeams": [TEAM_ID], "metadata": []}
    assert [(t.id, t.name) for t in folder.allowed_teams] == [(TEAM_ID, "test_team")]
    folder.name = "test_folder_renamed"
    assert json.loads(server.received[-1].body)["name"] == "test_folder_renamed"
    assert folder.name == "test_folder_renamed"

    subfolder = folder.add_subfolder("test_folder_subfolder")
    assert subfolder in folder.get_subfolders()
    moved = subfolder.move_to(wk.RemoteFolder.get_root())
    assert moved.id == subfolder.id and moved in root.get_subfolders()
    moved.delete()
    assert moved not in root.get_subfolders()
    folder.delete()
    deleted = [r.path for r in server.received if r.method == "DELETE"]
    assert deleted == [f"/api/v12/folders/{moved.id}", f"/api/v12/folders/{folder.id}"]


def test_get_remote_datasets_lists_ids_and_opens_lazily(wk_server) -> None:
    recording = "test_remote_dataset/test_get_remote_datasets.yml"
    server = wk_server(recording)
    listed = json.loads(interactions(recording)[1]["response"]["body"]["data"])
    datasets = wk.Dataset.get_remote_datasets()
    assert sorted(datasets) == sorted(d["id"] for d in listed)
    assert not [r for r in server.received if r.path.startswith("/data/")]  # nothing opened yet
    ds = datasets["59e9cfbdba632ac2ab8b23b5"]
    assert isinstance(ds, wk.RemoteDataset) and sorted(ds.layers) == ["color", "segmentation"]
    assert ds.name == "l4_sample"

    by_name = wk.RemoteDataset.list(name="l4_sample")
    assert list(by_name) == ["59e9cfbdba632ac2ab8b23b5"]
    assert wk.RemoteDataset.list(tags="never-used-tag") == {}
