"""The README's "Without Docker" deployment: gunicorn with DEBUG=false serves pages, static files and uploads."""

from urllib.parse import quote

from tests.deploy.helpers import deployed_site, fetch


def test_gunicorn_without_debug_serves_uploaded_files(tmp_path, static_root):
    with deployed_site(tmp_path, static_root) as (base, content, _env):
        status, _, page = fetch(base + content["briefing"])
        assert status == 200
        assert f'src="/media/{content["image"]}"'.encode() in page

        status, headers, body = fetch(base + "/media/" + content["image"])
        assert status == 200 and body.startswith(b"\x89PNG")
        assert headers["Content-Type"] == "image/png" and headers["Content-Disposition"].startswith("inline")
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in headers["Content-Security-Policy"]
        assert "immutable" in headers["Cache-Control"]

        status, headers, body = fetch(base + "/media/" + content["pdf"])
        assert status == 200 and len(body) == content["pdf_size"]
        assert headers["Content-Disposition"].startswith("attachment")
        assert "sandbox" in headers["Content-Security-Policy"]

        status, headers, body = fetch(base + "/media/" + content["pdf"], {"Range": "bytes=0-7"})
        assert status == 206 and body == b"%PDF-1.4"
        status, _, body = fetch(base + "/media/" + content["pdf"], {"If-None-Match": headers["ETag"]})
        assert status == 304 and body == b""
        status, headers, body = fetch(base + "/media/" + content["pdf"], method="HEAD")
        assert status == 200 and body == b"" and headers["Content-Length"] == str(content["pdf_size"])

        status, headers, _ = fetch(base + "/media/" + quote(content["accented_pdf"]))
        assert status == 200 and "caf%C3%A9" in headers["Content-Disposition"]
        assert fetch(base + "/media/" + content["draft_pdf"])[0] == 404
        assert fetch(base + "/media/%2e%2e/manage.py")[0] == 404
