"""Two people edit one briefing in Chromium: the second resolves the conflict without copying by hand."""

import pytest
from django.contrib.auth import get_user_model

from briefings.models import Briefing, Section
from tests.browser.test_csp_admin import violations, watch
from tests.factories import BriefingFactory

PASSWORD = "a-long-test-password"


def signed_in(browser, live_server, username, first_name):
    get_user_model().objects.create_user(
        username, password=PASSWORD, is_staff=True, is_superuser=True, first_name=first_name
    )
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")
    return page


@pytest.mark.django_db(transaction=True)
def test_the_second_person_sees_the_difference_and_puts_their_text_back(browser, live_server):
    briefing = BriefingFactory(
        title="Neglect in the early years",
        draft=True,
        sections=2,
        questions=1,
        key_facts=[("60%", "of reviews feature neglect")],
        resources=1,
    )
    url = f"{live_server.url}/admin/briefings/briefing/{briefing.pk}/change/"
    alex = signed_in(browser, live_server, "alex", "Alex")
    sam = signed_in(browser, live_server, "sam", "Sam")
    problems = watch(sam)
    alex.goto(url)
    sam.goto(url)

    alex.fill("#id_summary", "Alex's summary.")
    alex.fill("#id_sections-0-body", "Alex's first part.")
    alex.click("input[name=_continue]")
    alex.wait_for_selector(".messagelist .success")

    sam.fill("#id_summary", "Sam's summary, written with care.")
    sam.fill("#id_sections-1-body", "Sam's second part.")
    sam.click("input[name=_continue]")
    sam.wait_for_selector("#conflict")
    panel = sam.locator("#conflict")
    assert "Alex saved it at" in panel.inner_text()
    assert "Please correct the error" not in sam.content()
    # Sam's change to a part Alex left alone is already in the form; Alex's change is there too.
    assert sam.input_value("#id_sections-1-body") == "Sam's second part."
    assert sam.input_value("#id_sections-0-body") == "Alex's first part."
    # Both changed the summary: Alex's text is in the field, Sam's beside it, one click away.
    assert sam.input_value("#id_summary") == "Alex's summary."
    assert panel.locator("ins", has_text="Alex").count() >= 1
    sam.get_by_role("button", name="Use my version of Briefing").click()
    assert sam.input_value("#id_summary") == "Sam's summary, written with care."

    sam.click("input[name=_continue]")
    sam.wait_for_selector(".messagelist .success")
    saved = Briefing.objects.get(pk=briefing.pk)
    assert saved.summary == "Sam's summary, written with care."
    assert list(Section.objects.filter(briefing=saved).values_list("body", flat=True)) == [
        "Alex's first part.",
        "Sam's second part.",
    ]
    assert not problems and not violations(sam)
