"""Meshes of a remote annotation's volume tracings, downloaded as STL from the tracingstore."""

from __future__ import annotations

from typing import Any

from daedalus.core.client.context import WebknossosContext
from daedalus.core.client.models import ApiAdHocMeshInfo, ApiPrecomputedMeshInfo
from daedalus.core.geometry import Mag, Vec3Int
from upath import UPath

from .server_transfer import calling_server


def mesh_request(
    segment_id: int,
    mesh_file_name: str | None,
    lod: int,
    mapping_name: str | None,
    mapping_type: Any,
    mag: Any,
    seed_position: Any,
) -> ApiPrecomputedMeshInfo | ApiAdHocMeshInfo:
    """A precomputed mesh request (``mesh_file_name`` given) or an ad-hoc one (needs ``mag`` and ``seed_position``)."""
    if mesh_file_name is not None:
        return ApiPrecomputedMeshInfo(
            lod=lod, mesh_file_name=mesh_file_name, segment_id=segment_id, mapping_name=mapping_name
        )
    if mag is None or seed_position is None:
        raise ValueError(
            f"Cannot compute a mesh of segment {segment_id} without a mesh file: pass mesh_file_name=..., or mag= "
            "and seed_position= (a position inside the segment) for a mesh computed on the fly."
        )
    return ApiAdHocMeshInfo(
        lod=lod,
        segment_id=segment_id,
        mapping_name=mapping_name,
        mapping_type=mapping_type,
        mag=tuple(Mag(mag).to_vec3_int()),
        seed_position=tuple(Vec3Int(seed_position)),
    )


def download_annotation_mesh(
    context: WebknossosContext,
    segment_id: int,
    output_dir: Any,
    tracing_id: str,
    mesh_file_name: str | None,
    lod: int,
    mapping_name: str | None,
    mapping_type: Any,
    mag: Any,
    seed_position: Any,
    token: str | None,
) -> UPath:
    """Write the mesh of ``segment_id`` to ``output_dir/<segment_id>.stl`` and return that path."""
    request = mesh_request(segment_id, mesh_file_name, lod, mapping_name, mapping_type, mag, seed_position)
    target = UPath(output_dir) / f"{segment_id}.stl"
    target.parent.mkdir(parents=True, exist_ok=True)

    def download() -> bytes:
        store = context.get_tracingstore_api_client()
        return b"".join(store.annotation_download_mesh(mesh=request, tracing_id=tracing_id, token=token))

    target.write_bytes(calling_server(f"Downloading the mesh of segment {segment_id}", context, download))
    return target
