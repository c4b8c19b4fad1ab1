"""A save refused because someone saved first: a three-way comparison of the parts keeps each side's changes."""

import datetime
import difflib
import re
from dataclasses import dataclass, field

from django.db import models
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import escape, format_html, format_html_join

from portal import history

LOADED_AT = "loaded_at"
# Form fields that are bookkeeping, not content.
SKIP_FIELDS = {"loaded_version", LOADED_AT, "loaded_state", "id", "DELETE", "ORDER"}

_TOKENS = re.compile(r"\w+\s*|[^\w\s]\s*|\s+", re.UNICODE)


def word_diff(old, new):
    """HTML marking the words taken out (<del>) and put in (<ins>) between two texts."""
    old, new = _text(old), _text(new)
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(format_html("<del>{}</del>", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(format_html("<ins>{}</ins>", "".join(b[j1:j2])))
    return format_html_join("", "{}", ((piece,) for piece in out))


def _text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple, set)):
        return ", ".join(sorted(_text(v) for v in value))
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%-d %b %Y %H:%M") if timezone.is_aware(value) else str(value)
    if isinstance(value, datetime.date):
        return value.strftime("%-d %b %Y")
    return str(value).replace("\r\n", "\n")


def same(a, b):
    return _norm(a) == _norm(b)


def _norm(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple, set, models.QuerySet)):
        return tuple(sorted(str(_norm(v)) for v in value))
    if value is None:
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        # A form's value is in local time, the database's in UTC: the same moment either way.
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    if isinstance(value, (datetime.date, int, bool)) and not isinstance(value, datetime.datetime):
        return str(value) if not isinstance(value, bool) else value
    return str(value)


@dataclass
class Change:
    """One part that differs: where it is, what it was, what it is now, and (for a conflict) what was sent."""

    part: str
    field: str
    before: object = None
    theirs: object = None
    mine: object = None
    target_id: str = ""
    kind: str = "changed"  # changed, added, deleted
    usable: bool = True  # whether "Use my version" can put `mine` into the form field
    mine_raw: str = ""  # `mine` as the form field takes it

    @property
    def their_diff(self):
        return word_diff(self.before, self.theirs)

    @property
    def my_diff(self):
        return word_diff(self.before, self.mine)

    @property
    def mine_text(self):
        return _text(self.mine)

    @property
    def theirs_text(self):
        return _text(self.theirs)


@dataclass
class Resolution:
    """The outcome of comparing: what they changed, what both changed, and what the fresh form should hold."""

    who: str
    theirs: list = field(default_factory=list)
    conflicts: list = field(default_factory=list)
    kept: list = field(default_factory=list)
    lost: list = field(default_factory=list)
    # Values of mine to put into the fresh form: {field name: value} and {(part label, pk): {field: value}}.
    main_values: dict = field(default_factory=dict)
    part_values: dict = field(default_factory=dict)
    part_deletes: set = field(default_factory=set)
    added: dict = field(default_factory=dict)  # part model label -> [values of rows this person added]
    # Conflicts to point at form fields once the fresh form is built: (part label or "", pk, name) -> Change.
    targets: dict = field(default_factory=dict)


def started_at(model, pk, loaded_at, loaded_version):
    """When the person's form was loaded: its hidden time, or else the end of the version it carried."""
    moment = parse_datetime(loaded_at or "") if isinstance(loaded_at, str) else None
    if moment is not None and timezone.is_aware(moment):
        return moment
    rows = model.history.filter(**{model._meta.pk.attname: pk})
    if loaded_version is not None:
        rows = rows.filter(version__lte=loaded_version)
    record = rows.order_by("-history_date", "-history_id").first()
    return history.version_end(record) if record is not None else None


def _record_values(model, pk, at):
    """The record's own field values (and many-to-many ids) as they were at `at`, or None."""
    record = history._record_as_of(model, pk, at)
    if record is None or record.history_type == "-":
        return None
    values = model_to_dict(record.instance, fields=[f.name for f in model._meta.concrete_fields])
    for m2m_field in getattr(record, "_history_m2m_fields", []):
        target = m2m_field.m2m_reverse_field_name()
        values[m2m_field.name] = list(getattr(record, m2m_field.name).values_list(f"{target}_id", flat=True))
    return values


