"""A list that starts at the foot of a page breaks in WeasyPrint where it does in Chromium.

WeasyPrint's own stylesheet has `ol, ul { break-before: avoid }`, Chromium's has no such rule: where a
list began at the foot of a page, WeasyPrint carried the last line of the paragraph before it over to
the next page with it (corpus shape 20013 of tests/browser/test_print_parity.py moved 45 words across
a page break), so the print stylesheet puts the break back to `auto`.
"""

import io
import re
from pathlib import Path

from django.conf import settings
from pypdf import PdfReader
from weasyprint import CSS, HTML

PRINT_CSS = Path(settings.BASE_DIR) / "static" / "css" / "print.css"
# Three 20px lines of a paragraph, ending 10px above the foot of the first page (1039.37 px printable).
PAGE_FOOT = """
<div style="height: 969px"></div>
<p>First line of the paragraph<br>second line of the paragraph<br>last line of the paragraph</p>
<ul><li>The list item</li></ul>
"""


def pages(css):
    pdf = HTML(string=PAGE_FOOT).write_pdf(stylesheets=[CSS(string=css)])
    # Each page's text without the page number in its foot.
    return [
        re.sub(r"\s*Page \d+ of \d+", "", " ".join(page.extract_text().split()))
        for page in PdfReader(io.BytesIO(pdf)).pages
    ]


def test_a_list_at_the_foot_of_a_page_leaves_the_paragraph_before_it_whole():
    first, second = pages(PRINT_CSS.read_text())
    assert first.endswith("last line of the paragraph")
    assert second.startswith("The list item")


def test_without_the_rule_weasyprint_carries_the_paragraphs_last_line_over():
    css = re.sub(r"ul, ol \{ break-before: auto;[^}]*\}", "", PRINT_CSS.read_text())
    first, second = pages(css)
    assert first.endswith("second line of the paragraph")
    assert second.startswith("last line of the paragraph")
