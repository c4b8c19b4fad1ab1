"""Restore a briefing or course with its parts from django-simple-history's rows, as a change that can be undone."""

import json
from datetime import timedelta

from django.apps import apps
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

# Parent model -> its ordered parts, as (model label, foreign key name).
PARTS = {
    "briefings.Briefing": [
        ("briefings.Section", "briefing"),
        ("briefings.DiscussionQuestion", "briefing"),
        ("briefings.KeyFact", "briefing"),
        ("briefings.Resource", "briefing"),
    ],
    "training.Course": [
        ("training.LearningOutcome", "course"),
        ("training.Session", "course"),
    ],
    "pages.Page": [],
}
# Parent model -> links edited from its side that the other model holds (a course's linked briefings).
REVERSE_LINKS = {"training.Course": ["briefings"]}
# Fields that say when or how often a record was saved, not what it says.
BOOKKEEPING = {"version", "created_at", "updated_at"}
# A delete cascades to the parts a moment before (or after) the parent's own history row.
CASCADE_WINDOW = timedelta(seconds=10)
# One save writes the record's row, then a row per many-to-many field it sets (themes, courses),
# then the parts: a links-only row by the same person this soon after is still that save.
SAME_SAVE = timedelta(seconds=5)
# Parent model -> the part a published record cannot be without, as (model label, what to call it).
REQUIRED_PARTS = {"briefings.Briefing": ("briefings.Section", "sections")}


class RestoreError(Exception):
    """The version asked for cannot be restored; the message says why."""


def _parts(model):
    return [(apps.get_model(label), fk) for label, fk in PARTS.get(model._meta.label, [])]


def _record_as_of(model, pk, at):
    return (
        model.history.filter(**{model._meta.pk.attname: pk, "history_date__lte": at})
        .order_by("-history_date", "-history_id")
        .first()
    )


def parts_as_of(model, pk, at):
    """{verbose plural name: [part instances]} as they were at `at` (for a confirmation page)."""
    found = {}
    for part_model, fk in _parts(model):
        instances = [r.instance for r in _wanted_parts(part_model, fk, pk, at).values()]
        instances.sort(key=lambda obj: (getattr(obj, "position", 0), obj.pk))
        found[part_model._meta.verbose_name_plural] = instances
    return found


def version_end(record):
    """The last moment `record`'s version stood, so the parts saved just after it (same save) count as its own."""
    model = record.instance_type
    following = model.history.filter(**{model._meta.pk.attname: getattr(record, model._meta.pk.attname)}).filter(
        history_date__gt=record.history_date
    )
    previous = record
    for row in following.order_by("history_date", "history_id").iterator():
        if not _same_save(previous, row):
            return row.history_date - timedelta(microseconds=1)
        previous = row
    return timezone.now()


def _same_save(previous, row):
    """Whether `row` only records the links set by the save that wrote `previous` (every field as before)."""
    if row.history_type != "~" or previous.history_type == "-":
        return False
    if row.history_user_id != previous.history_user_id or row.history_date - previous.history_date > SAME_SAVE:
        return False
    fields = [f.attname for f in row.instance_type._meta.concrete_fields]
    if not getattr(row, "_history_m2m_fields", None) or "updated_at" not in fields:
        return False
    return all(getattr(row, name) == getattr(previous, name) for name in fields)


def when(moment):
    """A moment as every history message writes it ("14:32:05 on 3 May 2025"): versions can be seconds apart."""
    moment = timezone.localtime(moment)
    return f"{date_format(moment, 'H:i:s')} on {date_format(moment, 'j F Y')}"