def _current_values(obj):
    values = model_to_dict(obj, fields=[f.name for f in type(obj)._meta.concrete_fields])
    for m2m_field in type(obj)._meta.many_to_many:
        values[m2m_field.name] = list(getattr(obj, m2m_field.name).values_list("pk", flat=True))
    return values


def _part_label(part_model, values, number):
    noun = part_model._meta.verbose_name
    title = values.get("heading") or values.get("title") or values.get("figure") or values.get("text") or ""
    title = _text(title)
    short = title if len(title) <= 60 else title[:57] + "…"
    return f"{noun.capitalize()} {number}" + (f" “{short}”" if short else "")


def resolve(obj, form, formsets, who):
    """Compare the refused form (and its inline formsets) with the record now and as the person found it."""
    model = type(obj)
    at = started_at(model, obj.pk, form.data.get(form.add_prefix(LOADED_AT)), _int(form.data.get("loaded_version")))
    result = Resolution(who=who)
    base = _record_values(model, obj.pk, at) if at else None
    now = _current_values(obj)
    cleaned = getattr(form, "cleaned_data", {}) or {}
    noun = model._meta.verbose_name.capitalize()
    for name, form_field in form.fields.items():
        if name in SKIP_FIELDS or name not in now:
            continue
        mine = cleaned[name] if name in cleaned else form[name].data
        theirs = now[name]
        before = base[name] if base is not None and name in base else theirs
        label = str(form_field.label or name).capitalize()
        _classify(result, noun, label, before, theirs, mine, ("", None, name), form_field)
        if not same(mine, before) and same(theirs, before):
            result.main_values[name] = mine
    for formset in formsets:
        _resolve_parts(result, obj, formset, at)
    return result


def _resolve_parts(result, obj, formset, at):
    part_model = formset.model
    fk = getattr(formset, "fk", None)
    if fk is None or not hasattr(part_model, "history"):
        return
    prefix = part_model._meta.label
    wanted = history._wanted_parts(part_model, fk.name, obj.pk, at) if at else {}
    base = {pk: model_to_dict(record.instance) for pk, record in wanted.items()}
    now = {row.pk: model_to_dict(row) for row in part_model._default_manager.filter(**{fk.name: obj})}
    order = sorted(set(base) | set(now), key=lambda pk: ((base.get(pk) or now.get(pk)).get("position", 0), pk))
    number = {pk: index for index, pk in enumerate(order, start=1)}
    sent = set()
    for part_form in formset.forms:
        data = part_form.data
        raw_pk = data.get(part_form.add_prefix("id")) or ""
        pk = _int(raw_pk)
        cleaned = getattr(part_form, "cleaned_data", {}) or {}
        delete = bool(cleaned.get("DELETE")) if "DELETE" in cleaned else bool(data.get(part_form.add_prefix("DELETE")))
        fields = [n for n in part_form.fields if n not in SKIP_FIELDS and n != fk.name]
        mine = {n: cleaned[n] if n in cleaned else part_form[n].data for n in fields}
        if pk is None:
            if not delete and part_form.has_changed():
                result.added.setdefault(prefix, []).append(mine)
                label = f"New {part_model._meta.verbose_name}"
                result.kept.append(Change(label, "", mine=_summary(mine), kind="added"))
            continue
        sent.add(pk)
        before = base.get(pk)
        theirs = now.get(pk)
        label = _part_label(part_model, before or theirs or mine, number.get(pk, "?"))
        if theirs is None:
            # The other person deleted this part.
            changed_by_me = before is not None and any(not same(mine[n], before.get(n)) for n in fields if n in before)
            if changed_by_me and not delete:
                result.lost.append(Change(label, "", before=_summary(before), mine=_summary(mine), kind="deleted"))
            continue
        if before is None:
            continue
        if delete:
            if all(same(theirs.get(n), before.get(n)) for n in fields if n in before):
                result.part_deletes.add((prefix, pk))
                result.kept.append(Change(label, "", before=_summary(before), kind="deleted"))
            else:
                result.conflicts.append(
                    Change(label, "", before=_summary(before), theirs=_summary(theirs), kind="deleted", usable=False)
                )
            continue
        for name in fields:
            if name not in before:
                continue
            form_field = part_form.fields[name]
            field_label = str(form_field.label or name).capitalize()
            _classify(
                result, label, field_label, before[name], theirs[name], mine[name], (prefix, pk, name), form_field
            )
            if not same(mine[name], before[name]) and same(theirs[name], before[name]):
                result.part_values.setdefault((prefix, pk), {})[name] = mine[name]
    for pk in sorted(set(now) - set(base), key=lambda pk: number[pk]):
        result.theirs.append(
            Change(_part_label(part_model, now[pk], number[pk]), "", theirs=_summary(now[pk]), kind="added")
        )
    for pk in sorted(set(base) - set(now), key=lambda pk: number[pk]):
        if pk not in sent or not any(
            c.part.startswith(_part_label(part_model, base[pk], number[pk])) for c in result.lost
        ):
            result.theirs.append(
                Change(_part_label(part_model, base[pk], number[pk]), "", before=_summary(base[pk]), kind="deleted")
            )


