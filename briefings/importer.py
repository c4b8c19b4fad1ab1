"""Briefings as Markdown files with front matter, read and written through one data shape (re-imports see no change)."""

import datetime
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import yaml
from django import forms
from django.conf import settings
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.validators import URLValidator
from django.db import DatabaseError
from django.utils.text import slugify

from portal import media, publication, yaml_loader
from portal.text import nesting_problem, tidy_line, tidy_markdown, tidy_text

from .models import Briefing, DiscussionQuestion, KeyFact, ProfessionalGroup, Resource, Section, Theme

logger = logging.getLogger(__name__)

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


class BriefingFileError(ValueError):
    """A file that cannot be imported; `problems` lists each as "field: what was expected"."""

    def __init__(self, *problems):
        super().__init__("\n".join(problems))
        self.problems = list(problems)


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
    """Split the body into sections at its top heading level; text before the first becomes an introduction."""
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


def sections_in_order(sections, kind):
    """Sections without numbers: on a 7-minute briefing the numbers give the order (the panel's number follows
    from it), so numbered sections are sorted into the places numbered ones had; elsewhere a number stays in the
    heading, as readers saw it."""
    if kind != Briefing.Kind.SEVEN_MINUTE_BRIEFING:
        return [
            {"heading": f"{s['number']}. {s['heading']}" if s["number"] else s["heading"], "body": s["body"]}
            for s in sections
        ]
    slots = [index for index, section in enumerate(sections) if section["number"]]
    ordered = list(sections)
    for slot, section in zip(slots, sorted((sections[i] for i in slots), key=lambda s: s["number"]), strict=True):
        ordered[slot] = section
    return [{"heading": s["heading"], "body": s["body"]} for s in ordered]


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


class FileTextField(forms.Field):
    """Text as YAML gives it, checked by the model field `of` it fills; a number is taken as written."""

    default_error_messages = {"required": "is required"}

    def __init__(self, of=None, *, one_line=False, required=None, **kwargs):
        if required is None:
            required = of is not None and not of.blank
        super().__init__(required=required, validators=of.validators if of is not None else (), **kwargs)
        self.one_line = one_line

    def to_python(self, value):
        if value is None:
            return ""
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise ValidationError(f"expected text, got {_describe(value)}")
        return tidy_line(value) if self.one_line else tidy_text(value).strip()


class FileChoiceField(forms.Field):
    """One of a model's choices, written as its value or its label, in any case."""

    def __init__(self, choices, *, default=None, **kwargs):
        super().__init__(required=default is None, **kwargs)
        self.choices, self.default = choices, default
        self.error_messages["required"] = f"is required; use one of {', '.join(choices.values)}"

    def to_python(self, value):
        if value in (None, ""):
            return self.default
        if not isinstance(value, str):
            raise ValidationError(f"expected one of {', '.join(self.choices.values)}, got {_describe(value)}")
        wanted = value.strip().lower()
        for choice_value, label in self.choices.choices:
            if wanted in {choice_value, label.lower(), choice_value.replace("_", " ")}:
                return choice_value
        raise ValidationError(f"unknown value {value!r}; use one of {', '.join(self.choices.values)}")


class FileDateField(forms.Field):
    """A date as people write it ("2024-05-01", "1 May 2024", "Wednesday 1st May, 2024"); empty is none."""

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        if value in (None, ""):
            return None
        if not isinstance(value, str):
            raise ValidationError(f"expected a date like 2024-05-01, got {_describe(value)}")
        # A weekday, an ordinal or a time of day may come with it: the date is what matters.
        cleaned = ORDINAL.sub("", WEEKDAY.sub("", tidy_line(value))).replace(",", " ")
        cleaned = " ".join(cleaned.split())
        with_time = TIME_PART.match(cleaned)
        cleaned = with_time.group(1) if with_time else cleaned
        for fmt in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(cleaned, fmt).date()
            except ValueError:
                continue
        raise ValidationError(f"{value!r} is not a valid date (write it as YYYY-MM-DD, e.g. 2024-05-01)")