@transaction.atomic
def restore(model, pk, at, *, user=None, can_publish=True, reason=None):
    """Make record `pk` and its parts what they were at `at` (publication kept for non-publishers); return it."""
    record = _record_as_of(model, pk, at)
    if record is None or record.history_type == "-":
        raise RestoreError(f"There is no version of this {model._meta.verbose_name} at {when(at)}.")
    current = model._default_manager.select_for_update().filter(pk=pk).first()
    obj = record.instance
    # Every record in PARTS is a portal.publication.Publishable: status and publication date.
    field, published = "status", "published"
    if current is not None:
        obj._state.adding = False
        obj.version = current.version + 1
        if not can_publish:
            obj.status = current.status
            if current.status == published:
                obj.published = current.published
    else:
        obj._state.adding = True
        obj.version = (record.version or 0) + 1
        if not can_publish:
            obj.status = model._meta.get_field(field).get_default()
        _free_slug(model, obj)
    wanted_parts = [(part_model, fk, _wanted_parts(part_model, fk, pk, at)) for part_model, fk in _parts(model)]
    if getattr(obj, field) == published:
        _refuse_empty(model, wanted_parts)
    obj._history_user = user
    obj._change_reason = reason or f"Restored as it was at {when(record.history_date)}"
    obj.save()

    for m2m_field in getattr(record, "_history_m2m_fields", []):
        target = m2m_field.m2m_reverse_field_name()
        ids = set(getattr(record, m2m_field.name).values_list(f"{target}_id", flat=True))
        existing = set(m2m_field.related_model._default_manager.filter(pk__in=ids).values_list("pk", flat=True))
        getattr(obj, m2m_field.name).set(existing)

    for part_model, fk, wanted in wanted_parts:
        for stale in part_model._default_manager.filter(**{f"{fk}_id": pk}).exclude(pk__in=wanted):
            stale._history_user = user
            stale._change_reason = obj._change_reason
            stale.delete()
        for part_record in wanted.values():
            part = part_record.instance
            current_part = part_model._default_manager.filter(pk=part.pk).first()
            if not can_publish and current_part is not None:
                if _public_on_its_own(current_part):
                    continue  # taking it back onto the record would unpublish it: a publisher's decision
                if hasattr(current_part, "status"):
                    part.status = current_part.status
            part._state.adding = current_part is None
            part._history_user = user
            part._change_reason = obj._change_reason
            part.save()
    obj.refresh_from_db(fields=["version"])  # each part saved moved it (portal.versions)
    return obj


def _wanted_parts(part_model, fk, pk, at):
    """{pk: history row} of the parts of record `pk` at `at`, by each part's newest row then (it may have moved)."""
    history = part_model.history
    ever = history.filter(**{f"{fk}_id": pk}).values(part_model._meta.pk.attname)
    records = history.filter(**{f"{part_model._meta.pk.attname}__in": ever, "history_date__lte": at}).latest_of_each()
    return {r.instance.pk: r for r in records if r.history_type != "-" and getattr(r, f"{fk}_id") == pk}


def _public_on_its_own(part):
    """A part the public sees whatever its owner does (a published stand-alone resource)."""
    return getattr(part, "status", None) == "published" and all(
        getattr(part, f.attname) is None for f in type(part)._meta.concrete_fields if f.is_relation
    )


def _refuse_empty(model, wanted_parts):
    """A restore may not leave a published record without the part it cannot be without (a briefing's sections)."""
    required = REQUIRED_PARTS.get(model._meta.label)
    if required is None:
        return
    label, name = required
    if any(part_model._meta.label == label and wanted for part_model, _, wanted in wanted_parts):
        return
    noun = model._meta.verbose_name
    raise RestoreError(
        f"Restoring that version would leave this published {noun} with no {name}, so nothing was changed. "
        f"Choose a later version that has {name}, or unpublish the {noun} first if you really mean to empty it."
    )


def _free_slug(model, obj):
    """A recovered record whose slug was taken since gets "-restored" (and a number if need be)."""
    if not hasattr(obj, "slug"):
        return
    base, candidate, n = obj.slug, obj.slug, 1
    while model._default_manager.filter(slug=candidate).exclude(pk=obj.pk).exists():
        n += 1
        suffix = "-restored" if n == 2 else f"-restored-{n - 1}"
        candidate = base[: 200 - len(suffix)] + suffix
    obj.slug = candidate


def deleted_records(model):
    """The newest deletion row of each record that is deleted now, newest first."""
    existing = model._default_manager.values("pk")
    return (
        model.history.latest_of_each()
        .filter(history_type="-")
        .exclude(**{f"{model._meta.pk.attname}__in": existing})
        .select_related("history_user")
        .order_by("-history_date")
    )


def recover_deleted(model, history_id, *, user=None, can_publish=True):
    """Bring back a deleted record with the parts it had when it was deleted."""
    deletion = model.history.filter(history_id=history_id, history_type="-").first()
    if deletion is None:
        raise RestoreError("That deleted record was not found.")
    pk = deletion.instance.pk
    if model._default_manager.filter(pk=pk).exists():
        raise RestoreError(f"“{deletion.instance}” has already been recovered.")
    # The state just before the delete began: the parts' own deletion rows may come first.
    started = deletion.history_date
    for part_model, fk in _parts(model):
        first = (
            part_model.history.filter(
                **{f"{fk}_id": pk, "history_type": "-"},
                history_date__gte=deletion.history_date - CASCADE_WINDOW,
                history_date__lte=deletion.history_date,
            )
            .order_by("history_date")
            .values_list("history_date", flat=True)
            .first()
        )
        if first is not None and first < started:
            started = first
    before = started - timedelta(microseconds=1)
    return restore(
        model,
        pk,
        before,
        user=user,
        can_publish=can_publish,
        reason=f"Recovered after it was deleted at {when(deletion.history_date)}",
    )