def _classify(result, part, label, before, theirs, mine, key, form_field):
    they_changed = not same(theirs, before)
    i_changed = not same(mine, before)
    shown = {
        "before": _display(form_field, before),
        "theirs": _display(form_field, theirs),
        "mine": _display(form_field, mine),
    }
    if they_changed:
        result.theirs.append(Change(part, label, before=shown["before"], theirs=shown["theirs"]))
    if i_changed and they_changed and not same(mine, theirs):
        change = Change(part, label, **shown, usable=_usable(form_field))
        change.mine_raw = _text(form_field.prepare_value(mine))
        result.conflicts.append(change)
        result.targets[key] = change
    elif i_changed and not they_changed:
        result.kept.append(Change(part, label, before=shown["before"], mine=shown["mine"]))


def _display(form_field, value):
    """A value as people read it: a choice's label, a linked record's name, a list of names."""
    queryset = getattr(form_field, "queryset", None)
    if queryset is not None:
        ids = [_norm(v) for v in (value if isinstance(value, (list, tuple, set, models.QuerySet)) else [value])]
        ids = [i for i in ids if i != ""]
        names = [str(o) for o in queryset.model._default_manager.filter(pk__in=ids)] if ids else []
        return ", ".join(sorted(names))
    choices = getattr(form_field, "choices", None)
    if choices is not None:
        labels = {str(k): v for k, v in choices if not isinstance(v, (list, tuple))}
        return labels.get(str(_norm(value)), value)
    return value


def _usable(form_field):
    """Whether a button can put a value into this field's widget (text boxes and single choices)."""
    widget = form_field.widget
    return getattr(widget, "input_type", "") not in {"checkbox", "file", "radio"} and not getattr(
        widget, "allow_multiple_selected", False
    )


def _summary(values):
    parts = [_text(values.get(n)) for n in ("number", "heading", "figure", "title", "text", "body", "url", "source")]
    return " · ".join(p for p in parts if p)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def apply(resolution, form, formsets):
    """Put this person's own changes into a fresh (unbound) form and point each conflict at its field."""
    for name, value in resolution.main_values.items():
        form.initial[name] = value
    for name in form.fields:
        change = resolution.targets.get(("", None, name))
        if change is not None:
            change.target_id = form[name].auto_id
    for formset in formsets:
        prefix = formset.model._meta.label
        added = list(resolution.added.get(prefix, []))
        for part_form in formset.forms:
            pk = part_form.instance.pk
            if pk is not None:
                part_form.initial.update(resolution.part_values.get((prefix, pk), {}))
                if (prefix, pk) in resolution.part_deletes:
                    part_form.initial["DELETE"] = True
                for name in part_form.fields:
                    change = resolution.targets.get((prefix, pk, name))
                    if change is not None:
                        change.target_id = part_form[name].auto_id
            elif added:
                part_form.initial.update(added.pop(0))


# Bookkeeping columns of a part that are not its text.
_NOT_TEXT = {"id", "position", "version", "created_at", "updated_at"}


