"""The one renderer survives pathological Markdown in any field, and loads images only from this site."""

import time

from portal.markdown import render_markdown


def test_absurdly_deep_nesting_is_shown_as_text_not_an_error():
    text = "- top\n" + "".join("    " * depth + "- deeper\n" for depth in range(400))
    html = render_markdown(text)
    assert "deeper" in html
    assert "<script" not in html


def test_thousands_of_unclosed_brackets_render_quickly():
    started = time.perf_counter()
    html = render_markdown("see [note " * 5000)
    assert time.perf_counter() - started < 1.0
    assert "see [note" in html


def test_image_from_another_site_becomes_a_link_and_local_images_stay():
    html = render_markdown("![Neglect poster](https://elsewhere.example/poster.png)\n\n![Chart](/media/chart.png)")
    assert '<a href="https://elsewhere.example/poster.png"' in html
    assert "image on another website" in html
    assert 'src="/media/chart.png"' in html
    assert 'elsewhere.example/poster.png"' not in html.split("<img")[-1]


def test_raw_html_image_from_another_site_loses_its_source():
    html = render_markdown('<img src="https://tracker.example/pixel.gif" alt="pixel">')
    assert "tracker.example" not in html


def test_ordinary_links_and_bracketed_text_are_unchanged():
    html = render_markdown("[a] [b] and a [link](https://example.org)")
    assert "[a] [b]" in html
    assert '<a href="https://example.org"' in html
