"""Against gunicorn with DEBUG=false, as deployed: a briefing's uploaded image shows and its PDF downloads inert."""

from tests.deploy.helpers import collect_static, deployed_site
from tests.deploy.site_content import PDF


def test_uploaded_image_loads_and_resource_pdf_downloads_with_safe_headers(browser, tmp_path_factory):
    base = tmp_path_factory.mktemp("deployed")
    static_root = collect_static(base / "static")
    with deployed_site(base / "site", static_root) as (url, content, _env):
        context = browser.new_context(accept_downloads=True)
        page = context.new_page()
        problems, image_responses = [], []
        page.on("console", lambda message: message.type == "error" and problems.append(message.text))
        page.on("response", lambda response: "/media/" in response.url and image_responses.append(response))
        page.goto(url + content["briefing"])

        image = page.locator(f'img[src="/media/{content["image"]}"]')
        image.scroll_into_view_if_needed()
        page.wait_for_function("el => el.complete && el.naturalWidth > 0", arg=image.element_handle(), timeout=60_000)
        assert image.evaluate("el => el.naturalWidth") == 120
        [loaded] = image_responses
        assert loaded.status == 200
        assert loaded.headers["x-content-type-options"] == "nosniff"
        assert "sandbox" in loaded.headers["content-security-policy"]

        with page.expect_download() as started:
            page.get_by_role("link", name="Leaflet for families").click()
        download = started.value
        assert download.failure() is None
        assert download.suggested_filename == "leaflet_for_families.pdf"
        with open(download.path(), "rb") as file:
            assert file.read() == PDF

        response = context.request.get(download.url)
        assert response.status == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["content-disposition"].startswith("attachment")
        assert response.headers["x-content-type-options"] == "nosniff"
        csp = response.headers["content-security-policy"]
        assert "sandbox" in csp and "default-src 'none'" in csp
        assert problems == []
        context.close()