def _part_fields(part_model, fk):
    return [
        f for f in part_model._meta.concrete_fields if f.attname not in _NOT_TEXT and f.name != fk and not f.primary_key
    ]


@dataclass
class PartChange:
    """A change to one part, for the History page: which part, what happened, and the text before and after."""

    label: str
    kind: str  # added, changed, deleted
    fields: list  # [(field label, diff html)]
    when: datetime.datetime = None
    user: object = None


def part_changes(model, pk, since, until):
    """Changes to the parts of record `pk` saved in (since, until], oldest first, with word differences."""
    found = []
    for part_model, fk in history._parts(model):
        pk_name = part_model._meta.pk.attname
        ever = part_model.history.filter(**{f"{fk}_id": pk}).values(pk_name)
        rows = (
            part_model.history.filter(**{f"{pk_name}__in": ever}, history_date__lte=until)
            .select_related("history_user")
            .order_by(pk_name, "history_date", "history_id")
        )
        fields = _part_fields(part_model, fk)
        previous = None
        for row in rows:
            same_part = previous is not None and getattr(previous, pk_name) == getattr(row, pk_name)
            if since is None or row.history_date > since:
                change = _describe(part_model, fields, previous if same_part else None, row)
                if change is not None:
                    change.when, change.user = row.history_date, row.history_user
                    found.append(change)
            previous = row
    found.sort(key=lambda change: change.when)
    return found


def _describe(part_model, fields, previous, row):
    noun = part_model._meta.verbose_name.capitalize()
    values = {f.attname: getattr(row, f.attname) for f in fields}
    label = f"{noun} “{_short(_title_of(values))}”"
    if row.history_type == "+" or previous is None or previous.history_type == "-":
        return PartChange(
            label,
            "added",
            [
                (f.verbose_name.capitalize(), word_diff("", values[f.attname]))
                for f in fields
                if values[f.attname] not in ("", None)
            ],
        )
    if row.history_type == "-":
        return PartChange(label, "deleted", [])
    diffs = [
        (f.verbose_name.capitalize(), word_diff(getattr(previous, f.attname), values[f.attname]))
        for f in fields
        if not same(getattr(previous, f.attname), values[f.attname])
    ]
    return PartChange(label, "changed", diffs) if diffs else None


def _title_of(values):
    for name in ("heading", "title", "figure", "text", "starts"):
        if values.get(name):
            return _text(values[name])
    return ""


def _short(text, limit=60):
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class PartPreview:
    """One part as a restore will leave it: its text, and how that differs from today's."""

    label: str
    status: str  # unchanged, changed, comes back
    fields: list  # [(field label, text, diff html or None)]


def restore_preview(model, pk, at):
    """{part plural name: ([PartPreview] kept, [labels] removed)} for a restore of record `pk` to `at`."""
    preview = {}
    for part_model, fk in history._parts(model):
        fields = _part_fields(part_model, fk)
        wanted = history._wanted_parts(part_model, fk, pk, at)
        current = {p.pk: p for p in part_model._default_manager.filter(**{f"{fk}_id": pk})}
        rows = sorted((r.instance for r in wanted.values()), key=lambda obj: (getattr(obj, "position", 0), obj.pk))
        kept = []
        for obj in rows:
            now = current.get(obj.pk)
            shown = []
            changed = False
            for f in fields:
                value = getattr(obj, f.attname)
                if value in ("", None) and (now is None or getattr(now, f.attname) in ("", None)):
                    continue
                differs = now is not None and not same(getattr(now, f.attname), value)
                changed = changed or differs
                shown.append(
                    (
                        f.verbose_name.capitalize(),
                        _text(value),
                        word_diff(getattr(now, f.attname), value) if differs else None,
                    )
                )
            status = "comes back" if now is None else ("changed" if changed else "unchanged")
            kept.append(
                PartPreview(_short(_title_of({f.attname: getattr(obj, f.attname) for f in fields})), status, shown)
            )
        removed = [
            _short(_title_of({f.attname: getattr(p, f.attname) for f in fields}))
            for key, p in sorted(current.items())
            if key not in wanted
        ]
        preview[part_model._meta.verbose_name_plural] = (kept, removed)
    return preview
