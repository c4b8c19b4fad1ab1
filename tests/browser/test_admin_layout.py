"""Every admin page staff use for content fits a laptop screen, shows its heading, and works on a phone."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone

from briefings.models import Briefing, FeaturedTheme, Resource
from pages.models import Page
from portal import publication
from portal.models import SiteSettings
from tests.factories import (
    PASSWORD,
    BriefingFactory,
    CourseFactory,
    PageFactory,
    ResourceFactory,
    SessionFactory,
    ThemeFactory,
    UserFactory,
)

LAPTOPS = [(1366, 768), (1280, 720)]
PHONE = {"width": 390, "height": 844}
LONG = "Neglect of older children who look after themselves and younger brothers and sisters at home"
LONG_ADDRESS = "https://www.example-safeguarding-partnership.org.uk/documents/neglect/" + "toolkit-" * 8 + "2026.pdf"


def make_content():
    """Messy, realistic content: long titles and addresses, every part filled in, something waiting for approval."""
    themes = [ThemeFactory(name=f"{LONG[:60]} {n}", description="A theme.\n\n- one\n- two") for n in range(8)]
    course = CourseFactory(title=LONG, outcomes=4, themes=themes[:3], audience_detail="Social workers, " * 8)
    for days in (5, 12, 40):
        SessionFactory(course=course, days=days, note="Bring a laptop. " * 10, booking_url=LONG_ADDRESS)
    briefing = BriefingFactory(
        title=LONG,
        themes=themes,
        courses=[course],
        questions=[f"{LONG}?"] * 3,
        key_facts=[("60%", LONG, LONG_ADDRESS)],
        resources=[{"title": LONG, "url": LONG_ADDRESS, "description": LONG}],
        publisher="Example Safeguarding Children Partnership",
        last_reviewed=datetime.date(2025, 1, 3),
        review_due=timezone.localdate() - datetime.timedelta(days=3),
    )
    BriefingFactory(title=LONG + " (draft)", draft=True)
    deleted = BriefingFactory(title="A briefing that was deleted", draft=True)
    deleted.delete()
    resource = ResourceFactory(title=LONG, url=LONG_ADDRESS, description=LONG, themes=themes[:2])
    feature = FeaturedTheme.objects.create(
        theme=themes[0], starts=timezone.localdate(), ends=timezone.localdate() + datetime.timedelta(days=30)
    )
    PageFactory(
        title=LONG,
        slug="neglect-strategy",
        summary=LONG,
        body=f"## {LONG}\n\n- {LONG}\n- <{LONG_ADDRESS}>\n\n| Measure | Now |\n|---|---|\n| {LONG} | 14% |",
        placement="header",
        link_text="Strategy",
    )
    editor = UserFactory(username="eddie", editor=True, first_name="Eddie")
    try:
        with publication.hold(editor):
            section = briefing.sections.first()
            section.body = "Changed by an editor. " * 20
            section.save()
    except publication.Held as held:
        publication.keep_pending(held, editor)
    admin = UserFactory(username="admin", superuser=True)
    return briefing, course, resource, feature, admin


def content_pages(briefing, course, resource, feature, admin):
    """(label, path) for every admin page staff use for content."""
    session = course.sessions.first()
    first_version = briefing.history.order_by("history_date").first()
    first_course_version = course.history.order_by("history_date").first()
    pages = [("admin index and review desk", reverse("admin:index"))]
    for label, name, obj in [
        ("briefing", "briefings_briefing", briefing),
        ("course", "training_course", course),
        ("session", "training_session", session),
        ("theme", "briefings_theme", briefing.themes.first()),
        ("resource", "briefings_resource", resource),
        ("theme of the month", "briefings_featuredtheme", feature),
        ("user", "auth_user", admin),
        ("partnership page", "pages_page", Page.objects.get(slug="neglect-strategy")),
    ]:
        pages += [
            (f"{label} list", reverse(f"admin:{name}_changelist")),
            (f"add {label}", reverse(f"admin:{name}_add")),
            (f"change {label}", reverse(f"admin:{name}_change", args=[obj.pk])),
            (f"{label} history", reverse(f"admin:{name}_history", args=[obj.pk])),
        ]
    pages += [
        ("briefing list, overdue", reverse("admin:briefings_briefing_changelist") + "?review=overdue"),
        ("site settings", reverse("admin:portal_sitesettings_change", args=[SiteSettings.load().pk])),
        ("import briefings", reverse("admin:briefings_briefing_import")),
        ("recover deleted briefings", reverse("admin:briefings_briefing_recover_deleted")),
        ("restore a briefing", reverse("admin:briefings_briefing_restore", args=[briefing.pk, first_version.pk])),
        ("restore a course", reverse("admin:training_course_restore", args=[course.pk, first_course_version.pk])),
        ("sign-off review", reverse("admin:briefings_briefing_signoff_review", args=[briefing.pk])),
        ("pending revisions", reverse("admin:portal_pendingrevision_changelist")),
        ("starter layouts", reverse("admin:briefings_starterlayout_changelist")),
        ("professional groups", reverse("admin:briefings_professionalgroup_changelist")),
        ("add a professional group", reverse("admin:briefings_professionalgroup_add")),
        ("search synonyms", reverse("admin:site_synonymgroup_changelist")),
        ("add search synonyms", reverse("admin:site_synonymgroup_add")),
        ("agencies", reverse("admin:learning_agency_changelist")),
        ("team records", reverse("admin:learning_teamrecord_changelist")),
        ("was this useful answers", reverse("admin:learning_usefulnessvote_changelist")),
        ("reach report", reverse("admin:learning_reachreport_changelist")),
        ("alerts sent", reverse("admin:alerts_alertevent_changelist")),
        ("alert subscribers by theme", reverse("admin:alerts_subscribers")),
    ]
    return pages


def log_in(page, base):
    page.goto(base + "/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(base + "/admin/")


# The page heading, and what (if anything) covers its middle: an element that is neither it nor inside it.
HEADING_CHECK = """() => {
  const heading = document.querySelector("#content h1");
  if (!heading) return "no page heading";
  const box = heading.getBoundingClientRect();
  if (box.width === 0 || box.height === 0) return "the heading is not shown";
  const range = document.createRange();
  range.selectNodeContents(heading);
  for (const rect of range.getClientRects()) {
    for (const x of [rect.left + 2, rect.left + rect.width / 2, rect.right - 2]) {
      const top = document.elementFromPoint(x, rect.top + rect.height / 2);
      if (top !== heading && !heading.contains(top)) {
        return "covered by " + (top ? top.outerHTML.slice(0, 120) : "nothing (off screen)");
      }
    }
  }
  return "";
}"""

OVERFLOW = """() => {
  const root = document.documentElement;
  return root.scrollWidth > root.clientWidth ? `${root.scrollWidth} px wide in a ${root.clientWidth} px window` : "";
}"""
# A change list's columns all show: its table does not scroll sideways inside its own box either.
HIDDEN_COLUMNS = """() => {
  const box = document.querySelector("#changelist .results");
  if (!box || box.scrollWidth <= box.clientWidth) return "";
  return `list ${box.scrollWidth} px wide in a ${box.clientWidth} px box`;
}"""


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width,height", LAPTOPS, ids=[f"{w}x{h}" for w, h in LAPTOPS])
def test_every_admin_content_page_fits_a_laptop_and_shows_its_heading(page, live_server, width, height):
    content = make_content()
    assert Briefing.objects.filter(title=LONG).exists() and Resource.objects.filter(title=LONG).exists()
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, live_server.url)
    problems = []
    for label, path in content_pages(*content):
        response = page.goto(live_server.url + path)
        if response.status != 200:
            problems.append(f"{label} {path}: HTTP {response.status}")
            continue
        page.wait_for_load_state("load")
        for check in (OVERFLOW, HIDDEN_COLUMNS, HEADING_CHECK):
            if found := page.evaluate(check):
                problems.append(f"{label} {path}: {found}")
    assert not problems, "\n".join(problems)


# Every field of every inline row (text boxes, lists, file inputs, the delete box) sits inside the window.
INLINE_FIELDS_OFF_SCREEN = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const field of document.querySelectorAll(".inline-group input, .inline-group select, .inline-group textarea")) {
    if (field.type === "hidden" || field.closest(".empty-form")) continue;
    const box = field.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.left < 0 || box.right > width) {
      out.push(`${field.name}: ${Math.round(box.left)} to ${Math.round(box.right)}`);
    }
  }
  return out;
}"""


