import datetime
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from briefings.models import Briefing, DiscussionQuestion, KeyFact, Resource, Section, Theme
from training.models import Course, LearningOutcome


def make_user(username, group=None, **extra):
    user = get_user_model().objects.create_user(
        username, f"{username}@example.org", "a-long-test-password", is_staff=True, **extra
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db):
    return make_user("editor", "Editor", first_name="Eddie", last_name="Editor")


@pytest.fixture
def publisher(db):
    return make_user("publisher", "Publisher", first_name="Pat", last_name="Publisher")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def publisher_client(client, publisher):
    client.force_login(publisher)
    return client


def make_briefing(title="Neglect in the early years", status="draft", sections=2, **fields):
    slug = fields.pop("slug", None) or title.lower().replace(" ", "-")[:50]
    published = fields.pop("published", timezone.localdate() - datetime.timedelta(days=3))
    briefing = Briefing.objects.create(
        title=title,
        slug=slug,
        summary=fields.pop("summary", "What we learned about neglect of babies and toddlers."),
        status=status,
        published=published,
        **fields,
    )
    for n in range(1, sections + 1):
        Section.objects.create(briefing=briefing, position=n, number=n, heading=f"Part {n}", body=f"Body of part {n}.")
    DiscussionQuestion.objects.create(briefing=briefing, position=1, text="What is daily life like for this child?")
    KeyFact.objects.create(briefing=briefing, position=1, figure="60%", text="of reviews feature neglect")
    Resource.objects.create(briefing=briefing, position=1, title="Neglect toolkit", url="https://example.org/toolkit")
    return briefing


def make_course(title="Child neglect", published=False, **fields):
    course = Course.objects.create(
        title=title,
        slug=fields.pop("slug", title.lower().replace(" ", "-")),
        summary="Spotting and responding to neglect.",
        is_published=published,
        **fields,
    )
    LearningOutcome.objects.create(course=course, position=1, text="Recognise the signs of neglect")
    return course


def make_theme(name="Child neglect"):
    return Theme.objects.create(name=name, slug=name.lower().replace(" ", "-"))


class _FormParser(HTMLParser):
    """Collects the fields of the form with id `form_id` as a browser would submit them."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.data = form_id, False, MultiValueDict()
        self.textarea = self.select = None
        self.select_values = []
        self.first_option = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside or attrs.get("disabled") is not None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "image", "file", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.data.appendlist(name, attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "textarea" and name:
            self.textarea, self.text = name, ""
        elif tag == "select" and name:
            self.select, self.select_values, self.first_option = name, [], None
            self.multiple = "multiple" in attrs
        elif tag == "option" and self.select:
            value = attrs.get("value", "")
            if self.first_option is None:
                self.first_option = value
            if "selected" in attrs:
                self.select_values.append(value)

    def handle_data(self, data):
        if self.textarea:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea" and self.textarea:
            self.data.appendlist(self.textarea, self.text.removeprefix("\n"))
            self.textarea = None
        elif tag == "select" and self.select:
            values = self.select_values or ([] if self.multiple else [self.first_option or ""])
            for value in values:
                self.data.appendlist(self.select, value)
            self.select = None


def form_data(response, form_id):
    """The POST data (a dict of lists) a browser would send back from a rendered form."""
    parser = _FormParser(form_id)
    parser.feed(response.content.decode())
    assert parser.data, f"no form #{form_id} in the page"
    return {key: parser.data.getlist(key) for key in parser.data}


def post_data(data):
    """Single values as strings, lists as lists: what Client.post expects."""
    return {key: value[0] if len(value) == 1 else value for key, value in data.items()}
