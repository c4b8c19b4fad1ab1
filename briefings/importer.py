"""Briefings as Markdown files with YAML front matter: the import and export format (DESIGN.md).

One data shape is shared by both directions: `parse_briefing` turns a file into it,
`briefing_to_data` turns a saved briefing into it, `render_briefing` writes it out and
`save_briefing` stores it. Comparing the two shapes is how a re-import knows nothing changed.
"""

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.text import slugify

from portal.models import validate_web_address

from .models import Briefing, DiscussionQuestion, KeyFact, Resource, Section, Theme

FIELDS = [
    "title", "slug", "kind", "summary", "themes", "audience", "publisher", "based_on", "published",
    "last_reviewed", "review_due", "status", "sample_description", "key_facts", "questions",
    "resources", "courses",
]  # fmt: skip
TEXT_FIELDS = ["title", "slug", "summary", "publisher", "sample_description"]
DATE_FIELDS = ["published", "last_reviewed", "review_due"]
CHOICE_FIELDS = {
    "kind": Briefing.Kind,
    "audience": Briefing.Audience,
    "based_on": Briefing.BasedOn,
    "status": Briefing.Status,
}
DATE_FORMATS = ["%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%d/%m/%Y"]
HEADING = re.compile(r"^##(?!#)\s*(.*?)(?:\s+#+)?\s*$")
NUMBERED = re.compile(r"^(\d{1,3})[.)]\s+(\S.*)$")
FENCE = re.compile(r"^\s{0,3}(```|~~~)")
INTRODUCTION = "Introduction"


class BriefingFileError(Exception):
    """A file that cannot be imported; the message names the file and the field."""


class _Loader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps, so a bad date is our clear error, not a crash."""


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


def parse_sections(body):
    """Split the Markdown body at '## ' headings; text before the first one becomes an introduction."""
    sections, current, lines, in_fence = [], None, [], False
    for line in body.split("\n"):
        if FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else HEADING.match(line)
        if match and match.group(1):
            if current is not None or _trim_blank_lines(lines):
                sections.append({**(current or {"number": None, "heading": INTRODUCTION}), "body": lines})
            heading = match.group(1)
            numbered = NUMBERED.match(heading)
            if numbered:
                current = {"number": int(numbered.group(1)), "heading": numbered.group(2).strip()}
            else:
                current = {"number": None, "heading": heading}
            lines = []
        else:
            lines.append(line)
    if current is not None or _trim_blank_lines(lines):
        sections.append({**(current or {"number": None, "heading": INTRODUCTION}), "body": lines})
    return [{**s, "body": _trim_blank_lines(s["body"])} for s in sections]


def _describe(value):
    if isinstance(value, bool):
        return "true/false (put the text in quotes)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a set of fields"
    return type(value).__name__


def _text(value, name, required=False):
    if value is None:
        value = ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"{name}: expected text, got {_describe(value)}")
    value = value.strip()
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
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value.strip(), fmt).date()
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


def _list(value, name):
    if value is None:
        return []
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
    url = _text(value, name, required=True)
    if url.startswith(settings.MEDIA_URL):
        return url
    try:
        validate_web_address(url)
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as error:
        raise ValueError(f"{name}: {url!r} is not a web address starting with https://") from error
    return url


def parse_front_matter(meta):
    """Check and normalise the front matter fields into the shared data shape (without sections)."""
    if not isinstance(meta, dict):
        raise ValueError(f"front matter: expected fields like 'title: ...', got {_describe(meta)}")
    unknown = sorted(str(k) for k in meta if k not in FIELDS)
    if unknown:
        raise ValueError(f"{unknown[0]}: unknown field; the fields are {', '.join(FIELDS)}")
    data = {name: _text(meta.get(name), name, required=name in {"title"}) for name in TEXT_FIELDS}
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
        {_text(t, f"themes[{i + 1}]", required=True) for i, t in enumerate(_list(meta.get("themes"), "themes"))},
        key=str.casefold,
    )
    data["courses"] = sorted(
        {_text(c, f"courses[{i + 1}]", required=True) for i, c in enumerate(_list(meta.get("courses"), "courses"))}
    )
    data["questions"] = [
        _text(q, f"questions[{i + 1}]", required=True) for i, q in enumerate(_list(meta.get("questions"), "questions"))
    ]
    facts = []
    for i, item in enumerate(_list(meta.get("key_facts"), "key_facts"), start=1):
        name = f"key_facts[{i}]"
        item = _mapping(item, name, ["figure", "text", "source"])
        facts.append(
            {
                "figure": _text(item.get("figure"), f"{name}.figure", required=True),
                "text": _text(item.get("text"), f"{name}.text", required=True),
                "source": _text(item.get("source"), f"{name}.source"),
            }
        )
    data["key_facts"] = facts
    resources = []
    for i, item in enumerate(_list(meta.get("resources"), "resources"), start=1):
        name = f"resources[{i}]"
        item = _mapping(item, name, ["title", "url", "kind", "description"])
        resources.append(
            {
                "title": _text(item.get("title"), f"{name}.title", required=True),
                "url": _resource_url(item.get("url"), f"{name}.url"),
                "kind": _choice(item.get("kind"), f"{name}.kind", Resource.Kind, Resource.Kind.OTHER),
                "description": _text(item.get("description"), f"{name}.description"),
            }
        )
    data["resources"] = resources
    return data


def parse_briefing(raw):
    """Turn the bytes of one file into the shared data shape; ValueError names the field."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"file: is not UTF-8 text (byte {error.start}); save it as UTF-8 and try again") from error
    front, body = split_front_matter(text)
    try:
        meta = yaml.load(front, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" (line {where.line + 2})" if where else ""
        problem = getattr(error, "problem", None) or "cannot be read"
        raise ValueError(f"front matter: broken YAML{line}: {problem}") from error
    data = parse_front_matter(meta)
    data["sections"] = parse_sections(body)
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
        number = f"{section['number']}. " if section["number"] else ""
        out += f"\n## {number}{section['heading']}\n"
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


def save_briefing(data, can_publish=True):
    """Create or update the briefing with this slug and replace its ordered parts. Returns (briefing, action)."""
    existing = prefetched(Briefing.objects.filter(slug=data["slug"])).first()
    if not can_publish:
        # Only publishers decide what is public: new briefings arrive as drafts, existing ones keep their status.
        data = {**data, "status": existing.status if existing else Briefing.Status.DRAFT}
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
            name = unquote(url[len(settings.MEDIA_URL) :])
            if not default_storage.exists(name):
                raise ValueError(f"resources[{position}].url: no uploaded file at {url}")
            part.file.name = name
        else:
            part.url = url
        _clean(part, f"resources[{position}]", exclude=["briefing"])
        part.save()
    return briefing, "updated" if existing else "created"


def import_file(name, raw, can_publish=True):
    """Import one file in its own transaction; a bad file writes nothing. Returns an ImportResult."""
    result = ImportResult(name=name)
    try:
        data = parse_briefing(raw)
        result.slug = data["slug"]
        with transaction.atomic():
            _, result.action = save_briefing(data, can_publish=can_publish)
    except ValueError as error:
        result.error = f"{name}: {error}"
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
