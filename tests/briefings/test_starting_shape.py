"""Adding a briefing starts from its kind's usual sections; the order of the sections gives a panel its number."""

import re

import pytest
from django.urls import reverse

from briefings.importer import briefing_to_data, parse_briefing, prefetched, render_briefing
from briefings.models import STARTER_DEFAULTS, Briefing, StarterLayout, StarterSection
from tests.factories import BriefingFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:briefings_briefing_add")
SEVEN = "seven_minute_briefing"


@pytest.fixture
def layouts(db):
    """The starter layouts the migration saves (a test run before this one may have emptied the tables)."""
    for kind, headings in STARTER_DEFAULTS.items():
        layout, created = StarterLayout.objects.get_or_create(kind=kind)
        if created:
            for position, heading in enumerate(headings, start=1):
                StarterSection.objects.create(layout=layout, position=position, heading=heading)
    return {layout.kind: layout for layout in StarterLayout.objects.all()}


def asks_for_the_kind(response):
    body = response.content.decode()
    radios = re.findall(r'<input type="radio" name="kind" value="([a-z_]+)"', body)
    return response.status_code == 200 and radios == list(Briefing.Kind.values) and 'name="title"' not in body


@pytest.mark.parametrize("client_name", ["editor_client", "publisher_client", "staff_client"])
def test_the_add_address_typed_directly_asks_for_the_kind_first(request, client_name):
    assert asks_for_the_kind(request.getfixturevalue(client_name).get(ADD))


def test_the_admin_index_add_link_leads_to_the_question(editor_client):
    index = editor_client.get(reverse("admin:index")).content.decode()
    assert f'href="{ADD}"' in index
    assert asks_for_the_kind(editor_client.get(ADD))


def test_every_add_link_on_the_list_gives_a_kind_or_leads_to_the_question(editor_client):
    body = editor_client.get(reverse("admin:briefings_briefing_changelist")).content.decode()
    links = re.findall(rf'href="({re.escape(ADD)}[^"]*)"', body)
    assert links
    for link in links:
        response = editor_client.get(link.replace("&amp;", "&"))
        kind = re.search(r"kind=([a-z_]+)", link)
        if kind:
            assert f'<option value="{kind[1]}" selected>' in response.content.decode(), link
        else:
            assert asks_for_the_kind(response), link


@pytest.mark.parametrize("query", ["?kind=", "?kind=podcast", "?kind=%3Cb%3E", "?kind=seven_minute_briefing%00"])
def test_an_unknown_kind_asks_again(editor_client, query):
    assert asks_for_the_kind(editor_client.get(ADD + query))


def test_the_question_keeps_the_rest_of_the_link(editor_client):
    body = editor_client.get(ADD + "?_popup=1&_to_field=id").content.decode()
    assert '<input type="hidden" name="_popup" value="1">' in body
    assert '<input type="hidden" name="_to_field" value="id">' in body


def test_a_seven_minute_briefing_starts_with_seven_distinct_panels(editor_client, layouts):
    body = editor_client.get(ADD + f"?kind={SEVEN}").content.decode()
    headings = re.findall(r'name="sections-\d+-heading" value="([^"]*)"', body)
    assert len(headings) == 7 and len(set(headings)) == 7
    assert "Information" not in headings
    assert headings[0] == "What this briefing is about" and headings[-1] == "Questions to consider"
    orders = re.findall(r'name="sections-\d+-position" value="(\d+)"', body)
    assert orders == [str(n) for n in range(1, 8)]
    assert 'name="sections-0-number"' not in body


@pytest.mark.parametrize("kind", ["thematic_review", "audit_findings"])
def test_other_kinds_start_with_their_usual_sections(editor_client, layouts, kind):
    body = editor_client.get(ADD + f"?kind={kind}").content.decode()
    expected = list(StarterSection.objects.filter(layout__kind=kind).values_list("heading", flat=True))
    assert len(expected) >= 4
    assert re.findall(r'name="sections-\d+-heading" value="([^"]*)"', body) == expected


def test_a_kind_without_a_layout_starts_from_the_defaults_and_an_emptied_layout_from_nothing(editor_client, layouts):
    layouts[SEVEN].delete()
    body = editor_client.get(ADD + f"?kind={SEVEN}").content.decode()
    assert len(re.findall(r'name="sections-\d+-heading" value="[^"]+"', body)) == 7
    layouts["audit_findings"].sections.all().delete()
    body = editor_client.get(ADD + "?kind=audit_findings").content.decode()
    assert re.findall(r'name="sections-\d+-heading" value="[^"]+"', body) == []


