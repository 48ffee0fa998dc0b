"""Dataset composition routes and the dataset configuration route of WkApiClient.

No recording shows these calls (the recorded server predates them). The exchanges below are written in the
recordings' format from the requests the reference library 4.3.3 sends for the same calls (observed against a
capturing server on 127.0.0.1), under daedalus' API version 12 prefix.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from daedalus.core.client import models as m
from daedalus.core.client.api_client import WkApiClient

DATASET = "59e9cfbdba632ac2ab8b23b5"


def _interaction(method: str, path: str, body: object, reply: object) -> dict:
    return {
        "request": {"method": method, "path": path, "body": {"encoding": "utf8", "data": json.dumps(body)}},
        "response": {
            "status": {"code": 200},
            "headers": {"content-type": ["application/json"]},
            "body": {"encoding": "utf8", "data": json.dumps(reply)},
        },
    }


def _recording(tmp_path: Path) -> Path:
    compose = {"sourceDatasetId": "src", "sourceLayerName": "color", "targetLayerName": "color_ref"}
    interactions = [
        _interaction(
            "POST",
            f"/api/v12/datasets/{DATASET}/compose/addMag",
            {**compose, "sourceMag": [2, 2, 1], "targetMag": [2, 2, 1]},
            {},
        ),
        _interaction("POST", f"/api/v12/datasets/{DATASET}/compose/addLayer", compose, {}),
        _interaction(
            "POST",
            f"/api/v12/datasets/{DATASET}/compose/addAttachment",
            {
                **compose,
                "attachmentType": "meshes",
                "sourceAttachmentName": "meshfile",
                "targetAttachmentName": "meshfile_ref",
            },
            {},
        ),
        _interaction(
            "POST",
            f"/api/v12/datasetConfigurations/{DATASET}",
            ["tracing-1"],
            {"fourBit": False, "interpolation": True, "zoom": 1.5, "layers": {}, "renderMissingDataBlack": False},
        ),
    ]
    path = tmp_path / "compose.yml"
    path.write_text(yaml.safe_dump({"http_interactions": interactions}))
    return path


def test_compose_routes_send_the_payloads_and_parse_the_configuration(replay, tmp_path: Path) -> None:
    server = replay(str(_recording(tmp_path)))
    client = WkApiClient(base_wk_url=server.url, timeout_seconds=10, headers={"X-Auth-Token": "t"})
    client.dataset_add_mag_as_ref(
        dataset_id=DATASET,
        compose_mag=m.ApiDatasetComposeMag("src", "color", "color_ref", (2, 2, 1), (2, 2, 1)),
    )
    client.dataset_add_layer_as_ref(
        dataset_id=DATASET, compose_layer=m.ApiDatasetComposeLayer("src", "color", "color_ref")
    )
    client.dataset_add_attachment_as_ref(
        dataset_id=DATASET,
        compose_attachment=m.ApiDatasetComposeAttachment(
            "src", "color", "color_ref", "meshes", "meshfile", "meshfile_ref"
        ),
    )
    configuration = client.dataset_configuration(dataset_id=DATASET, volume_tracing_ids=["tracing-1"])
    assert configuration.zoom == 1.5
    assert configuration.interpolation is True
    assert configuration.four_bit is False
    server.assert_all_used()
