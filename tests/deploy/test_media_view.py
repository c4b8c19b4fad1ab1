"""The site serves uploaded files itself, DEBUG or not: inert, cacheable, resumable, only to who may have them."""

import datetime
import io
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from briefings.models import Resource
from tests.factories import BriefingFactory, ResourceFactory

OOXML = "application/vnd.openxmlformats-officedocument"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n" + b"x" * 5000


def png_bytes(size=(40, 20)):
    out = io.BytesIO()
    Image.new("RGB", size, "teal").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEBUG = False
    settings.MEDIA_X_ACCEL_REDIRECT = ""
    (tmp_path / "media").mkdir()
    return tmp_path / "media"


@pytest.fixture
def files(media_root, db):
    """An editor image, resource PDFs of a published, a draft and a future briefing, and stand-alone ones."""
    image = default_storage.save("markdownx/0b6f0a34-1111-4c4c-9d9d-123456789abc.png", ContentFile(png_bytes()))
    published = BriefingFactory()
    draft = BriefingFactory(draft=True)
    future = BriefingFactory(published=timezone.localdate() + datetime.timedelta(days=3))
    made = {"image": image}
    for key, briefing, status in (
        ("public", published, Resource.Status.DRAFT),  # a briefing's resource follows its briefing
        ("draft", draft, Resource.Status.PUBLISHED),
        ("future", future, Resource.Status.PUBLISHED),
        ("alone", None, Resource.Status.PUBLISHED),
        ("alone_draft", None, Resource.Status.DRAFT),
    ):
        resource = ResourceFactory(
            briefing=briefing, title=key, status=status, file=ContentFile(PDF, name=f"{key} notes.pdf")
        )
        made[key] = resource.file.name
    return made


def test_resource_uploads_get_names_never_used_before(files):
    before = timezone.now()
    first, second = (ResourceFactory(title="t", file=ContentFile(PDF, name="same.pdf"), draft=True) for _ in range(2))
    assert first.file.name != second.file.name
    # Either side of New Year, should the uploads run across it.
    years = {f"resources/{when:%Y}/" for when in (before, timezone.now())}
    assert first.file.name.startswith(tuple(years)) and first.file.name.endswith("/same.pdf")


def test_image_is_served_inline_sandboxed_and_cached_for_a_year(client, files):
    response = client.get("/media/" + files["image"])
    assert response.status_code == 200
    with default_storage.open(files["image"]) as stored:
        assert b"".join(response.streaming_content) == stored.read()
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert "sandbox" in csp and "default-src 'none'" in csp
    assert "max-age=31536000" in response["Cache-Control"] and "immutable" in response["Cache-Control"]