def restore_briefing(briefing, at, *, user=None, can_publish=True):
    """Restore `briefing` (an instance or pk) with its sections, questions, facts and resources as at `at`."""
    model = apps.get_model("briefings.Briefing")
    return restore(model, getattr(briefing, "pk", briefing), at, user=user, can_publish=can_publish)


def restore_course(course, at, *, user=None, can_publish=True):
    """Restore `course` (an instance or pk) with its learning outcomes and sessions as at `at`."""
    model = apps.get_model("training.Course")
    return restore(model, getattr(course, "pk", course), at, user=user, can_publish=can_publish)


def _serialise(objs):
    return json.loads(json.dumps(serializers.serialize("python", objs), cls=DjangoJSONEncoder))


def snapshot(model, pk, created=()):
    """The record `pk` with its parts and links, as JSON-ready data (a pending revision keeps this).

    `created` holds (model label, pk) of parts first saved in the transaction that is about to be
    rolled back: their keys may be given to other rows later, so applying creates them afresh.
    """
    obj = model._default_manager.get(pk=pk)
    (record,) = _serialise([obj])
    data = {
        "model": model._meta.label,
        "pk": obj.pk,
        "title": str(obj),
        "fields": record["fields"],
        "links": {name: sorted(getattr(obj, name).values_list("pk", flat=True)) for name in _reverse_links(model)},
        "parts": {},
    }
    for part_model, fk in _parts(model):
        label = part_model._meta.label
        rows = _serialise(part_model._default_manager.filter(**{f"{fk}_id": pk}))
        for row in rows:
            row["new"] = (label, row["pk"]) in created
        data["parts"][label] = rows
    return data


def _reverse_links(model):
    return REVERSE_LINKS.get(model._meta.label, [])


def same_content(one, other):
    """Whether two snapshots say the same (bookkeeping fields and new-part marks aside)."""

    def strip(data):
        fields = {k: v for k, v in data["fields"].items() if k not in BOOKKEEPING}
        parts = {
            label: [(row["pk"] if not row.get("new") else None, row["fields"]) for row in rows]
            for label, rows in data["parts"].items()
        }
        return fields, data["links"], parts

    return strip(one) == strip(other)


@transaction.atomic
def apply_snapshot(model, pk, data, *, user=None, reason="", keep_version=False, keep_publication=True):
    """Make record `pk` and its parts what `data` (from `snapshot`) says; return the record.

    Publication (status and date) stays as it is now unless `keep_publication` is off: a pending
    change never publishes or withdraws. Parts missing from `data` are deleted (their history
    keeps them). With `keep_version` the record's version is left as it was (a form or a preview
    shown from a waiting change, then rolled back).
    """
    current = model._default_manager.select_for_update().get(pk=pk)
    (found,) = serializers.deserialize("python", [{"model": data["model"], "pk": pk, "fields": data["fields"]}])
    obj = found.object
    unchanged = ("status", "published", "created_at") if keep_publication else ("created_at",)
    for name in unchanged:
        setattr(obj, name, getattr(current, name))
    obj.version = current.version + 1
    obj._state.adding = False
    obj._history_user = user
    obj._change_reason = reason
    obj.save()
    for name, pks in (found.m2m_data or {}).items():
        related = model._meta.get_field(name).related_model
        getattr(obj, name).set(related._default_manager.filter(pk__in=pks))
    for name, pks in data.get("links", {}).items():
        related = getattr(model, name).rel.related_model
        getattr(obj, name).set(related._default_manager.filter(pk__in=pks))
    for part_model, fk in _parts(model):
        rows = data["parts"].get(part_model._meta.label, [])
        kept = [row["pk"] for row in rows if not row.get("new")]
        for stale in part_model._default_manager.filter(**{f"{fk}_id": pk}).exclude(pk__in=kept):
            stale._history_user, stale._change_reason = user, reason
            stale.delete()
        for row in rows:
            (part_found,) = serializers.deserialize(
                "python", [{"model": part_model._meta.label.lower(), "pk": row["pk"], "fields": row["fields"]}]
            )
            part = part_found.object
            taken = part_model._base_manager.filter(pk=part.pk).exists()
            if row.get("new") and taken:
                part.pk = None  # its key went to another row meanwhile
            part._state.adding = part.pk is None or not taken
            setattr(part, f"{fk}_id", pk)
            part._history_user, part._change_reason = user, reason
            part.save()
            for name, pks in (part_found.m2m_data or {}).items():
                related = part_model._meta.get_field(name).related_model
                getattr(part, name).set(related._default_manager.filter(pk__in=pks))
    if keep_version:
        model._default_manager.filter(pk=pk).update(version=current.version)
    obj.refresh_from_db(fields=["version"])
    return obj
