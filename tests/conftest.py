import pytest
from django.core.cache import caches

from tests.factories import UserFactory


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
