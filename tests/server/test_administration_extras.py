"""Task creation edge cases, annotation infos, Datastore, RemoteAiModel and the facade submodules."""

from __future__ import annotations

import json
import warnings

import pytest
from admin_flows import L4_SAMPLE_ID, USER_A_ID, recorded_reply, write_recording
from daedalus.core.administration import NoSuchItemError, TaskCreationError, TaskParameterError
from daedalus.core.administration.task import TaskExperience, TaskStatus
from daedalus.core.annotation import AnnotationState, AnnotationType
from daedalus.core.client import WebknossosAuthError
from wk_replay import RECORDED_TOKEN, RECORDINGS

import daedalus as wk

TASKS = recorded_reply(
    "test_project/test_project_get_tasks.yml", "GET", "/api/v12/projects/69270b34010000b100110a68/tasks"
)
FIXTURE_NML = RECORDINGS.parent / "fixtures" / "wk-testdata" / "nmls" / "test_a.nml"


def _create_task(server) -> list:
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        return wk.Task.create("TT", "proj", "dom", 1, (1, 2, 3), dataset_id=L4_SAMPLE_ID, instances=2)


def test_task_create_sends_the_parameters_and_warns_about_partial_failures(replay, wk_env, tmp_path) -> None:
    reply = {"tasks": [{"status": 400, "error": "no such dataset"}, {"status": 200, "success": TASKS[0]}]}
    reply["warnings"] = ["the bounding box is large"]
    server = replay(write_recording(tmp_path / "r.yml", [("POST", "/api/v12/tasks", 200, reply)]), match_body=False)
    with pytest.warns(UserWarning) as caught:
        tasks = _create_task(server)
    assert [t.task_id for t in tasks] == [TASKS[0]["id"]]
    texts = [str(w.message) for w in caught]
    assert any("the bounding box is large" in t for t in texts)
    partial = next(t for t in texts if "only 1 of 2" in t)
    assert TASKS[0]["id"] in partial and "no such dataset" in partial and "stay on the server" in partial
    (sent,) = json.loads(server.received[0].body)
    assert sent["taskTypeId"] == "TT" and sent["projectName"] == "proj" and sent["pendingInstances"] == 2
    assert (sent["editPosition"], sent["editRotation"], sent["datasetId"]) == ([1, 2, 3], [0, 0, 0], L4_SAMPLE_ID)
    assert sent["neededExperience"] == {"domain": "dom", "value": 1}


def test_task_create_fails_loudly_when_nothing_was_created(replay, wk_env, tmp_path) -> None:
    reply = {"tasks": [{"status": 400, "error": "no such task type"}], "warnings": []}
    server = replay(write_recording(tmp_path / "r.yml", [("POST", "/api/v12/tasks", 200, reply)]), match_body=False)
    with pytest.raises(TaskCreationError) as caught:
        _create_task(server)
    assert "no such task type" in str(caught.value) and "Nothing was created" in str(caught.value)
    assert caught.value.errors == ["no such task type"]


def test_task_create_needs_a_dataset_and_accepts_dataset_objects(replay, wk_env, tmp_path) -> None:
    reply = {"tasks": [{"status": 200, "success": TASKS[0]}], "warnings": []}
    server = replay(write_recording(tmp_path / "r.yml", [("POST", "/api/v12/tasks", 200, reply)]), match_body=False)
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        with pytest.raises(TaskParameterError, match="dataset_id"):
            wk.Task.create("TT", "proj", "dom", 1, (0, 0, 0), dataset_id=None)
        assert not server.received

        class Remote:
            dataset_id = "the-id"

        box = wk.BoundingBox((1, 2, 3), (4, 5, 6))
        wk.Task.create("TT", "proj", "dom", 1, (0, 0, 0), dataset_id=Remote(), bounding_box=box)
    (sent,) = json.loads(server.received[0].body)
    assert sent["datasetId"] == "the-id"
    assert sent["boundingBox"] == {"topLeft": [1, 2, 3], "width": 4, "height": 5, "depth": 6}


