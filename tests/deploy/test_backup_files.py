"""The portable backup takes the uploaded files the site would serve, and nothing a symlink leads to elsewhere."""

import os

from portal.management.commands.backup_site import uploaded_files


def test_backup_lists_files_inside_media_root_only(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "resources" / "2026").mkdir(parents=True)
    (tmp_path / "media" / "resources" / "2026" / "toolkit.pdf").write_bytes(b"%PDF-1.4\n")
    (tmp_path / "secret.txt").write_text("not an upload")
    os.symlink(tmp_path / "secret.txt", tmp_path / "media" / "resources" / "leak.pdf")
    os.symlink(tmp_path / "media" / "resources" / "2026" / "toolkit.pdf", tmp_path / "media" / "same.pdf")
    assert uploaded_files() == ["resources/2026/toolkit.pdf", "same.pdf"]
