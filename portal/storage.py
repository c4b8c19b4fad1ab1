"""What an uploaded file is sent as: its type, and inline or download, on disk or in an object store alike."""

import mimetypes
import posixpath

from django.utils.http import content_disposition_header

from portal.uploads import ALLOWED

# Images a browser may show in a page; every other file is offered as a download.
RASTER_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


def content_type(name):
    """The type of an uploaded file from its extension: our own list first, as a slim image has no /etc/mime.types."""
    extension = posixpath.splitext(name)[1].lower().lstrip(".")
    known = ALLOWED.get({"jpeg": "jpg"}.get(extension, extension))
    if known:
        return known.mime
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def disposition(name):
    """`inline` for raster images, `attachment` for everything else, with the file's own name."""
    kind = content_type(name)
    return content_disposition_header(kind not in RASTER_TYPES, posixpath.basename(name))
