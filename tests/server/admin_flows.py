"""Helpers of the administration tests: the recorded task set-up flow and small hand-written recordings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from daedalus.core.administration import NotFoundError
from wk_replay import RECORDINGS

import daedalus as wk

L4_SAMPLE_ID = "59e9cfbdba632ac2ab8b23b5"
USER_A_ID = "570b9f4d2a7c0e4d008da6ef"
TEAM_X1_ID = "570b9f4b2a7c0e3b008da6ec"
# requests of the recorded tests that opened l4_sample as a RemoteDataset (not part of the administration API)
DATASET_OPENING_PATHS = frozenset(
    {
        "/api/v12/user",
        "/api/v12/datasets",
        f"/api/v12/datasets/{L4_SAMPLE_ID}",
        f"/data/v12/zarr/{L4_SAMPLE_ID}/datasource-properties.json",
    }
)


def set_up_task(
    *, drop_stale_task_type: bool = False, create_task: bool = True, open_dataset: bool = False
) -> tuple[Any, Any, Any]:
    """The set-up the test_task/ recordings start with: a task type, the project ``test_project`` and a task.

    With ``open_dataset`` the task is created for l4_sample opened as a RemoteDataset (as recorded), else by id.
    """
    team = wk.Team.get_by_name("team_X1")
    if drop_stale_task_type:
        for stale in wk.TaskType.get_list():
            if stale.name == "test_task_type":
                stale.delete()
    else:
        wk.TaskType.get_list()
    task_type = wk.TaskType.create("test_task_type", "This is a test task type", team, "volume")
    try:
        project = wk.Project.get_by_name("test_project")
    except NotFoundError:
        project = wk.Project.create("test_project", team, expected_time=1234, priority=1)
    assert wk.TaskType.get_by_name("test_task_type") == task_type
    if not create_task:
        return task_type, project, None
    dataset = wk.RemoteDataset.open("l4_sample") if open_dataset else L4_SAMPLE_ID
    (task,) = wk.Task.create(task_type, project, "testing", 0, (0, 0, 0), dataset_id=dataset)
    return task_type, project, task


def assert_only_dataset_opening_unused(server: Any) -> None:
    """Every recorded interaction was requested except those of opening l4_sample as a RemoteDataset."""
    unused = {i.path for i in server.unused()}
    assert unused <= DATASET_OPENING_PATHS, unused


def recorded_reply(recording: str, method: str, path: str, index: int = 0) -> Any:
    """The JSON reply of the ``index``-th ``method path`` interaction of a recording."""
    document = yaml.safe_load((RECORDINGS / recording).read_text())
    hits = [
        i
        for i in document["http_interactions"]
        if i["request"]["method"] == method and i["request"]["path"].split("?")[0] == path
    ]
    return json.loads(hits[index]["response"]["body"]["data"])


def write_recording(path: Path, interactions: list[tuple[Any, ...]]) -> Path:
    """A recording of ``(method, path, status, reply[, request_body[, reply_headers]])`` items at ``path``."""
    items = []
    for method, route, status, reply, *rest in interactions:
        request_body = rest[0] if rest else None
        headers = rest[1] if len(rest) > 1 else {}
        items.append(
            {
                "request": {
                    "method": method,
                    "path": route,
                    "headers": {"content-type": "application/json"},
                    "body": {"encoding": "utf8", "data": "" if request_body is None else json.dumps(request_body)},
                },
                "response": {
                    "status": {"code": status},
                    "headers": {"content-type": "application/json", **headers},
                    "body": {"encoding": "utf8", "data": reply if isinstance(reply, str) else json.dumps(reply)},
                },
            }
        )
    path.write_text(yaml.safe_dump({"http_interactions": items}))
    return path
