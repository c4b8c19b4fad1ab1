"""Uploads are accepted by what the file IS, not by its name or the browser's word for it.

`validate_upload(file)` is the one check: call it from any form that takes a file. Images
(PNG, JPEG, GIF, WebP) up to 2 MB and documents (PDF, Word .docx, Excel .xlsx, PowerPoint
.pptx) up to 10 MB. SVG, HTML and anything else are refused even when renamed, because a
file served from our own address that a browser treats as a page could run script.
"""

import io
import os
import zipfile

import filetype
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from markdownx.forms import ImageForm
from markdownx.views import ImageUploadView
from PIL import Image

MB = 1024 * 1024
IMAGE, DOCUMENT = "image", "document"


class Allowed:
    def __init__(self, kind, mime, extensions, max_size, label):
        self.kind, self.mime, self.extensions, self.max_size, self.label = kind, mime, extensions, max_size, label


ALLOWED = {
    "png": Allowed(IMAGE, "image/png", {"png"}, 2 * MB, "PNG image"),
    "jpg": Allowed(IMAGE, "image/jpeg", {"jpg", "jpeg"}, 2 * MB, "JPEG image"),
    "gif": Allowed(IMAGE, "image/gif", {"gif"}, 2 * MB, "GIF image"),
    "webp": Allowed(IMAGE, "image/webp", {"webp"}, 2 * MB, "WebP image"),
    "pdf": Allowed(DOCUMENT, "application/pdf", {"pdf"}, 10 * MB, "PDF document"),
    "docx": Allowed(
        DOCUMENT,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        {"docx"},
        10 * MB,
        "Word document",
    ),
    "xlsx": Allowed(
        DOCUMENT, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", {"xlsx"}, 10 * MB, "Excel file"
    ),
    "pptx": Allowed(
        DOCUMENT,
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        {"pptx"},
        10 * MB,
        "PowerPoint file",
    ),
}
# The part each Office Open XML format must contain, besides [Content_Types].xml.
OFFICE_MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}
MAX_UNZIPPED = 200 * MB  # a zip bomb is refused before anything unpacks it
PDF_ACTIVE = (b"/JavaScript", b"/JS ", b"/JS(", b"/JS<", b"/Launch")

ACCEPTED_TEXT = (
    "Upload a PDF, Word (.docx), Excel (.xlsx) or PowerPoint (.pptx) document, or a PNG, JPEG, GIF or WebP image."
)
IMAGES_TEXT = "Upload a PNG, JPEG, GIF or WebP image."


def _read(file):
    file.seek(0)
    data = file.read()
    file.seek(0)
    return data


def _office_kind(data):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None, "is a damaged or unreadable Office file"
    if unzipped > MAX_UNZIPPED:
        return None, "unpacks to far more data than a document holds"
    if "[Content_Types].xml" not in names:
        return None, "is a zip archive, not an Office document"
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return None, "contains macros; save it as a macro-free .docx, .xlsx or .pptx"
    for kind, part in OFFICE_MAIN_PART.items():
        if part in names:
            return kind, None
    return None, "is not a Word, Excel or PowerPoint file"


def sniff(data):
    """('png' | 'jpg' | ... | None, reason when None) from the file's bytes alone."""
    guess = filetype.guess(data[:8192])
    if guess is None:
        return None, None
    extension = {"apng": "png", "jpeg": "jpg"}.get(guess.extension, guess.extension)
    if extension in {"zip", "docx", "xlsx", "pptx"}:
        return _office_kind(data)
    return (extension, None) if extension in ALLOWED else (None, None)


def _check_image(data, name):
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(f"“{name}” is an image too large in pixels to show.", code="image_pixels") from None
    except Exception:  # Pillow raises many kinds for broken files
        raise ValidationError(f"“{name}” is a damaged image that cannot be shown.", code="image_broken") from None


def validate_upload(file, kinds=(IMAGE, DOCUMENT)):
    """Raise ValidationError unless `file` is an allowed image or document by content, name and size.

    Returns `file` unchanged, so a form can say `return validate_upload(self.cleaned_data["file"])`.
    A file already stored (not a new upload) and an empty value pass through.
    """
    if not file:
        return file
    if getattr(file, "_committed", False):
        return file  # a stored FieldFile, checked when it was uploaded
    name = os.path.basename(getattr(file, "name", "") or "the file")
    accepted = IMAGES_TEXT if kinds == (IMAGE,) else ACCEPTED_TEXT
    size = getattr(file, "size", None)
    if size is not None and size > 10 * MB:
        raise ValidationError(f"“{name}” is {filesizeformat(size)}; the largest file accepted is 10 MB.", code="size")
    data = _read(file)
    extension, reason = sniff(data)
    if extension is None or ALLOWED[extension].kind not in kinds:
        why = f"“{name}” {reason}." if reason else f"“{name}” is not a file type the portal accepts."
        raise ValidationError(
            f"{why} {accepted} SVG drawings and web pages cannot be uploaded because they can carry scripts.",
            code="type",
        )
    allowed = ALLOWED[extension]
    given = os.path.splitext(name)[1].lower().lstrip(".")
    if given not in allowed.extensions:
        raise ValidationError(
            f"“{name}” is a {allowed.label}, but its name ends in “.{given}”. "
            f"Rename it to end in “.{sorted(allowed.extensions)[0]}” and upload it again.",
            code="extension",
        )
    if len(data) > allowed.max_size:
        raise ValidationError(
            f"“{name}” is {filesizeformat(len(data))}; a {allowed.label} may be at most "
            f"{filesizeformat(allowed.max_size)}.",
            code="size",
        )
    if allowed.kind == IMAGE:
        _check_image(data, name)
    if extension == "pdf" and any(marker in data for marker in PDF_ACTIVE):
        raise ValidationError(
            f"“{name}” contains scripts or actions that run when it is opened. Save it again as a plain PDF "
            "(for example with Print, then Save as PDF) and upload that.",
            code="pdf_active",
        )
    return file


def validate_image_upload(file):
    return validate_upload(file, kinds=(IMAGE,))


class CheckedImageForm(ImageForm):
    """markdownx's image upload, checked by content; the stored name and type come from the content."""

    def clean(self):
        upload = self.cleaned_data.get("image")
        if upload:
            validate_image_upload(upload)
            extension, _ = sniff(_read(upload))
            # markdownx picks the stored name's extension and the re-encoding from these two.
            upload.content_type = ALLOWED[extension].mime
            upload.name = f"image.{extension}"
        return super().clean()


class CheckedImageUploadView(ImageUploadView):
    form_class = CheckedImageForm
