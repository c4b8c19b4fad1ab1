"""Whatever arrives in the query string, the search page answers normally: never a 500."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import BriefingFactory, CourseFactory, ResourceFactory, ThemeFactory

URL = reverse("search")

# Text with everything awkward: control characters (NUL included), quotes, operators, emoji.
awkward = st.lists(
    st.one_of(
        st.text(max_size=30),
        st.sampled_from(['"', "'", "-", "*", ":", "(", ")", "^", "\x00", "\x1b", " or ", " NOT ", "😀", "%", "\u202e"]),
    ),
    max_size=12,
).map("".join)
param = st.one_of(st.none(), awkward, st.sampled_from(["", "course", "briefing", "audit_findings", "neglect", "-1"]))
page = st.one_of(st.none(), awkward, st.integers(min_value=-(10**30), max_value=10**30).map(str))


@pytest.fixture
def content(db):
    theme = ThemeFactory(name="Neglect")
    for n in range(3):
        BriefingFactory(
            title=f"Neglect {n}",
            sections=[("Background", "Disguised compliance and *professional* curiosity.")],
            themes=[theme],
            resources=["Neglect toolkit"],
        )
    CourseFactory(title="Neglect course", themes=[theme], outcomes=["Use the GCP2 tool"])
    ResourceFactory(title="Stand-alone neglect leaflet")
    return theme


@pytest.mark.django_db
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(q=awkward, kind=param, theme=param, page_number=page)
def test_any_query_string_gets_a_page_never_a_server_error(client, content, q, kind, theme, page_number):
    params = {name: value for name, value in {"kind": kind, "theme": theme, "page": page_number}.items() if value}
    response = client.get(URL, {"q": q, **params})
    assert response.status_code in (200, 404)
    assert b'id="search-q"' in response.content


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(words=st.lists(st.sampled_from(["neglect", "or", "-", '"', "compliance", "-toolkit", "GCP2", "*"]), max_size=8))
def test_any_mix_of_operators_and_words_gets_a_page(client, content, words):
    response = client.get(URL, {"q": " ".join(words), "theme": content.slug})
    assert response.status_code == 200
