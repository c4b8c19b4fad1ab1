"""High contrast in Chromium: remembered across pages, server-rendered, and working without JavaScript."""

import pytest

BLACK = "rgb(0, 0, 0)"
WHITE = "rgb(255, 255, 255)"


def background(page):
    return page.evaluate("getComputedStyle(document.documentElement).backgroundColor")


def toggle(page):
    return page.get_by_role("button", name="Toggle contrast")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js"])
def test_contrast_choice_survives_navigation_with_or_without_javascript(browser, live_server, javascript):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(live_server.url + "/training/?format=virtual")
    assert background(page) == WHITE
    assert toggle(page).get_attribute("aria-pressed") == "false"

    with page.expect_navigation():
        toggle(page).click()
    assert page.url == live_server.url + "/training/?format=virtual"  # back on the same page
    assert background(page) == BLACK
    assert toggle(page).get_attribute("aria-pressed") == "true"

    page.get_by_role("link", name="Staying safe online").click()
    page.wait_for_url("**/staying-safe-online/")
    assert background(page) == BLACK
    assert "high-contrast" in page.evaluate("document.documentElement.className")

    with page.expect_navigation():
        toggle(page).click()
    assert background(page) == WHITE
    assert toggle(page).get_attribute("aria-pressed") == "false"
    context.close()


@pytest.mark.django_db(transaction=True)
def test_high_contrast_class_is_in_the_html_the_server_sends(page, live_server):
    page.context.add_cookies([{"name": "contrast", "value": "high", "url": live_server.url}])
    response = page.goto(live_server.url + "/accessibility/")
    assert '<html lang="en-GB" class="high-contrast' in response.text()  # no flash: no script needed
    # Links are yellow on black and text white: both well over 7:1.
    assert page.evaluate("getComputedStyle(document.querySelector('main a')).color") == "rgb(255, 255, 0)"
    assert page.evaluate("getComputedStyle(document.querySelector('main p')).color") == WHITE


@pytest.mark.django_db(transaction=True)
def test_system_high_contrast_preference_is_respected_unless_reader_chose_standard(page, live_server):
    page.emulate_media(contrast="more")
    page.goto(live_server.url + "/")
    assert background(page) == BLACK
    page.context.add_cookies([{"name": "contrast", "value": "standard", "url": live_server.url}])
    page.reload()
    assert background(page) == WHITE


@pytest.mark.django_db(transaction=True)
def test_forced_colours_keep_focus_and_button_edges_visible(page, live_server):
    page.emulate_media(forced_colors="active")
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the exit button
    style = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [document.activeElement.id, s.outlineStyle, parseFloat(s.outlineWidth), s.borderTopStyle]; })()"
    )
    assert style[0] == "exit-this-page"
    assert style[1] == "solid" and style[2] >= 2
    assert style[3] == "solid"