def test_create_from_annotations_uploads_each_annotation_as_a_zip(replay, wk_env, tmp_path) -> None:
    reply = {"tasks": [{"status": 200, "success": TASKS[0]}], "warnings": []}
    recording = write_recording(tmp_path / "r.yml", [("POST", "/api/v12/tasks/createFromFiles", 200, reply)])
    server = replay(recording, match_body=False)
    annotation = wk.Annotation.load(FIXTURE_NML)
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        with pytest.raises(TaskParameterError):
            wk.Task.create_from_annotations("TT", "proj", [], "dom", 1)
        (task,) = wk.Task.create_from_annotations("TT", "proj", [annotation], "dom", 2, instances=3)
    assert task.task_id == TASKS[0]["id"] and task.experience == TaskExperience("test_domain", 3)
    body = server.received[0].body
    assert b'name="formJSON"' in body and b'"pendingInstances": 3' in body and b'"projectName": "proj"' in body
    assert f'filename="{annotation.name}.zip"'.encode() in body and b"PK\x03\x04" in body


def test_annotation_infos_of_a_task(replay, wk_env, tmp_path) -> None:
    listed = recorded_reply("test_annotation/test_remote_annotation_list.yml", "GET", "/api/v12/annotations/readable")
    infos = [dict(listed[0], typ="Task", tracingTime=5000), dict(listed[1], typ="Task", state="Finished")]
    route = f"/api/v12/tasks/{TASKS[0]['id']}/annotations"
    server = replay(write_recording(tmp_path / "r.yml", [("GET", route, 200, infos)]))
    task_type = wk.TaskType("tt", "test_task_type", "", "t", "team_X1")
    status, experience = TaskStatus(1, 0, 0), TaskExperience("testing", 0)
    task = wk.Task(
        TASKS[0]["id"], "P", L4_SAMPLE_ID, status, task_type, experience, wk.Vec3Int(0, 0, 0), (0.0, 0.0, 0.0)
    )
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        first, second = task.get_annotation_infos()
    assert (first.id, first.owner_id, first.type, first.state) == (
        listed[0]["id"],
        USER_A_ID,
        AnnotationType.TASK,
        AnnotationState.ACTIVE,
    )
    assert (first.duration_in_seconds, second.state, second.modified) == (5.0, AnnotationState.FINISHED, 1764166561235)


def test_remote_annotations_of_the_current_user(replay, wk_env) -> None:
    server = replay("test_annotation/test_remote_annotation_list.yml")
    listed = recorded_reply("test_annotation/test_remote_annotation_list.yml", "GET", "/api/v12/annotations/readable")
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        infos = wk.AnnotationInfo.get_remote_annotations()
    assert len(infos) == sum(a["owner"]["id"] == USER_A_ID for a in listed) > 0
    assert infos[0].id == "88135c192faeb34c0081c05d" and infos[0].type == AnnotationType.EXPLORATIONAL


def test_unknown_task_type_name_lists_the_known_ones(replay, wk_env) -> None:
    server = replay("test_task/test_delete_task.yml")
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN), pytest.raises(NoSuchItemError) as caught:
        wk.TaskType.get_by_name("segmentation")
    assert "'segmentation'" in str(caught.value) and "ek_0563_BipolarCells, ek_0674_BipolarCells" in str(caught.value)
    with pytest.raises(ValueError, match="tracing_type"):
        wk.TaskType.create("x", "y", wk.Team("t", "n", "o"), "points")


def test_wrong_token_for_a_project(replay, wk_env) -> None:
    server = replay("test_project/test_get_project.yml")
    server.reply_next(401, '{"messages":[{"error":"Invalid token"}]}', path_prefix="/api/v12/projects/")
    with wk.webknossos_context(url=server.url, token="wrong"), pytest.raises(WebknossosAuthError) as caught:
        wk.Project.get_by_id("69270b330100009d00110a62")
    assert "/api/v12/projects/69270b330100009d00110a62" in str(caught.value) and "WK_TOKEN" in str(caught.value)


