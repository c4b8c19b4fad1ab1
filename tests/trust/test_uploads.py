"""Uploads are judged by content: real images and documents only, SVG and HTML refused even renamed."""

import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from portal.uploads import validate_image_upload, validate_upload

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def image_bytes(fmt="PNG", size=(40, 30)):
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt)
    return out.getvalue()


def office_bytes(main_part="word/document.xml", extra=()):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr(main_part, "<document/>")
        for name in extra:
            archive.writestr(name, "x")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.parametrize(
    "name,data",
    [
        ("photo.png", image_bytes("PNG")),
        ("photo.jpg", image_bytes("JPEG")),
        ("photo.jpeg", image_bytes("JPEG")),
        ("animation.gif", image_bytes("GIF")),
        ("picture.webp", image_bytes("WEBP")),
        ("strategy.pdf", PDF),
        ("toolkit.docx", office_bytes("word/document.xml")),
        ("figures.xlsx", office_bytes("xl/workbook.xml")),
        ("slides.pptx", office_bytes("ppt/presentation.xml")),
    ],
)
def test_real_images_and_documents_are_accepted(name, data):
    file = upload(name, data)
    assert validate_upload(file) is file


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("drawing.svg", SVG, "not a file type the portal accepts"),
        ("drawing.png", SVG, "not a file type the portal accepts"),
        ("page.html", HTML, "not a file type the portal accepts"),
        ("page.pdf", HTML, "not a file type the portal accepts"),
        ("archive.docx", b"PK\x03\x04" + b"\x00" * 40, "damaged"),
        ("macro.docx", office_bytes("word/document.xml", ["word/vbaProject.bin"]), "macros"),
        ("plain.docx", office_bytes("other/thing.xml"), "not a Word, Excel or PowerPoint file"),
        ("script.pdf", PDF.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (x) >>"),
         "scripts"),
        ("photo.html", image_bytes("GIF"), "Rename it"),
        ("photo.png", image_bytes("JPEG"), "Rename it"),
        ("broken.png", image_bytes("PNG")[:60], "damaged image"),
        ("program.exe", b"MZ" + b"\x00" * 100, "not a file type"),
    ],
)  # fmt: skip
def test_other_content_is_refused_with_a_clear_message(name, data, message):
    with pytest.raises(ValidationError) as error:
        validate_upload(upload(name, data, "image/png"))
    assert message in error.value.messages[0]
    assert name in error.value.messages[0]


def test_images_over_2_mb_and_documents_over_10_mb_are_refused():
    big_png = upload("big.png", image_bytes("PNG") + b"\x00" * (2 * 1024 * 1024))
    with pytest.raises(ValidationError, match="at most 2"):
        validate_upload(big_png)
    big_pdf = upload("big.pdf", PDF + b"\x00" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError, match="10 MB"):
        validate_upload(big_pdf)


def test_image_only_check_refuses_documents():
    with pytest.raises(ValidationError, match="PNG, JPEG, GIF or WebP"):
        validate_image_upload(upload("strategy.pdf", PDF))


def test_empty_value_and_stored_files_pass_through(db):
    from briefings.models import Resource

    assert validate_upload(None) is None
    resource = Resource(title="Stored", file="resources/2024/stored.pdf")
    assert validate_upload(resource.file) is resource.file


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def markdownx_upload(client, name, data, content_type):
    return client.post(
        "/markdownx/upload/",
        {"image": SimpleUploadedFile(name, data, content_type=content_type)},
        headers={"x-requested-with": "XMLHttpRequest"},
    )


def test_editor_image_upload_accepts_a_real_image(staff_client, media):
    response = markdownx_upload(staff_client, "chart.png", image_bytes("PNG"), "image/png")
    assert response.status_code == 200
    code = json.loads(response.content)["image_code"]
    assert code.startswith("![](/media/markdownx/") and code.endswith(".png)")


@pytest.mark.parametrize(
    "name,data,content_type",
    [
        ("evil.png", SVG, "image/png"),
        ("evil.svg", SVG, "image/svg+xml"),
        ("evil.gif", HTML, "image/gif"),
        ("evil.html", HTML, "image/png"),
        ("strategy.pdf", PDF, "image/png"),
    ],
)
def test_editor_image_upload_refuses_svg_html_and_documents_whatever_the_header(
    staff_client, media, name, data, content_type
):
    response = markdownx_upload(staff_client, name, data, content_type)
    assert response.status_code == 400
    assert not any(media.rglob("*.*"))


def test_editor_image_upload_stores_the_name_from_the_content_not_the_upload(staff_client, media):
    """A GIF named page.html (so a server would send it as a web page) is stored as .gif."""
    response = markdownx_upload(staff_client, "page.gif", image_bytes("GIF"), "image/gif")
    assert response.status_code == 200
    response = markdownx_upload(staff_client, "page.html", image_bytes("GIF"), "image/gif")
    assert response.status_code == 400
    stored = [p.suffix for p in media.rglob("*.*")]
    assert stored == [".gif"]


def test_image_upload_is_for_staff_only(client, media):
    response = markdownx_upload(client, "chart.png", image_bytes("PNG"), "image/png")
    assert response.status_code == 302
    assert not any(media.rglob("*.*"))


def test_resource_upload_in_the_real_admin_is_checked_by_content(staff_client, media):
    from briefings.models import Resource

    data = {
        "title": "Neglect poster",
        "kind": "poster",
        "description": "",
        "url": "",
        "position": "0",
        "status": "draft",
    }
    refused = staff_client.post(
        "/admin/briefings/resource/add/", {**data, "file": upload("poster.png", SVG, "image/png")}
    )
    assert refused.status_code == 200
    assert "not a file type the portal accepts" in refused.content.decode()
    assert not Resource.objects.exists()
    accepted = staff_client.post(
        "/admin/briefings/resource/add/", {**data, "file": upload("poster.png", image_bytes(), "image/png")}
    )
    assert accepted.status_code == 302
    assert Resource.objects.get().file.name.endswith(".png")
