"""Request and response models of the WEBKNOSSOS REST API (v12), named like the API reference's ``Api*`` classes.

Fields are snake_case, JSON keys camelCase (see ``serialization``); every model keeps unknown keys in
``extra_json``.
"""

from __future__ import annotations

from typing import Any, Literal

import attrs
from daedalus.core.properties import DatasetProperties, dataset_properties_from_json, dataset_properties_to_json

from .serialization import extra_field

model = attrs.define(kw_only=False)


def _messages(raw: Any) -> list[str]:
    """WEBKNOSSOS messages (``[{"success": "..."}]`` or plain strings) as strings."""
    out = []
    for item in raw or []:
        out.extend(str(v) for v in item.values()) if isinstance(item, dict) else out.append(str(item))
    return out


def _data_source(raw: Any) -> ApiUnusableDataSource | DatasetProperties:
    """A dataset's data source: properties, or the unusable placeholder WEBKNOSSOS sends (``status`` set)."""
    if isinstance(raw, dict) and "dataLayers" not in raw:
        return ApiUnusableDataSource(id=dict(raw.get("id") or {}), status=str(raw.get("status", "")))
    return dataset_properties_from_json(raw)


def _encode_data_source(value: ApiUnusableDataSource | DatasetProperties) -> Any:
    if isinstance(value, DatasetProperties):
        return dataset_properties_to_json(value)
    return {"id": dict(value.id), "status": value.status}


DATA_SOURCE = {"decode": _data_source, "encode": _encode_data_source}
PROPERTIES = {"decode": dataset_properties_from_json, "encode": dataset_properties_to_json}

# ------------------------------------------------------------------ server


@model
class ApiWkBuildInfoWebknossos:
    """Name and version of the WEBKNOSSOS build."""

    name: str
    version: str
    extra_json: dict[str, Any] = extra_field()


@model
class ApiWkBuildInfo:
    """The server's build information (``GET /buildinfo``); ``extra_json["httpApiVersioning"]`` holds versions."""

    webknossos: ApiWkBuildInfoWebknossos
    local_data_store_enabled: bool
    local_tracing_store_enabled: bool
    extra_json: dict[str, Any] = extra_field()

    @property
    def api_versions(self) -> tuple[int, int] | None:
        """``(oldest supported, current)`` API version the server speaks, if it says."""
        versioning = self.extra_json.get("httpApiVersioning") or {}
        try:
            return int(versioning["oldestSupportedApiVersion"]), int(versioning["currentApiVersion"])
        except (KeyError, TypeError, ValueError):
            return None


@model
class ApiDataStore:
    """A datastore the server knows."""

    url: str
    name: str
    allows_upload: bool
    extra_json: dict[str, Any] = extra_field()


@model
class ApiTracingStore:
    """The server's tracingstore."""

    name: str
    url: str
    extra_json: dict[str, Any] = extra_field()


@model
class ApiShortLink:
    """The long link behind a short link key."""

    long_link: str
    extra_json: dict[str, Any] = extra_field()


# ------------------------------------------------------------------ users and teams


@model
class ApiTeam:
    """A team of an organization."""

    id: str
    name: str
    organization: str
    extra_json: dict[str, Any] = extra_field()


@model
class ApiTeamAdd:
    """Payload to create a team."""

    name: str


@model
class ApiTeamMembership:
    """A user's membership in a team."""

    id: str
    name: str
    is_team_manager: bool
    extra_json: dict[str, Any] = extra_field()


@model
class ApiUser:
    """A user of the server."""

    id: str
    email: str
    organization: str
    first_name: str
    last_name: str
    created: int
    last_activity: int
    is_active: bool
    is_admin: bool
    is_dataset_manager: bool
    teams: list[ApiTeamMembership]
    experiences: dict[str, int]
    extra_json: dict[str, Any] = extra_field()


@model
class ApiUserCompact:
    """The short form of a user embedded in annotations and projects."""

    id: str
    first_name: str
    last_name: str
    email: str | None = None
    is_admin: bool | None = None
    is_dataset_manager: bool | None = None
    extra_json: dict[str, Any] = extra_field()


@model
class ApiMonth:
    """A calendar month."""

    month: int
    year: int
    extra_json: dict[str, Any] = extra_field()


@model
class ApiLoggedTimeForMonth:
    """Time a user logged in one month."""

    payment_interval: ApiMonth
    duration_in_seconds: int
    extra_json: dict[str, Any] = extra_field()


