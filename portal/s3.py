"""Uploaded files in an S3-compatible object store, for sites on several machines without a shared disk.

In its own module so boto3 is only imported by sites that use it.

Chosen by AWS_STORAGE_BUCKET_NAME (see README "Shared file storage"). Readers never fetch from the
store directly: the site's media view (portal/media.py) streams each file with the same headers and
access checks as files on disk, so the pages' `img-src 'self'` policy still holds and a withdrawn
resource stops being served at once. Objects are stored with their type and a download disposition
as well, so a file fetched from the store by someone with its key is just as inert.
"""

from urllib.parse import quote

from django.conf import settings
from storages.backends.s3 import S3Storage

from portal.storage import content_type, disposition


class MediaS3Storage(S3Storage):
    def url(self, name, parameters=None, expire=None, http_method=None):
        """The site's own address for the file (served by portal/media.py), not the store's."""
        return settings.MEDIA_URL + quote(name)

    def get_object_parameters(self, name):
        params = super().get_object_parameters(name)
        params.setdefault("ContentType", content_type(name))
        params.setdefault("ContentDisposition", disposition(name))
        return params
