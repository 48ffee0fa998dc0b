"""RemoteFolder: a (virtual) folder of datasets on a WEBKNOSSOS server, with its teams and metadata."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ..client.context import get_api_client
from ..client.models import ApiFolder, ApiFolderUpdate, ApiFolderWithParent
from ..utils.small_helpers import warn_deprecated
from .metadata import FolderMetadata, metadata_from_api, metadata_to_api
from .teams import team_from_api, team_ids

if TYPE_CHECKING:
    from .remote_dataset import RemoteDataset


class RemoteFolder:
    """This class is used to access and edit metadata of a folder on the webknossos server.

    Names, teams and metadata are read from the server on every access and written on every change.
    """

    id: str

    def __init__(self, id: str, name: str, parent: str | RemoteFolder | None = None) -> None:  # noqa: A002
        """A folder known by ``id`` and ``name``; ``parent`` is the parent folder's id (None for the root)."""
        self.id = id
        self._name = name
        self._parent_id = parent.id if isinstance(parent, RemoteFolder) else parent

    @classmethod
    def _from_api(cls, folder: ApiFolderWithParent) -> RemoteFolder:
        return cls(folder.id, folder.name, folder.parent)

    def __repr__(self) -> str:
        return f"RemoteFolder(id={self.id!r}, _name={self._name!r}, _parent={self._parent_id!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RemoteFolder) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    # ------------------------------------------------------------------ lookups

    @classmethod
    def get_root(cls) -> RemoteFolder:
        """Returns the root folder of the current organization."""
        return cls._from_api(get_api_client().folder_root())

    @classmethod
    def get_by_id(cls, folder_id: str) -> RemoteFolder:
        """Returns the folder specified by the passed id."""
        for folder in get_api_client().folder_tree():
            if folder.id == folder_id:
                return cls._from_api(folder)
        raise KeyError(f"There is no folder with id {folder_id!r} visible to the current user.")

    @classmethod
    def get_by_path(cls, path: str) -> RemoteFolder:
        """Returns the folder specified by the passed path. Separate multiple folder names with a slash.

        The path starts with the root folder's name (the organization's), e.g. ``"Organization_X/Datasets"``,
        as in the reference; a trailing slash is ignored. KeyError if there is no such folder.
        """
        tree = get_api_client().folder_tree()
        names = path.rstrip("/").split("/")
        roots = [f for f in tree if f.parent is None]
        if not roots or names[0] != roots[0].name:
            root = roots[0].name if roots else "the organization"
            raise KeyError(
                f"There is no folder at path {path!r}: a folder path starts with the name of the root folder "
                f"({root!r}), e.g. {root + '/Datasets'!r}."
            )
        current = roots[0]
        for name in names[1:]:
            children = [f for f in tree if f.parent == current.id and f.name == name]
            if not children:
                raise KeyError(f"There is no folder {name!r} in {current.name!r} (looking up path {path!r}).")
            current = children[0]
        return cls._from_api(current)

    def get_subfolders(self) -> tuple[RemoteFolder, ...]:
        """Returns all subfolders in this folder."""
        return tuple(self._from_api(f) for f in get_api_client().folder_tree() if f.parent == self.id)

    def get_datasets(self) -> Mapping[str, RemoteDataset]:
        """Returns all datasets in this folder."""
        from .remote_dataset import RemoteDataset

        return RemoteDataset.list(folder=self)

    # ------------------------------------------------------------------ changes

    def add_subfolder(self, name: str) -> RemoteFolder:
        """Adds a new folder with the specified name."""
        created = get_api_client().folder_add(folder_name=name, parent_id=self.id)
        return RemoteFolder(created.id, created.name, self.id)

    def delete(self) -> None:
        """Deletes the folder."""
        get_api_client().folder_delete(folder_id=self.id)

    def move_to(self, new_parent: RemoteFolder) -> RemoteFolder:
        """Deprecated. Use ``RemoteFolder.parent`` instead. Move the folder below ``new_parent`` and return it
        as a new RemoteFolder (this object is not changed)."""
        warn_deprecated("move_to", "parent")
        moved = get_api_client().folder_move(folder_id=self.id, new_parent_id=new_parent.id)
        return RemoteFolder(moved.id, moved.name, new_parent.id)

    def _update(
        self, *, name: str | None = None, teams: list[str] | None = None, metadata: Any = None, current: Any = None
    ) -> None:
        client = get_api_client()
        if current is None:
            current = client.folder_get(folder_id=self.id)
        update = ApiFolderUpdate(
            name=current.name if name is None else name,
            allowed_teams=[t.id for t in current.allowed_teams] if teams is None else teams,
            metadata=current.metadata if metadata is None else metadata_to_api(metadata),
        )
        client.folder_update(folder_id=self.id, folder=update)
        self._name = update.name

    def _write_metadata(self, values: Mapping[str, Any], current: ApiFolder | None = None) -> None:
        """Replace the metadata: the folder as the server sent it, with the new entries (as the reference does)."""
        client = get_api_client()
        if current is None:
            current = client.folder_get(folder_id=self.id)
        changed = attrs.evolve(current, metadata=metadata_to_api(dict(values)))
        client.folder_update(folder_id=self.id, folder=changed)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ properties

    @property
    def name(self) -> str:
        """The name for the folder in the WEBKNOSSOS interface. Changes are immediately synchronized."""
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        self._update(name=value)

    @property
    def parent(self) -> RemoteFolder | None:
        """The parent folder of the folder in the WEBKNOSSOS interface (None for the root)."""
        if self._parent_id is None:
            return None
        return RemoteFolder.get_by_id(self._parent_id)

    @parent.setter
    def parent(self, new_parent: RemoteFolder) -> None:
        get_api_client().folder_move(folder_id=self.id, new_parent_id=new_parent.id)
        self._parent_id = new_parent.id

    @property
    def allowed_teams(self) -> tuple[Any, ...]:
        """Teams that are allowed to access this folder and its datasets. Changes are immediately synchronized."""
        return tuple(team_from_api(t) for t in get_api_client().folder_get(folder_id=self.id).allowed_teams)

    @allowed_teams.setter
    def allowed_teams(self, teams: Any) -> None:
        self._update(teams=team_ids(teams))

    @property
    def metadata(self) -> FolderMetadata:
        """The folder's metadata (strings, numbers, lists of strings); changes are immediately synchronized."""
        current = get_api_client().folder_get(folder_id=self.id)
        return FolderMetadata(
            None, lambda values: self._write_metadata(values, current), metadata_from_api(current.metadata)
        )

    @metadata.setter
    def metadata(self, values: Mapping[str, Any]) -> None:
        self._write_metadata(values)