def test_public_resource_downloads_with_its_own_name(client, files):
    response = client.get("/media/" + files["public"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="public_notes.pdf"' in response["Content-Disposition"]
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Length"] == str(len(PDF))
    assert client.get("/media/" + files["alone"]).status_code == 200


def test_files_of_drafts_future_briefings_and_draft_resources_are_for_staff_only(staff_client, files):
    from django.test import Client

    anonymous = Client()
    for key in ("draft", "future", "alone_draft"):
        assert anonymous.get("/media/" + files[key]).status_code == 404
        response = staff_client.get("/media/" + files[key])
        assert response.status_code == 200
        assert "private" in response["Cache-Control"]
        assert response["Content-Disposition"].startswith("attachment")


def test_range_requests(client, files):
    url = "/media/" + files["public"]
    response = client.get(url, headers={"Range": "bytes=5-14"})
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 5-14/{len(PDF)}"
    assert b"".join(response.streaming_content) == PDF[5:15]
    suffix = client.get(url, headers={"Range": "bytes=-7"})
    assert suffix.status_code == 206 and b"".join(suffix.streaming_content) == PDF[-7:]
    open_ended = client.get(url, headers={"Range": "bytes=5000-"})
    assert b"".join(open_ended.streaming_content) == PDF[5000:]
    beyond = client.get(url, headers={"Range": f"bytes={len(PDF)}-"})
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(PDF)}"
    # Several ranges, or a range for a file that has changed since: the whole file.
    several = client.get(url, headers={"Range": "bytes=0-1,4-5"})
    assert several.status_code == 200 and b"".join(several.streaming_content) == PDF
    stale = client.get(url, headers={"Range": "bytes=0-1", "If-Range": '"old"'})
    assert stale.status_code == 200


def test_conditional_requests(client, files):
    url = "/media/" + files["public"]
    first = client.get(url)
    assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": first["Last-Modified"]}).status_code == 304
    not_modified = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert not_modified["Cache-Control"] == first["Cache-Control"]
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200
    resumed = client.get(url, headers={"Range": "bytes=0-3", "If-Range": first["ETag"]})
    assert resumed.status_code == 206


def test_head_sends_headers_only(client, files):
    response = client.head("/media/" + files["public"])
    assert response.status_code == 200 and response["Content-Length"] == str(len(PDF))
    assert client.post("/media/" + files["public"]).status_code == 405


@pytest.mark.parametrize(
    "path",
    [
        "/media/../manage.py",
        "/media/markdownx/../../manage.py",
        "/media/markdownx/..%2F..%2Fmanage.py",
        "/media/markdownx%2F..%2F..%2Fmanage.py",
        "/media/%2E%2E/manage.py",
        "/media//etc/passwd",
        "/media/markdownx/a.png%00.txt",
        "/media/markdownx\\..\\x.png",
        "/media/markdownx/missing.png",
        "/media/",
    ],
)
def test_nothing_outside_media_root(client, files, path):
    assert client.get(path).status_code == 404


def test_symlink_pointing_out_of_media_root_is_not_served(staff_client, files, media_root, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not an upload")
    os.symlink(secret, media_root / "markdownx" / "link.png")
    os.symlink(tmp_path, media_root / "markdownx" / "outside")
    assert staff_client.get("/media/markdownx/link.png").status_code == 404
    assert staff_client.get("/media/markdownx/outside/secret.txt").status_code == 404


def test_files_outside_the_known_folders_are_for_staff_only(staff_client, files):
    from django.test import Client

    name = default_storage.save("elsewhere/notes.pdf", ContentFile(PDF))
    assert Client().get("/media/" + name).status_code == 404
    assert staff_client.get("/media/" + name).status_code == 200


def test_behind_nginx_the_site_decides_and_nginx_sends(client, files, settings):
    settings.MEDIA_X_ACCEL_REDIRECT = "/_protected_media/"
    response = client.get("/media/" + files["public"])
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/_protected_media/" + files["public"].replace(" ", "%20")
    assert response.content == b""
    assert response["Content-Disposition"].startswith("attachment")
    assert client.get("/media/" + files["draft"]).status_code == 404


@pytest.mark.parametrize(
    ("name", "expected", "inline"),
    [
        ("markdownx/a.webp", "image/webp", True),
        ("markdownx/a.JPEG", "image/jpeg", True),
        ("resources/2026/ab/plan.docx", f"{OOXML}.wordprocessingml.document", False),
        ("resources/2026/ab/figures.xlsx", f"{OOXML}.spreadsheetml.sheet", False),
        ("resources/2026/ab/slides.pptx", f"{OOXML}.presentationml.presentation", False),
        ("resources/2026/ab/drawing.svg", "image/svg+xml", False),
    ],
)
def test_types_do_not_depend_on_the_systems_mime_list(name, expected, inline, monkeypatch):
    """A slim Docker image has no /etc/mime.types: WebP and Office files must still get their types."""
    import mimetypes

    from portal.storage import content_type, disposition

    monkeypatch.setattr(mimetypes, "_db", mimetypes.MimeTypes(filenames=()))
    monkeypatch.setattr(mimetypes, "inited", True)
    if expected == "image/svg+xml":
        expected = mimetypes.guess_type(name)[0] or "application/octet-stream"
    assert content_type(name) == expected
    assert disposition(name).startswith("inline" if inline else "attachment")


def test_uploaded_files_go_out_as_stored_even_to_browsers_that_accept_gzip(client, files):
    """Images and documents are compressed already, and a compressed 206 would break resumed downloads."""
    whole = client.get("/media/" + files["public"], headers={"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in whole and b"".join(whole.streaming_content) == PDF
    part = client.get("/media/" + files["public"], headers={"Accept-Encoding": "gzip, br", "Range": "bytes=0-99"})
    assert part.status_code == 206 and "Content-Encoding" not in part
    assert b"".join(part.streaming_content) == PDF[:100]