class FileListField(forms.Field):
    """A list whose items are each checked by `item` (a field) or, for sets of fields, by `row` (a form)."""

    def __init__(self, *, item=None, row=None, split=False, **kwargs):
        super().__init__(required=False, **kwargs)
        self.item, self.row, self.split = item, row, split

    def to_python(self, value):
        if value is None:
            return []
        if isinstance(value, str) and not self.row:
            # "themes: Child neglect, Disguised compliance" means a list, as does one question on its own.
            return [part for part in value.split(",") if part.strip()] if self.split else [value]
        if not isinstance(value, list):
            raise ValidationError(f"expected a list, got {_describe(value)}")
        return value

    def clean(self, value):
        cleaned, problems = [], []
        for position, raw in enumerate(self.to_python(value), start=1):
            try:
                cleaned.append(self._clean_one(raw))
            except ValidationError as error:
                problems += [f"[{position}]{message}" for message in error.messages]
        if problems:
            raise ValidationError(problems)
        return cleaned

    def _clean_one(self, raw):
        if self.row is None:
            try:
                return self.item.clean(raw)
            except ValidationError as error:
                raise ValidationError([f": {message}" for message in error.messages]) from error
        names = list(self.row.base_fields)
        if not isinstance(raw, dict):
            raise ValidationError(f": expected a set of fields ({', '.join(names)}), got {_describe(raw)}")
        unknown = sorted(str(key) for key in raw if key not in names)
        if unknown:
            raise ValidationError(f": unknown field {unknown[0]!r}; the fields are {', '.join(names)}")
        row = self.row(data=raw)
        if not row.is_valid():
            problems = [f".{name}: {message}" for name, messages in row.errors.items() for message in messages]
            raise ValidationError(problems)
        return row.cleaned_data


class ResourceUrlField(FileTextField):
    """A web address (https://...) or the address of a file already uploaded in the admin (under MEDIA_URL)."""

    def __init__(self, **kwargs):
        super().__init__(one_line=True, required=True, **kwargs)

    def run_validators(self, value):
        pass  # checked in to_python, with messages that say what to write instead

    def to_python(self, value):
        url = super().to_python(value)
        if not url or url.startswith(settings.MEDIA_URL):
            return url
        if url.lower().startswith("www."):
            url = "https://" + url  # as the admin's link fields assume
        scheme = url.split(":", 1)[0].lower() if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url) else ""
        if scheme in {"mailto", "tel"}:
            raise ValidationError(
                f"{url!r} is an email address or phone number, not a resource; put it in the text of a section instead"
            )
        if not scheme:
            raise ValidationError(
                f"{url!r} is a relative link; use the full web address starting with https://, "
                f"or upload the file in the admin (uploaded files start with {settings.MEDIA_URL})"
            )
        try:
            for validator in Resource._meta.get_field("url").validators:
                validator(url)
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError as error:
            raise ValidationError(f"{url!r} is not a web address starting with https://") from error
        return url


def _of(model, name):
    return model._meta.get_field(name)


class KeyFactRow(forms.Form):
    figure = FileTextField(_of(KeyFact, "figure"), one_line=True)
    text = FileTextField(_of(KeyFact, "text"), one_line=True)
    source = FileTextField(_of(KeyFact, "source"), one_line=True)


class ResourceRow(forms.Form):
    title = FileTextField(_of(Resource, "title"), one_line=True)
    url = ResourceUrlField()
    kind = FileChoiceField(Resource.Kind, default=Resource.Kind.OTHER)
    description = FileTextField(_of(Resource, "description"), one_line=True)


