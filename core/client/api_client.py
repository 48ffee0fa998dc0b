"""WkApiClient: every route of the WEBKNOSSOS server API (``/api/v12/...``) as a typed method."""

from __future__ import annotations

import re
import time
from typing import Any, TypeVar

from daedalus.core import ports
from daedalus.core.properties import DatasetViewConfiguration
from daedalus.core.properties.codec_view import dataset_view_configuration_from_json
from daedalus.core.properties.json_source import JsonSource

from . import models as m
from .abstract_client import DEFAULT_API_VERSION, AbstractApiClient, dumps, segment
from .errors import CannotHandleResponseError

T = TypeVar("T")
PreliminaryParameters = m.ApiReserveDatasetUploadToPathsForPreliminaryParameters
_FILENAME = re.compile(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)\"?", re.IGNORECASE)


def filename_from_disposition(header: str | None) -> str:
    """The file name of a ``Content-Disposition`` header, or ``""``."""
    match = _FILENAME.search(header or "")
    return match.group(1).strip() if match else ""


class WkApiClient(AbstractApiClient):
    """The WEBKNOSSOS server API (``<base_wk_url>/api/v<webknossos_api_version>``); one method per route."""

    base_wk_url: str
    headers: dict[str, str]
    timeout_seconds: float
    webknossos_api_version: int

    def __init__(
        self,
        *,
        base_wk_url: str,
        timeout_seconds: float,
        headers: dict[str, str] | None = None,
        webknossos_api_version: int = DEFAULT_API_VERSION,
        transport: ports.WebknossosTransport | None = None,
    ) -> None:
        super().__init__(base_url=base_wk_url, timeout_seconds=timeout_seconds, headers=headers, transport=transport)
        self.base_wk_url = self.base_url
        self.webknossos_api_version = webknossos_api_version

    @property
    def url_prefix(self) -> str:
        """``<base_wk_url>/api/v<version>``."""
        return f"{self.base_wk_url}/api/v{self.webknossos_api_version}"

    def _ok(self, method: str, route: str, **kwargs: Any) -> None:
        self._request(method, route, **kwargs)

    def _call(self, method: str, route: str, model: type[T], **kwargs: Any) -> T:
        return self._parse(model, self._request(method, route, **kwargs), method, route)

    # ------------------------------------------------------------------ server

    def health(self) -> None:
        """Raise unless the server answers its health check."""
        self._ok("GET", "/health")

    def build_info(self) -> m.ApiWkBuildInfo:
        """The server's build and API version information."""
        return self._get_json("/buildinfo", m.ApiWkBuildInfo)

    def datastore_list(self) -> list[m.ApiDataStore]:
        """The datastores of the server."""
        return self._get_json_list("/datastores", m.ApiDataStore)

    def tracing_store(self) -> m.ApiTracingStore:
        """The server's tracingstore."""
        return self._get_json("/tracingstore", m.ApiTracingStore)

    def short_link_by_key(self, *, key: str) -> m.ApiShortLink:
        """The long link behind a short link key."""
        return self._get_json(f"/shortLinks/byKey/{segment(key)}", m.ApiShortLink)

    # ------------------------------------------------------------------ users and teams

    def user_by_id(self, *, user_id: str) -> m.ApiUser:
        """The user with that id."""
        return self._get_json(f"/users/{segment(user_id)}", m.ApiUser)

    def user_current(self) -> m.ApiUser:
        """The user the token belongs to."""
        return self._get_json("/user", m.ApiUser)

    def user_list(self) -> list[m.ApiUser]:
        """The users the current user may manage."""
        return self._get_json_list("/users", m.ApiUser)

    def user_logged_time(self, *, user_id: str) -> m.ApiLoggedTimeGroupedByMonth:
        """A user's logged time per month."""
        return self._get_json(f"/users/{segment(user_id)}/loggedTime", m.ApiLoggedTimeGroupedByMonth)

    def user_update(self, *, user: m.ApiUser) -> None:
        """Update a user (teams, experiences, rights)."""
        self._ok("PATCH", f"/users/{segment(user.id)}", json_body=user)

    def team_list(self) -> list[m.ApiTeam]:
        """The teams the current user can see."""
        return self._get_json_list("/teams", m.ApiTeam)

    def team_add(self, *, team: m.ApiTeamAdd) -> None:
        """Create a team."""
        self._ok("POST", "/teams", json_body=team)

    def team_delete(self, *, team_id: str) -> None:
        """Delete a team."""
        self._ok("DELETE", f"/teams/{segment(team_id)}")

    # ------------------------------------------------------------------ projects and tasks

    def project_info_by_name(self, *, project_name: str) -> m.ApiProject:
        """The project of that name."""
        return self._get_json(f"/projects/byName/{segment(project_name)}", m.ApiProject)

    def project_info_by_id(self, *, project_id: str) -> m.ApiProject:
        """The project with that id."""
        return self._get_json(f"/projects/{segment(project_id)}", m.ApiProject)

    def project_create(self, *, project: m.ApiProjectCreate) -> m.ApiProject:
        """Create a project."""
        return self._call("POST", "/projects", m.ApiProject, json_body=project)

    def project_update(self, *, project_id: str, project: m.ApiProjectCreate) -> m.ApiProject:
        """Update a project."""
        return self._call("PUT", f"/projects/{segment(project_id)}", m.ApiProject, json_body=project)

    def project_delete(self, *, project_id: str) -> None:
        """Delete a project."""
        self._ok("DELETE", f"/projects/{segment(project_id)}")

    def task_infos_by_project_id_paginated(
        self, *, project_id: str, limit: int | None, page_number: int | None
    ) -> tuple[list[m.ApiTask], int]:
        """One page of a project's tasks and the total number of tasks (``X-Total-Count``)."""
        route = f"/projects/{segment(project_id)}/tasks"
        query = {"limit": limit, "pageNumber": page_number, "includeTotalCount": True}
        response = self._request("GET", route, query=query)
        total = response.headers.get("x-total-count")
        if total is None:
            raise CannotHandleResponseError(
                "GET", self.url_from_route(route), response.status_code, "the reply has no X-Total-Count header"
            )
        return self._parse_list(m.ApiTask, response, "GET", route), int(total)

    def task_info(self, *, task_id: str) -> m.ApiTask:
        """The task with that id."""
        return self._get_json(f"/tasks/{segment(task_id)}", m.ApiTask)

    def task_list(self) -> list[m.ApiTask]:
        """All tasks the current user can see."""
        return self._parse_list(m.ApiTask, self._request("POST", "/tasks/list", json_body={}), "POST", "/tasks/list")

    def task_update(self, *, task_id: str, task_parameters: m.ApiTaskParameters) -> m.ApiTask:
        """Update a task."""
        return self._call("PUT", f"/tasks/{segment(task_id)}", m.ApiTask, json_body=task_parameters)

    def task_delete(self, *, task_id: str) -> None:
        """Delete a task."""
        self._ok("DELETE", f"/tasks/{segment(task_id)}")

    def tasks_create(self, *, task_parameters: list[m.ApiTaskParameters]) -> m.ApiTaskCreationResult:
        """Create tasks."""
        return self._call("POST", "/tasks", m.ApiTaskCreationResult, json_body=list(task_parameters))

    def tasks_create_from_files(
        self, *, nml_task_parameters: m.ApiNmlTaskParameters, annotation_files: list[tuple[str, bytes]]
    ) -> m.ApiTaskCreationResult:
        """Create tasks from annotation files (multipart: ``formJSON`` and one part per file)."""
        files = [("formJSON", (None, dumps(nml_task_parameters)))]
        files += [(name, (name, body, "application/octet-stream")) for name, body in annotation_files]
        return self._call("POST", "/tasks/createFromFiles", m.ApiTaskCreationResult, files=files)

    def task_type_list(self) -> list[m.ApiTaskType]:
        """All task types."""
        return self._get_json_list("/taskTypes", m.ApiTaskType)

    def get_task_type(self, *, task_type_id: str) -> m.ApiTaskType:
        """The task type with that id."""
        return self._get_json(f"/taskTypes/{segment(task_type_id)}", m.ApiTaskType)

    def task_type_create(self, *, task_type: m.ApiTaskTypeCreate) -> m.ApiTaskType:
        """Create a task type."""
        return self._call("POST", "/taskTypes", m.ApiTaskType, json_body=task_type)

    def task_type_delete(self, *, task_type_id: str) -> None:
        """Delete a task type."""
        self._ok("DELETE", f"/taskTypes/{segment(task_type_id)}")

    # ------------------------------------------------------------------ annotations

    def annotation_info(self, *, annotation_id: str) -> m.ApiAnnotation:
        """An annotation's information."""
        query = {"timestamp": int(time.time() * 1000)}
        return self._get_json(f"/annotations/{segment(annotation_id)}/info", m.ApiAnnotation, query=query)

    def annotation_infos_by_task(self, *, task_id: str) -> list[m.ApiAnnotation]:
        """The annotations of a task."""
        return self._get_json_list(f"/tasks/{segment(task_id)}/annotations", m.ApiAnnotation)

    def annotation_list(self, *, is_finished: bool | None) -> list[m.ApiAnnotation]:
        """The annotations the current user can read (optionally only finished or unfinished ones)."""
        return self._get_json_list("/annotations/readable", m.ApiAnnotation, query={"isFinished": is_finished})

    def annotation_download(
        self, *, annotation_id: str, skip_volume_data: bool, retry_count: int = 0
    ) -> tuple[bytes, str]:
        """The annotation file (zip, volume data as zarr3) and its file name; streamed from the server.

        ``retry_count`` is accepted for compatibility; retries follow the transport's retry policy.
        """
        route = f"/annotations/{segment(annotation_id)}/download"
        query = {"skipVolumeData": skip_volume_data, "volumeDataZipFormat": "zarr3"}
        with self._stream("GET", route, query=query) as response:
            content = b"".join(response.iter_bytes())
            return content, filename_from_disposition(response.headers.get("content-disposition"))

    def annotation_upload(
        self,
        *,
        file_body: bytes,
        filename: str,
        createGroupForEachFile: bool,  # noqa: N803 - name of the API
    ) -> m.ApiAnnotationUploadResult:
        """Upload an annotation file (NML or zip)."""
        files = [
            ("createGroupForEachFile", (None, "true" if createGroupForEachFile else "false")),
            (filename, (filename, file_body, "application/zip" if filename.endswith(".zip") else "application/xml")),
        ]
        return self._call("POST", "/annotations/upload", m.ApiAnnotationUploadResult, files=files)

    def annotation_edit(self, *, annotation_typ: str, annotation_id: str, annotation: m.ApiAnnotation) -> None:
        """Update an annotation's name, description, visibility, ..."""
        route = f"/annotations/{segment(annotation_typ)}/{segment(annotation_id)}/edit"
        self._ok("PATCH", route, json_body=annotation)

    # ------------------------------------------------------------------ folders

    def folder_root(self) -> m.ApiFolderWithParent:
        """The organization's root folder."""
        return self._get_json("/folders/root", m.ApiFolderWithParent)

    def folder_tree(self) -> list[m.ApiFolderWithParent]:
        """Every folder with its parent."""
        return self._get_json_list("/folders/tree", m.ApiFolderWithParent)

    def folder_get(self, *, folder_id: str) -> m.ApiFolder:
        """A folder with its teams and metadata."""
        return self._get_json(f"/folders/{segment(folder_id)}", m.ApiFolder)

    def folder_add(self, *, folder_name: str, parent_id: str) -> m.ApiFolderWithParent:
        """Create a folder below ``parent_id``."""
        query = {"parentId": parent_id, "name": folder_name}
        return self._call("POST", "/folders/create", m.ApiFolderWithParent, query=query)

    def folder_move(self, *, folder_id: str, new_parent_id: str) -> m.ApiFolderWithParent:
        """Move a folder below another."""
        query = {"newParentId": new_parent_id}
        return self._call("PUT", f"/folders/{segment(folder_id)}/move", m.ApiFolderWithParent, query=query)

    def folder_update(self, *, folder_id: str, folder: m.ApiFolderUpdate) -> None:
        """Update a folder's name, teams and metadata."""
        self._ok("PUT", f"/folders/{segment(folder_id)}", json_body=folder)

    def folder_delete(self, *, folder_id: str) -> None:
        """Delete a folder."""
        self._ok("DELETE", f"/folders/{segment(folder_id)}")

    # ------------------------------------------------------------------ datasets

    def dataset_info(self, *, dataset_id: str, sharing_token: str | None = None) -> m.ApiDataset:
        """A dataset's information (with a sharing token for datasets shared by link)."""
        return self._get_json(f"/datasets/{segment(dataset_id)}", m.ApiDataset, query={"sharingToken": sharing_token})

    def dataset_list(
        self, *, is_active: bool | None, organization_id: str | None, name: str | None, folder_id: str | None
    ) -> list[m.ApiDataset]:
        """Datasets, filtered by activity, organization, name (search) and folder."""
        query = {"isActive": is_active, "organizationId": organization_id, "searchQuery": name, "folderId": folder_id}
        return self._get_json_list("/datasets", m.ApiDataset, query=query)

    def dataset_id_from_name(self, *, directory_name: str, organization_id: str) -> str:
        """The id of the dataset in ``directory_name`` of an organization."""
        route = f"/datasets/disambiguate/{segment(organization_id)}/{segment(directory_name)}/toId"
        return self._get_json(route, m.ApiDatasetId).id

    def dataset_is_valid_new_name(self, *, dataset_name: str) -> m.ApiDatasetIsValidNewNameResponse:
        """Whether a new dataset may have this name."""
        return self._get_json(f"/datasets/{segment(dataset_name)}/isValidNewName", m.ApiDatasetIsValidNewNameResponse)

    def dataset_sharing_token(self, *, dataset_id: str) -> m.ApiSharingToken:
        """The dataset's sharing token."""
        return self._get_json(f"/datasets/{segment(dataset_id)}/sharingToken", m.ApiSharingToken)

    def dataset_update(self, *, dataset_id: str, dataset_updates: dict[str, Any]) -> None:
        """Change some of a dataset's settings (``{"description": ..., "isPublic": ...}``)."""
        self._ok("PATCH", f"/datasets/{segment(dataset_id)}/updatePartial", json_body=dataset_updates)

    def dataset_delete(self, *, dataset_id: str) -> None:
        """Delete a dataset from the server (irreversible)."""
        self._ok("DELETE", f"/datasets/{segment(dataset_id)}")

    def dataset_update_teams(self, *, dataset_id: str, team_ids: list[str]) -> None:
        """Set the teams allowed to see a dataset."""
        self._ok("PATCH", f"/datasets/{segment(dataset_id)}/teams", json_body=list(team_ids))

    def dataset_explore_and_add_remote(self, *, dataset: m.ApiDatasetExploreAndAddRemote) -> str:
        """Explore a remote URI and add it as a dataset; returns the new dataset's id."""
        response = self._request("POST", "/datasets/exploreAndAddRemote", json_body=dataset)
        return str(self._json_value(response))

    def dataset_add_mag_as_ref(self, *, dataset_id: str, compose_mag: m.ApiDatasetComposeMag) -> None:
        """Add another dataset's mag to a layer of dataset ``dataset_id`` as a reference."""
        self._request("POST", f"/datasets/{dataset_id}/compose/addMag", json_body=compose_mag)

    def dataset_add_layer_as_ref(self, *, dataset_id: str, compose_layer: m.ApiDatasetComposeLayer) -> None:
        """Add another dataset's layer to dataset ``dataset_id`` as a reference."""
        self._request("POST", f"/datasets/{dataset_id}/compose/addLayer", json_body=compose_layer)

    def dataset_add_attachment_as_ref(
        self, *, dataset_id: str, compose_attachment: m.ApiDatasetComposeAttachment
    ) -> None:
        """Add another dataset's attachment to a layer of dataset ``dataset_id`` as a reference."""
        self._request("POST", f"/datasets/{dataset_id}/compose/addAttachment", json_body=compose_attachment)

    def dataset_configuration(self, *, dataset_id: str, volume_tracing_ids: list[str]) -> DatasetViewConfiguration:
        """The view configuration the server derives for ``dataset_id`` with these volume tracings."""
        route = f"/datasetConfigurations/{dataset_id}"
        response = self._request("POST", route, json_body=list(volume_tracing_ids))
        return dataset_view_configuration_from_json(self._json_value(response), JsonSource(route), "")

    # ------------------------------------------------------------------ uploads to paths

    def reserve_dataset_upload_to_paths(
        self, reserve_dataset_upload_to_path_parameters: m.ApiReserveDatasetUploadToPathsParameters
    ) -> m.ApiReserveDatasetUploadToPathsResponse:
        """Reserve a new dataset whose files the client writes to the returned paths."""
        return self._call(
            "POST",
            "/datasets/reserveUploadToPaths",
            m.ApiReserveDatasetUploadToPathsResponse,
            json_body=reserve_dataset_upload_to_path_parameters,
        )

    def reserve_dataset_upload_to_paths_for_preliminary(
        self,
        dataset_id: str,
        reserve_dataset_upload_to_path_for_preliminary_parameters: PreliminaryParameters,
    ) -> m.ApiReserveDatasetUploadToPathsForPreliminaryResponse:
        """Reserve paths for a preliminary dataset."""
        return self._call(
            "POST",
            f"/datasets/{segment(dataset_id)}/reserveUploadToPathsForPreliminary",
            m.ApiReserveDatasetUploadToPathsForPreliminaryResponse,
            json_body=reserve_dataset_upload_to_path_for_preliminary_parameters,
        )

    def finish_dataset_upload_to_paths(self, dataset_id: str) -> None:
        """Mark a dataset upload to paths as complete."""
        self._ok("POST", f"/datasets/{segment(dataset_id)}/finishUploadToPaths")

    def reserve_mag_upload_to_paths(
        self, dataset_id: str, reserve_mag_upload_to_path_parameters: m.ApiReserveMagUploadToPathParameters
    ) -> str:
        """Reserve a path for a new mag of a dataset; returns the path."""
        route = f"/datasets/{segment(dataset_id)}/reserveMagUploadToPath"
        return str(self._json_value(self._request("POST", route, json_body=reserve_mag_upload_to_path_parameters)))

    def finish_mag_upload_to_paths(
        self, dataset_id: str, reserve_mag_upload_to_path_parameters: m.ApiReserveMagUploadToPathParameters
    ) -> None:
        """Mark a mag upload to its reserved path as complete."""
        route = f"/datasets/{segment(dataset_id)}/finishMagUploadToPath"
        self._ok("POST", route, json_body=reserve_mag_upload_to_path_parameters)

    def reserve_attachment_upload_to_path(
        self,
        dataset_id: str,
        layer_name: str,
        attachment_name: str,
        attachment_type: str,
        attachment_dataformat: str,
        common_storage_prefix: str | None = None,
        overwrite_pending: bool = True,
    ) -> str:
        """Reserve a path for a new attachment of a layer; returns the path."""
        params = m.ApiReserveAttachmentUploadToPathParameters(
            layer_name, attachment_name, attachment_type, attachment_dataformat, common_storage_prefix
        )
        body = _with(params, overwritePending=overwrite_pending) if not overwrite_pending else params
        route = f"/datasets/{segment(dataset_id)}/reserveAttachmentUploadToPath"
        return str(self._json_value(self._request("POST", route, json_body=body)))

    def finish_attachment_upload_to_path(
        self,
        dataset_id: str,
        layer_name: str,
        attachment_name: str,
        attachment_type: str,
        attachment_dataformat: str,
        common_storage_prefix: str | None = None,
    ) -> None:
        """Mark an attachment upload to its reserved path as complete."""
        params = m.ApiReserveAttachmentUploadToPathParameters(
            layer_name, attachment_name, attachment_type, attachment_dataformat, common_storage_prefix
        )
        self._ok("POST", f"/datasets/{segment(dataset_id)}/finishAttachmentUploadToPath", json_body=params)

    # ------------------------------------------------------------------ AI models

    def get_ai_model_info(self, ai_model_id: str) -> m.ApiAiModel:
        """An AI model's information."""
        return self._get_json(f"/aiModels/{segment(ai_model_id)}", m.ApiAiModel)

    def reserve_ai_model_upload_to_path(self, params: m.ApiReserveAiModelUploadToPathParameters) -> m.ApiAiModel:
        """Reserve a path for an AI model upload."""
        return self._call("POST", "/aiModels/reserveUploadToPath", m.ApiAiModel, json_body=params)

    def finish_ai_model_upload_to_path(self, ai_model_id: str) -> None:
        """Mark an AI model upload as complete."""
        self._ok("POST", f"/aiModels/{segment(ai_model_id)}/finishUploadToPath")

    # ------------------------------------------------------------------ generic

    def post_multipart_with_json_response(
        self, route: str, response_type: type[T], multipart_data: Any = None, files: Any = None
    ) -> T:
        """POST a multipart form (``multipart_data`` fields and ``files``) to ``route`` and parse the JSON reply."""
        return self._call("POST", route, response_type, data=multipart_data, files=files)


def _with(params: Any, **extra: Any) -> dict[str, Any]:
    """``params`` encoded as JSON with additional keys."""
    from .serialization import to_json

    return {**to_json(params), **extra}
