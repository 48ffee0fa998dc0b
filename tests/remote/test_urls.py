"""Parsing WEBKNOSSOS dataset and annotation URLs, and the datastore paths built from ids."""

from __future__ import annotations

import pytest
from daedalus.core.remote.urls import parse_annotation_url, parse_dataset_url, proxy_url, zarr_streaming_url

ID = "59e9cfbdba632ac2ab8b23b5"


@pytest.mark.parametrize(
    "url",
    [f"https://wk.org/datasets/{ID}", f"https://wk.org/datasets/l4_sample-{ID}/view", f"https://wk.org/datasets/{ID}/"],
)
def test_dataset_urls_with_an_id(url: str) -> None:
    link = parse_dataset_url(url)
    assert (link.webknossos_url, link.dataset_id, link.dataset_name) == ("https://wk.org", ID, None)


def test_legacy_dataset_url_and_sharing_token() -> None:
    link = parse_dataset_url("http://localhost:9000/datasets/Organization_X/l4_sample/view?token=abc")
    assert (link.organization_id, link.dataset_name, link.sharing_token) == ("Organization_X", "l4_sample", "abc")


def test_annotation_urls_and_datastore_paths() -> None:
    assert parse_annotation_url(f"https://wk.org/annotations/{ID}") == ("https://wk.org", ID)
    assert parse_annotation_url(ID) == (None, ID)
    assert zarr_streaming_url("http://ds/", ID, 12) == f"http://ds/data/v12/zarr/{ID}/"
    assert zarr_streaming_url("http://ds", ID, 12, "a1") == "http://ds/data/v12/annotations/zarr/a1/"
    assert proxy_url("http://ds", ID, 12) == f"http://ds/data/v12/datasets/{ID}/proxy/"
    with pytest.raises(ValueError, match="expected <server>/datasets"):
        parse_dataset_url("https://wk.org/datasets/a/b/c/d")
