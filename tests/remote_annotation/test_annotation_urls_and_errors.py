"""Annotation ids and URLs, and the errors for unknown annotations, refused tokens and malformed URLs."""

from __future__ import annotations

import pytest
from annotation_recordings import FIXTURE_ZIP
from daedalus.core.annotation import AnnotationUrlError, RemoteAnnotationNotFoundError
from daedalus.core.annotation.annotation_urls import AnnotationLink, parse_annotation_link

import daedalus as wk

ID = "69270ba1010000ca00110a99"
ROUNDTRIP = "test_annotation/test_annotation_upload_download_roundtrip.yml"


@pytest.mark.parametrize(
    ("text", "link"),
    [
        (ID, AnnotationLink(ID)),
        (f"https://wk.example/annotations/{ID}", AnnotationLink(ID, "https://wk.example")),
        (
            f"https://wk.example/annotations/Explorational/{ID}",
            AnnotationLink(ID, "https://wk.example", "Explorational"),
        ),
        (f"http://h:9000/annotations/Task/{ID}/view?token=s3", AnnotationLink(ID, "http://h:9000", "Task", "s3")),
        (
            f"https://wk.example/annotations/{ID}?sharingToken=t#frag",
            AnnotationLink(ID, "https://wk.example", None, "t"),
        ),
    ],
)
def test_ids_and_urls_name_the_annotation_server_type_and_token(text: str, link: AnnotationLink) -> None:
    assert parse_annotation_link(text) == link


@pytest.mark.parametrize(
    "text",
    [
        "https://wk.example/datasets/l4_sample-59e9cfbdba632ac2ab8b23b5",
        "https://wk.example/annotations/",
        f"https://wk.example/annotations/Explorational/{ID}/extra/parts",
        f"{ID}/download",
        f"s3://bucket/annotations/{ID}",
        "",
    ],
)
def test_malformed_annotation_urls_are_refused_naming_the_url_and_the_expected_forms(text: str) -> None:
    with pytest.raises(AnnotationUrlError, match="annotations/<id>") as error:
        parse_annotation_link(text)
    assert repr(text.strip()) in str(error.value)
    assert isinstance(error.value, ValueError)


def test_a_malformed_url_sends_no_request(wk_replay) -> None:
    server = wk_replay("default.yml")
    with pytest.raises(ValueError, match="no /annotations/ part"):
        wk.Annotation.download(f"{server.url}/datasets/{ID}")
    with pytest.raises(ValueError, match="names the server"):
        wk.Annotation.open_remote(f"{server.url}/annotations/{ID}", webknossos_url="https://other.example")
    assert server.received == []


def test_unknown_annotation_id_says_what_was_asked_and_what_to_do(wk_replay) -> None:
    server = wk_replay("default.yml")
    server.reply_next(404, '{"messages":[{"error":"Annotation could not be found"}]}')
    with pytest.raises(RemoteAnnotationNotFoundError) as error:
        wk.Annotation.download("0123456789abcdef01234567")
    message = str(error.value)
    assert "'0123456789abcdef01234567'" in message and server.url in message
    assert "Annotation could not be found" in message and "Check the annotation id" in message
    assert isinstance(error.value, FileNotFoundError)


def test_wrong_token_is_an_auth_error_naming_the_annotation(wk_replay) -> None:
    server = wk_replay("default.yml")
    server.reply_next(401, '{"messages":[{"error":"Invalid token"}]}')
    with pytest.raises(wk.WebknossosAuthError) as error:
        wk.Annotation.open_remote(ID)
    message = str(error.value)
    assert f"Downloading annotation {ID!r}" in message and "Invalid token" in message and "token" in message
    assert "secrettoken" not in message


def test_upload_without_token_is_refused_before_sending(wk_replay) -> None:
    server = wk_replay("default.yml")
    annotation = wk.Annotation.load(FIXTURE_ZIP)
    with wk.webknossos_context(url=server.url), pytest.raises(RuntimeError, match="no token is configured"):
        annotation.upload()
    assert server.received == []


def test_remote_dataset_of_an_annotation_without_id_is_refused() -> None:
    annotation = wk.Annotation(name="local", dataset_name="l4_sample", voxel_size=(1, 1, 1))
    with pytest.raises(ValueError, match="upload"):
        annotation.get_remote_annotation_dataset()


def test_sharing_token_of_the_url_is_sent_and_the_context_returned(wk_replay) -> None:
    server = wk_replay(ROUNDTRIP, ignore_query=frozenset({"timestamp", "sharingToken"}))
    wk.Annotation.load(FIXTURE_ZIP).upload()
    annotation, context = wk.Annotation.download(
        f"{server.url}/annotations/{ID}?token=shared-secret", skip_volume_data=True, _return_context=True
    )
    assert annotation.annotation_id == ID
    (download,) = [r for r in server.received if r.path.endswith("/download")]
    assert ("sharingToken", "shared-secret") in download.query
    with context:
        assert wk.Annotation.download(ID).annotation_id == ID
