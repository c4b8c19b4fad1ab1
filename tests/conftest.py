import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches


@pytest.fixture(autouse=True)
def empty_caches():
    """Each test starts with empty caches: the site settings and the content generation live there."""
    for alias in ("default", "local"):
        caches[alias].clear()


@pytest.fixture
def staff_user(db):
    return get_user_model().objects.create_user(
        "staff", "staff@example.org", "a-long-test-password", is_staff=True, is_superuser=True
    )


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def demo_content(db):
    """The demo content from fixtures/, as `make run` loads it."""
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