@model
class ApiLoggedTimeGroupedByMonth:
    """A user's logged time, month by month."""

    logged_time: list[ApiLoggedTimeForMonth]
    extra_json: dict[str, Any] = extra_field()


# ------------------------------------------------------------------ projects and tasks


@model
class ApiProject:
    """A project (a set of tasks)."""

    id: str
    name: str
    team: str
    team_name: str
    priority: int
    paused: bool
    owner: ApiUserCompact | None
    is_blacklisted_from_report: bool
    expected_time: int | None = None
    extra_json: dict[str, Any] = extra_field()


@model
class ApiProjectCreate:
    """Payload to create or update a project (``team`` and ``owner`` are ids)."""

    name: str
    team: str
    priority: int
    paused: bool
    is_blacklisted_from_report: bool
    expected_time: int | None = None
    owner: str | None = None


@model
class ApiExperience:
    """An experience domain and level."""

    domain: str
    value: int
    extra_json: dict[str, Any] = extra_field()


@model
class ApiBoundingBox:
    """A box as WEBKNOSSOS sends it: top-left corner and extent."""

    top_left: tuple[int, int, int]
    width: int
    height: int
    depth: int
    extra_json: dict[str, Any] = extra_field()


@model
class ApiScript:
    """A user script attached to tasks."""

    id: str
    name: str
    owner: str
    extra_json: dict[str, Any] = extra_field()


@model
class ApiTaskStatus:
    """How many instances of a task are pending, active and finished."""

    pending: int
    active: int
    finished: int
    extra_json: dict[str, Any] = extra_field()


@model
class ApiTaskType:
    """A task type."""

    id: str
    summary: str
    description: str
    team_id: str
    team_name: str
    settings: dict[str, Any] | None = None
    tracing_type: Literal["skeleton", "volume", "hybrid"] | None = None
    extra_json: dict[str, Any] = extra_field()


@model
class ApiTaskTypeCreate:
    """Payload to create a task type."""

    summary: str
    description: str
    team_id: str
    team_name: str
    tracing_type: Literal["skeleton", "volume", "hybrid"]
    settings: dict[str, Any] | None = None


@model
class ApiTask:
    """A task."""

    id: str
    project_id: str
    dataset_id: str
    status: ApiTaskStatus
    type: ApiTaskType
    needed_experience: ApiExperience
    bounding_box: ApiBoundingBox | None
    edit_position: tuple[int, int, int]
    edit_rotation: tuple[float, float, float]
    script: ApiScript | None = None
    extra_json: dict[str, Any] = extra_field()


@model
class ApiTaskParameters:
    """Payload to create or update a task."""

    task_type_id: str
    needed_experience: ApiExperience
    pending_instances: int
    project_name: str
    script_id: str | None
    bounding_box: ApiBoundingBox | None
    dataset_id: str
    edit_position: tuple[int, int, int]
    edit_rotation: tuple[float, float, float]


@model
class ApiNmlTaskParameters:
    """The JSON part of creating tasks from annotation files."""

    task_type_id: str
    needed_experience: ApiExperience
    pending_instances: int
    project_name: str
    script_id: str | None
    bounding_box: ApiBoundingBox | None


@model
class ApiSingleTaskCreationResult:
    """The outcome of creating one task: the task or an error."""

    success: ApiTask | None = None
    error: str | None = None
    extra_json: dict[str, Any] = extra_field()


@model
class ApiTaskCreationResult:
    """The outcome of creating tasks."""

    tasks: list[ApiSingleTaskCreationResult]
    warnings: list[str]
    extra_json: dict[str, Any] = extra_field()


# ------------------------------------------------------------------ annotations


@model
class ApiAnnotationLayer:
    """A layer (skeleton or volume tracing) of an annotation."""

    tracing_id: str
    typ: str
    name: str
    extra_json: dict[str, Any] = extra_field()


@model
class ApiAnnotation:
    """An annotation's information."""

    id: str
    typ: str
    owner: ApiUserCompact
    name: str
    description: str
    state: str
    modified: int
    annotation_layers: list[ApiAnnotationLayer] | None
    data_store: ApiDataStore | None = None
    tracing_time: int | None = None
    created: int | None = None
    extra_json: dict[str, Any] = extra_field()