class FrontMatterForm(forms.Form):
    """The front matter of the import format (README, "Briefings: import and export"), each field checked once."""

    title = FileTextField(_of(Briefing, "title"), one_line=True)
    slug = FileTextField(_of(Briefing, "slug"), one_line=True, required=False)  # made from the title when absent
    kind = FileChoiceField(Briefing.Kind)
    summary = FileTextField(_of(Briefing, "summary"))
    themes = FileListField(item=FileTextField(_of(Theme, "name"), one_line=True), split=True)
    audience = FileChoiceField(Briefing.Audience, default=Briefing.Audience.CHILDREN)
    professional_groups = FileListField(item=FileTextField(required=True, one_line=True), split=True)
    publisher = FileTextField(_of(Briefing, "publisher"), one_line=True)
    based_on = FileChoiceField(Briefing.BasedOn, default="")
    published = FileDateField()
    last_reviewed = FileDateField()
    review_due = FileDateField()
    status = FileChoiceField(Briefing.Status, default=Briefing.Status.DRAFT)
    sample_description = FileTextField(_of(Briefing, "sample_description"))
    key_facts = FileListField(row=KeyFactRow)
    questions = FileListField(item=FileTextField(_of(DiscussionQuestion, "text")))
    resources = FileListField(row=ResourceRow)
    courses = FileListField(item=FileTextField(required=True, one_line=True), split=True)

    def clean_themes(self):
        return sorted(set(self.cleaned_data["themes"]), key=str.casefold)

    def clean_professional_groups(self):
        # Matched by name or slug, any case; unlike themes, a group is never made here: staff keep the list.
        known = {}
        for group in ProfessionalGroup.objects.all():
            known[group.name.casefold()] = known[group.slug] = group.name
        names, unknown = set(), []
        for given in self.cleaned_data["professional_groups"]:
            name = known.get(given.casefold()) or known.get(slugify(given))
            if name is None:
                unknown.append(given)
            else:
                names.add(name)
        if unknown:
            choices = ", ".join(sorted(set(known.values()), key=str.casefold))
            raise ValidationError(
                f"no professional group called {', '.join(map(repr, unknown))}; use one of {choices}"
                " (staff add groups in admin)"
            )
        return sorted(names, key=str.casefold)

    def clean_questions(self):
        # The page numbers the questions itself: "1. What ..." or "Q1) What ..." loses its own number.
        return [QUESTION_NUMBER.sub("", question) for question in self.cleaned_data["questions"]]

    def clean_courses(self):
        slugs = sorted(set(self.cleaned_data["courses"]))
        # Courses are reached through the link, so this app needs no import of the one that defines them.
        course_model = Briefing.courses.field.related_model
        missing = sorted(set(slugs) - set(course_model.objects.filter(slug__in=slugs).values_list("slug", flat=True)))
        if missing:
            which = "the slug" if len(missing) == 1 else "the slugs"
            raise ValidationError(f"no course with {which} {', '.join(map(repr, missing))}")
        return slugs

    def clean(self):
        cleaned = super().clean()
        if "slug" in cleaned and "title" in cleaned and not cleaned["slug"]:
            cleaned["slug"] = slugify(cleaned["title"])[: _of(Briefing, "slug").max_length].strip("-")
            if not cleaned["slug"]:
                self.add_error("slug", "cannot be made from the title; add a slug such as 'neglect-briefing'")
        if cleaned.get("status") == Briefing.Status.PUBLISHED and "published" in cleaned and not cleaned["published"]:
            self.add_error("published", "a briefing with status 'published' needs a publication date")
        return cleaned

    def problems(self):
        """Every error as "field: what was expected", nested ones as "resources[2].url: ..."."""
        return [
            f"{'file' if name == '__all__' else name}{'' if message.startswith(('[', '.')) else ': '}{message}"
            for name, messages in self.errors.items()
            for message in messages
        ]


FIELDS = list(FrontMatterForm.base_fields)
TEXT_FIELDS = [name for name, field in FrontMatterForm.base_fields.items() if type(field) is FileTextField]
DATE_FIELDS = [name for name, field in FrontMatterForm.base_fields.items() if isinstance(field, FileDateField)]
CHOICE_FIELDS = [name for name, field in FrontMatterForm.base_fields.items() if isinstance(field, FileChoiceField)]


def parse_front_matter(meta):
    """The front matter checked into the shared data shape (without sections); BriefingFileError lists each problem."""
    if meta is None:
        raise BriefingFileError("front matter: is empty; it needs at least 'title:' and 'kind:'")
    if not isinstance(meta, dict):
        raise BriefingFileError(f"front matter: expected fields like 'title: ...', got {_describe(meta)}")
    problems = [
        f"{name}: unknown field; the fields are {', '.join(FIELDS)}"
        for name in sorted(str(key) for key in meta if key not in FIELDS)
    ]
    form = FrontMatterForm(data=meta)
    problems += form.problems()
    if problems:
        error = BriefingFileError(*problems)
        error.partial = getattr(form, "cleaned_data", {})
        raise error
    return form.cleaned_data