def test_datastores(replay, wk_env) -> None:
    server = replay("test_api_client/test_datastore_list.yml")
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        (datastore,) = wk.Datastore.get_datastores()
    assert datastore == wk.Datastore(name="localhost", url=server.url, allows_upload=True)
    for interaction in server.interactions:
        interaction.used = False
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        assert wk.Datastore.get_upload_url() == server.url
    for interaction in server.interactions:
        interaction.used = False
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN):
        assert wk.Datastore.get_datastores(allows_upload=False) == []
    for interaction in server.interactions:
        interaction.used = False
    server.interactions[0].reply = b'[{"name": "ro", "url": "http://ro", "allowsUpload": false}]'
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN), pytest.raises(LookupError, match="uploads"):
        wk.Datastore.get_upload_url()


def test_remote_ai_model_open_and_upload(replay, wk_env, tmp_path) -> None:
    source = tmp_path / "model"
    (source / "sub").mkdir(parents=True)
    (source / "weights.bin").write_bytes(b"\x01\x02")
    (source / "sub" / "config.json").write_text("{}")
    target = tmp_path / "store" / "model"
    model = {"id": "ai1", "name": "m", "path": str(target), "isUsable": False}
    reserve = {"existingAiModelId": None, "dataStoreName": "localhost", "name": "m", "comment": "c"}
    reserve |= {"category": "em_nuclei", "pathPrefix": None}
    recording = write_recording(
        tmp_path / "r.yml",
        [
            ("POST", "/api/v12/aiModels/reserveUploadToPath", 200, model, reserve),
            ("POST", "/api/v12/aiModels/ai1/finishUploadToPath", 200, "{}"),
            ("GET", "/api/v12/aiModels/ai1", 200, dict(model, isUsable=True)),
        ],
    )
    server = replay(recording)
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        uploaded = wk.RemoteAiModel.upload_from_path(
            source,
            existing_id=None,
            data_store_name="localhost",
            name="m",
            comment="c",
            category=wk.AiModelCategory.em_nuclei,
            path_prefix=None,
        )
    assert (uploaded.ai_model_id, uploaded.name, uploaded.is_usable) == ("ai1", "m", True)
    assert (target / "weights.bin").read_bytes() == b"\x01\x02" and (target / "sub" / "config.json").exists()
    server.assert_all_used()


def test_facade_submodules_export_the_reference_names() -> None:
    import daedalus.administration
    import daedalus.ai_model
    import daedalus.datastore

    assert sorted(daedalus.administration.__all__) == ["Project", "Task", "TaskType", "Team", "User"]
    assert daedalus.datastore.__all__ == ["Datastore"] and daedalus.datastore.Datastore is wk.Datastore
    assert sorted(daedalus.ai_model.__all__) == ["AiModelCategory", "RemoteAiModel"]
    assert [c.value for c in wk.AiModelCategory] == [
        "em_neurons",
        "em_nuclei",
        "em_synapses",
        "em_neuron_types",
        "em_cell_organelles",
    ]
    assert all(name in wk.__all__ for name in ("User", "Team", "Project", "Task", "TaskType", "Datastore"))


def test_failed_ai_model_transfer_says_what_was_reserved(replay, wk_env, tmp_path) -> None:
    model = {"id": "ai2", "name": "m", "path": str(tmp_path / "store" / "m"), "isUsable": False}
    recording = write_recording(tmp_path / "r.yml", [("POST", "/api/v12/aiModels/reserveUploadToPath", 200, model)])
    server = replay(recording, match_body=False)
    with wk.webknossos_context(url=server.url, token=RECORDED_TOKEN), pytest.raises(RuntimeError) as caught:
        wk.RemoteAiModel.upload_from_path(
            tmp_path / "missing",
            existing_id=None,
            data_store_name="localhost",
            name="m",
            comment=None,
            category=None,
            path_prefix=None,
        )
    message = str(caught.value)
    assert "'ai2'" in message and "not marked finished" in message and "existing_id='ai2'" in message
    assert [r.path for r in server.received] == ["/api/v12/aiModels/reserveUploadToPath"]


def test_open_instance_count_is_a_deprecated_alias() -> None:
    with pytest.warns(DeprecationWarning, match="pending_instance_count"):
        assert TaskStatus(3, 1, 2).open_instance_count == 3
