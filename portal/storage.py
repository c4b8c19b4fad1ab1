"""Uploaded files in an S3-compatible object store, for sites on several machines without a shared disk.

Chosen by AWS_STORAGE_BUCKET_NAME (see README "Shared file storage"). Readers never fetch from the
store directly: the site's media view (portal/media.py) streams each file with the same headers and
access checks as files on disk, so the pages' `img-src 'self'` policy still holds and a withdrawn
resource stops being served at once. Objects are stored with their type and a download disposition
as well, so a file fetched from the store by someone with its key is just as inert.
"""

import mimetypes
import posixpath
from urllib.parse import quote

from django.conf import settings
from django.utils.http import content_disposition_header
from storages.backends.s3 import S3Storage

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


class MediaS3Storage(S3Storage):
    def url(self, name, parameters=None, expire=None, http_method=None):
        """The site's own address for the file (served by portal/media.py), not the store's."""
        return settings.MEDIA_URL + quote(name)

    def get_object_parameters(self, name):
        params = super().get_object_parameters(name)
        params.setdefault("ContentType", content_type(name))
        params.setdefault("ContentDisposition", disposition(name))
        return params
