"""Any change to a part of a briefing or course moves its owner's version, so an older form cannot put old values back.

Saves and deletes are caught by signals (sent before the write, so the owner's row is locked first);
`queryset.update()` and `bulk_create()`, which send none, by PartQuerySet.
"""

from django.apps import apps
from django.db import router, transaction
from django.db.models import F, Max
from django.db.models.signals import m2m_changed, pre_delete, pre_save
from django.dispatch import Signal

from portal.history import PARTS
from portal.markdown import RenderedQuerySet

LINK_LABEL = "briefings.Briefing_courses"
# Sent with `pks` whenever owners' versions move, by any route: what is made from an owner and its parts
# (a briefing's stored body) follows it.
version_moved = Signal()


def owners(model):
    """[(owner model, foreign key field)] of a part model or of the briefing-course link; [] otherwise."""
    label = model._meta.label
    if model is apps.get_model("briefings.Briefing").courses.through:
        return [(apps.get_model("briefings.Briefing"), model._meta.get_field("briefing")),
                (apps.get_model("training.Course"), model._meta.get_field("course"))]  # fmt: skip
    for owner_label, parts in PARTS.items():
        for part_label, fk in parts:
            if part_label == label:
                return [(apps.get_model(owner_label), apps.get_model(part_label)._meta.get_field(fk))]
    return []


def bump(owner_model, pks, using=None):
    """Move the version of these owner records (locking their rows until the transaction ends)."""
    pks = {pk for pk in pks if pk is not None}
    if pks:
        owner_model._base_manager.using(using).filter(pk__in=pks).update(version=F("version") + 1)
        version_moved.send(sender=owner_model, pks=pks, using=using)


def _follow_in_memory(instance, fk):
    # An owner object held by the part (an inline formset's parent) keeps its version in step, so a
    # later save of that object cannot write an older version back.
    owner = instance._state.fields_cache.get(fk.name)
    if owner is not None and isinstance(getattr(owner, "version", None), int):
        owner.version += 1


def _part_saving(sender, instance, raw=False, using=None, **kwargs):
    if raw:  # loaddata (restore from backup) writes versions as they were
        return
    links = owners(sender)
    before = {}
    if instance.pk is not None and not instance._state.adding:
        attnames = [fk.attname for _, fk in links]
        before = sender._base_manager.using(using).filter(pk=instance.pk).values(*attnames).first() or {}
    for owner_model, fk in links:
        bump(owner_model, {getattr(instance, fk.attname), before.get(fk.attname)}, using)
        _follow_in_memory(instance, fk)


def _part_deleting(sender, instance, using=None, **kwargs):
    for owner_model, fk in owners(sender):
        bump(owner_model, {getattr(instance, fk.attname)}, using)


def _link_changing(sender, instance, action, reverse, model, pk_set, using=None, **kwargs):
    """briefing.courses.add/remove/set/clear, or course.briefings...: both sides move."""
    if action not in {"pre_add", "pre_remove", "pre_clear"}:
        return
    if action == "pre_clear":
        pk_set = set(getattr(instance, "briefings" if reverse else "courses").values_list("pk", flat=True))
    bump(type(instance), {instance.pk}, using)
    if isinstance(getattr(instance, "version", None), int):
        instance.version += 1
    bump(model, pk_set or (), using)


def bump_for_link_formset(formset):
    """Before an admin inline of the briefing-course link saves: Django sends no signals for that table."""
    if not formset.model._meta.auto_created:
        return
    deleted = set(formset.deleted_forms)
    changed = [form for form in formset.forms if form in deleted or form.has_changed()]
    for owner_model, fk in owners(formset.model):
        pks = set()
        for form in changed:
            before = form.initial.get(fk.name)
            pks |= {getattr(form.instance, fk.attname, None), getattr(before, "pk", before)}
        bump(owner_model, pks, formset.queryset.db)


def connect():
    part_models = [apps.get_model(label) for parts in PARTS.values() for label, _ in parts]
    link = apps.get_model("briefings.Briefing").courses.through
    for model in [*part_models, link]:
        label = model._meta.label
        pre_save.connect(_part_saving, sender=model, dispatch_uid=f"version-save-{label}")
        pre_delete.connect(_part_deleting, sender=model, dispatch_uid=f"version-delete-{label}")
    m2m_changed.connect(_link_changing, sender=link, dispatch_uid="version-link")


class PartQuerySet(RenderedQuerySet):
    """A part's queryset: update() and bulk_create() move the owners' versions and keep stored HTML in step."""

    def update(self, **kwargs):
        links = owners(self.model)
        if not links:
            return super().update(**kwargs)
        using = self.db
        with transaction.atomic(using=using, savepoint=False):
            pks = list(self.values_list("pk", flat=True))
            rows = self.model._base_manager.using(using).filter(pk__in=pks)
            for owner_model, fk in links:
                bump(owner_model, rows.values_list(fk.attname, flat=True), using)
            updated = super().update(**kwargs)
            for owner_model, fk in links:
                if fk.name in kwargs or fk.attname in kwargs:  # moved: the new owners change too
                    bump(owner_model, rows.values_list(fk.attname, flat=True), using)
            return updated

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        with transaction.atomic(using=self.db, savepoint=False):
            for owner_model, fk in owners(self.model):
                bump(owner_model, {getattr(obj, fk.attname) for obj in objs}, self.db)
            return super().bulk_create(objs, *args, **kwargs)


def part_state(model, pk, lock=False):
    """What a part's own form must still see when it is saved: its owner's version and its newest history row.

    None when the part no longer exists. With `lock`, inside a transaction, the owner's row and then
    the part's are locked until it ends (the order an owner's save takes them in).
    """
    links = owners(model)
    row = model._base_manager.filter(pk=pk).values(*[fk.attname for _, fk in links]).first()
    if row is None:
        return None
    lock = lock and transaction.get_connection(router.db_for_write(model)).in_atomic_block
    pieces = []
    for owner_model, fk in links:
        owner_pk = row[fk.attname]
        query = owner_model._base_manager.filter(pk=owner_pk)
        if lock:
            query = query.select_for_update()
        pieces.append(f"{owner_pk}.{query.values_list('version', flat=True).first()}" if owner_pk else "-")
    if lock:
        list(model._base_manager.filter(pk=pk).select_for_update().values_list("pk", flat=True))
    history = getattr(model, "history", None)
    if history is not None:
        pieces.append(str(history.filter(**{model._meta.pk.attname: pk}).aggregate(last=Max("history_id"))["last"]))
    return ":".join(pieces)
