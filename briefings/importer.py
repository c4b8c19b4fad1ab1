"""Briefings as Markdown files with YAML front matter: the import and export format (README, "Briefings").

One data shape is shared by both directions: `parse_briefing` turns a file into it,
`briefing_to_data` turns a saved briefing into it, `render_briefing` writes it out and
`save_briefing` stores it. Comparing the two shapes is how a re-import knows nothing changed.
"""

import datetime
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import yaml
from django.conf import settings
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.validators import URLValidator
from django.db import DatabaseError
from django.utils.text import slugify

from portal import media, publication
from portal.models import validate_web_address

from .models import Briefing, DiscussionQuestion, KeyFact, Resource, Section, Theme
from .text import nesting_problem, tidy_line, tidy_markdown, tidy_text

logger = logging.getLogger(__name__)

FIELDS = [
    "title", "slug", "kind", "summary", "themes", "audience", "publisher", "based_on", "published",
    "last_reviewed", "review_due", "status", "sample_description", "key_facts", "questions",
    "resources", "courses",
]  # fmt: skip
TEXT_FIELDS = ["title", "slug", "summary", "publisher", "sample_description"]
ONE_LINE_FIELDS = {"title", "slug", "publisher"}
DATE_FIELDS = ["published", "last_reviewed", "review_due"]
CHOICE_FIELDS = {
    "kind": Briefing.Kind,
    "audience": Briefing.Audience,
    "based_on": Briefing.BasedOn,
    "status": Briefing.Status,
}
DATE_FORMATS = [
    "%Y-%m-%d", "%Y/%m/%d", "%d %B %Y", "%d %b %Y", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%B %d %Y", "%b %d %Y",
]  # fmt: skip
WEEKDAY = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+", re.IGNORECASE)
ORDINAL = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b", re.IGNORECASE)
TIME_PART = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)$")
ATX = re.compile(r"^ {0,3}(#{1,6})(.*)$")
CLOSING_HASHES = re.compile(r"[ \t]+#+[ \t]*$")
# Section numbers as partnerships write them: "1. Background", "1) Background", "1: Background",
# "3 – Information", "Section 3 – Information", "Part 2: ...". A bare "01 Background" counts only when
# the file numbers at least two headings in order (so "10 things to know" alone stays a heading).
NUMBERED = re.compile(r"^(\d{1,3})(?:[.):]|\s+[-–—:])\s+(\S.*)$")
LABELLED = re.compile(r"^(?:section|part|step|point)\s+(\d{1,3})\b\s*[.):\-–—]?\s*(\S.*)$", re.IGNORECASE)
BARE = re.compile(r"^(\d{1,2})\s+([^\W\d_].*)$")
EMPHASIS = re.compile(r"^(\*\*|__|\*|_)(.+)\1$")
FENCE = re.compile(r"^\s{0,3}(```|~~~)")
QUESTION_NUMBER = re.compile(r"^(?:q(?:uestion)?\s*)?\d{1,2}\s*[.):]\s+(?=\S)", re.IGNORECASE)
MAX_FILE_SIZE = 1024 * 1024
EXTERNAL_IMAGE = re.compile(
    r"!\[[^\]]*\]\(\s*<?(https?://[^)\s>]+)|<img\b[^>]*\bsrc\s*=\s*[\"']?(https?://[^\"'\s>]+)", re.I
)
# Word (.docx is a zip), old Word, PDF and common images, saved with a .md name by mistake.
BINARY_SIGNATURES = {
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0",
    b"%PDF",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff\xe0",
    b"\xff\xd8\xff\xe1",
}
INTRODUCTION = "Introduction"


class BriefingFileError(Exception):
    """A file that cannot be imported; the message names the file and the field."""


class _Loader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps (a bad date is our clear error, not a crash) and without
    aliases, which nothing in the format needs and which can multiply a small file into a huge one."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None,
                None,
                f"'*{event.anchor}' is read as a YAML alias, which is not allowed; "
                "if it is text (e.g. **bold**), put the whole value in quotes",
                event.start_mark,
            )
        return super().compose_node(parent, index)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)  # indent lists under their key


