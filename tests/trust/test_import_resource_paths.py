"""A resource address that is not an uploaded file is one rejected file, never an aborted batch."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from briefings.importer import import_file
from briefings.models import Briefing, Resource
from tests.conftest import import_through_admin

pytestmark = pytest.mark.urls("portal.site.urls")

BAD_ADDRESSES = [
    "/media/../x",
    "/media//etc/passwd",
    "/media/resources",
    "/media/resources/",
    "/media/resources/2024/../../../etc/passwd",
    "/media/resources/%2e%2e/%2e%2e/etc/passwd",
    "/media/resources/2024/poster.pdf/",
    "/media/resources\\2024\\poster.pdf",
    "/media/resources/2024/missing.pdf",
    "/media/outside.pdf",
]


def briefing_file(slug, url):
    return (
        f"---\ntitle: Briefing {slug}\nslug: {slug}\nkind: audit_findings\nsummary: Short.\n"
        f"resources:\n  - title: Poster\n    url: '{url}'\n---\n## Key learning\nText.\n"
    ).encode()


@pytest.fixture
def media(settings, tmp_path):
    root = tmp_path / "media"
    (root / "resources" / "2024").mkdir(parents=True)
    (root / "resources" / "2024" / "poster.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "secret.pdf").write_bytes(b"%PDF-1.4 not for the public")
    (root / "outside.pdf").symlink_to(tmp_path / "secret.pdf")
    settings.MEDIA_ROOT = root
    return root


@pytest.mark.parametrize("url", BAD_ADDRESSES)
def test_a_bad_uploaded_file_address_rejects_the_file_naming_the_field(db, media, url):
    result = import_file("bad.md", briefing_file("bad", url))
    assert not result.ok
    assert result.error.startswith("bad.md: resources[1].url: ")
    assert "uploaded file" in result.error
    assert not Briefing.objects.exists()


def test_an_uploaded_file_inside_media_is_accepted(db, media):
    assert import_file("good.md", briefing_file("good", "/media/resources/2024/poster.pdf")).ok
    assert Resource.objects.get().file.name == "resources/2024/poster.pdf"


def test_admin_import_rejects_the_bad_file_and_imports_the_ones_after_it(db, media, admin_client):
    files = [
        SimpleUploadedFile("1.md", briefing_file("one", "https://example.org/a")),
        SimpleUploadedFile("2.md", briefing_file("two", "/media/../x")),
        SimpleUploadedFile("3.md", briefing_file("three", "/media//etc/passwd")),
        SimpleUploadedFile("4.md", briefing_file("four", "/media/resources/2024/poster.pdf")),
    ]
    preview, _ = import_through_admin(admin_client, files)
    page = preview.content.decode()
    assert "2.md: resources[1].url:" in page
    assert "3.md: resources[1].url:" in page
    assert sorted(Briefing.objects.values_list("slug", flat=True)) == ["four", "one"]


def test_command_reports_the_bad_file_and_imports_the_others(db, media, tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "1.md").write_bytes(briefing_file("one", "https://example.org/a"))
    (folder / "2.md").write_bytes(briefing_file("two", "/media/../x"))
    (folder / "3.md").write_bytes(briefing_file("three", "/media/resources"))
    with pytest.raises(CommandError, match="2 of 3 files were not imported"):
        call_command("import_briefings", str(folder), verbosity=0)
    err = capsys.readouterr().err
    assert "2.md: resources[1].url:" in err and "3.md: resources[1].url:" in err
    assert "Traceback" not in err
    assert list(Briefing.objects.values_list("slug", flat=True)) == ["one"]
