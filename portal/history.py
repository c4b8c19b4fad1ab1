"""Restore a briefing or course with its parts as they were at a time, and recover deleted ones.

django-simple-history keeps a row for every save and delete of the records and their parts;
these functions put a whole record back together from those rows. Every restore is itself a
change with history, so it can be undone the same way.
"""

from datetime import timedelta

from django.apps import apps
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
}
# A delete cascades to the parts a moment before (or after) the parent's own history row.
CASCADE_WINDOW = timedelta(seconds=10)


class RestoreError(Exception):
    """The version asked for cannot be restored; the message says why."""


def _parts(model):
    return [(apps.get_model(label), fk) for label, fk in PARTS.get(model._meta.label, [])]


def _published_value(model):
    if any(f.name == "is_published" for f in model._meta.concrete_fields):
        return "is_published", True
    return "status", "published"


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
        records = part_model.history.filter(**{f"{fk}_id": pk, "history_date__lte": at}).latest_of_each()
        instances = [r.instance for r in records if r.history_type != "-"]
        instances.sort(key=lambda obj: (getattr(obj, "position", 0), obj.pk))
        found[part_model._meta.verbose_name_plural] = instances
    return found


def version_end(record):
    """The last moment `record`'s version stood: just before the record's next change, or now.

    A version chosen from the History page then includes the parts saved with it, which the admin
    saves just after the record itself.
    """
    model = record.instance_type
    following = (
        model.history.filter(**{model._meta.pk.attname: getattr(record, model._meta.pk.attname)})
        .filter(history_date__gt=record.history_date)
        .order_by("history_date")
        .values_list("history_date", flat=True)
        .first()
    )
    return following - timedelta(microseconds=1) if following else timezone.now()


def _when(moment):
    moment = timezone.localtime(moment)
    return f"{date_format(moment, 'j M Y H:i')}"


@transaction.atomic
def restore(model, pk, at, *, user=None, can_publish=True, reason=None):
    """Make record `pk` of `model`, and its parts, what they were at time `at`; return the record.

    The record's own fields and many-to-many links come from its newest history row at or before
    `at`; parts that existed then are put back (re-created if deleted since), parts added since are
    deleted (their history keeps them). A user who may not publish keeps the current publication
    state (or a draft, when the record no longer exists).
    """
    record = _record_as_of(model, pk, at)
    if record is None or record.history_type == "-":
        raise RestoreError(f"There is no version of this {model._meta.verbose_name} at {_when(at)}.")
    current = model._default_manager.select_for_update().filter(pk=pk).first()
    obj = record.instance
    field, published = _published_value(model)
    if current is not None:
        obj._state.adding = False
        obj.version = current.version + 1
        if not can_publish:
            setattr(obj, field, getattr(current, field))
            if field == "status" and current.status == published:
                obj.published = current.published
    else:
        obj._state.adding = True
        obj.version = (record.version or 0) + 1
        if not can_publish:
            setattr(obj, field, model._meta.get_field(field).get_default())
        _free_slug(model, obj)
    obj._history_user = user
    obj._change_reason = reason or f"Restored as it was at {_when(record.history_date)}"
    obj.save()

    for m2m_field in getattr(record, "_history_m2m_fields", []):
        target = m2m_field.m2m_reverse_field_name()
        ids = set(getattr(record, m2m_field.name).values_list(f"{target}_id", flat=True))
        existing = set(m2m_field.related_model._default_manager.filter(pk__in=ids).values_list("pk", flat=True))
        getattr(obj, m2m_field.name).set(existing)

    for part_model, fk in _parts(model):
        records = part_model.history.filter(**{f"{fk}_id": pk, "history_date__lte": at}).latest_of_each()
        wanted = {r.instance.pk: r for r in records if r.history_type != "-"}
        for stale in part_model._default_manager.filter(**{f"{fk}_id": pk}).exclude(pk__in=wanted):
            stale._history_user = user
            stale._change_reason = obj._change_reason
            stale.delete()
        for part_record in wanted.values():
            part = part_record.instance
            part._state.adding = not part_model._default_manager.filter(pk=part.pk).exists()
            part._history_user = user
            part._change_reason = obj._change_reason
            part.save()
    obj.refresh_from_db(fields=["version"])  # each part saved moved it (portal.versions)
    return obj


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
        reason=f"Recovered after it was deleted on {_when(deletion.history_date)}",
    )


def restore_briefing(briefing, at, *, user=None, can_publish=True):
    """Restore `briefing` (an instance or pk) with its sections, questions, facts and resources as at `at`."""
    model = apps.get_model("briefings.Briefing")
    return restore(model, getattr(briefing, "pk", briefing), at, user=user, can_publish=can_publish)


def restore_course(course, at, *, user=None, can_publish=True):
    """Restore `course` (an instance or pk) with its learning outcomes and sessions as at `at`."""
    model = apps.get_model("training.Course")
    return restore(model, getattr(course, "pk", course), at, user=user, can_publish=can_publish)
