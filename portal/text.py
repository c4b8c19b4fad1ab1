"""Tidying text pasted or imported from Word, Google Docs and other Markdown, so every route stores it alike."""

import re

# Invisible characters that Word and web pages leave behind. They break search ("neg­lect" does not
# match "neglect") and the text copied out of a PDF. Joiners inside emoji (U+200D) are kept.
INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e"))
# Control characters other than tab and newline never belong in a briefing; NUL breaks PostgreSQL.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

FENCE = re.compile(r"^ {0,3}(```|~~~)")
# Word's bullet characters (and the Symbol-font bullet U+F0B7) at the start of a line.
WORD_BULLET = re.compile(r"^([ \t]*)[•●▪◦·‣⁃\uf0b7\uf0a7](?:[ \t]+|(?=\S))")
LIST_ITEM = re.compile(r"^( *)([-*+]|\d{1,9}[.)])([ \t]+\S|$)")
TABLE_DELIMITER = re.compile(r"^ {0,3}\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)+\|?\s*$|^ {0,3}\|\s*:?-+:?\s*\|\s*$")
HEADING = re.compile(r"^ {0,3}#{1,6}(\s|$)")
BLOCKQUOTE = re.compile(r"^ {0,3}>")

# A word as search sees it: letters and digits, so "7-minute" is two words and "GCP2" one.
WORD = re.compile(r"[^\W_]+")

# Python-Markdown recurses once per level of list nesting; far below the point where it would fail.
MAX_NESTING = 20


def tidy_text(text):
    """One line ending style, no invisible or control characters, no trailing whitespace on lines."""
    text = str(text or "").replace("\r\n", "\n").replace("\r", "\n").translate(INVISIBLE)
    text = CONTROL.sub("", text)
    return "\n".join(line.rstrip() for line in text.split("\n"))


def tidy_line(text):
    """A one-line value (title, heading, figure): tidy, with tabs and non-breaking spaces as plain spaces."""
    return " ".join(tidy_text(text).replace("\u00a0", " ").split())


def _expand_indent(line):
    stripped = line.lstrip(" \t")
    indent = line[: len(line) - len(stripped)].replace("\t", "    ")
    return indent + stripped


def tidy_markdown(text):
    """Markdown as Word users and other tools mean it: real list items, blank lines before lists, 4-space nesting."""
    # Fenced code blocks are left alone. Trailing spaces go: they would make hard line breaks.
    lines = tidy_text(text).replace("\u00a0", " ").split("\n")
    out, in_fence, stack, previous = [], False, [], ""
    for index, line in enumerate(lines):
        if FENCE.match(line):
            in_fence = not in_fence
            stack = []
            out.append(line)
            previous = line
            continue
        if in_fence:
            out.append(line)
            continue
        line = WORD_BULLET.sub(r"\1- ", _expand_indent(line))
        item = LIST_ITEM.match(line)
        if item:
            indent, in_list = len(item.group(1)), bool(stack)
            while stack and indent < stack[-1][0]:
                stack.pop()
            if not stack or indent > stack[-1][0]:
                stack.append((indent, len(stack)))
            depth = stack[-1][1]
            after_paragraph = previous.strip() and not in_list and not HEADING.match(previous)
            if after_paragraph and not BLOCKQUOTE.match(previous):
                out.append("")
            line = " " * (4 * depth) + line.lstrip(" ")
        elif not line.strip():
            pass
        elif stack and line.startswith(" "):
            # A continuation line of a list item: indent it under its item.
            line = " " * (4 * (stack[-1][1] + 1)) + line.lstrip(" ")
        elif stack and previous.strip():
            pass  # a lazy continuation of the list item above
        else:
            stack = []
            following = lines[index + 1] if index + 1 < len(lines) else ""
            is_table = line.lstrip().startswith("|") and TABLE_DELIMITER.match(following)
            if is_table and previous.strip() and not previous.lstrip().startswith("|"):
                out.append("")
        out.append(line)
        previous = line
    return "\n".join(out).strip("\n")


def nesting_problem(text):
    """A message if the Markdown nests lists or quotes too deeply to render safely, else ''."""
    in_fence = False
    for line in str(text or "").split("\n"):
        if FENCE.match(line):
            in_fence = not in_fence
        if in_fence:
            continue
        indent = len(_expand_indent(line)) - len(line.lstrip(" \t"))
        quotes = len(line) - len(line.lstrip("> \t")) if BLOCKQUOTE.match(line) else 0
        if indent // 4 > MAX_NESTING or line[:quotes].count(">") > MAX_NESTING:
            return f"lists or quotes are nested more than {MAX_NESTING} levels deep; flatten them"
    return ""
