"""'Was this useful?' in Chromium without JavaScript: the browser's own headers pass the same-site check."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from learning.models import UsefulnessVote
from tests.factories import BriefingFactory


@pytest.mark.django_db(transaction=True)
def test_answering_without_javascript_thanks_the_reader_and_counts_one_answer(browser, live_server):
    briefing = BriefingFactory(title="Home conditions")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + briefing.get_absolute_url())
    page.get_by_label("Tell us why (optional)").fill("Clear, and short enough for a team meeting.")
    page.get_by_role("button", name=re.compile(r"^Yes\b.*this was useful")).click()
    expect(page.get_by_text("Thank you for your answer.")).to_be_visible()
    assert page.url == live_server.url + briefing.get_absolute_url() + "?useful=thanks#useful"
    vote = UsefulnessVote.objects.get()
    assert (vote.briefing, vote.useful, vote.comment) == (briefing, True, "Clear, and short enough for a team meeting.")
    # The same browser answering again is thanked but not counted twice.
    page.goto(live_server.url + briefing.get_absolute_url())
    page.get_by_role("button", name=re.compile(r"^No\b.*this was not useful")).click()
    expect(page.get_by_text("You have already answered for this page")).to_be_visible()
    assert UsefulnessVote.objects.count() == 1
    context.close()
    # axe needs JavaScript: check the page as answered in an ordinary context.
    page = browser.new_page()
    page.goto(live_server.url + briefing.get_absolute_url() + "?useful=already#useful")
    results = Axe().run(page, options={"resultTypes": ["violations"]})
    assert not results.violations_count, results.generate_report()
    page.close()