def test_clearing_a_starter_heading_drops_that_section(editor_client, layouts):
    page = editor_client.get(ADD + f"?kind={SEVEN}").content.decode()
    data = dict(re.findall(r'name="(sections-\d+-(?:heading|position))" value="([^"]*)"', page))
    data["sections-1-heading"] = data["sections-4-heading"] = ""
    data.update(
        {
            "title": "Five panels",
            "slug": "five-panels",
            "kind": SEVEN,
            "summary": "S.",
            "audience": "children",
            "status": "draft",
            "sections-TOTAL_FORMS": "7",
            "sections-INITIAL_FORMS": "0",
            **{
                f"{p}-{k}": "0"
                for p in ["questions", "key_facts", "resources"]
                for k in ["TOTAL_FORMS", "INITIAL_FORMS"]
            },
        }
    )
    response = editor_client.post(ADD + f"?kind={SEVEN}", data)
    assert response.status_code == 302
    kept = [h for i, h in enumerate(STARTER_DEFAULTS[SEVEN]) if i not in (1, 4)]
    briefing = Briefing.objects.get(slug="five-panels")
    assert list(briefing.sections.values_list("position", "heading")) == list(enumerate(kept, start=1))


def test_a_post_without_kind_in_the_address_is_saved_not_asked_again(editor_client):
    data = {
        "title": "Posted",
        "slug": "posted",
        "kind": "audit_findings",
        "summary": "S.",
        "audience": "children",
        "status": "draft",
        **{
            f"{p}-{k}": "0"
            for p in ["sections", "questions", "key_facts", "resources"]
            for k in ["TOTAL_FORMS", "INITIAL_FORMS"]
        },
    }
    response = editor_client.post(ADD, data)
    assert response.status_code == 302
    assert Briefing.objects.filter(slug="posted").exists()


def layout_post(layout, headings):
    data = {"sections-TOTAL_FORMS": str(len(headings)), "sections-INITIAL_FORMS": str(layout.sections.count())}
    existing = list(layout.sections.all())
    for index, heading in enumerate(headings):
        data[f"sections-{index}-heading"] = heading
        data[f"sections-{index}-position"] = str(index + 1)
        data[f"sections-{index}-layout"] = str(layout.pk)
        if index < len(existing):
            data[f"sections-{index}-id"] = str(existing[index].pk)
    return data


def test_a_publisher_changes_a_starter_layout_and_new_briefings_start_from_it(publisher_client, layouts):
    layout = layouts["audit_findings"]
    url = reverse("admin:briefings_starterlayout_change", args=[layout.pk])
    headings = ["What we audited", "Good practice", "Key learning", "Improving practice", "Next steps"]
    response = publisher_client.post(url, layout_post(layout, headings))
    assert response.status_code == 302
    body = publisher_client.get(ADD + "?kind=audit_findings").content.decode()
    assert re.findall(r'name="sections-\d+-heading" value="([^"]*)"', body) == headings


def test_an_editor_can_look_at_starter_layouts_but_not_change_them(editor_client, layouts):
    layout = layouts[SEVEN]
    before = list(layout.sections.values_list("heading", flat=True))
    url = reverse("admin:briefings_starterlayout_change", args=[layout.pk])
    page = editor_client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    response = editor_client.post(url, layout_post(layout, ["Changed", *before[1:]]))
    assert response.status_code == 403
    assert list(layout.sections.values_list("heading", flat=True)) == before
    assert editor_client.get(reverse("admin:briefings_starterlayout_add")).status_code == 403


def test_panel_numbers_follow_the_order_on_the_page_print_and_team_pack(client):
    briefing = BriefingFactory(sections=[(f"Panel {n}", f"Text {n}.") for n in range(1, 8)])
    last = briefing.sections.get(heading="Panel 7")
    last.position = 0
    last.save()  # moved to the top: it is panel 1 now
    order = ["Panel 7", *[f"Panel {n}" for n in range(1, 7)]]
    for url in [briefing.get_absolute_url(), reverse("briefings:team-pack", args=[briefing.slug])]:
        html = client.get(url).content.decode()
        shown = re.findall(r'<span class="section-number">(\d+)</span> (Panel \d)', html)
        assert shown == [(str(n), heading) for n, heading in enumerate(order, start=1)], url


def test_other_kinds_show_no_panel_numbers(client):
    briefing = BriefingFactory(kind="thematic_review", sections=3)
    assert 'class="section-number"' not in client.get(briefing.get_absolute_url()).content.decode()


def test_export_writes_the_order_as_numbers_and_import_maps_numbers_to_order():
    briefing = BriefingFactory(slug="ordered", sections=[("First", "a"), ("Second", "b"), ("Third", "c")])
    text = render_briefing(briefing_to_data(prefetched(Briefing.objects.filter(pk=briefing.pk)).get()))
    assert re.findall(r"^## (.*)$", text, re.M) == ["1. First", "2. Second", "3. Third"]
    shuffled = text.replace("## 1. First", "## 3. First").replace("## 3. Third", "## 1. Third")
    assert [s["heading"] for s in parse_briefing(shuffled.encode())["sections"]] == ["Third", "Second", "First"]
