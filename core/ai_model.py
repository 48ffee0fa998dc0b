"""RemoteAiModel and AiModelCategory (``webknossos.ai_model``): AI models stored on a WEBKNOSSOS datastore."""

from __future__ import annotations

from enum import Enum
from typing import Any

from daedalus.core.client import get_api_client
from daedalus.core.client.models import ApiReserveAiModelUploadToPathParameters
from daedalus.core.dataset.transfer_mode import TransferMode


class AiModelCategory(Enum):
    """What an AI model detects."""

    em_neurons = "em_neurons"
    em_nuclei = "em_nuclei"
    em_synapses = "em_synapses"
    em_neuron_types = "em_neuron_types"
    em_cell_organelles = "em_cell_organelles"


class RemoteAiModel:
    """A remote AiModel instance; get one with ``RemoteAiModel.open_remote()`` rather than constructing it."""

    ai_model_id: str
    name: str
    path: str
    is_usable: bool

    def __init__(self, ai_model_id: str, name: str, path: str, is_usable: bool) -> None:
        self.ai_model_id = ai_model_id
        self.name = name
        self.path = path
        self.is_usable = is_usable

    def __repr__(self) -> str:
        return (
            f"RemoteAiModel(ai_model_id={self.ai_model_id!r}, name={self.name!r}, path={self.path!r}, "
            f"is_usable={self.is_usable!r})"
        )

    @classmethod
    def open_remote(cls, ai_model_id: str) -> RemoteAiModel:
        """The AI model with id ``ai_model_id`` as the server describes it."""
        from daedalus.core.administration.errors import not_found_as

        with not_found_as(
            lambda: f"The AI model with id {ai_model_id!r}", "check the id in the WEBKNOSSOS AI models list"
        ):
            info = get_api_client().get_ai_model_info(ai_model_id)
        return cls(ai_model_id=info.id, name=info.name, path=info.path, is_usable=info.is_usable)

    @classmethod
    def upload_from_path(
        cls,
        src_path: Any,
        *,
        existing_id: str | None,
        data_store_name: str,
        name: str,
        comment: str | None,
        category: AiModelCategory | None,
        path_prefix: str | None,
        transfer_mode: TransferMode = TransferMode.COPY,
    ) -> RemoteAiModel:
        """Reserve a path for the model on the datastore, transfer ``src_path`` there and mark the upload finished."""
        from upath import UPath

        client = get_api_client()
        params = ApiReserveAiModelUploadToPathParameters(
            existing_ai_model_id=existing_id,
            data_store_name=data_store_name,
            name=name,
            comment=comment,
            category=None if category is None else AiModelCategory(category).value,
            path_prefix=path_prefix,
        )
        reserved = client.reserve_ai_model_upload_to_path(params)
        try:
            TransferMode(transfer_mode).transfer(UPath(src_path), UPath(reserved.path), f"Copying AI model {src_path}")
        except Exception as error:
            raise RuntimeError(
                f"Could not transfer the AI model {src_path} to its reserved path {reserved.path} (model id "
                f"{reserved.id!r}, not marked finished): {error}. Retry with existing_id={reserved.id!r}."
            ) from error
        client.finish_ai_model_upload_to_path(reserved.id)
        return cls.open_remote(reserved.id)
