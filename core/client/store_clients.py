"""Clients of the datastore (``<datastore>/data/v12``) and the tracingstore (``<tracingstore>/tracings``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

from daedalus.core import ports

from . import models as m
from .abstract_client import DEFAULT_API_VERSION, AbstractApiClient, segment

if TYPE_CHECKING:
    from daedalus.core.dataset.attachments.agglomerate_graph import AgglomerateGraphData


class DatastoreApiClient(AbstractApiClient):
    """The datastore API: uploads, raw data, reloads and meshes of datasets."""

    def __init__(
        self,
        *,
        datastore_base_url: str,
        timeout_seconds: float,
        headers: dict[str, str] | None = None,
        webknossos_api_version: int = DEFAULT_API_VERSION,
        transport: ports.WebknossosTransport | None = None,
    ) -> None:
        super().__init__(
            base_url=datastore_base_url, timeout_seconds=timeout_seconds, headers=headers, transport=transport
        )
        self.datastore_base_url = self.base_url
        self.webknossos_api_version = webknossos_api_version

    @property
    def url_prefix(self) -> str:
        """``<datastore_base_url>/data/v<version>``."""
        return f"{self.datastore_base_url}/data/v{self.webknossos_api_version}"

    def dataset_reserve_upload(
        self, *, reserve_upload_information: m.ApiReserveDatasetUploadInformation, retry_count: int = 0
    ) -> None:
        """Reserve a resumable dataset upload (``retry_count``: kept for compatibility, see the retry policy)."""
        self._request("POST", "/datasets/reserveUpload", json_body=reserve_upload_information)

    def dataset_finish_upload(self, *, upload_information: m.ApiDatasetUploadInformation, retry_count: int = 0) -> str:
        """Finish a resumable upload; returns the new dataset's id."""
        response = self._request("POST", "/datasets/finishUpload", json_body=upload_information)
        return self._parse(m.ApiDatasetUploadSuccess, response, "POST", "/datasets/finishUpload").new_dataset_id

    def dataset_trigger_reload(self, *, organization_id: str, dataset_id: str) -> None:
        """Make the datastore re-read a dataset's properties from storage."""
        self._request("POST", f"/triggers/reload/{segment(organization_id)}/{segment(dataset_id)}")

    def dataset_get_raw_data(
        self,
        *,
        dataset_id: str,
        data_layer_name: str,
        mag: str,
        sharing_token: str | None,
        x: int,
        y: int,
        z: int,
        width: int,
        height: int,
        depth: int,
    ) -> tuple[bytes, str | None]:
        """Raw voxels of a box (bytes) and the ``MISSING-BUCKETS`` header of the reply."""
        query = {"mag": mag, "x": x, "y": y, "z": z, "width": width, "height": height, "depth": depth}
        query["token"] = sharing_token
        route = f"/datasets/{segment(dataset_id)}/layers/{segment(data_layer_name)}/data"
        response = self._request("GET", route, query=query)
        return response.content, response.headers.get("missing-buckets")

    def download_mesh(
        self,
        *,
        mesh_info: m.ApiPrecomputedMeshInfo | m.ApiAdHocMeshInfo,
        dataset_id: str,
        layer_name: str,
        sharing_token: str | None,
    ) -> Iterator[bytes]:
        """A segment's mesh as STL, streamed in pieces."""
        route = f"/datasets/{segment(dataset_id)}/layers/{segment(layer_name)}/meshes/fullMesh.stl"
        yield from _post_stream(self, route, mesh_info, sharing_token)


class TracingStoreApiClient(AbstractApiClient):
    """The tracingstore API: meshes of volume annotations, agglomerate graphs of editable mappings."""

    def __init__(
        self,
        *,
        base_url: str,
        timeout_seconds: float,
        headers: dict[str, str] | None = None,
        transport: ports.WebknossosTransport | None = None,
    ) -> None:
        super().__init__(base_url=base_url, timeout_seconds=timeout_seconds, headers=headers, transport=transport)

    @property
    def url_prefix(self) -> str:
        """``<base_url>/tracings``."""
        return f"{self.base_url}/tracings"

    def get_agglomerate_graph(self, tracing_id: str, agglomerate_id: int) -> AgglomerateGraphData:
        """The agglomerate graph of ``agglomerate_id`` in the editable mapping of volume tracing ``tracing_id``."""
        from daedalus.core.dataset.attachments.agglomerate_graph import AgglomerateGraphData  # loads networkx

        route = f"/mapping/{segment(tracing_id)}/agglomerateGraph/{int(agglomerate_id)}"
        return AgglomerateGraphData.from_proto(self._request("GET", route).content)

    def annotation_download_mesh(
        self, *, mesh: m.ApiPrecomputedMeshInfo | m.ApiAdHocMeshInfo, tracing_id: str, token: str | None
    ) -> Iterator[bytes]:
        """A segment's mesh of a volume annotation as STL, streamed in pieces."""
        yield from _post_stream(self, f"/volume/{segment(tracing_id)}/fullMesh.stl", mesh, token)


def _post_stream(client: AbstractApiClient, route: str, body: object, token: str | None) -> Iterator[bytes]:
    """POST ``body`` as JSON and yield the reply in pieces."""
    from .abstract_client import query_string
    from .serialization import to_json

    url = client.url_from_route(route) + query_string({"token": token})
    headers = {**client.headers, "Content-Type": "application/json"}
    response = client.transport.request(
        "POST", url, headers=headers, data=json.dumps(to_json(body)), timeout=client.timeout_seconds
    )
    content = response.content
    for start in range(0, len(content), 1 << 20):
        yield content[start : start + (1 << 20)]
