import pytest

from tests.deploy.helpers import collect_static


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """Static files collected once, as the README's deployment commands do."""
    return collect_static(tmp_path_factory.mktemp("collected") / "static")
