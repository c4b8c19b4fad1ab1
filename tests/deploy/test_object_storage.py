"""Uploads in an S3-compatible object store (several machines, no shared disk), against a real S3 server on loopback.

The server is moto's (`moto[server]`), spoken to over HTTP by boto3 exactly as a MinIO or AWS
endpoint would be: nothing is patched in-process.
"""

import io
import secrets

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from moto.server import ThreadedMotoServer
from pypdf import PdfReader

from briefings import print_views
from briefings.importer import import_file
from briefings.models import Resource, Section
from tests.deploy.helpers import deployed_site, fetch, free_port
from tests.deploy.site_content import PDF, png_bytes
from tests.factories import BriefingFactory, ResourceFactory


@pytest.fixture(scope="module")
def s3_server():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_server, settings, monkeypatch):
    """A new, empty bucket, made the site's file storage as AWS_STORAGE_BUCKET_NAME etc. would."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "portal-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "portal-test-secret")
    name = f"portal-media-{secrets.token_hex(4)}"
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1")
    client.create_bucket(Bucket=name)
    use_bucket(settings, s3_server, name)
    yield client, name
    client.close()


def use_bucket(settings, endpoint, name):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "portal.s3.MediaS3Storage",
            "OPTIONS": {
                "bucket_name": name, "endpoint_url": endpoint, "region_name": "us-east-1",
                "addressing_style": "path", "file_overwrite": False, "default_acl": None,
            },
        },
    }  # fmt: skip


def test_settings_choose_the_object_store_from_the_environment(monkeypatch):
    import importlib

    import portal.settings

    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "portal-media")
    monkeypatch.setenv("AWS_S3_ENDPOINT_URL", "http://127.0.0.1:9000")
    try:
        configured = importlib.reload(portal.settings)
        default = configured.STORAGES["default"]
        assert default["BACKEND"] == "portal.s3.MediaS3Storage"
        assert default["OPTIONS"]["bucket_name"] == "portal-media"
        assert default["OPTIONS"]["endpoint_url"] == "http://127.0.0.1:9000"
        assert default["OPTIONS"]["addressing_style"] == "path"
        assert default["OPTIONS"]["file_overwrite"] is False
    finally:
        monkeypatch.delenv("AWS_STORAGE_BUCKET_NAME")
        importlib.reload(portal.settings)


@pytest.mark.django_db
def test_objects_are_stored_with_their_type_and_a_download_disposition(bucket):
    client, name = bucket
    briefing = BriefingFactory()
    resource = ResourceFactory(briefing=briefing, title="Leaflet", file=ContentFile(PDF, name="leaflet.pdf"))
    image = default_storage.save("markdownx/3f0c.png", ContentFile(png_bytes()))
    head = client.head_object(Bucket=name, Key=resource.file.name)
    assert head["ContentType"] == "application/pdf"
    assert head["ContentDisposition"] == 'attachment; filename="leaflet.pdf"'
    assert client.head_object(Bucket=name, Key=image)["ContentDisposition"].startswith("inline")
    # Pages link to the site's own address, so img-src 'self' holds and the site's checks apply.
    assert resource.file.url == "/media/" + resource.file.name
    assert default_storage.url(image) == "/media/markdownx/3f0c.png"


@pytest.mark.django_db
def test_a_second_upload_of_the_same_name_never_replaces_the_first(bucket):
    first = default_storage.save("markdownx/same.png", ContentFile(b"first"))
    second = default_storage.save("markdownx/same.png", ContentFile(b"second"))
    assert first != second
    with default_storage.open(first) as file:
        assert file.read() == b"first"


@pytest.mark.django_db
def test_the_site_serves_them_with_the_same_headers_ranges_and_checks(client, bucket):
    from django.test import Client

    published = ResourceFactory(briefing=BriefingFactory(), title="Leaflet", file=ContentFile(PDF, name="leaflet.pdf"))
    hidden = ResourceFactory(briefing=BriefingFactory(draft=True), title="Draft", file=ContentFile(PDF, name="d.pdf"))
    url = "/media/" + published.file.name
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Length"] == str(len(PDF))
    partial = client.get(url, headers={"Range": "bytes=100-199"})
    assert partial.status_code == 206 and b"".join(partial.streaming_content) == PDF[100:200]
    assert partial["Content-Range"] == f"bytes 100-199/{len(PDF)}"
    assert client.get(url, headers={"If-None-Match": response["ETag"]}).status_code == 304
    assert Client().get("/media/" + hidden.file.name).status_code == 404
    assert client.get("/media/markdownx/missing.png").status_code == 404


@pytest.mark.django_db
def test_the_pdf_renderer_reads_images_from_the_store(client, bucket):
    image = default_storage.save("markdownx/chart.png", ContentFile(png_bytes()))
    fetched = print_views.LocalFilesFetcher("http://testserver/").fetch("http://testserver/media/" + image)
    assert fetched.read() == png_bytes()

    briefing = BriefingFactory()
    Section.objects.create(briefing=briefing, position=1, heading="Chart", body=f"![Chart](/media/{image})")
    response = client.get(f"/briefings/{briefing.slug}.pdf")
    assert response.status_code == 200
    pages = PdfReader(io.BytesIO(response.content)).pages
    assert sum(len(page.images) for page in pages) >= 1


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_carry_the_files_in_the_store(bucket, settings, s3_server, tmp_path):
    client, _ = bucket
    resource = ResourceFactory(briefing=BriefingFactory(), title="Leaflet", file=ContentFile(PDF, name="leaflet.pdf"))
    image = default_storage.save("markdownx/chart.png", ContentFile(png_bytes()))
    call_command("backup_site", str(tmp_path / "backup"), verbosity=0)
    call_command("flush", interactive=False, verbosity=0)

    fresh = f"portal-restored-{secrets.token_hex(4)}"
    client.create_bucket(Bucket=fresh)
    use_bucket(settings, s3_server, fresh)
    call_command("restore_site", str(tmp_path / "backup"), verbosity=0)

    restored = Resource.objects.get(title="Leaflet")
    assert restored.file.name == resource.file.name
    assert client.get_object(Bucket=fresh, Key=resource.file.name)["Body"].read() == PDF
    assert client.head_object(Bucket=fresh, Key=resource.file.name)["ContentDisposition"].startswith("attachment")
    assert client.get_object(Bucket=fresh, Key=image)["Body"].read() == png_bytes()


def test_gunicorn_keeps_and_serves_uploads_in_the_bucket_named_by_the_environment(s3_server, static_root, tmp_path):
    """The deployed site configured only by variables, as the README says: nothing lands on the local disk."""
    name = f"portal-deployed-{secrets.token_hex(4)}"
    credentials = {"AWS_ACCESS_KEY_ID": "portal-test", "AWS_SECRET_ACCESS_KEY": "portal-test-secret"}
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1", **{
        "aws_access_key_id": credentials["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": credentials["AWS_SECRET_ACCESS_KEY"],
    })  # fmt: skip
    client.create_bucket(Bucket=name)
    variables = {"AWS_STORAGE_BUCKET_NAME": name, "AWS_S3_ENDPOINT_URL": s3_server, **credentials}
    with deployed_site(tmp_path, static_root, **variables) as (base, content, _env):
        assert not any((tmp_path / "media").rglob("*"))
        head = client.head_object(Bucket=name, Key=content["pdf"])
        assert head["ContentDisposition"].startswith("attachment")

        status, _, page = fetch(base + content["briefing"])
        assert status == 200 and f'src="/media/{content["image"]}"'.encode() in page
        status, headers, body = fetch(base + "/media/" + content["image"])
        assert status == 200 and body == png_bytes()
        assert headers["Content-Disposition"].startswith("inline") and "sandbox" in headers["Content-Security-Policy"]
        status, headers, body = fetch(base + "/media/" + content["pdf"], {"Range": "bytes=0-7"})
        assert status == 206 and body == b"%PDF-1.4"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert fetch(base + "/media/" + content["draft_pdf"])[0] == 404
        status, _, pdf = fetch(base + content["briefing"].rstrip("/") + ".pdf")
        assert status == 200
        assert sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages) >= 1
    client.close()


def test_an_import_names_files_in_the_object_store_and_refuses_missing_ones(db, bucket):
    """With no shared disk, the importer asks the store, not MEDIA_ROOT, whether an uploaded file is there."""
    default_storage.save("resources/2024/poster.pdf", ContentFile(PDF))

    def briefing_file(slug, url):
        return (
            f"---\ntitle: Briefing {slug}\nslug: {slug}\nkind: audit_findings\nsummary: Short.\n"
            f"resources:\n  - title: Poster\n    url: '{url}'\n---\n## Key learning\nText.\n"
        ).encode()

    found = import_file("found.md", briefing_file("found", "/media/resources/2024/poster.pdf"))
    assert found.ok, found.error
    assert Resource.objects.get(briefing__slug="found").file.name == "resources/2024/poster.pdf"
    for url in ("/media/resources/2024/missing.pdf", "/media/resources/2024", "/media/resources/../x.pdf"):
        missing = import_file("missing.md", briefing_file("missing", url))
        assert not missing.ok and missing.error.startswith("missing.md: resources[1].url: "), url
        assert "uploaded file" in missing.error
