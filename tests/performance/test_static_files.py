"""Static files have hashed names, precompressed copies and a long cache lifetime in production."""

import re

import pytest
from django.core.management import call_command
from django.test import Client


@pytest.fixture
def production_static(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    return tmp_path


@pytest.mark.django_db
def test_pages_link_hashed_static_files_served_for_a_year(production_static):
    client = Client()  # a new client builds the middleware after collectstatic
    html = client.get("/").content.decode()
    links = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert any(link.endswith(".css") for link in links)
    assert any(link.endswith(".js") for link in links)
    for link in links:
        assert re.search(r"\.[0-9a-f]{12}\.(css|js|svg)$", link), link
        assert (production_static / link.removeprefix("/static/")).exists()
        assert (production_static / (link.removeprefix("/static/") + ".gz")).exists()
        response = client.get(link, HTTP_ACCEPT_ENCODING="gzip")
        response.close()
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip"
        assert "max-age=315360000" in response["Cache-Control"]
        assert "immutable" in response["Cache-Control"]
