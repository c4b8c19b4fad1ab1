import pytest

from training.models import Course

from .factories import make_course


@pytest.fixture
def course(db):
    return make_course(title="Child Neglect", slug="child-neglect", format=Course.Format.CLASSROOM)


@pytest.fixture
def publisher_client(client, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("publisher", "p@example.org", "a-long-test-password", is_staff=True)
    user.groups.add(Group.objects.get(name="Publisher"))
    client.force_login(user)
    return client


@pytest.fixture
def editor_client(client, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("editor", "e@example.org", "a-long-test-password", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    client.force_login(user)
    return client


@pytest.fixture
def site_settings(db):
    """Created up front so the first request's get_or_create is not counted in query tests."""
    from portal.models import SiteSettings

    return SiteSettings.load()