@pytest.mark.django_db(transaction=True)
def test_every_inline_is_usable_on_a_phone(page, live_server):
    briefing, course, *_ = content = make_content()
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url)
    forms = [
        reverse("admin:briefings_briefing_change", args=[briefing.pk]),
        reverse("admin:briefings_briefing_add") + "?kind=seven_minute_briefing",
        reverse("admin:training_course_change", args=[course.pk]),
        reverse("admin:training_course_add"),
    ]
    problems = []
    for path in forms:
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        assert page.locator(".inline-group").count() >= 3, path
        for found in [page.evaluate(OVERFLOW), *page.evaluate(INLINE_FIELDS_OFF_SCREEN)]:
            if found:
                problems.append(f"{path}: {found}")
    assert not problems, "\n".join(problems)
    assert content


@pytest.mark.django_db(transaction=True)
def test_formatting_help_page_has_no_axe_violations_and_fits_a_phone(page, live_server):
    UserFactory(username="admin", superuser=True)
    log_in(page, live_server.url)
    for size in [{"width": 1366, "height": 768}, PHONE]:
        page.set_viewport_size(size)
        page.goto(live_server.url + reverse("formatting-help"))
        assert page.locator(".site-preview table").count() == 1
        assert not page.evaluate(OVERFLOW), size
        assert not page.evaluate(HEADING_CHECK), size
    results = Axe().run(page, options={"resultTypes": ["violations"]})
    assert not results.violations_count, results.generate_report()
