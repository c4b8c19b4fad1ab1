"""Real-world import files (tests/robustness/corpus/) printed in Chromium, and read on a 320 px phone."""

import pytest
from django.core.management import call_command

from briefings.models import Briefing
from tests.robustness.helpers import CORPUS, final_sentence, pdf_pages, squash

GOOD = CORPUS / "good"


def import_and_get(name):
    call_command("import_briefings", str(GOOD / name), verbosity=0)
    return Briefing.objects.order_by("-pk").first()


def print_pages(page, url):
    page.goto(url)
    page.emulate_media(media="print")
    return pdf_pages(page.pdf(format="A4", prefer_css_page_size=True))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", ["seven-minute-five-sections.md", "seven-minute-unnumbered.md", "word-paste.md"])
def test_short_seven_minute_briefings_print_on_one_page_with_every_section(page, live_server, name):
    briefing = import_and_get(name)
    pages = print_pages(page, live_server.url + briefing.get_absolute_url())
    assert len(pages) == 1
    text = squash(pages[0])
    for section in briefing.sections.all():
        assert squash(section.heading) in text
        assert squash(final_sentence(section.body)) in text
    # Every panel numbered by its order (numbered in the file or not), and no empty panels.
    numbers = page.eval_on_selector_all(".section-number", "els => els.map(e => e.textContent.trim())")
    assert numbers == [str(n) for n in range(1, briefing.sections.count() + 1)]
    empty = page.eval_on_selector_all(
        ".seven-minute-grid__item", "els => els.filter(e => e.innerText.trim().length < 20).length"
    )
    assert empty == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "name", ["thematic-review-table-long-lists.md", "raw-html-fragments.md", "long-title-long-words.md"]
)
def test_long_and_messy_briefings_print_with_no_text_lost(page, live_server, name):
    briefing = import_and_get(name)
    pages = print_pages(page, live_server.url + briefing.get_absolute_url())
    text = squash(" ".join(pages))
    assert squash(briefing.title[:60]) in text
    for section in briefing.sections.all():
        assert squash(section.heading) in text
        assert squash(final_sentence(section.body)) in text
    # Nothing wider than the printed page: long addresses and words wrap.
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "name", ["long-title-long-words.md", "thematic-review-table-long-lists.md", "welsh-emoji-places.md"]
)
def test_messy_briefings_fit_a_320px_phone_screen(page, live_server, name):
    briefing = import_and_get(name)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + briefing.get_absolute_url())
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1


@pytest.mark.django_db(transaction=True)
def test_hostile_corpus_file_runs_nothing_in_the_browser(page, live_server):
    call_command("import_briefings", str(CORPUS / "hostile" / "hostile-markup.md"), verbosity=0)
    briefing = Briefing.objects.get()
    dialogs, sent = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    # The Content Security Policy stops off-site images; Chromium reports them as failed, reason "csp".
    page.on("requestfinished", lambda request: sent.append(request.url))
    page.on("requestfailed", lambda request: request.failure == "csp" or sent.append(request.url))
    for url in [briefing.get_absolute_url(), f"{briefing.get_absolute_url()}team-pack/", "/briefings/"]:
        page.goto(live_server.url + url)
        page.hover("main")
        page.mouse.move(5, 5)
    assert dialogs == []
    assert [url for url in sent if not url.startswith(live_server.url)] == []
