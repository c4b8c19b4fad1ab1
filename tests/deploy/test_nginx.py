"""deploy/nginx.conf, run by Debian's nginx in front of gunicorn: TLS, static files, uploaded files, pages."""

import re
from urllib.parse import quote

from tests.deploy.helpers import ROOT, deployed_site, fetch, free_port, nginx, self_signed_certificate, wait_for

HOST = "portal.example.org"


def site_conf(app_port, http_port, https_port, static_root, media_root, cert, key):
    """deploy/nginx.conf with only the values its header says to replace."""
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    for old, new in [
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;"),
        ("/etc/ssl/portal/fullchain.pem", str(cert)),
        ("/etc/ssl/portal/privkey.pem", str(key)),
        ("/srv/portal/staticfiles/", f"{static_root}/"),
        ("/srv/portal/media/", f"{media_root}/"),
    ]:
        assert old in text, old
        text = text.replace(old, new)
    return text


def test_nginx_serves_static_and_uploaded_files_and_proxies_pages(tmp_path, static_root):
    cert, key = self_signed_certificate(tmp_path, HOST)
    http_port, https_port = free_port(), free_port()
    site = deployed_site(
        tmp_path / "site", static_root, SECURE_SSL="true", ALLOWED_HOSTS=HOST, TRUSTED_PROXY_COUNT="1",
        CSRF_TRUSTED_ORIGINS=f"https://{HOST}", MEDIA_X_ACCEL_REDIRECT="/_protected_media/",
    )  # fmt: skip
    with site as (app, content, env):
        app_port = int(app.rsplit(":", 1)[1])
        conf = site_conf(app_port, http_port, https_port, static_root, env["MEDIA_ROOT"], cert, key)
        with nginx(conf, tmp_path / "nginx") as process:
            base = f"https://127.0.0.1:{https_port}"

            def get(path, **headers):
                return fetch(base + path, {"Host": HOST, **headers}, cafile=cert)

            wait_for(f"http://127.0.0.1:{http_port}/", process=process)
            status, headers, _ = fetch(f"http://127.0.0.1:{http_port}/briefings/", {"Host": HOST})
            assert status == 301 and headers["Location"] == f"https://{HOST}/briefings/"

            # Pages come from gunicorn, which sees HTTPS through X-Forwarded-Proto.
            status, headers, page = get(content["briefing"])
            assert status == 200
            assert "max-age=31536000" in headers["Strict-Transport-Security"]
            assert "default-src 'self'" in headers["Content-Security-Policy"]

            # Static files come from nginx itself: its Cache-Control, not whitenoise's.
            stylesheet = re.search(rb'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page).group(1).decode()
            status, headers, body = get(stylesheet, **{"Accept-Encoding": "gzip"})
            assert status == 200 and headers["Cache-Control"] == "public, max-age=31536000, immutable"
            assert headers["Content-Encoding"] == "gzip" and headers["X-Content-Type-Options"] == "nosniff"
            status, headers, _ = get("/static/css/site.css")
            assert status == 200 and headers["Cache-Control"] == "public, max-age=3600"

            # Uploaded files: the site decides, nginx sends the bytes with the same inert headers.
            status, headers, body = get("/media/" + content["image"])
            assert status == 200 and body.startswith(b"\x89PNG")
            assert headers["Content-Type"] == "image/png"
            assert headers["Content-Disposition"].startswith("inline")
            assert headers["X-Content-Type-Options"] == "nosniff"
            assert "sandbox" in headers["Content-Security-Policy"]
            assert "default-src 'none'" in headers["Content-Security-Policy"]
            assert "immutable" in headers["Cache-Control"]
            assert "X-Accel-Redirect" not in headers and headers["ETag"]

            status, headers, body = get("/media/" + content["pdf"])
            assert status == 200 and len(body) == content["pdf_size"]
            assert headers["Content-Type"] == "application/pdf"
            assert headers["Content-Disposition"].startswith("attachment")
            assert "sandbox" in headers["Content-Security-Policy"]
            assert get("/media/" + content["pdf"], Range="bytes=0-7")[:3:2] == (206, b"%PDF-1.4")
            assert get("/media/" + content["pdf"], **{"If-None-Match": headers["ETag"]})[0] == 304

            status, headers, body = get("/media/" + quote(content["accented_pdf"]))
            assert status == 200 and len(body) == content["pdf_size"]
            assert "caf%C3%A9" in headers["Content-Disposition"]

            assert get("/media/" + content["draft_pdf"])[0] == 404
            assert get("/_protected_media/" + content["draft_pdf"])[0] == 404
            assert get("/media/%2e%2e/%2e%2e/etc/passwd")[0] in {400, 404}
