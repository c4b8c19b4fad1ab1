import pytest


@pytest.mark.django_db(transaction=True)
def test_skip_link_moves_focus_to_main_content_by_keyboard(page, live_server):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link").first
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible()
    assert skip.inner_text() == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main-content"
    assert page.evaluate("document.activeElement.id") == "main-content"
