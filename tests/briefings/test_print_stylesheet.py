"""The print stylesheet spaces blocks in whole CSS pixels, so Chromium and WeasyPrint break pages at the same line.

Chromium keeps lengths in sixty-fourths of a pixel and WeasyPrint exactly: a margin of 2.5mm (9.449 px) is
stored a little differently by each, and over a page of paragraphs the difference decides whether a last
line fits (corpus shape 20037 of tests/browser/test_print_parity.py moved 31 words across a page break).
"""

import re
from pathlib import Path

from django.conf import settings

PRINT_CSS = Path(settings.BASE_DIR) / "static" / "css" / "print.css"
VERTICAL = {"margin": (0, 2), "padding": (0, 2)}  # positions of top and bottom in a shorthand of 3 or 4 values
SIDES = ("margin-top", "margin-bottom", "padding-top", "padding-bottom", "height", "min-height", "line-height")


def declarations(css):
    """(selector, property, value) for every declaration outside @page rules."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"@page\s*\{(?:[^{}]|\{[^{}]*\})*\}", "", css)
    for selector, block in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        for declaration in block.split(";"):
            if ":" in declaration:
                name, value = declaration.split(":", 1)
                yield " ".join(selector.split()), name.strip(), value.replace("!important", "").strip()


def vertical_lengths(name, value):
    values = value.split()
    if name in VERTICAL:
        return [values[0]] if len(values) < 3 else [values[i] for i in VERTICAL[name]]
    return values if name in SIDES else []


def whole_pixels(length):
    if length in ("0", "auto", "none") or re.fullmatch(r"[\d.]+", length):  # a unitless line height
        return True
    if match := re.fullmatch(r"-?([\d.]+)(px|pt)", length):
        pixels = float(match[1]) * (4 / 3 if match[2] == "pt" else 1)
        return pixels == round(pixels)
    return False


def test_vertical_spacing_in_the_print_stylesheet_is_in_whole_pixels():
    fractional = [
        f"{selector} {{ {name}: {value} }}"
        for selector, name, value in declarations(PRINT_CSS.read_text())
        for length in vertical_lengths(name, value)
        if not whole_pixels(length)
    ]
    assert not fractional, "\n".join(fractional)


def test_the_check_finds_spacing_in_millimetres():
    css = "p { margin: 0 0 2.5mm; } @page { margin: 10mm; } h2 { padding: 6px 3mm; line-height: 1.2em; }"
    found = [
        (name, value)
        for _, name, value in declarations(css)
        if not all(map(whole_pixels, vertical_lengths(name, value)))
    ]
    assert found == [("margin", "0 0 2.5mm"), ("line-height", "1.2em")]
