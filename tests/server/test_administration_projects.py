"""Project against the test_project/ recordings, plus paginated task lists and unknown projects."""

from __future__ import annotations

import pytest
from admin_flows import (
    L4_SAMPLE_ID,
    TEAM_X1_ID,
    USER_A_ID,
    assert_only_dataset_opening_unused,
    recorded_reply,
    write_recording,
)
from daedalus.core.administration import NotFoundError
from wk_replay import RECORDED_TOKEN

import daedalus as wk


def _create(name: str) -> wk.Project:
    team = wk.Team.get_by_name("team_X1")
    return wk.Project.create(name, team, expected_time=1234, priority=1)


def test_project_create(replay, wk_env) -> None:
    server = replay("test_project/test_project_create.yml")
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        project = _create("test_create_project")
        current_user = wk.User.get_current_user()
    assert project == wk.Project(
        project_id="69270b330100009d00110a63",
        name="test_create_project",
        team_id=TEAM_X1_ID,
        team_name="team_X1",
        owner_id=USER_A_ID,
        priority=1,
        paused=False,
        expected_time=1234,
        is_blacklisted_from_report=False,
    )
    assert project.owner_id == current_user.user_id
    server.assert_all_used()


def test_get_project_by_name_and_id(replay, wk_env) -> None:
    server = replay("test_project/test_get_project.yml")
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        created = _create("test_get_project")
        by_name = wk.Project.get_by_name("test_get_project")
        by_id = wk.Project.get_by_id(by_name.project_id)
    assert created == by_name == by_id
    assert by_id.project_id == "69270b330100009d00110a62" and by_id.team_name == "team_X1"
    server.assert_all_used()


def test_project_delete_then_it_is_not_found(replay, wk_env) -> None:
    server = replay("test_project/test_project_delete.yml")
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        project = _create("test_delete_project")
        project.delete()
        with pytest.raises(NotFoundError) as caught:
            wk.Project.get_by_name("test_delete_project")
    message = str(caught.value)
    assert "project named 'test_delete_project' does not exist" in message
    assert "Project could not be found" in message and "Project.create" in message
    assert isinstance(caught.value, ValueError)  # as the reference's get_by_name raises
    assert [r.method for r in server.received].count("DELETE") == 1
    server.assert_all_used()


def test_project_get_owner(replay, wk_env) -> None:
    server = replay("test_project/test_project_get_owner.yml")
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        owner = _create("test_get_owner_project").get_owner()
        current = wk.User.get_current_user()
    assert owner.user_id == current.user_id == USER_A_ID
    assert owner.email == "user_a@scalableminds.com" and owner.last_activity == 1764166452159
    server.assert_all_used()


def test_project_update(replay, wk_env) -> None:
    server = replay("test_project/test_project_update.yml")
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        project = _create("test_update_project")
        updated = project.update(priority=2, expected_time=5678, is_blacklisted_from_report=True)
    assert (updated.priority, updated.expected_time, updated.is_blacklisted_from_report) == (2, 5678, True)
    assert (updated.project_id, updated.name, updated.paused) == (project.project_id, "test_update_project", False)
    assert (project.priority, project.expected_time) == (1, 1234)  # the old object keeps the old values
    server.assert_all_used()


def test_project_get_tasks(replay, wk_env) -> None:
    server = replay("test_project/test_project_get_tasks.yml")
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        team = wk.Team.get_by_name("team_X1")
        assert wk.User.get_current_user().user_id == USER_A_ID
        project = wk.Project.create("test_get_task_project", team, expected_time=1234, priority=1)
        task_type = wk.TaskType.create("test_task_type", "test_task_type_description", "team_X1", "volume")
        created = [
            wk.Task.create(task_type, "test_get_task_project", "test_domain", 3, (0, 0, 0), dataset_id=L4_SAMPLE_ID)[0]
            for _ in range(3)
        ]
        tasks = project.get_tasks()
    assert len(tasks) == 3
    assert {t.task_id for t in tasks} == {t.task_id for t in created}
    assert {t.project_id for t in tasks} == {project.project_id}
    assert all(t.status.pending_instance_count == 1 and t.experience.domain == "test_domain" for t in tasks)
    assert tasks[0].task_type.name == "test_task_type" and tasks[0].task_type.tracingType == "volume"
    assert_only_dataset_opening_unused(server)


def _task_pages(tmp_path, limit, totals_and_pages):
    """Replies of ``GET /projects/P/tasks`` pages of ``limit``: ``(total, tasks on the page)`` per page."""
    tasks = recorded_reply(
        "test_project/test_project_get_tasks.yml", "GET", "/api/v12/projects/69270b34010000b100110a68/tasks"
    )
    items = []
    for page, (total, count) in enumerate(totals_and_pages):
        route = f"/api/v12/projects/P/tasks?limit={limit}&pageNumber={page}&includeTotalCount=true"
        items.append(("GET", route, 200, tasks[:count], None, {"x-total-count": str(total)}))
    return write_recording(tmp_path / "pages.yml", items)


def _project() -> wk.Project:
    return wk.Project("P", "big", TEAM_X1_ID, "team_X1", USER_A_ID, 1, False, None, False)


def test_get_tasks_warns_when_more_than_a_page_exists(replay, wk_env, tmp_path, monkeypatch) -> None:
    import daedalus.core.administration.project as project_module

    monkeypatch.setattr(project_module, "TASK_PAGE_SIZE", 2)
    server = replay(_task_pages(tmp_path, 2, [(5, 2)]))
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN), pytest.warns(UserWarning, match="5 tasks"):
        assert len(_project().get_tasks()) == 2
    server.assert_all_used()


def test_get_tasks_fetch_all_follows_the_pages(replay, wk_env, tmp_path, monkeypatch) -> None:
    import daedalus.core.administration.project as project_module

    monkeypatch.setattr(project_module, "TASK_PAGE_SIZE", 2)
    server = replay(_task_pages(tmp_path, 2, [(3, 2), (3, 1)]))
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        tasks = _project().get_tasks(fetch_all=True)
    assert len(tasks) == 3
    server.assert_all_used()


def test_unknown_project_id(replay, wk_env, tmp_path) -> None:
    reply = {"messages": [{"error": "Project could not be found"}]}
    server = replay(write_recording(tmp_path / "r.yml", [("GET", "/api/v12/projects/nope", 404, reply)]))
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN), pytest.raises(NotFoundError) as caught:
        wk.Project.get_by_id("nope")
    assert "project with id 'nope' does not exist or is not visible" in str(caught.value)
    assert caught.value.status_code == 404
