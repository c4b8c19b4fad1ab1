"""A partnership page prints like a briefing: its title and web address on paper, no navigation or buttons."""

import pytest

from tests.browser.test_print import print_to_pdf


@pytest.mark.django_db(transaction=True)
def test_the_demo_contact_page_prints_with_its_address_and_without_the_site_furniture(page, live_server, demo_content):
    page.goto(live_server.url + "/contact/")
    assert page.is_visible("[data-print-button]")  # shown by site.js, so it only appears when it can work
    text = " ".join(print_to_pdf(page, live_server.url + "/contact/"))
    assert f"Contact us · online at {live_server.url}/contact/" in text
    assert "Printed on" in text and "Last updated" in text
    assert "learning@example.org" in text and "Exampletown EX1 2AB" in text
    for furniture in ("Exit this page", "Print this page", "Toggle contrast", "Skip to main content"):
        assert furniture not in text
