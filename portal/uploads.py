"""Uploads are accepted by what the file is, not by its name or the browser's word for it.

`validate_upload(file)` is the one check; the allowed types and sizes are listed in README "Security".
"""

import io
import os
import zipfile
from xml.etree import ElementTree

import filetype
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from markdownx.forms import ImageForm
from markdownx.views import ImageUploadView
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

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
# Decoding needs about 4 bytes a pixel: 25 megapixels (a 6000 x 4000 photo) is the most a page needs.
MAX_IMAGE_PIXELS = 25_000_000

# PDF actions that run a script or a program, send or fetch data, or open another file, wherever they are.
PDF_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE", "/RichMediaExecute"}
PDF_ACTIONS |= {"/Rendition", "/Movie", "/Sound"}
# Keys that hold scripts, and annotations that play or run embedded content.
PDF_SCRIPT_KEYS = {"/JS", "/JavaScript", "/XFA"}
PDF_MEDIA = {"/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"}
PDF_ATTACHMENT_KEYS = {"/EmbeddedFiles", "/EF"}
MAX_PDF_OBJECTS = 200_000
# Content types and relationship types of Office parts that hold macros, ActiveX controls or key bindings.
OFFICE_MACRO_MARKERS = ("vbaproject", "vbadata", "macroenabled", "macrosheet", "activex", "attachedtoolbars")
OFFICE_MACRO_MARKERS += ("keymapcustomizations",)
# An external relationship makes Office fetch something when the file opens; only clicked links may be external.
OFFICE_EXTERNAL_OK = ("/hyperlink",)
MAX_OFFICE_XML = 5 * MB

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
    reason = _office_problem(archive, names)
    if reason:
        return None, reason
    for kind, part in OFFICE_MAIN_PART.items():
        if part in names:
            return kind, None
    return None, "is not a Word, Excel or PowerPoint file"


def _xml(archive, name):
    """One XML part of an Office package, parsed; ValueError when it is too big or declares entities."""
    info = archive.getinfo(name)
    if info.file_size > MAX_OFFICE_XML:
        raise ValueError(name)
    data = archive.read(info)
    if b"<!doctype" in data.lower():
        raise ValueError(name)  # Office never writes a DTD; one could only be there to expand entities
    return ElementTree.fromstring(data)  # noqa: S314 - no DTD, so no entities; expat fetches nothing


def _office_problem(archive, names):
    """Why this Office package may not be shared (macros, ActiveX, parts fetched from elsewhere), or None."""
    macros = "contains macros or ActiveX controls; save it as a macro-free .docx, .xlsx or .pptx"
    try:
        types = _xml(archive, "[Content_Types].xml")
        relationships = [_xml(archive, name) for name in sorted(names) if name.lower().endswith(".rels")]
    except (ElementTree.ParseError, ValueError, KeyError, OSError, zipfile.BadZipFile, EOFError):
        return "is a damaged or unreadable Office file"
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return macros
    for entry in types:
        content_type = entry.get("ContentType", "").lower()
        if any(marker in content_type for marker in OFFICE_MACRO_MARKERS):
            return macros
        if "oleobject" in content_type:
            return "contains embedded objects (OLE), which can hold programs; paste their content in instead"
    for rels in relationships:
        for relationship in rels:
            kind = relationship.get("Type", "").lower()
            if any(marker in kind for marker in OFFICE_MACRO_MARKERS):
                return macros
            if relationship.get("TargetMode", "").lower() == "external" and not kind.endswith(OFFICE_EXTERNAL_OK):
                return (
                    "loads a template, object or frame from another address when it is opened; "
                    "save a copy with everything in the file"
                )
    return None


def _pdf_actions(value, reader):
    """Action types reached from an OpenAction or AA entry, following /Next chains."""
    found, stack, seen = [], list(value), set()
    while stack and len(seen) < MAX_PDF_OBJECTS:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        if isinstance(item, ArrayObject):
            stack.extend(item)
        elif isinstance(item, DictionaryObject):
            action = item.get("/S")
            if "/S" in item or "/JS" in item:
                found.append(action.get_object() if isinstance(action, IndirectObject) else action)
            if "/Next" in item:
                stack.append(item["/Next"])
    return found


def _pdf_problem(data):
    """'password', 'damaged', 'action', 'attachment' or None, from every object the PDF holds.

    Objects are read from the trailer down and from every cross-reference entry, so an object kept
    in a compressed object stream, or one that nothing points to, is read like any other.
    """
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return "password"
        roots = [reader.trailer]
        for generation, table in reader.xref.items():
            roots.extend(IndirectObject(number, generation, reader) for number in table)
        roots.extend(IndirectObject(number, 0, reader) for number in reader.xref_objStm)
        return _walk_pdf(roots, reader)
    except Exception:  # pypdf raises many kinds for broken files (RecursionError included)
        return "damaged"


def _walk_pdf(roots, reader):
    """The first problem met in any object reachable from `roots` (iteratively: a PDF can nest very deeply)."""
    stack, seen, visited = list(roots), set(), 0
    if not isinstance(reader.trailer.get("/Root"), (IndirectObject, DictionaryObject)):
        return "damaged"
    while stack:
        item = stack.pop()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            return "damaged"
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        if isinstance(item, ArrayObject):
            stack.extend(item)
        elif isinstance(item, DictionaryObject):
            keys = set(item)
            if keys & PDF_SCRIPT_KEYS:
                return "action"
            subtype = item.get("/Subtype")
            if keys & PDF_ATTACHMENT_KEYS or item.get("/Type") == "/EmbeddedFile" or subtype == "/FileAttachment":
                return "attachment"
            if subtype in PDF_MEDIA:
                return "action"
            action = item.get("/S")
            if (
                isinstance(action, NameObject)
                and action in PDF_ACTIONS
                and ("/Type" not in item or item["/Type"] == "/Action")
            ):
                return "action"
            automatic = [item["/OpenAction"]] if "/OpenAction" in item else []
            triggers = item.get("/AA")
            triggers = triggers.get_object() if isinstance(triggers, IndirectObject) else triggers
            if isinstance(triggers, DictionaryObject):
                automatic.extend(triggers.values())
            if any(kind != "/GoTo" for kind in _pdf_actions(automatic, reader)):
                return "action"
            stack.extend(item.values())
    return None


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
            # Pillow reads the size from the header without decoding: refuse before the memory is spent.
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ValidationError(
                    f"“{name}” is {width} × {height} pixels; an image may have at most "
                    f"{MAX_IMAGE_PIXELS // 1_000_000} million pixels (for example 6000 × 4000). "
                    "Make it smaller and upload it again.",
                    code="image_pixels",
                )
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except ValidationError:
        raise
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
    if extension == "pdf":
        _check_pdf(data, name)
    return file


PDF_REFUSALS = {
    "password": "is protected with a password, so it cannot be checked. Upload a copy without a password.",
    "damaged": "is a damaged PDF that cannot be read. Save it again from the program that made it.",
    "action": "contains scripts or actions that run when it is opened or clicked (a script, a program, "
    "a form that sends data, a link that opens by itself or embedded media). Save it again as a plain PDF "
    "(for example with Print, then Save as PDF) and upload that.",
    "attachment": "contains attached files, which could be programs. Remove the attachments, or save it "
    "again as a plain PDF (for example with Print, then Save as PDF), and upload that.",
}


def _check_pdf(data, name):
    problem = _pdf_problem(data)
    if problem:
        raise ValidationError(f"“{name}” {PDF_REFUSALS[problem]}", code=f"pdf_{problem}")


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