class _FlowList(list):
    """A short list of names written on one line: themes: [Child neglect, Professional curiosity]."""


def _represent_str(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(
    _FlowList, lambda dumper, value: dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)
)


@dataclass
class ImportResult:
    name: str
    slug: str = ""
    action: str = ""  # created, updated, unchanged
    error: str = ""
    warnings: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.error


# --- Reading ---------------------------------------------------------------------------------


def split_front_matter(text):
    """Return (front matter text, body) of a file that starts with a '---' block."""
    lines = _normalise(text).split("\n")
    if not lines or lines[0].strip() != "---":
        raise ValueError("front matter: the file must start with a line '---', then the YAML fields, then '---'")
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() in {"---", "..."}:
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :])
    raise ValueError("front matter: no closing '---' line after the YAML fields")


def _trim_blank_lines(lines):
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return "\n".join(line.rstrip("\n") for line in lines)


def _heading(line):
    """(level, text) of an ATX heading line, or None. "#tag" is text; "##Background" is a heading."""
    match = ATX.match(line)
    if not match:
        return None
    hashes, rest = match.groups()
    if rest and rest[0] not in " \t" and len(hashes) != 2:
        return None
    return len(hashes), tidy_line(CLOSING_HASHES.sub("", rest))


def _same_text(a, b):
    def simple(text):
        return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())

    return simple(a) == simple(b)


def split_number(heading, bare=False):
    """(number, heading) from a heading that may start with its section number."""
    if heading.startswith("\\") and heading[1:2].isdigit():
        return None, heading[1:]  # escaped on export: it only looks numbered
    emphasised = EMPHASIS.match(heading)
    if emphasised:
        heading = emphasised.group(2).strip()
    for pattern in (NUMBERED, LABELLED, BARE) if bare else (NUMBERED, LABELLED):
        match = pattern.match(heading)
        if match:
            return int(match.group(1)), match.group(2).strip()
    return None, heading


def _bare_numbers_count(headings):
    """Whether "01 Background" style numbers are meant: two or more headings numbered one after another."""
    numbers = [split_number(text, bare=True)[0] for text in headings]
    numbers = [n for n in numbers if n is not None]
    return len(numbers) >= 2 and all(b == a + 1 for a, b in zip(numbers, numbers[1:], strict=False))


def parse_sections(body, title=""):
    """Split the Markdown body into sections at its top heading level (usually '## ').

    Text before the first heading becomes an introduction; a '# Title' first line that repeats the
    title is dropped; deeper headings stay inside their section, moved to level 3 and below.
    """
    lines = body.split("\n")
    headings, in_fence = [], False
    for index, line in enumerate(lines):
        if FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else _heading(line)
        if heading and heading[1]:
            headings.append((index, *heading))
    first_line = next((i for i, line in enumerate(lines) if line.strip()), None)
    repeats_title = headings and headings[0][0] == first_line and headings[0][1] == 1
    if title and repeats_title and _same_text(headings[0][2], title):
        lines[first_line] = ""
        headings = headings[1:]
    levels = [level for _, level, _ in headings]
    top = min(levels, default=2)
    if top == 1 and levels.count(1) == 1 and levels[0] == 1 and 2 in levels:
        top = 2  # a document title of its own, then '##' sections: the title becomes a section too
    elif top > 3:
        top = 2  # only small headings: they stay inside the text
    at_top = {index: text for index, level, text in headings if level <= top}
    deeper = {index: (level, text, lines[index]) for index, level, text in headings if level > top}
    bare = _bare_numbers_count(list(at_top.values()))

    sections, current, part = [], None, []
    for index, line in enumerate(lines):
        if index in at_top:
            if current is not None or _has_text(part):
                sections.append({**(current or {"number": None, "heading": INTRODUCTION}), "body": part})
            number, heading = split_number(at_top[index], bare=bare)
            current, part = {"number": number, "heading": heading}, []
            continue
        part.append(deeper.get(index, line))
    if current is not None or _has_text(part):
        sections.append({**(current or {"number": None, "heading": INTRODUCTION}), "body": part})
    return [{**s, "body": _trim_blank_lines(_rank_headings(s["body"]))} for s in sections]