@model
class ApiAnnotationIdentifier:
    """Id and type of an annotation."""

    id: str
    typ: str
    extra_json: dict[str, Any] = extra_field()


@model
class ApiAnnotationUploadResult:
    """The reply to an annotation upload."""

    annotation: ApiAnnotationIdentifier
    messages: list[str] = attrs.field(metadata={"decode": _messages})
    extra_json: dict[str, Any] = extra_field()


# ------------------------------------------------------------------ folders


@model
class ApiMetadata:
    """One metadata entry of a dataset or folder (``type``: string, number, string[])."""

    key: str
    type: str
    value: Any
    extra_json: dict[str, Any] = extra_field()


@model
class ApiFolder:
    """A folder with its teams and metadata."""

    id: str
    name: str
    allowed_teams: list[ApiTeam]
    allowed_teams_cumulative: list[ApiTeam]
    is_editable: bool
    metadata: list[ApiMetadata] | None = None
    extra_json: dict[str, Any] = extra_field()


@model
class ApiFolderWithParent:
    """A folder and the id of its parent (None for the root)."""

    id: str
    name: str
    parent: str | None = None
    extra_json: dict[str, Any] = extra_field()


@model
class ApiFolderUpdate:
    """Payload to update a folder (``allowed_teams`` are team ids)."""

    name: str
    allowed_teams: list[str]
    metadata: list[ApiMetadata] | None = None


@model
class ApiFolderAdd:
    """Payload to add a folder."""

    parent_id: str
    name: str


# ------------------------------------------------------------------ datasets


@model
class ApiUnusableDataSource:
    """The data source of a dataset WEBKNOSSOS cannot use (``status`` says why)."""

    id: dict[str, str]
    status: str


@model
class ApiDataset:
    """A dataset's information (``data_source`` holds its properties)."""

    id: str
    name: str
    is_public: bool
    folder_id: str
    allowed_teams: list[ApiTeam]
    tags: list[str]
    directory_name: str
    owning_organization: str
    data_store: ApiDataStore
    data_source: ApiUnusableDataSource | DatasetProperties = attrs.field(metadata=DATA_SOURCE)
    created: float
    metadata: list[ApiMetadata] | None = None
    description: str | None = None
    used_storage_bytes: int | None = None
    extra_json: dict[str, Any] = extra_field()


@model
class ApiDatasetId:
    """Id, name, organization and directory name of a dataset."""

    id: str
    name: str
    organization: str
    directory_name: str
    extra_json: dict[str, Any] = extra_field()


@model
class ApiDatasetIsValidNewNameResponse:
    """Whether a dataset name is free, and why not."""

    is_valid: bool
    errors: list[str] | None = None
    extra_json: dict[str, Any] = extra_field()


@model
class ApiSharingToken:
    """A dataset's sharing token."""

    sharing_token: str
    extra_json: dict[str, Any] = extra_field()


@model
class ApiDatasetExploreAndAddRemote:
    """Payload to explore a remote URI and add it as a dataset."""

    remote_uri: str
    dataset_name: str
    folder_id: str | None = None
    data_store_name: str | None = None
    credential_identifier: str | None = attrs.field(default=None, metadata={"omit_none": True})
    credential_secret: str | None = attrs.field(default=None, metadata={"omit_none": True}, repr=False)


@model
class ApiDatasetComposeMag:
    """Payload to add another dataset's mag to a layer as a reference."""

    source_dataset_id: str
    source_layer_name: str
    target_layer_name: str
    source_mag: tuple[int, int, int]
    target_mag: tuple[int, int, int]


@model
class ApiDatasetComposeLayer:
    """Payload to add another dataset's layer as a reference."""

    source_dataset_id: str
    source_layer_name: str
    target_layer_name: str


@model
class ApiDatasetComposeAttachment:
    """Payload to add another dataset's attachment to a layer as a reference."""

    source_dataset_id: str
    source_layer_name: str
    target_layer_name: str
    attachment_type: str
    source_attachment_name: str
    target_attachment_name: str


@model
class ApiAdditionalAxis:
    """A non-spatial axis of a layer."""

    name: str
    bounds: tuple[int, int]
    index: int
    extra_json: dict[str, Any] = extra_field()


@model
class ApiDataLayer:
    """A data layer as listed in a dataset's information."""

    name: str
    category: str
    element_class: str
    bounding_box: ApiBoundingBox
    resolutions: list[tuple[int, int, int]]
    additional_axes: list[ApiAdditionalAxis] | None = None
    largest_segment_id: int | None = None
    default_view_configuration: dict[str, Any] | None = None
    extra_json: dict[str, Any] = extra_field()