def parse_briefing(raw):
    """Turn the bytes of one file into the shared data shape; ValueError names the field."""
    if len(raw) > MAX_FILE_SIZE:
        raise ValueError("file: is larger than 1 MB; is it really a briefing?")
    if b"\x00" in raw[:8192] or raw[:4] in BINARY_SIGNATURES:
        raise ValueError("file: is not a text file (it looks like a Word, PDF or image file); save it as Markdown")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"file: is not UTF-8 text (byte {error.start}); save it as UTF-8 and try again") from error
    front, body = split_front_matter(tidy_text(text))
    try:
        meta = yaml_loader.load(front)
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" (line {where.line + 2})" if where else ""
        problem = getattr(error, "problem", None) or "cannot be read"
        if "'\\t'" in problem:
            problem += " (indent with spaces, not tabs)"
        elif "'*'" in problem or "cannot start any token" in problem:
            problem += " (text starting with *, `, @ or % must be put in quotes)"
        raise BriefingFileError(f"front matter: broken YAML{line}: {problem}") from error
    except RecursionError as error:
        raise BriefingFileError("front matter: lists or fields are nested too deeply") from error
    problems = []
    try:
        data = parse_front_matter(meta)
    except BriefingFileError as error:
        problems, data = error.problems, {"title": meta.get("title") if isinstance(meta, dict) else ""}
        # Saving checks these when the rest is right; here they are reported with the other problems.
        problems += _uploaded_file_problems(getattr(error, "partial", {}).get("resources", []))
    sections = parse_sections(tidy_markdown(body), title=data["title"] if isinstance(data["title"], str) else "")
    sections = sections_in_order(sections, data.get("kind"))
    for position, section in enumerate(sections, start=1):
        problem = nesting_problem(section["body"])
        if problem:
            problems.append(f"sections[{position}].body ({section['heading']}): {problem}")
        problems += _problems(Section(position=position, **section), f"sections[{position}]", exclude=["briefing"])
    if problems:
        raise BriefingFileError(*problems)
    return {**data, "sections": sections}


# --- Writing ---------------------------------------------------------------------------------