def _has_text(part):
    return any(isinstance(item, tuple) or item.strip() for item in part)


def _rank_headings(part):
    """The heading levels in use inside one section become 3, 4, 5..., so no level is skipped."""
    found = {item[0] for item in part if isinstance(item, tuple)}
    ranks = {level: min(rank, 6) for rank, level in enumerate(sorted(found), start=3)}
    out = []
    for item in part:
        if isinstance(item, tuple):
            level, text, line = item
            item = "#" * ranks[level] + " " + text if ranks[level] != level else line
        out.append(item)
    return out


def _describe(value):
    if isinstance(value, bool):
        return "true/false (put the text in quotes)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a set of fields"
    return type(value).__name__


def _text(value, name, required=False, one_line=False):
    if value is None:
        value = ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, datetime.date):
        value = value.isoformat()
    if not isinstance(value, str):
        raise ValueError(f"{name}: expected text, got {_describe(value)}")
    value = tidy_line(value) if one_line else tidy_text(value).strip()
    if required and not value:
        raise ValueError(f"{name}: is required")
    return value


def _date(value, name):
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str):
        raise ValueError(f"{name}: expected a date like 2024-05-01, got {_describe(value)}")
    # "Wednesday 1st May, 2024", "2024-05-01T09:00:00Z" and the like: the date is what matters.
    cleaned = ORDINAL.sub("", WEEKDAY.sub("", tidy_line(value))).replace(",", " ")
    cleaned = " ".join(cleaned.split())
    with_time = TIME_PART.match(cleaned)
    cleaned = with_time.group(1) if with_time else cleaned
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{name}: {value!r} is not a valid date (write it as YYYY-MM-DD, e.g. 2024-05-01)")


def _choice(value, name, choices, default):
    if value in (None, ""):
        return default
    if not isinstance(value, str):
        raise ValueError(f"{name}: expected one of {', '.join(choices.values)}, got {_describe(value)}")
    wanted = value.strip().lower()
    for choice_value, label in choices.choices:
        if wanted in {choice_value, label.lower(), choice_value.replace("_", " ")}:
            return choice_value
    raise ValueError(f"{name}: unknown value {value!r}; use one of {', '.join(choices.values)}")


def _list(value, name, split=False):
    if value is None:
        return []
    if isinstance(value, str):
        # "themes: Child neglect, Disguised compliance" means a list, as does one question on its own.
        return [part for part in value.split(",") if part.strip()] if split else [value]
    if not isinstance(value, list):
        raise ValueError(f"{name}: expected a list, got {_describe(value)}")
    return value


def _mapping(item, name, keys):
    if not isinstance(item, dict):
        raise ValueError(f"{name}: expected a set of fields ({', '.join(keys)}), got {_describe(item)}")
    unknown = sorted(str(k) for k in item if k not in keys)
    if unknown:
        raise ValueError(f"{name}: unknown field {unknown[0]!r}; the fields are {', '.join(keys)}")
    return item


def _resource_url(value, name):
    url = _text(value, name, required=True, one_line=True)
    if url.startswith(settings.MEDIA_URL):
        return url
    if url.lower().startswith("www."):
        url = "https://" + url  # as the admin's link fields assume
    scheme = url.split(":", 1)[0].lower() if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url) else ""
    if scheme in {"mailto", "tel"}:
        raise ValueError(
            f"{name}: {url!r} is an email address or phone number, not a resource; "
            "put it in the text of a section instead"
        )
    if not scheme:
        raise ValueError(
            f"{name}: {url!r} is a relative link; use the full web address starting with https://, "
            f"or upload the file in the admin (uploaded files start with {settings.MEDIA_URL})"
        )
    try:
        validate_web_address(url)
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as error:
        raise ValueError(f"{name}: {url!r} is not a web address starting with https://") from error
    return url


