"""Server scenarios: users, teams, projects, tasks, task types, datastores, remote datasets (layers, mags, data,
metadata, folders), annotations and the errors of unknown ids and missing tokens, against a recorded WEBKNOSSOS.

Every function takes the server's ``url`` and a ``token`` (None: no token) and talks to it inside
``webknossos_context``; test_server_classes.py serves the recordings (scenario_server.py).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from contextlib import contextmanager
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "differential_scenarios__skeleton_facts", Path(__file__).with_name("_skeleton_facts.py")
)
facts = sys.modules.get(_spec.name) or importlib.util.module_from_spec(_spec)
if _spec.name not in sys.modules:
    sys.modules[_spec.name] = facts
    _spec.loader.exec_module(facts)

L4_SAMPLE_ID = "59e9cfbdba632ac2ab8b23b5"
USER_A_ID = "570b9f4d2a7c0e4d008da6ef"
READ_BOX = ((3164, 3212, 1017), (10, 10, 10))
"""The box the recorded reads of l4_sample cover (chunks of mag 1, the datastore's data route per mag)."""


@contextmanager
def _server(wk, url, token):
    """The context of the scenario server; WK_URL / WK_TOKEN of the environment are hidden meanwhile."""
    hidden = {name: os.environ.pop(name) for name in ("WK_URL", "WK_TOKEN") if name in os.environ}
    try:
        with wk.webknossos_context(url=url, token=token):
            yield
    finally:
        os.environ.update(hidden)


def _reprs(items):
    return sorted(repr(item) for item in items)


def _task_type(task_type):
    """A task type's fields; ``settings`` and ``tracingType`` are compared by `task_type_settings` alone."""
    fields = ["task_type_id", "name", "description", "team_id", "team_name"]
    return [type(task_type).__name__, *(getattr(task_type, name) for name in fields)]


def _task(task):
    """A task's fields (its task type as `_task_type`)."""
    return [
        type(task).__name__,
        task.task_id,
        task.project_id,
        task.dataset_id,
        repr(task.status),
        _task_type(task.task_type),
        repr(task.experience),
        repr(task.edit_position),
        repr(task.edit_rotation),
        task.script_id,
        repr(task.bounding_box),
    ]


def _types(obj, names):
    """The type names of some attributes (tuple vs Vec3Float, list vs tuple show here)."""
    return {name: type(getattr(obj, name)).__name__ for name in names}


# ---------------------------------------------------------------------------------------------------- users


def current_user(wk, tmp, url, token):
    """The current user: repr, attributes and the types of the collections it holds."""
    with _server(wk, url, token):
        user = wk.User.get_current_user()
    return [repr(user), _types(user, ["teams", "experiences", "created"]), [repr(team) for team in user.teams]]


def managed_users(wk, tmp, url, token):
    """Every user the current one manages."""
    with _server(wk, url, token):
        users = wk.User.get_all_managed_users()
    return [type(users).__name__, _reprs(users)]


def user_by_id(wk, tmp, url, token, user_id):
    """A user fetched by id (the recording holds the project owner's)."""
    with _server(wk, url, token):
        return repr(wk.User.get_by_id(user_id))


def logged_times(wk, tmp, url, token):
    """The current user's logged time per month: the LoggedTime values and their attribute types."""
    with _server(wk, url, token):
        times = wk.User.get_current_user().get_logged_times()
    return [type(times).__name__, [repr(t) for t in times], [_types(t, ["duration_in_seconds", "year"]) for t in times]]


# ---------------------------------------------------------------------------------------------------- teams, projects


def teams(wk, tmp, url, token):
    """The team list and the lookups by name and id."""
    with _server(wk, url, token):
        listed = wk.Team.get_list()
        by_name = wk.Team.get_by_name("team_X1")
        by_id = wk.Team.get_by_id(by_name.id)
    return [_reprs(listed), repr(by_name), by_id == by_name, hash(by_id) == hash(by_name)]


def project(wk, tmp, url, token, name, operation):
    """A project created as recorded (team_X1, expected time 1234, priority 1), then one ``operation``: looked up
    by name and id, updated, its owner fetched, or deleted (and looked up again: an error)."""
    with _server(wk, url, token):
        team = wk.Team.get_by_name("team_X1")
        created = wk.Project.create(name, team, expected_time=1234, priority=1)
        out = [repr(created)]
        if operation == "get":
            out += [repr(wk.Project.get_by_name(name)), repr(wk.Project.get_by_id(created.project_id))]
        elif operation == "update":
            out.append(repr(created.update(priority=2, expected_time=5678, is_blacklisted_from_report=True)))
        elif operation == "owner":
            out.append(repr(created.get_owner()))
        elif operation == "delete":
            created.delete()
            wk.Project.get_by_name(name)  # raises: the project is gone
    return out


def project_tasks(wk, tmp, url, token):
    """A project with a task type and three tasks on l4_sample, then the project's tasks (paginated route)."""
    with _server(wk, url, token):
        team = wk.Team.get_by_name("team_X1")
        dataset = wk.RemoteDataset.open("l4_sample")
        created = wk.Project.create("test_get_task_project", team, expected_time=1234, priority=1)
        task_type = wk.TaskType.create("test_task_type", "test_task_type_description", "team_X1", "volume")
        for _ in range(3):
            wk.Task.create(task_type, created, "test_domain", 3, (0, 0, 0), dataset_id=dataset)
        tasks = created.get_tasks()
    return [type(tasks).__name__, sorted(_task(one) for one in tasks)]


# ---------------------------------------------------------------------------------------------------- tasks


def task(wk, tmp, url, token, operation, drop_stale=False):
    """The set-up of the test_task recordings (a task type, the project ``test_project`` looked up and created,
    a task on l4_sample), one ``operation`` and the clean-up."""
    with _server(wk, url, token):
        team = wk.Team.get_by_name("team_X1")
        for stale in wk.TaskType.get_list():
            if drop_stale and stale.name == "test_task_type":
                stale.delete()
        task_type = wk.TaskType.create("test_task_type", "This is a test task type", team, "volume")
        missing = None
        try:
            found = wk.Project.get_by_name("test_project")
        except ValueError:  # the recording's project does not exist yet (the reference raises a ValueError)
            missing = "not found"
            found = wk.Project.create("test_project", team, expected_time=1234, priority=1)
        out = [_task_type(task_type), missing, _task_type(wk.TaskType.get_by_name("test_task_type"))]
        if operation == "get_task_type":
            out.append(_task_type(wk.TaskType.get_by_id(task_type.task_type_id)))
        else:
            dataset = wk.RemoteDataset.open("l4_sample")
            created = wk.Task.create(task_type, found, "testing", 0, (0, 0, 0), dataset_id=dataset)
            (one,) = created
            out += [type(created).__name__, _task(one), _types(one, ["edit_position", "edit_rotation", "status"])]
            if operation == "get":
                out.append(_task(wk.Task.get_by_id(one.task_id)))
            elif operation == "list":
                out.append(sorted(_task(listed) for listed in wk.Task.get_list()))
            elif operation == "project":
                out.append(repr(one.get_project()))
            elif operation == "update":
                out.append(_task(one.update(remaining_instances=4)))
            elif operation == "delete":
                one.delete()
        task_type.delete()
        found.delete()
        if operation == "delete":
            wk.Task.get_by_id(one.task_id)  # raises: the task is gone (the error is what is compared)
    return out


def task_type_settings(wk, tmp, url, token):
    """The ``settings`` and ``tracingType`` of a task type as created, fetched by id and listed."""
    with _server(wk, url, token):
        team = wk.Team.get_by_name("team_X1")
        wk.TaskType.get_list()
        created = wk.TaskType.create("test_task_type", "This is a test task type", team, "volume")
        try:
            project = wk.Project.get_by_name("test_project")
        except ValueError:
            project = wk.Project.create("test_project", team, expected_time=1234, priority=1)
        listed = wk.TaskType.get_by_name("test_task_type")
        fetched = wk.TaskType.get_by_id(created.task_type_id)
        created.delete()
        project.delete()
    return [[one.settings, one.tracingType] for one in (created, listed, fetched)]


# ---------------------------------------------------------------------------------------------------- datastores


def datastores(wk, tmp, url, token):
    """The datastores (all, and those allowing uploads) and the upload URL."""
    with _server(wk, url, token):
        every = wk.Datastore.get_datastores()
        uploading = wk.Datastore.get_datastores(allows_upload=True)
        upload_url = wk.Datastore.get_upload_url()
    return [type(every).__name__, _reprs(every), _reprs(uploading), upload_url]


# ---------------------------------------------------------------------------------------------------- datasets


def _versionless(text):
    """``text`` with the API version of routes left out (daedalus asks v12, the reference v13 of the server)."""
    return text.replace("/v12/", "/v*/").replace("/v13/", "/v*/")


def _mag_facts(mag_view):
    info = mag_view.info
    return [
        mag_view.mag.to_layer_name(),
        type(mag_view).__name__,
        repr(mag_view.bounding_box),
        repr(info.chunk_shape),
        repr(info.shard_shape),
        str(info.voxel_type),
        repr(info.data_format),
        repr(mag_view.data_format),
        _versionless(str(mag_view.path)),
        mag_view.read_only,
    ]


def _layer_facts(layer, mags="all"):
    if mags == "all":
        views = list(layer.mags.values())
    else:  # the finest mag of the color layer only (all a recording of proxy reads holds)
        views = [layer.get_finest_mag()] if layer.name == "color" else []
    out = [
        repr(layer),
        type(layer).__name__,
        layer.category,
        str(layer.dtype),
        str(layer.dtype_per_channel),
        layer.num_channels,
        repr(layer.bounding_box),
        repr(layer.data_format),
        layer.read_only,
        sorted(layer.mags),
        sorted(_mag_facts(view) for view in views),
    ]
    if layer.category == "segmentation":
        attachments = layer.attachments
        out += [
            layer.largest_segment_id,
            type(attachments).__name__,
            attachments.is_empty,
            [_reprs(attachments.meshes), _reprs(attachments.agglomerates)],
            [repr(attachments.segment_index), repr(attachments.cumsum)],
        ]
    return out


def dataset_facts(dataset, mags="all"):
    """A remote dataset's properties, layers and mags (every mag's array, or the color layer's finest) as data."""
    return [
        repr(dataset),
        dataset.name,
        dataset.dataset_id,
        dataset.display_name,
        repr(dataset.voxel_size),
        repr(dataset.voxel_size_with_unit),
        dataset.read_only,
        repr(dataset.access_mode),
        dataset.url,
        list(dataset.tags),
        dataset.is_public,
        dataset.description,
        dataset.created,
        dataset.annotation_id,
        repr(dataset.folder),
        _reprs(dataset.allowed_teams),
        sorted(dataset.layers),
        [_layer_facts(layer, mags) for _, layer in sorted(dataset.layers.items())],
    ]


def open_dataset(wk, tmp, url, token, how, access_mode=None, mags="all"):
    """l4_sample opened (by name and organization, by id, or by its URL) in an access mode, its facts (the arrays
    of every mag, or only the color layer's finest) and the recorded box read from the color layer's finest mag."""
    with _server(wk, url, token):
        mode = None if access_mode is None else wk.RemoteAccessMode(access_mode)
        if how == "name":
            dataset = wk.RemoteDataset.open("l4_sample", organization_id="Organization_X", access_mode=mode)
        elif how == "id":
            dataset = wk.RemoteDataset.open(dataset_id=L4_SAMPLE_ID, access_mode=mode)
        else:
            dataset = wk.RemoteDataset.open(f"{url}/datasets/l4_sample-{L4_SAMPLE_ID}/view", access_mode=mode)
        out = dataset_facts(dataset, mags)
        box = wk.BoundingBox(*READ_BOX)
        out.append(dataset.get_layer("color").get_finest_mag().read(absolute_bounding_box=box))
    return out


def read_coarsest(wk, tmp, url, token):
    """The whole color layer of l4_sample read at its coarsest mag (16-16-4), and a box of it read by a View."""
    with _server(wk, url, token):
        dataset = wk.RemoteDataset.open("l4_sample", organization_id="Organization_X")
        mag_view = dataset.get_layer("color").get_mag("16-16-4")
        whole = mag_view.read()
        view = mag_view.get_view(absolute_offset=(3200, 3200, 600), size=(256, 256, 64))
        box = view.bounding_box
        return [whole, repr(box), view.read(), mag_view.read_xyz(absolute_bounding_box=box).shape]


def list_datasets(wk, tmp, url, token):
    """The datasets of the organization (a lazy mapping id -> RemoteDataset), one of them opened, and a search."""
    with _server(wk, url, token):
        listed = wk.RemoteDataset.list()
        one = listed[L4_SAMPLE_ID]
        out = [sorted(listed), len(listed), L4_SAMPLE_ID in listed, type(one).__name__, one.name]
        out.append(sorted(wk.RemoteDataset.list(name="l4_sample")))
    return out


def dataset_metadata(wk, tmp, url, token):
    """A dataset's metadata read and changed (three entries), then its folder's metadata read and changed."""
    with _server(wk, url, token):
        dataset = wk.RemoteDataset.open("l4_sample", organization_id="Organization_X")
        out = [type(dataset.metadata).__name__, sorted(dataset.metadata.items())]
        dataset.metadata["key"] = "value"
        dataset.metadata["number"] = 42
        dataset.metadata["list"] = ["a", "b", "c"]
        out.append(sorted(dataset.metadata.items()))
        folder = dataset.folder
        out += [folder.id, folder.name, type(folder.metadata).__name__, sorted(folder.metadata.items())]
        folder.metadata["folder_key"] = "folder_value"
        out.append(sorted(dataset.folder.metadata.items()))
        out.append(sorted(dataset.folder.metadata.items()))
    return out


def change_description(wk, tmp, url, token, read_only):
    """The description of a dataset opened by id set (refused when opened read-only), then read back."""
    with _server(wk, url, token):
        dataset = wk.RemoteDataset.open(dataset_id=L4_SAMPLE_ID, read_only=read_only)
        before = dataset.description
        dataset.description = "This is a test description"
        return [before, dataset.description]


def download(wk, tmp, url, token, box, mags):
    """A box of l4_sample downloaded into a local dataset (every mag, or the listed ones); the box is passed as
    the deprecated ``bbox``."""
    with _server(wk, url, token):
        dataset = wk.RemoteDataset.open("l4_sample", organization_id="Organization_X")
        local = dataset.download(
            bbox=wk.BoundingBox(*box), mags=None if mags is None else [wk.Mag(m) for m in mags], path=tmp / "dl"
        )
    out = [type(local).__name__, repr(local.voxel_size), sorted(local.layers)]
    for name, layer in sorted(local.layers.items()):
        views = sorted(layer.mags.items())
        out.append([name, repr(layer.bounding_box), [[m.to_layer_name(), v.read()] for m, v in views]])
    return out


def explore_and_add(wk, tmp, url, token):
    """A zarr dataset on the server's own datastore added by exploration (into the root folder) and opened."""
    with _server(wk, url, token):
        added = wk.RemoteDataset.explore_and_add_remote(
            f"{url}/data/v9/zarr/Organization_X/l4_sample/", "added_remote_ds", folder_path="Organization_X"
        )
        return [type(added).__name__, added.dataset_id, added.name, sorted(added.layers)]


# ---------------------------------------------------------------------------------------------------- folders


def folders(wk, tmp, url, token):
    """The recorded folder flow: a subfolder of the root with a new team allowed, renamed, a subfolder of it
    moved to the root, everything deleted again."""
    with _server(wk, url, token):
        root = wk.RemoteFolder.get_root()
        folder = root.add_subfolder("test_folder")
        team = wk.Team.add("test_team")
        folder.allowed_teams = (team,)
        out = [repr(root), repr(folder), repr(team), _reprs(folder.allowed_teams)]
        folder.name = "test_folder_renamed"
        sub = folder.add_subfolder("test_folder_subfolder")
        out += [repr(folder), folder.name, _reprs(folder.get_subfolders()), repr(sub.parent)]
        moved = sub.move_to(wk.RemoteFolder.get_root())
        out += [repr(moved), sorted(child.name for child in wk.RemoteFolder.get_root().get_subfolders())]
        sub.delete()
        folder.delete()
        team.delete()
    return out


def folder_lookup(wk, tmp, url, token, how, key):
    """A folder found by id or by path (``Organization_X/...``) in the folder tree."""
    with _server(wk, url, token):
        found = wk.RemoteFolder.get_by_id(key) if how == "id" else wk.RemoteFolder.get_by_path(key)
        return [repr(found), found.id, found.name, _reprs(found.get_subfolders())]


# ---------------------------------------------------------------------------------------------------- annotations


def annotation_infos(wk, tmp, url, token):
    """The current user's unfinished annotations, as AnnotationInfo."""
    with _server(wk, url, token):
        infos = wk.AnnotationInfo.get_remote_annotations()
    return [type(infos).__name__, [repr(info) for info in infos], [_types(i, ["type", "state"]) for i in infos]]


def download_annotation(wk, tmp, url, token, annotation_id, skip_volume_data):
    """An annotation downloaded: its facts, owner, ids and volume layer names."""
    with _server(wk, url, token):
        annotation = wk.Annotation.download(annotation_id, skip_volume_data=skip_volume_data)
    return [
        type(annotation).__name__,
        facts.annotation_facts(annotation, interpolation=False),
        annotation.owner_name,
        annotation.annotation_id,
        annotation.dataset_id,
        annotation.organization_id,
        sorted(annotation.get_volume_layer_names()),
    ]


REMOTE_ANNOTATION_FIELDS = [
    "annotation_id", "url", "owner_name", "dataset_name", "dataset_id", "organization_id", "time", "edit_position",
    "edit_rotation", "zoom_level", "task_bounding_box", "user_bounding_boxes", "metadata", "voxel_size",
]  # fmt: skip
"""What a RemoteAnnotation tells without asking the server again (``name`` and ``description`` ask for the
annotation's information, which no recording of a downloadable annotation holds)."""


def open_remote_annotation(wk, tmp, url, token, annotation_id):
    """An annotation opened as RemoteAnnotation: its class, fields and skeleton."""
    with _server(wk, url, token):
        annotation = wk.RemoteAnnotation.open_remote(annotation_id)
        fields = [repr(getattr(annotation, name)) for name in REMOTE_ANNOTATION_FIELDS]
        return [type(annotation).__name__, fields, facts.skeleton_facts(annotation.skeleton, interpolation=False)]


def remote_annotation_layers(wk, tmp, url, token, annotation_id):
    """The volume layer names of an annotation opened as RemoteAnnotation."""
    with _server(wk, url, token):
        return sorted(wk.RemoteAnnotation.open_remote(annotation_id).get_volume_layer_names())


# ---------------------------------------------------------------------------------------------------- API client


def api_client(wk, tmp, url, token, route):
    """The WkApiClient itself (its routes' replies read field by field)."""
    client = wk.WkApiClient(base_wk_url=url, timeout_seconds=30, headers={"X-Auth-Token": token})
    if route == "health":
        return client.health()
    if route == "datastore_list":
        return sorted([d.name, d.url, d.allows_upload] for d in client.datastore_list())
    if route == "user_current":
        user = client.user_current()
        return [user.id, user.email, user.first_name, user.last_name, user.is_admin, [t.name for t in user.teams]]
    raise ValueError(route)


# ---------------------------------------------------------------------------------------------------- errors


def lookup(wk, tmp, url, token, what, key):
    """One lookup of something the server (or its list) does not have; the error raised is what is compared."""
    with _server(wk, url, token):
        if what == "dataset_id":
            return repr(wk.RemoteDataset.open(dataset_id=key))
        if what == "dataset_name":
            return repr(wk.RemoteDataset.open(key, organization_id="Organization_X"))
        if what == "user":
            return repr(wk.User.get_by_id(key))
        if what == "team_id":
            return repr(wk.Team.get_by_id(key))
        if what == "team_name":
            return repr(wk.Team.get_by_name(key))
        if what == "project_id":
            return repr(wk.Project.get_by_id(key))
        if what == "project_name":
            return repr(wk.Project.get_by_name(key))
        if what == "task_type_id":
            return repr(wk.TaskType.get_by_id(key))
        if what == "task_type_name":
            return repr(wk.TaskType.get_by_name(key))
        if what == "task":
            return repr(wk.Task.get_by_id(key))
        if what == "annotation":
            return repr(wk.Annotation.download(key))
        if what == "folder_id":
            return repr(wk.RemoteFolder.get_by_id(key))
        if what == "folder_path":
            return repr(wk.RemoteFolder.get_by_path(key))
        if what == "ai_model":
            return repr(wk.RemoteAiModel.open_remote(key))
    raise ValueError(what)


def without_token(wk, tmp, url, call):
    """A call without a token to a server that requires one; the error raised is what is compared."""
    with _server(wk, url, None):
        if call == "current_user":
            return repr(wk.User.get_current_user())
        if call == "teams":
            return _reprs(wk.Team.get_list())
        if call == "open_dataset":
            return repr(wk.RemoteDataset.open("l4_sample", organization_id="Organization_X"))
        if call == "list_datasets":
            return sorted(wk.RemoteDataset.list())
        if call == "datastores":
            return _reprs(wk.Datastore.get_datastores())
        if call == "annotation_infos":
            return [repr(info) for info in wk.AnnotationInfo.get_remote_annotations()]
    raise ValueError(call)


def storage_credentials(wk, tmp, identifier, secret):
    """StorageCredentials as a value: equality, hash and attributes (its repr: `storage_credentials_repr`)."""
    one = wk.StorageCredentials(identifier, secret)
    other = wk.StorageCredentials(credential_identifier=identifier, credential_secret=secret)
    third = wk.StorageCredentials(identifier, secret + "x")
    return [one == other, hash(one) == hash(other), one == third, one.credential_identifier, one.credential_secret]


def storage_credentials_repr(wk, tmp, identifier, secret):
    """The repr of StorageCredentials."""
    return repr(wk.StorageCredentials(identifier, secret))


CONVERTED_DIRECTORY = "test_remote_convert-69aed4c06eb20670afef772f"
"""The dataset test_cli/test_convert_upload_downsample.yml adds Mag 2-2-1 to (through the server's reserved paths)."""


def remote_downsample(wk, tmp, url, token, storage, transfer_mode):
    """Mag 1 of the recorded dataset (its storage at ``storage``, where the test wrote it) downsampled to Mag 2-2-1
    into the path the server reserves: the layer's mags afterwards, their paths and the new mag's voxels."""
    import shutil

    shutil.rmtree(Path(storage) / "Organization_X" / ".virtual", ignore_errors=True)  # each side writes it anew
    with _server(wk, url, token):
        dataset = wk.RemoteDataset.open(
            f"{url}/datasets/{CONVERTED_DIRECTORY}", access_mode=wk.RemoteAccessMode.DIRECT_PATH
        )
        layer = dataset.get_layer("tiff")
        layer.downsample(coarsest_mag=wk.Mag(2), transfer_mode=wk.TransferMode(transfer_mode))
        mags = sorted(layer.mags.items())
        return [[m.to_layer_name() for m, _ in mags], [str(v.path) for _, v in mags], layer.get_mag("2-2-1").read()]
