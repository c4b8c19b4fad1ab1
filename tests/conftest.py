import re

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import UserFactory

# A script element that runs: neither loaded from a file nor structured data (JSON, which never runs).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)(?![^>]*type=\"application/ld\+json\")[^>]*>")


@pytest.fixture(autouse=True)
def empty_caches():
    """Each test starts with empty caches: the site settings and the content generation live there."""
    for alias in ("default", "local"):
        caches[alias].clear()


@pytest.fixture
def staff_user(db):
    return UserFactory(username="staff", superuser=True)


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def editor(db):
    """A staff member in the Editor group: may edit, may not publish."""
    return UserFactory(username="editor", editor=True, first_name="Eddie", last_name="Editor")


@pytest.fixture
def publisher(db):
    return UserFactory(username="publisher", publisher=True, first_name="Pat", last_name="Publisher")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def publisher_client(client, publisher):
    client.force_login(publisher)
    return client


@pytest.fixture
def demo_content(db):
    """The demo content from fixtures/, as `make run` loads it."""
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)


def import_through_admin(client, files, confirm=True):
    """Upload `files` ({name: bytes} or uploaded files) to the admin import, then press Confirm on its preview.

    Returns (preview response, confirm response or None when there was nothing to confirm).
    """
    if isinstance(files, dict):
        files = [SimpleUploadedFile(name, raw) for name, raw in files.items()]
    url = reverse("admin:briefings_briefing_import")
    preview = client.post(url, {"files": files})
    assert preview.status_code == 200, preview.status_code
    token = preview.context["token"] if preview.context and "token" in preview.context else None
    if not (confirm and token):
        return preview, None
    done = client.post(url, {"token": token, "confirm": "Confirm"})
    assert done.status_code == 200, done.status_code
    return preview, done