def parse_front_matter(meta):
    """Check and normalise the front matter fields into the shared data shape (without sections)."""
    if meta is None:
        raise ValueError("front matter: is empty; it needs at least 'title:' and 'kind:'")
    if not isinstance(meta, dict):
        raise ValueError(f"front matter: expected fields like 'title: ...', got {_describe(meta)}")
    unknown = sorted(str(k) for k in meta if k not in FIELDS)
    if unknown:
        raise ValueError(f"{unknown[0]}: unknown field; the fields are {', '.join(FIELDS)}")
    data = {
        name: _text(meta.get(name), name, required=name == "title", one_line=name in ONE_LINE_FIELDS)
        for name in TEXT_FIELDS
    }
    data["slug"] = data["slug"] or slugify(data["title"])[:200].strip("-")
    if not data["slug"]:
        raise ValueError("slug: cannot be made from the title; add a slug such as 'neglect-briefing'")
    kinds = Briefing.Kind
    if meta.get("kind") in (None, ""):
        raise ValueError(f"kind: is required; use one of {', '.join(kinds.values)}")
    defaults = {"kind": None, "audience": Briefing.Audience.CHILDREN, "based_on": "", "status": Briefing.Status.DRAFT}
    for name, choices in CHOICE_FIELDS.items():
        data[name] = _choice(meta.get(name), name, choices, defaults[name])
    for name in DATE_FIELDS:
        data[name] = _date(meta.get(name), name)
    if data["status"] == Briefing.Status.PUBLISHED and not data["published"]:
        raise ValueError("published: a briefing with status 'published' needs a publication date")

    data["themes"] = sorted(
        {
            _text(t, f"themes[{i + 1}]", required=True, one_line=True)
            for i, t in enumerate(_list(meta.get("themes"), "themes", split=True))
        },
        key=str.casefold,
    )
    data["courses"] = sorted(
        {
            _text(c, f"courses[{i + 1}]", required=True, one_line=True)
            for i, c in enumerate(_list(meta.get("courses"), "courses", split=True))
        }
    )
    # The page numbers the questions itself: "1. What ..." or "Q1) What ..." loses its own number.
    data["questions"] = [
        QUESTION_NUMBER.sub("", _text(q, f"questions[{i + 1}]", required=True))
        for i, q in enumerate(_list(meta.get("questions"), "questions"))
    ]
    facts = []
    for i, item in enumerate(_list(meta.get("key_facts"), "key_facts"), start=1):
        name = f"key_facts[{i}]"
        item = _mapping(item, name, ["figure", "text", "source"])
        facts.append(
            {
                "figure": _text(item.get("figure"), f"{name}.figure", required=True, one_line=True),
                "text": _text(item.get("text"), f"{name}.text", required=True, one_line=True),
                "source": _text(item.get("source"), f"{name}.source", one_line=True),
            }
        )
    data["key_facts"] = facts
    resources = []
    for i, item in enumerate(_list(meta.get("resources"), "resources"), start=1):
        name = f"resources[{i}]"
        item = _mapping(item, name, ["title", "url", "kind", "description"])
        resources.append(
            {
                "title": _text(item.get("title"), f"{name}.title", required=True, one_line=True),
                "url": _resource_url(item.get("url"), f"{name}.url"),
                "kind": _choice(item.get("kind"), f"{name}.kind", Resource.Kind, Resource.Kind.OTHER),
                "description": _text(item.get("description"), f"{name}.description", one_line=True),
            }
        )
    data["resources"] = resources
    return data


