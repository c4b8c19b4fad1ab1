"""A briefing page is light: at most 5 requests and 50 KB compressed, all from this site."""

import gzip
from urllib.parse import urlparse

import pytest

from briefings.models import Briefing

BUDGET_BYTES = 50 * 1024
BUDGET_REQUESTS = 5


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["seven_minute_briefing", "thematic_review", "audit_findings"])
def test_briefing_page_stays_within_its_transfer_budget(page, live_server, demo_content, kind):
    briefing = Briefing.objects.published().filter(kind=kind).first()
    assert briefing is not None
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(live_server.url + briefing.get_absolute_url())
    page.wait_for_load_state("networkidle")

    hosts = {urlparse(r.url).netloc for r in responses if not r.url.startswith("data:")}
    assert hosts == {urlparse(live_server.url).netloc}, hosts
    assert len(responses) <= BUDGET_REQUESTS, [r.url for r in responses]
    # The live test server does not compress; production compresses HTML at the proxy and static
    # files through whitenoise, so measure what gzip makes of each body.
    compressed = sum(len(gzip.compress(r.body(), 9)) for r in responses)
    assert compressed <= BUDGET_BYTES, f"{compressed} bytes compressed: {[r.url for r in responses]}"
