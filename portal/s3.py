"""Uploaded files in an S3-compatible store, served through portal.media with the same checks as files on disk.

In its own module so only sites that set AWS_STORAGE_BUCKET_NAME import boto3 (README "Shared file storage").
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