def parse_briefing(raw):
    """Turn the bytes of one file into the shared data shape; ValueError names the field."""
    if len(raw) > MAX_FILE_SIZE:
        raise ValueError(f"file: is {len(raw) / 1024 / 1024:.1f} MB, larger than 1 MB; is it really a briefing?")
    if b"\x00" in raw[:8192] or raw[:4] in BINARY_SIGNATURES:
        raise ValueError("file: is not a text file (it looks like a Word, PDF or image file); save it as Markdown")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"file: is not UTF-8 text (byte {error.start}); save it as UTF-8 and try again") from error
    front, body = split_front_matter(tidy_text(text))
    try:
        meta = yaml.load(front, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" (line {where.line + 2})" if where else ""
        problem = getattr(error, "problem", None) or "cannot be read"
        if "'\\t'" in problem:
            problem += " (indent with spaces, not tabs)"
        elif "'*'" in problem or "cannot start any token" in problem:
            problem += " (text starting with *, `, @ or % must be put in quotes)"
        raise ValueError(f"front matter: broken YAML{line}: {problem}") from error
    except RecursionError as error:
        raise ValueError("front matter: lists or fields are nested too deeply") from error
    data = parse_front_matter(meta)
    data["sections"] = parse_sections(tidy_markdown(body), title=data["title"])
    for position, section in enumerate(data["sections"], start=1):
        problem = nesting_problem(section["body"])
        if problem:
            raise ValueError(f"sections[{position}].body ({section['heading']}): {problem}")
    return data


# --- Writing ---------------------------------------------------------------------------------


def briefing_to_data(briefing):
    """The saved briefing in the shared data shape (use a briefing with its parts prefetched)."""
    data = {name: getattr(briefing, name) for name in DATE_FIELDS + list(CHOICE_FIELDS)}
    data.update({name: _normalise(getattr(briefing, name)).strip() for name in TEXT_FIELDS})
    data["themes"] = sorted((t.name for t in briefing.themes.all()), key=str.casefold)
    data["courses"] = sorted(c.slug for c in briefing.courses.all())
    data["questions"] = [_normalise(q.text).strip() for q in briefing.questions.all()]
    data["key_facts"] = [{"figure": f.figure, "text": f.text, "source": f.source} for f in briefing.key_facts.all()]
    data["resources"] = [
        {"title": r.title, "url": r.href, "kind": r.kind, "description": r.description}
        for r in briefing.resources.all()
    ]
    data["sections"] = [
        {"number": s.number, "heading": s.heading.strip(), "body": _trim_blank_lines(_normalise(s.body).split("\n"))}
        for s in briefing.sections.all()
    ]
    return data


def _normalise(text):
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _comparable(data):
    return {**data, "themes": [t.casefold() for t in data["themes"]]}


def render_briefing(data):
    """The file text for one briefing: front matter with non-empty fields, then its sections."""
    meta = {}
    for name in FIELDS:
        value = data.get(name)
        if isinstance(value, list):
            value = [{k: v for k, v in item.items() if v} if isinstance(item, dict) else item for item in value]
        if value not in (None, "", []):
            meta[name] = _FlowList(value) if name in {"themes", "courses"} else value
    front = yaml.dump(meta, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=False)
    out = f"---\n{front}---\n"
    for section in data["sections"]:
        heading = section["heading"]
        if section["number"]:
            heading = f"{section['number']}. {heading}"
        elif split_number(heading, bare=True)[0] is not None or re.match(r"\\\d", heading):
            heading = "\\" + heading  # an unnumbered heading that only looks numbered stays unnumbered
        out += f"\n## {heading}\n"
        if section["body"]:
            out += f"\n{section['body']}\n"
    return out


# --- Saving ----------------------------------------------------------------------------------


def prefetched(queryset):
    return queryset.prefetch_related("themes", "courses", "questions", "key_facts", "resources", "sections")


def _themes(names):
    themes = []
    for name in names:
        theme = Theme.objects.filter(name__iexact=name).first() or Theme.objects.filter(slug=slugify(name)).first()
        if theme is None:
            theme = Theme(name=name, slug=slugify(name)[:120].strip("-"))
            _clean(theme, "themes")
            theme.save()
        themes.append(theme)
    return themes


def _courses(slugs):
    from training.models import Course

    courses = list(Course.objects.filter(slug__in=slugs))
    missing = sorted(set(slugs) - {c.slug for c in courses})
    if missing:
        raise ValueError(f"courses: no course with the slug {missing[0]!r}")
    return courses


def _validation_message(error):
    if hasattr(error, "message_dict"):
        name, messages = next(iter(error.message_dict.items()))
        name = "file" if name == "__all__" else name
        return f"{name}: {' '.join(messages)}"
    return "; ".join(error.messages)


def _clean(obj, name, exclude=None):
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as error:
        message = _validation_message(error)
        raise ValueError(f"{name}.{message}" if name else message) from error


def locked_publication(data, existing):
    """`data` with the publication fields an editor may not change put back, and what was kept, as warnings.

    The same rule as the admin form: only publishers decide what is public, so a new briefing arrives as
    a draft, an existing one keeps its status, and a published one keeps its date (an earlier date would
    lift an embargo, a later one would take it off the site).
    """
    if existing is None:
        warnings = []
        if data["status"] != Briefing.Status.DRAFT:
            warnings.append("status: saved as a draft: only someone who may publish can publish it")
        return {**data, "status": Briefing.Status.DRAFT}, warnings
    kept, warnings = {"status": existing.status}, []
    if existing.status == Briefing.Status.PUBLISHED:
        kept["published"] = existing.published
        if data["published"] != existing.published:
            warnings.append(
                f"published: kept as {existing.published:%Y-%m-%d}, not {_iso(data['published'])}: the briefing is "
                "published, and only someone who may publish can change its publication date"
            )
    if data["status"] != existing.status:
        warnings.append(
            f"status: kept as {existing.status}, not {data['status']}: only someone who may publish can change it"
        )
    return {**data, **kept}, warnings


def _iso(day):
    return day.isoformat() if day else "empty"


def save_briefing(data, can_publish=True, warnings=None):
    """Create or update the briefing with this slug and replace its ordered parts. Returns (briefing, action).

    `warnings`, a list, is given what an editor's file asked for and did not get.
    """
    existing = prefetched(Briefing.objects.filter(slug=data["slug"])).first()
    if not can_publish:
        data, kept = locked_publication(data, existing)
        if warnings is not None:
            warnings.extend(kept)
    if existing and _comparable(briefing_to_data(existing)) == _comparable(data):
        return existing, "unchanged"
    courses = _courses(data["courses"])
    briefing = existing or Briefing()
    for name in TEXT_FIELDS + DATE_FIELDS + list(CHOICE_FIELDS):
        setattr(briefing, name, data[name])
    if existing:
        briefing.version = (briefing.version or 0) + 1
    _clean(briefing, "")
    briefing.save()
    briefing.themes.set(_themes(data["themes"]))
    briefing.courses.set(courses)
    if existing:
        for related in (briefing.sections, briefing.questions, briefing.key_facts, briefing.resources):
            for part in related.all():
                part.delete()  # one by one, so each deletion is kept in the history
    for position, section in enumerate(data["sections"], start=1):
        part = Section(briefing=briefing, position=position, **section)
        _clean(part, f"sections[{position}]", exclude=["briefing"])
        part.save()
    for position, text in enumerate(data["questions"], start=1):
        part = DiscussionQuestion(briefing=briefing, position=position, text=text)
        _clean(part, f"questions[{position}]", exclude=["briefing"])
        part.save()
    for position, fact in enumerate(data["key_facts"], start=1):
        part = KeyFact(briefing=briefing, position=position, **fact)
        _clean(part, f"key_facts[{position}]", exclude=["briefing"])
        part.save()
    for position, item in enumerate(data["resources"], start=1):
        part = Resource(briefing=briefing, position=position, **{k: v for k, v in item.items() if k != "url"})
        url = item["url"]
        if url.startswith(settings.MEDIA_URL):
            part.file.name = uploaded_file_name(url, f"resources[{position}].url")
        else:
            part.url = url
        _clean(part, f"resources[{position}]", exclude=["briefing"])
        part.save()
    return briefing, "updated" if existing else "created"


def uploaded_file_name(url, name):
    """The storage name of the uploaded file at `url` (under MEDIA_URL), or ValueError naming field `name`.

    Only a plain path to an existing regular file inside MEDIA_ROOT will do: no '..', '.', empty or
    backslashed parts (which storage would refuse with an error of its own), no folder, and no link
    that leads outside.
    """
    relative = unquote(url[len(settings.MEDIA_URL) :])
    if media.clean_name(relative) is None:
        raise ValueError(
            f"{name}: {url!r} is not the address of an uploaded file (it has an empty, '.', '..' or backslashed part); "
            f"use the address the admin shows for the file, e.g. {settings.MEDIA_URL}resources/2024/poster.pdf"
        )
    root = Path(settings.MEDIA_ROOT).resolve()
    try:
        path = (root / relative).resolve()
    except (OSError, RuntimeError) as error:
        raise ValueError(f"{name}: no uploaded file at {url}") from error
    if not path.is_relative_to(root):
        raise ValueError(f"{name}: {url!r} leads outside the uploaded files; it is not an uploaded file")
    if not path.is_file():
        what = "a folder, not an uploaded file" if path.is_dir() else "missing: no uploaded file there"
        raise ValueError(f"{name}: {url} is {what}; upload the file in the admin and use its address")
    return relative


def _warnings(data):
    """Things that import but will not work as the writer expects."""
    warnings = []
    for position, section in enumerate(data["sections"], start=1):
        for match in EXTERNAL_IMAGE.finditer(section["body"]):
            url = match.group(1) or match.group(2)
            warnings.append(
                f"sections[{position}].body: the image {url} is on another website, so the site will not show it "
                "(pages load nothing from other sites); upload the image in the admin and link to that instead"
            )
    return warnings


def import_file(name, raw, can_publish=True, seen=None, user=None, base_url=""):
    """Import one file in its own transaction; a bad file writes nothing. Returns an ImportResult.

    `seen` maps the slugs already imported in this run to their files: a second file with the
    same slug is rejected rather than silently replacing the first. With `user` (the admin's
    import), a change to a published briefing that user may not publish waits for approval
    (portal.publication.hold) instead of going live.
    """
    result = ImportResult(name=name)
    try:
        data = parse_briefing(raw)
        result.slug = data["slug"]
        if seen is not None and data["slug"] in seen:
            raise ValueError(
                f"slug: {data['slug']!r} is also the slug of {seen[data['slug']]} in this import; "
                "give one of them a different title or slug"
            )
        kept = []
        try:
            with publication.hold(user):
                _, result.action = save_briefing(data, can_publish=can_publish, warnings=kept)
        except publication.Held as held:
            result.action = "waiting for approval" if publication.keep_pending(held, user, base_url) else "unchanged"
        result.warnings = kept + _warnings(data)
        if seen is not None:
            seen[data["slug"]] = name
    except ValueError as error:
        result.error = f"{name}: {error}"
    except SuspiciousOperation as error:
        # Storage refusing a path the checks above let through: still one rejected file, not an aborted batch.
        logger.warning("Importing %s: %s", name, error)
        result.error = f"{name}: file: refers to a path outside the uploaded files; nothing from it was written"
    except DatabaseError:
        # Checked data should never get here; if it does, the file is still rejected whole, not a crash.
        logger.exception("Importing %s failed in the database", name)
        result.error = f"{name}: file: could not be saved (a database error); nothing from it was written"
    return result


def find_files(paths):
    """Expand files and directories (their *.md files, sorted) into a list of paths."""
    files = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(p for p in path.rglob("*.md") if p.is_file())
        else:
            files.append(path)
    return files


def export_briefings(directory, queryset=None):
    """Write every briefing to DIR/<slug>.md; returns the paths written."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for briefing in prefetched(queryset if queryset is not None else Briefing.objects.order_by("slug")):
        path = directory / f"{briefing.slug}.md"
        path.write_text(render_briefing(briefing_to_data(briefing)), encoding="utf-8")
        written.append(path)
    return written