def briefing_to_data(briefing):
    """The saved briefing in the shared data shape (use a briefing with its parts prefetched)."""
    data = {name: getattr(briefing, name) for name in DATE_FIELDS + list(CHOICE_FIELDS)}
    data.update({name: _normalise(getattr(briefing, name)).strip() for name in TEXT_FIELDS})
    data["themes"] = sorted((t.name for t in briefing.themes.all()), key=str.casefold)
    data["courses"] = sorted(c.slug for c in briefing.courses.all())
    data["professional_groups"] = sorted((g.name for g in briefing.professional_groups.all()), key=str.casefold)
    data["questions"] = [_normalise(q.text).strip() for q in briefing.questions.all()]
    data["key_facts"] = [{"figure": f.figure, "text": f.text, "source": f.source} for f in briefing.key_facts.all()]
    data["resources"] = [
        {"title": r.title, "url": r.href, "kind": r.kind, "description": r.description}
        for r in briefing.resources.all()
    ]
    data["sections"] = [
        {"heading": s.heading.strip(), "body": _trim_blank_lines(_normalise(s.body).split("\n"))}
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
            meta[name] = _FlowList(value) if name in {"themes", "courses", "professional_groups"} else value
    front = yaml.dump(meta, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=False)
    out = f"---\n{front}---\n"
    numbered = data.get("kind") == Briefing.Kind.SEVEN_MINUTE_BRIEFING
    for number, section in enumerate(data["sections"], start=1):
        heading = section["heading"]
        if numbered:
            heading = f"{number}. {heading}"
        elif split_number(heading, bare=True)[0] is not None or re.match(r"\\\d", heading):
            heading = "\\" + heading  # an unnumbered heading that only looks numbered stays unnumbered
        out += f"\n## {heading}\n"
        if section["body"]:
            out += f"\n{section['body']}\n"
    return out


# --- Saving ----------------------------------------------------------------------------------


def prefetched(queryset):
    return queryset.prefetch_related(
        "themes", "courses", "professional_groups", "questions", "key_facts", "resources", "sections"
    )


def _themes(names):
    """The themes with these names, matched case-insensitively; missing ones are made but not yet saved."""
    themes, new = [], {}
    for name in names:
        slug = slugify(name)[:120].strip("-")
        theme = Theme.objects.filter(name__iexact=name).first() or Theme.objects.filter(slug=slug).first()
        if theme is None:
            theme = new.setdefault(slug, Theme(name=name, slug=slug))  # "Neglect" and "neglect" are one theme
        if theme not in themes:
            themes.append(theme)
    return themes


def _problems(obj, name, exclude=None):
    """What the model's own checks find wrong with `obj`, as "name.field: message" lines."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as error:
        prefix = f"{name}." if name else ""
        return [
            f"{'file' if field == '__all__' and not name else prefix + field}: {message}"
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return []


def locked_publication(data, existing):
    """`data` with the publication fields an editor may not change put back, as in the admin, and warnings."""
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
    """Create or update the briefing with this slug and its parts; `warnings` gets what was kept. (briefing, action)."""
    existing = prefetched(Briefing.objects.filter(slug=data["slug"])).first()
    if not can_publish:
        data, kept = locked_publication(data, existing)
        if warnings is not None:
            warnings.extend(kept)
    if existing and _comparable(briefing_to_data(existing)) == _comparable(data):
        return existing, "unchanged"
    briefing = existing or Briefing()
    for name in TEXT_FIELDS + DATE_FIELDS + CHOICE_FIELDS:
        setattr(briefing, name, data[name])
    if existing:
        briefing.version = (briefing.version or 0) + 1
    problems = _problems(briefing, "")
    themes = _themes(data["themes"])
    for theme in themes:
        if theme.pk is None:
            problems += _problems(theme, "themes")
    parts = [
        *(Section(position=n, **section) for n, section in enumerate(data["sections"], start=1)),
        *(DiscussionQuestion(position=n, text=text) for n, text in enumerate(data["questions"], start=1)),
        *(KeyFact(position=n, **fact) for n, fact in enumerate(data["key_facts"], start=1)),
    ]
    names = {Section: "sections", DiscussionQuestion: "questions", KeyFact: "key_facts", Resource: "resources"}
    for position, item in enumerate(data["resources"], start=1):
        part = Resource(position=position, **{k: v for k, v in item.items() if k != "url"})
        if item["url"].startswith(settings.MEDIA_URL):
            try:
                part.file.name = uploaded_file_name(item["url"], f"resources[{position}].url")
            except ValueError as error:
                problems.append(str(error))
                continue
        else:
            part.url = item["url"]
        parts.append(part)
    for part in parts:
        problems += _problems(part, f"{names[type(part)]}[{part.position}]", exclude=["briefing"])
    if problems:
        raise BriefingFileError(*problems)

    briefing.save()
    for theme in themes:
        if theme.pk is None:
            theme.save()
    briefing.themes.set(themes)
    briefing.courses.set(Briefing.courses.field.related_model.objects.filter(slug__in=data["courses"]))
    briefing.professional_groups.set(ProfessionalGroup.objects.filter(name__in=data["professional_groups"]))
    if existing:
        for related in (briefing.sections, briefing.questions, briefing.key_facts, briefing.resources):
            for part in related.all():
                part.delete()  # one by one, so each deletion is kept in the history
    for part in parts:
        part.briefing = briefing
        part.save()
    return briefing, "updated" if existing else "created"


def _uploaded_file_problems(resources):
    problems = []
    for position, item in enumerate(resources, start=1):
        if item["url"].startswith(settings.MEDIA_URL):
            try:
                uploaded_file_name(item["url"], f"resources[{position}].url")
            except ValueError as error:
                problems.append(str(error))
    return problems


def uploaded_file_name(url, name):
    """The storage name of an existing uploaded file at `url`, or ValueError naming field `name`."""
    relative = unquote(url[len(settings.MEDIA_URL) :])
    if media.clean_name(relative) is None:
        raise ValueError(
            f"{name}: {url!r} is not the address of an uploaded file (it has an empty, '.', '..' or backslashed part); "
            f"use the address the admin shows for the file, e.g. {settings.MEDIA_URL}resources/2024/poster.pdf"
        )
    if not isinstance(default_storage, FileSystemStorage):
        # An object store (several machines, no shared disk): the store says whether the file is there.
        if not default_storage.exists(relative):
            raise ValueError(f"{name}: {url} is missing: no uploaded file there; upload the file in the admin")
        return relative
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
    """Import one file in its own transaction (a bad one writes nothing); `seen` maps this run's slugs to files.

    With `user` (the admin's import), a change to a published briefing that user may not publish
    waits for approval (portal.publication.hold) instead of going live.
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
        result.error = "\n".join(f"{name}: {problem}" for problem in getattr(error, "problems", [str(error)]))
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
