"""Reading the search page in tests (the content comes from tests/factories.py)."""

import re


def result_titles(response):
    """Titles of the results on a search page, in order."""
    assert response.status_code == 200
    return [doc.title for doc in (result.document for result in response.context["results"])]


TAG = re.compile(r"<[^>]+>")


def text_of(response):
    return TAG.sub("", response.content.decode())
