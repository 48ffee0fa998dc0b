"""Task and TaskType against the test_task/ recordings (create, get, list, update, delete, project of a task)."""

from __future__ import annotations

import pytest
from admin_flows import L4_SAMPLE_ID, TEAM_X1_ID, assert_only_dataset_opening_unused, set_up_task
from daedalus.core.administration import NotFoundError
from daedalus.core.administration.task import TaskExperience, TaskStatus
from wk_replay import RECORDED_TOKEN

import daedalus as wk


def test_get_task(replay, wk_env) -> None:
    server = replay("test_task/test_get_task.yml")
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        task_type, project, task = set_up_task(drop_stale_task_type=True)
        fetched = wk.Task.get_by_id(task.task_id)
        task_type.delete()
        project.delete()
    assert fetched == task
    assert fetched.task_id == "69270b360100009c00110a76" and fetched.project_id == project.project_id
    assert fetched.dataset_id == L4_SAMPLE_ID and fetched.edit_position == wk.Vec3Int(0, 0, 0)
    assert fetched.edit_rotation == (0.0, 0.0, 0.0) and fetched.bounding_box is None and fetched.script_id is None
    assert fetched.status == TaskStatus(1, 0, 0) and fetched.experience == TaskExperience("testing", 0)
    assert fetched.task_type == task_type and task_type.team_id == TEAM_X1_ID
    deleted = [r.path for r in server.received if r.method == "DELETE"]
    assert deleted[0] == "/api/v12/taskTypes/69270b34010000b000110a69"  # the stale task type of an earlier run
    assert_only_dataset_opening_unused(server)


def test_get_task_type(replay, wk_env) -> None:
    server = replay("test_task/test_get_task_type.yml")
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        task_type, project, _ = set_up_task(create_task=False)
        fetched = wk.TaskType.get_by_id(task_type.task_type_id)
        task_type.delete()
        project.delete()
    assert fetched == task_type
    assert (fetched.task_type_id, fetched.name, fetched.description) == (
        "69270b380100009c00110a7d",
        "test_task_type",
        "This is a test task type",
    )
    assert (fetched.team_name, fetched.tracingType, fetched.settings["magRestrictions"]) == (
        "team_X1",
        "volume",
        {"min": 1, "max": 1},
    )
    server.assert_all_used()


def test_task_list(replay, wk_env) -> None:
    server = replay("test_task/test_task_list.yml")
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        task_type, project, task = set_up_task()
        tasks = wk.Task.get_list()
        task_type.delete()
        project.delete()
    assert len(tasks) == 5
    assert tasks[-1] == task
    assert [t.task_type.name for t in tasks[:3]] == ["ek_0563_BipolarCells"] * 2 + ["ek_0674_BipolarCells"]
    assert tasks[0].status == TaskStatus(9, 0, 1) and tasks[0].experience == TaskExperience("abc", 0)
    assert_only_dataset_opening_unused(server)


def test_task_get_project_of_a_task_on_a_remote_dataset(replay, wk_env) -> None:
    server = replay("test_task/test_task_get_project.yml")
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        task_type, project, task = set_up_task(open_dataset=True)
        task_project = task.get_project()
        task_type.delete()
        project.delete()
    assert task_project == project
    assert (task_project.project_id, task_project.name, task_project.expected_time) == (
        "69270b370100009c00110a79",
        "test_project",
        1234,
    )
    assert task.dataset_id == L4_SAMPLE_ID
    assert {i.method for i in server.unused()} <= {"HEAD"}  # RemoteDataset.open reads the properties with GET


def test_update_task(replay, wk_env) -> None:
    server = replay("test_task/test_update_task.yml")
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        task_type, project, task = set_up_task()
        updated = task.update(remaining_instances=4)
        task_type.delete()
        project.delete()
    assert task.status.pending_instance_count == 1
    assert updated.status == TaskStatus(4, 0, 0)
    assert updated.task_id == task.task_id == "69270b380100009c00110a82"
    assert_only_dataset_opening_unused(server)


def test_delete_task(replay, wk_env) -> None:
    server = replay("test_task/test_delete_task.yml")
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        task_type, project, task = set_up_task()
        task.delete()
        with pytest.raises(NotFoundError) as caught:
            wk.Task.get_by_id(task.task_id)
        task_type.delete()
        project.delete()
    message = str(caught.value)
    assert f"task with id '{task.task_id}' does not exist" in message and "Task could not be found" in message
    assert "Task.get_list()" in message
    deletes = [r.path.rsplit("/", 2)[-2] for r in server.received if r.method == "DELETE"]
    assert deletes == ["tasks", "taskTypes", "projects"]
    assert_only_dataset_opening_unused(server)
