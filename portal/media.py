"""Uploaded files, served by the site in every deployment (README "Uploaded files").

One view decides who may have a file and sends it with headers that keep it inert: a file
opened directly cannot run anything (sandboxed, nothing loads, nosniff) and only raster
images are shown inline; everything else downloads. Files on disk and in an object store
(portal/s3.py) are served alike, with Range and conditional requests; behind nginx the
view answers with X-Accel-Redirect and nginx sends the bytes (deploy/nginx.conf).
"""

import re
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe
from django.views.decorators.http import require_safe
from markdownx.settings import MARKDOWNX_MEDIA_PATH

from portal.storage import content_type, disposition

# Nothing in an uploaded file may run, load or submit anything, even when opened on its own.
FILE_CSP = "default-src 'none'; img-src 'self'; sandbox; frame-ancestors 'none'; form-action 'none'; base-uri 'none'"
# Editor images are stored under a random name (a UUID) that is never reused: cached for a year.
IMMUTABLE = "public, max-age=31536000, immutable"
# A resource's file has a unique name too, but it stops being public when its briefing is
# withdrawn, so shared caches keep it for an hour and then ask again (ETag: usually a 304).
PUBLIC_RESOURCE = "public, max-age=3600"
STAFF_ONLY = "private, no-cache"
CHUNK = 64 * 1024
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


@require_safe
def serve(request, path):
    """Send one uploaded file, or 404 if it does not exist or this reader may not have it."""
    name = clean_name(path)
    if name is None:
        raise Http404("No such file.")
    cache_control = _cache_control(request, name)
    if cache_control is None:
        raise Http404("No such file.")
    stored = _stored(name)
    if settings.MEDIA_X_ACCEL_REDIRECT and isinstance(default_storage, FileSystemStorage):
        response = HttpResponse(content_type=content_type(name))
        response["X-Accel-Redirect"] = settings.MEDIA_X_ACCEL_REDIRECT.rstrip("/") + "/" + quote(name)
        return _inert(response, name, cache_control)

    etag, last_modified = stored.etag, stored.modified
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        byte_range = _byte_range(request, stored)
        if byte_range == "unsatisfiable":
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{stored.size}"
        else:
            start, end = byte_range or (0, stored.size - 1)
            length = max(end - start + 1, 0)
            if request.method == "HEAD":
                response = HttpResponse()
            else:
                response = StreamingHttpResponse(stored.chunks(start, length))
            response["Content-Length"] = str(length)
            if byte_range:
                response.status_code = 206
                response["Content-Range"] = f"bytes {start}-{end}/{stored.size}"
    response["Content-Type"] = content_type(name)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Accept-Ranges"] = "bytes"
    return _inert(response, name, cache_control)


def read_upload(name):
    """The bytes of an uploaded file wherever it is stored (disk or object store), or None."""
    if clean_name(name) is None:
        return None
    try:
        stored = _stored(name)
    except Http404:
        return None
    return b"".join(stored.chunks(0, stored.size))


def clean_name(path):
    """The storage name for a URL path, or None for anything that could reach outside MEDIA_ROOT."""
    if not path or "\x00" in path or "\\" in path or path.startswith("/"):
        return None
    if any(part in {"", ".", ".."} for part in path.split("/")):
        return None
    return path


# (prefix, test) pairs: a content app says in its AppConfig.ready() which of its uploads the
# public may fetch, so this base module needs no import of the apps above it.
_public_uploads = []


def register_public_uploads(prefix, is_public):
    """Let a content app decide whether a file stored under `prefix` is public."""
    _public_uploads.append((prefix, is_public))


def is_public_file(name):
    """Whether anyone may have this uploaded file: an editor's image, or one a content app calls public."""
    if name.startswith(MARKDOWNX_MEDIA_PATH):
        return True
    for prefix, is_public in _public_uploads:
        if name.startswith(prefix):
            return is_public(name)
    # Drafts' files and anything else under MEDIA_ROOT: staff only.
    return False


def _cache_control(request, name):
    """How the file may be cached, or None when this reader may not have it."""
    if is_public_file(name):
        return IMMUTABLE if name.startswith(MARKDOWNX_MEDIA_PATH) else PUBLIC_RESOURCE
    return STAFF_ONLY if request.user.is_staff else None


def _inert(response, name, cache_control):
    response["Content-Disposition"] = disposition(name)
    response["Content-Security-Policy"] = FILE_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = cache_control
    if cache_control == STAFF_ONLY:
        response["Vary"] = "Cookie"
    return response


def _byte_range(request, stored):
    """(first, last) for a single satisfiable range, "unsatisfiable", or None to send the whole file.

    Several ranges, a malformed header, or an If-Range that no longer matches: the whole file,
    as HTTP allows (RFC 9110 14.2).
    """
    header = request.headers.get("Range")
    if not header or stored.size == 0:
        return None
    if_range = request.headers.get("If-Range")
    if if_range and if_range != stored.etag and parse_http_date_safe(if_range) != stored.modified:
        return None
    match = _RANGE.fullmatch(header.strip())
    if not match or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first == "":
        suffix = int(last)
        if suffix == 0:
            return "unsatisfiable"
        return max(stored.size - suffix, 0), stored.size - 1
    start = int(first)
    end = int(last) if last else stored.size - 1
    if start >= stored.size:
        return "unsatisfiable"
    if end < start:
        return None
    return start, min(end, stored.size - 1)


def _stored(name):
    if isinstance(default_storage, FileSystemStorage):
        return _DiskFile(name)
    if hasattr(default_storage, "bucket_name"):
        return _ObjectStoreFile(name)
    raise Http404("No such file.")


class _DiskFile:
    def __init__(self, name):
        root = Path(default_storage.location).resolve()
        path = (root / name).resolve()
        # A symlink (or anything else) leading outside MEDIA_ROOT is not an uploaded file.
        if not path.is_relative_to(root) or not path.is_file():
            raise Http404("No such file.")
        stat = path.stat()
        self.path, self.size = path, stat.st_size
        self.modified = int(stat.st_mtime)
        self.etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'

    def chunks(self, start, length):
        with self.path.open("rb") as file:
            file.seek(start)
            while length > 0:
                data = file.read(min(CHUNK, length))
                if not data:
                    break
                length -= len(data)
                yield data


class _ObjectStoreFile:
    """An object in the S3-compatible store, read with ranged GETs rather than downloaded whole."""

    def __init__(self, name):
        from botocore.exceptions import ClientError

        storage = default_storage
        self.client = storage.connection.meta.client
        self.bucket, self.key = storage.bucket_name, storage._normalize_name(name)
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self.key)
        except ClientError:
            raise Http404("No such file.") from None
        self.size = head["ContentLength"]
        self.modified = int(head["LastModified"].timestamp())
        self.etag = head["ETag"]

    def chunks(self, start, length):
        if length <= 0:
            return
        byte_range = f"bytes={start}-{start + length - 1}"
        body = self.client.get_object(Bucket=self.bucket, Key=self.key, Range=byte_range)["Body"]
        try:
            yield from body.iter_chunks(CHUNK)
        finally:
            body.close()