@model
class ApiVoxelSize:
    """Voxel size and unit."""

    unit: str
    factor: tuple[float, float, float]
    extra_json: dict[str, Any] = extra_field()


@model
class ApiLayerRenaming:
    """Rename a layer."""

    old_name: str
    new_name: str


@model
class ApiLinkedLayerIdentifier:
    """A layer of another dataset to link into an upload."""

    dataset_id: str
    layer_name: str
    new_layer_name: str | None = None


@model
class ApiLinkedLayerIdentifierLegacy:
    """A layer to link, named by organization and dataset name (older servers)."""

    organization_id: str
    data_set_name: str
    layer_name: str
    new_layer_name: str | None = None


@model
class ApiReserveDatasetUploadInformation:
    """Payload to reserve a (resumable) dataset upload on the datastore."""

    upload_id: str
    name: str
    organization: str
    total_file_count: int
    total_file_size_in_bytes: int
    initial_teams: list[str]
    layers_to_link: list[ApiLinkedLayerIdentifier] | None = None
    folder_id: str | None = None


@model
class ApiDatasetUploadInformation:
    """Identifies an upload (to finish it)."""

    upload_id: str


@model
class ApiDatasetUploadSuccess:
    """The reply to a finished upload."""

    new_dataset_id: str
    extra_json: dict[str, Any] = extra_field()


@model
class ApiReserveDatasetUploadToPathsParameters:
    """Payload to reserve a dataset upload written by the client to storage paths."""

    dataset_name: str
    initial_team_ids: list[str]
    folder_id: str | None
    require_unique_name: bool
    layers_to_link: list[ApiLinkedLayerIdentifier]
    data_source: DatasetProperties = attrs.field(metadata=PROPERTIES)
    path_prefix: str | None = None


ApiReserveDatasetUplaodToPathsParameters = ApiReserveDatasetUploadToPathsParameters  # spelling of the reference


@model
class ApiReserveDatasetUploadToPathsResponse:
    """The new dataset id and its data source with the reserved paths."""

    new_dataset_id: str
    data_source: DatasetProperties = attrs.field(metadata=PROPERTIES)
    extra_json: dict[str, Any] = extra_field()


@model
class ApiReserveDatasetUploadToPathsForPreliminaryParameters:
    """Payload to reserve paths for a preliminary dataset."""

    data_source: DatasetProperties = attrs.field(metadata=PROPERTIES)
    path_prefix: str | None = None


@model
class ApiReserveDatasetUploadToPathsForPreliminaryResponse:
    """The data source with the reserved paths."""

    data_source: DatasetProperties = attrs.field(metadata=PROPERTIES)
    extra_json: dict[str, Any] = extra_field()


@model
class ApiReserveMagUploadToPathParameters:
    """Payload to reserve (and finish) a mag written by the client to a storage path."""

    layer_name: str
    mag: list[int]
    axis_order: dict[str, int] | None
    channel_index: int | None
    path_prefix: str | None
    overwrite_pending: bool


@model
class ApiReserveAttachmentUploadToPathParameters:
    """Payload to reserve (and finish) an attachment written by the client to a storage path."""

    layer_name: str
    attachment_name: str
    attachment_type: str
    attachment_dataformat: str
    path_prefix: str | None


@model
class ApiReserveAiModelUploadToPathParameters:
    """Payload to reserve an AI model upload."""

    existing_ai_model_id: str | None
    data_store_name: str
    name: str
    comment: str | None
    category: str | None
    path_prefix: str | None


@model
class ApiAiModel:
    """An AI model."""

    id: str
    path: str
    name: str
    is_usable: bool
    extra_json: dict[str, Any] = extra_field()


# ------------------------------------------------------------------ meshes


@model
class ApiPrecomputedMeshInfo:
    """Request for a precomputed mesh of one segment."""

    lod: int
    mesh_file_name: str
    segment_id: int
    mapping_name: str | None


@model
class ApiAdHocMeshInfo:
    """Request for a mesh computed on the fly."""

    lod: int
    segment_id: int
    mapping_name: str | None
    mapping_type: Literal["json", "agglomerate"] | None
    mag: tuple[int, int, int]
    seed_position: tuple[int, int, int]
