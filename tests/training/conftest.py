import pytest

from tests.factories import CourseFactory
from training.models import Course


@pytest.fixture
def course(db):
    return CourseFactory(title="Child Neglect", slug="child-neglect", format=Course.Format.CLASSROOM)


@pytest.fixture
def site_settings(db):
    """Created up front so the first request's get_or_create is not counted in query tests."""
    from portal.models import SiteSettings

    return SiteSettings.load()
