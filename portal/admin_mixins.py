"""Admin behaviour briefings and courses share (who may publish, no lost edits, restore), mixed in that order."""

import copy
import logging
from functools import partial

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import connections, router
from django.db.models import F
from django.forms.models import modelformset_factory
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.template.loader import select_template
from django.urls import path, reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from portal import conflicts, history, publication
from portal.formatting import MarkdownEditor, markdown_help
from portal.publication import Status, set_published
from portal.redirects import AddressNoticeMixin
from portal.versions import bump_for_link_formset, owners, part_state

log = logging.getLogger(__name__)

LOADED_VERSION = "loaded_version"


def can_publish(user, model):
    """Whether `user` may publish or unpublish `model` records (for importers and other non-admin routes)."""
    opts = model._meta
    return user is not None and user.has_perm(f"{opts.app_label}.publish_{opts.model_name}")


class PublishControlMixin:
    """Only users with `publish_permission` may change `publish_field` (or, while published, the date), by any route."""

    publish_field = None  # e.g. "status"
    publish_permission = None  # e.g. "briefings.publish_briefing"
    # Locked while a record is published, so an editor cannot bring a scheduled publication forward;
    # a DateField called "published" is found by itself.
    publish_date_field = None
    publish_actions = ("publish_selected", "unpublish_selected")

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        if self.publish_date_field is None:
            field = next((f for f in model._meta.concrete_fields if f.name == "published"), None)
            if field is not None and field.get_internal_type() == "DateField":
                self.publish_date_field = "published"

    def can_publish(self, request):
        return request.user.has_perm(self.publish_permission)

    def has_publish_permission(self, request):
        """Lets actions declare `permissions=["publish"]`."""
        return self.can_publish(request)

    def _is_published(self, obj):
        return obj is not None and getattr(obj, self.publish_field) == Status.PUBLISHED

    def locked_publish_fields(self, request, obj=None):
        """The fields this user may not change on `obj` (empty for publishers)."""
        if self.can_publish(request):
            return []
        locked = [self.publish_field]
        if self.publish_date_field and self._is_published(obj):
            locked.append(self.publish_date_field)
        return locked

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly + [f for f in self.locked_publish_fields(request, obj) if f not in readonly]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.can_publish(request):
            for name in self.publish_actions:
                actions.pop(name, None)
        return actions

    def get_list_editable(self, request):
        if self.can_publish(request):
            return tuple(self.list_editable)
        return tuple(f for f in self.list_editable if f not in (self.publish_field, self.publish_date_field))

    def get_changelist_instance(self, request):
        cl = super().get_changelist_instance(request)
        cl.list_editable = self.get_list_editable(request)
        return cl

    def get_changelist_formset(self, request, **kwargs):
        if self.can_publish(request):
            return super().get_changelist_formset(request, **kwargs)
        defaults = {"formfield_callback": partial(self.formfield_for_dbfield, request=request), **kwargs}
        return modelformset_factory(
            self.model, self.get_changelist_form(request), extra=0, fields=self.get_list_editable(request), **defaults
        )

    def enforce_publication(self, request, obj, change):
        """Put back the publication fields this user may not change (whatever the form sent)."""
        if self.can_publish(request):
            return
        model = type(obj)
        current = None
        if obj.pk is not None:
            current = model._default_manager.filter(pk=obj.pk).values(self.publish_field, "pk").first()
        if current is None:
            # A new record (added, saved as new or recovered) starts unpublished.
            setattr(obj, self.publish_field, model._meta.get_field(self.publish_field).get_default())
            return
        stored = model._default_manager.get(pk=obj.pk)
        for name in self.locked_publish_fields(request, stored):
            if getattr(obj, name) != getattr(stored, name):
                log.warning("%s tried to change %s.%s without permission", request.user, model.__name__, name)
                setattr(obj, name, getattr(stored, name))

    def save_model(self, request, obj, form, change):
        # Belt and braces: a crafted POST or a history revert cannot change what the read-only widget hides.
        self.enforce_publication(request, obj, change)
        super().save_model(request, obj, form, change)


class StaleEditError(Exception):
    """The record changed in the database after the form was loaded."""


def _saved_by(instance):
    """Who last saved the record, its owner or a sibling part, and when, for the stale-form message."""
    groups = [(type(instance), type(instance)._meta.pk.attname, instance.pk)]
    for owner_model, fk in owners(type(instance)):
        owner_pk = getattr(instance, fk.attname, None)
        if owner_pk is not None:
            groups.append((owner_model, owner_model._meta.pk.attname, owner_pk))
    for model, _, pk in list(groups):
        for label, fk in history.PARTS.get(model._meta.label, []):
            groups.append((apps.get_model(label), f"{fk}_id", pk))
    records = [
        rows.filter(**{attname: pk}).select_related("history_user").order_by("-history_date").first()
        for model, attname, pk in groups
        if (rows := getattr(model, "history", None)) is not None
    ]
    records = [r for r in records if r is not None]
    if not records:
        return "Someone else saved it"
    record = max(records, key=lambda r: r.history_date)
    user = record.history_user
    who = (user.get_full_name() or user.get_username()) if user else "Someone else"
    return f"{who} saved it at {history.when(record.history_date)}"


def stale_message(instance):
    noun = type(instance)._meta.verbose_name
    return (
        f"This {noun} was changed while you were editing it: {_saved_by(instance)}. Your changes have NOT been "
        "saved, so nothing of theirs was overwritten. Everything you typed is still in the form below: copy what "
        f"you need, open the {noun} again in a new tab to see the latest version, and make your changes there."
    )


class VersionedForm(forms.ModelForm):
    """Carries the record's version so a save from a stale form can be refused.

    And the moment it was loaded, so a refused save can show what changed since (portal.conflicts).
    """

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    loaded_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            # From the database, not the instance: a history revert form holds an old version's values.
            self.initial[LOADED_VERSION] = self.current_version()
            self.initial[conflicts.LOADED_AT] = timezone.now().isoformat()

    def current_version(self, lock=False):
        model = type(self.instance)
        queryset = model._default_manager.filter(pk=self.instance.pk)
        if lock and connections[router.db_for_write(model)].in_atomic_block:
            # Held until the admin's transaction ends, so a second save waits for the first, then sees it.
            queryset = queryset.select_for_update()
        return queryset.values_list("version", flat=True).first()

    def clean(self):
        cleaned = super().clean()
        refusal = getattr(self, "signoff_refusal", None)
        if refusal:
            raise forms.ValidationError(refusal, code="pending")
        if self.instance.pk is not None:
            current = self.current_version(lock=True)
            loaded = cleaned.get(LOADED_VERSION)
            if current is not None and (loaded is None or loaded != current):
                raise forms.ValidationError(stale_message(self.instance), code="stale")
        return cleaned


class ShowStaleFormMixin:
    """A save refused as stale shows the form again: its own check then reports the conflict, input kept."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleEditError:
            # The transaction was rolled back, so nothing of the refused save remains.
            return super().changeform_view(request, object_id, form_url, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # SimpleHistoryAdmin's "revert" form saves through save_model too.
        try:
            return super().history_form_view(request, object_id, version_id, extra_context)
        except StaleEditError:
            return super().history_form_view(request, object_id, version_id, extra_context)


class OptimisticLockMixin(ShowStaleFormMixin):
    """Refuse a save whose form was loaded before someone else's save, and help re-apply what was typed."""

    form = VersionedForm
    change_form_template = "admin/portal/change_form.html"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        formsets = [inline.formset for inline in context.get("inline_admin_formsets", [])]
        resolution = getattr(request, "_conflict", None)
        if resolution is None and obj is not None and form.is_bound and _is_stale(form):
            current = type(obj)._default_manager.filter(pk=obj.pk).first()
            if current is not None:
                resolution = conflicts.resolve(current, form, formsets, _saved_by(current))
                fresh = copy.copy(request)
                fresh.method = "GET"
                fresh.POST = QueryDict()
                fresh._conflict = resolution
                return self.changeform_view(fresh, str(obj.pk), form_url)
        if resolution is not None:
            conflicts.apply(resolution, form, formsets)
            context["conflict"] = resolution
            context["conflict_noun"] = self.model._meta.verbose_name
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_inline_instances(self, request, obj=None):
        instances = super().get_inline_instances(request, obj)
        resolution = getattr(request, "_conflict", None)
        if resolution is not None:
            # One blank row for each row this person added, to hold it again.
            for inline in instances:
                added = len(resolution.added.get(inline.model._meta.label, []))
                if added:
                    inline.extra = max(inline.extra, added)
        return instances

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not issubclass(cls.form, VersionedForm):
            cls.form = type(cls.form.__name__, (VersionedForm, cls.form), {"__module__": cls.form.__module__})

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        missing = [f for f in (LOADED_VERSION, conflicts.LOADED_AT) if not any(_has_field(fs, f) for fs in fieldsets)]
        if obj is None or not missing:
            return fieldsets
        # The hidden version must be rendered, so it goes into the first fieldset.
        (name, options), *rest = fieldsets
        options = {**options, "fields": [*options.get("fields", ()), *missing]}
        return [(name, options), *rest]

    def save_model(self, request, obj, form, change):
        # A conditional UPDATE (... WHERE version = loaded): two saves racing past the form check cannot both win.
        if change and obj.pk is not None:
            loaded = form.cleaned_data.get(LOADED_VERSION) if hasattr(form, "cleaned_data") else None
            model = type(obj)
            if loaded is None:
                loaded = model._default_manager.filter(pk=obj.pk).values_list("version", flat=True).first()
            updated = model._default_manager.filter(pk=obj.pk, version=loaded).update(version=F("version") + 1)
            if updated != 1:
                raise StaleEditError(stale_message(obj))
            obj.version = loaded + 1
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        bump_for_link_formset(formset)
        super().save_formset(request, form, formset, change)


def _is_stale(form):
    return any(error.code == "stale" for error in form.non_field_errors().as_data())


LOADED_STATE = "loaded_state"


class PartVersionedForm(forms.ModelForm):
    """Carries what a part (a session, a resource) and its owner were when the form was loaded."""

    loaded_state = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            self.initial[LOADED_STATE] = part_state(type(self.instance), self.instance.pk)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:
            current = part_state(type(self.instance), self.instance.pk, lock=True)
            if current is not None and cleaned.get(LOADED_STATE) != current:
                raise forms.ValidationError(stale_message(self.instance), code="stale")
        return cleaned


class PartLockMixin(ShowStaleFormMixin):
    """Refuse a save of a part (a session, a resource) from a form loaded before it or its owner changed."""

    form = PartVersionedForm

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not issubclass(cls.form, PartVersionedForm):
            cls.form = type(cls.form.__name__, (PartVersionedForm, cls.form), {"__module__": cls.form.__module__})

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or any(_has_field(fs, LOADED_STATE) for fs in fieldsets):
            return fieldsets
        (name, options), *rest = fieldsets
        options = {**options, "fields": [*options.get("fields", ()), LOADED_STATE]}
        return [(name, options), *rest]

    def save_model(self, request, obj, form, change):
        # List editing and other forms without the loaded state are left to the owner's version.
        checked = change and obj.pk is not None and LOADED_STATE in getattr(form, "cleaned_data", {})
        # Checked again after the form's check, in case a save without the lock slipped in between.
        if checked and part_state(type(obj), obj.pk) != form.cleaned_data.get(LOADED_STATE):
            raise StaleEditError(stale_message(obj))
        super().save_model(request, obj, form, change)


def _has_field(fieldset, name):
    names = []
    for entry in fieldset[1].get("fields", ()):
        names.extend(entry if isinstance(entry, (list, tuple)) else [entry])
    return name in names


class RestoreWithPartsMixin:
    """Restore a record of `portal.history.PARTS` with its parts from its History page; recover deleted ones."""

    object_history_list_template = "admin/portal/history_list.html"
    change_list_template = "admin/portal/change_list_recover.html"

    def get_urls(self):
        prefix = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        view = self.admin_site.admin_view
        return [
            path("recover-deleted/", view(self.recover_deleted_view), name=f"{prefix}_recover_deleted"),
            path(
                "<path:object_id>/history/<int:history_id>/restore/",
                view(self.restore_with_parts_view),
                name=f"{prefix}_restore",
            ),
        ] + super().get_urls()

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """Besides the record's own fields, each version lists what happened to its parts until the next one."""
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        records = list(historical_records)
        if not records:
            return
        pk_name = self.model._meta.pk.attname
        pk = getattr(records[0], pk_name)
        # Parts changed after the newest version on this page belong to it, up to the next version (on another page).
        newer = (
            self.model.history.filter(**{pk_name: pk}, history_date__gt=records[0].history_date)
            .order_by("history_date")
            .values_list("history_date", flat=True)
            .first()
        )
        since = records[-1].history_date - history.SAME_SAVE
        changes = conflicts.part_changes(self.model, pk, since, newer or timezone.now())
        for record in records:
            record.part_changes = []
        for change in changes:
            owner = next((r for r in records if r.history_date <= change.when), None)
            if owner is not None:
                owner.part_changes.append(change)

    def _restore_can_publish(self, request):
        check = getattr(self, "can_publish", None)
        return check(request) if check else True

    def changelist_view(self, request, extra_context=None):
        opts = self.model._meta
        base = select_template(
            [
                f"admin/{opts.app_label}/{opts.model_name}/change_list.html",
                f"admin/{opts.app_label}/change_list.html",
                "admin/change_list.html",
            ]
        )
        extra = {
            "base_change_list_template": base,
            "recover_deleted_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_recover_deleted")
            if self.has_add_permission(request)
            else "",
        }
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    def restore_with_parts_view(self, request, object_id, history_id):
        record = self.model.history.filter(history_id=history_id, **{self.model._meta.pk.attname: object_id}).first()
        if record is None or record.history_type == "-":
            raise Http404("No such version.")
        obj = self.model._default_manager.filter(pk=record.instance.pk).first()
        if obj is None or not self.has_change_permission(request, obj):
            raise PermissionDenied
        opts = self.model._meta
        if request.method == "POST":
            try:
                restored = history.restore(
                    self.model,
                    obj.pk,
                    history.version_end(record),
                    user=request.user,
                    can_publish=self._restore_can_publish(request),
                )
            except history.RestoreError as error:
                self.message_user(request, str(error), messages.ERROR)
                return HttpResponseRedirect(request.path)
            self.message_user(
                request,
                f"“{restored}” and its parts are back as they were at {history.when(record.history_date)}. "
                "The version it replaced is kept in its history.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "object": obj,
            "record": record,
            "parts": history.parts_as_of(self.model, obj.pk, history.version_end(record)),
            "preview": conflicts.restore_preview(self.model, obj.pk, history.version_end(record)),
            "title": f"Restore “{record.instance}” as it was at {history.when(record.history_date)}?",
            "publication_kept": not self._restore_can_publish(request),
        }
        return render(request, "admin/portal/restore_confirm.html", context)

    def recover_deleted_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        if request.method == "POST":
            try:
                history_id = int(request.POST.get("history_id", ""))
            except ValueError:
                raise Http404("No such deleted record.") from None
            try:
                recovered = history.recover_deleted(
                    self.model, history_id, user=request.user, can_publish=self._restore_can_publish(request)
                )
            except history.RestoreError as error:
                self.message_user(request, str(error), messages.ERROR)
                return HttpResponseRedirect(request.path)
            self.message_user(
                request,
                f"“{recovered}” has been recovered with its parts"
                + ("" if self._restore_can_publish(request) else " as a draft")
                + ".",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[recovered.pk])
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "deleted": history.deleted_records(self.model),
            "publication_kept": not self._restore_can_publish(request),
            "title": f"Recover deleted {opts.verbose_name_plural}",
        }
        return render(request, "admin/portal/recover_deleted.html", context)


class PublicationAdminMixin(PublishControlMixin):
    """Publish and unpublish actions (atomic, with the reason in the history) for a `Publishable` model's admin."""

    publish_field = "status"

    @property
    def publish_permission(self):
        opts = self.model._meta
        return f"{opts.app_label}.publish_{opts.model_name}"

    def _publish_pks(self, queryset):
        # A changelist queryset may be annotated (GROUP BY): fetch the rows afresh by key.
        return list(queryset.order_by().values_list("pk", flat=True))

    @admin.action(description="Publish selected %(verbose_name_plural)s", permissions=["publish"])
    def publish_selected(self, request, queryset):
        changed = set_published(self.model, self._publish_pks(queryset), True, reason="Published")
        self.message_user(request, f"{changed} {self._noun(changed)} published.", messages.SUCCESS)

    @admin.action(description="Unpublish selected %(verbose_name_plural)s (make them drafts)", permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        changed = set_published(self.model, self._publish_pks(queryset), False, reason="Unpublished")
        self.message_user(request, f"{changed} {self._noun(changed)} unpublished; drafts now.", messages.SUCCESS)

    def _noun(self, count):
        opts = self.model._meta
        return opts.verbose_name if count == 1 else opts.verbose_name_plural


def _clear_messages(request):
    # The rolled-back view said "changed successfully"; that is no longer true.
    for _ in messages.get_messages(request):
        pass


class SignOffMixin:
    """Changes to published records by someone who may not publish wait for approval (README "Sign-off").

    Every POST to this admin runs inside portal.publication.hold; an owner admin also gets the banner,
    the review, preview and submit pages.
    """

    signoff_owner = False

    @property
    def change_form_template(self):
        if self.signoff_owner:
            return "admin/portal/signoff_change_form.html"
        return getattr(super(), "change_form_template", None)

    def _signoff(self, request, run, object_id=None):
        user = request.user
        start = None
        if self.signoff_owner and object_id is not None and not publication.may_publish(user, self.model):
            obj = self.model._default_manager.filter(pk=object_id).first() if str(object_id).isdigit() else None
            if obj is not None and obj.status == Status.PUBLISHED and publication.own_change(self.model, obj.pk, user):
                start = obj.pk
        if request.method != "POST" and start is None:
            return run()
        try:
            with publication.hold(user):
                if start is not None:
                    publication.start(self.model, start)
                response = run()
                if request.method != "POST" or response.status_code not in (301, 302, 303):
                    if hasattr(response, "render"):
                        response.render()  # while the change it shows is still in the database
                    publication.discard_changes()
        except publication.Held as held:
            return self._held_response(request, held)
        return response

    def _held_response(self, request, held):
        _clear_messages(request)
        try:
            kept = publication.keep_pending(held, request.user, request.build_absolute_uri("/"))
        except publication.SignOffRefused as refused:
            self.message_user(request, str(refused), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        if not kept:
            self.message_user(request, "Nothing was changed.", messages.INFO)
            return HttpResponseRedirect(request.get_full_path())
        names = ", ".join(f"“{revision.title}”" for revision in kept)
        self.message_user(
            request,
            f"Your changes to {names} are waiting for a publisher's approval; the publishers have been told. "
            "The public page stays as it is until then. You can keep working on your changes meanwhile.",
            messages.WARNING,
        )
        revision = kept[0]
        opts = revision.model._meta
        return HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[revision.object_id])
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        run = partial(super().changeform_view, request, object_id, form_url, extra_context)
        return self._signoff(request, run, object_id)

    def changelist_view(self, request, extra_context=None):
        return self._signoff(request, partial(super().changelist_view, request, extra_context))

    def delete_view(self, request, object_id, extra_context=None):
        return self._signoff(request, partial(super().delete_view, request, object_id, extra_context))

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        run = partial(super().history_form_view, request, object_id, version_id, extra_context)
        return self._signoff(request, run)

    def restore_with_parts_view(self, request, object_id, history_id):
        return self._signoff(request, partial(super().restore_with_parts_view, request, object_id, history_id))

    def recover_deleted_view(self, request):
        return self._signoff(request, partial(super().recover_deleted_view, request))

    def has_delete_permission(self, request, obj=None):
        # Taking a published record away is a publisher's decision, as publishing it is.
        if (
            self.signoff_owner
            and obj is not None
            and obj.status == Status.PUBLISHED
            and not publication.may_publish(request.user, self.model)
        ):
            return False
        return super().has_delete_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if self.signoff_owner and obj is not None and not publication.may_publish(request.user, self.model):
            pending = publication.pending_for(obj)
            if pending is not None and pending.author_id != request.user.pk:
                refusal = (
                    f"{publication.who(pending.author)}'s changes to this {self.model._meta.verbose_name} are "
                    "waiting for a publisher's approval, so yours cannot be saved until a publisher approves or "
                    "returns them. What you typed is still below."
                )
                form = type(form.__name__, (form,), {"signoff_refusal": refusal})
        return form

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if self.signoff_owner and obj is not None and obj.pk is not None:
            pending = publication.pending_for(obj)
            context.update(
                {
                    "signoff_pending": pending,
                    "signoff_can_publish": publication.may_publish(request.user, self.model),
                    "signoff_mine": pending is not None and pending.author_id == request.user.pk,
                    "signoff_can_submit": obj.status != Status.PUBLISHED
                    and pending is None
                    and not publication.may_publish(request.user, self.model),
                    "signoff_urls": self._signoff_urls(obj),
                    "signoff_returned": publication.last_returned(obj, request.user),
                }
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _signoff_urls(self, obj):
        prefix = f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}"
        return {name: reverse(f"{prefix}_signoff_{name}", args=[obj.pk]) for name in ("review", "preview", "submit")}

    def get_urls(self):
        if not self.signoff_owner:
            return super().get_urls()
        prefix = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        view = self.admin_site.admin_view
        return [
            path("<int:object_id>/changes/", view(self.signoff_review_view), name=f"{prefix}_signoff_review"),
            path("<int:object_id>/changes/preview/", view(self.signoff_preview_view), name=f"{prefix}_signoff_preview"),
            path("<int:object_id>/submit/", view(self.signoff_submit_view), name=f"{prefix}_signoff_submit"),
        ] + super().get_urls()

    def _signoff_object(self, request, object_id):
        obj = self.model._default_manager.filter(pk=object_id).first()
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise Http404("No such record.")
        return obj

    def signoff_review_view(self, request, object_id):
        obj = self._signoff_object(request, object_id)
        pending = publication.pending_for(obj)
        opts = self.model._meta
        change_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        can_publish = publication.may_publish(request.user, self.model)
        if request.method == "POST":
            if pending is None or str(pending.pk) != request.POST.get("revision"):
                self.message_user(request, "That change is no longer waiting for approval.", messages.ERROR)
                return HttpResponseRedirect(change_url)
            comment = request.POST.get("comment", "")
            try:
                if request.POST.get("decision") == "approve":
                    publication.approve(pending, request.user, comment, request.build_absolute_uri("/"))
                    self.message_user(request, f"Approved: “{obj}” is live as changed.", messages.SUCCESS)
                elif request.POST.get("decision") == "return":
                    publication.return_to_author(pending, request.user, comment, request.build_absolute_uri("/"))
                    self.message_user(
                        request, f"Returned to {publication.who(pending.author)} with your comment.", messages.SUCCESS
                    )
                else:
                    raise publication.SignOffRefused("Choose Approve or Return.")
            except publication.SignOffRefused as refused:
                self.message_user(request, str(refused), messages.ERROR)
                return HttpResponseRedirect(request.path)
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "object": obj,
            "pending": pending,
            "changes": publication.differences(history.snapshot(self.model, obj.pk), pending.snapshot)
            if pending and not pending.publish
            else [],
            "live_changed": pending is not None and not pending.publish and pending.base_version != obj.version,
            "can_publish": can_publish,
            "change_url": change_url,
            "preview_url": self._signoff_urls(obj)["preview"],
            "title": f"Changes to “{obj}” waiting for approval" if pending else f"No changes to “{obj}” are waiting",
        }
        return render(request, "admin/portal/signoff_review.html", context)

    def signoff_preview_view(self, request, object_id):
        """The public page as it would look with the waiting change, rendered and then rolled back."""
        obj = self._signoff_object(request, object_id)
        pending = publication.pending_for(obj)
        if pending is None or pending.publish:
            return HttpResponseRedirect(obj.get_absolute_url())
        return publication.preview(pending, request)

    def signoff_submit_view(self, request, object_id):
        obj = self._signoff_object(request, object_id)
        opts = self.model._meta
        change_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        if request.method != "POST" or not self.has_change_permission(request, obj):
            raise PermissionDenied
        try:
            publication.submit_draft(obj, request.user, request.build_absolute_uri("/"))
        except publication.SignOffRefused as refused:
            self.message_user(request, str(refused), messages.ERROR)
        else:
            self.message_user(
                request, f"“{obj}” was sent to the publishers for approval; they have been told.", messages.SUCCESS
            )
        return HttpResponseRedirect(change_url)


class SiteWordsMixin:
    """Form fields that speak of this site, not of Django's widgets: Markdown help, tick boxes for many-to-many.

    Mix into every ModelAdmin and inline, first; each Markdown field (the model's MARKDOWN_FIELDS) gets the
    editor with a labelled preview (block fields) and a help line linking to the formatting help page.
    """

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        style = getattr(self.model, "MARKDOWN_FIELDS", {}).get(db_field.name)
        if style == "block":
            kwargs["widget"] = MarkdownEditor
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if style and formfield is not None:
            formfield.help_text = markdown_help(formfield.help_text, style)
        return formfield

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # Django's two-box chooser says "Hold down Control" and "click the Choose arrow"; a tick box says itself.
        if "widget" not in kwargs and db_field.name not in (*self.autocomplete_fields, *self.raw_id_fields):
            kwargs["widget"] = forms.CheckboxSelectMultiple(attrs={"class": "tick-list"})
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        if formfield is not None and not formfield.help_text:
            formfield.help_text = f"Tick each {db_field.remote_field.model._meta.verbose_name} that applies."
        return formfield


class ReadOnlyAdminMixin:
    """A record kept for the record: staff may look, nobody adds, changes or deletes it in admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PublishableAdmin(
    SiteWordsMixin,
    AddressNoticeMixin,
    SignOffMixin,
    RestoreWithPartsMixin,
    PublicationAdminMixin,
    OptimisticLockMixin,
    SimpleHistoryAdmin,
):
    """The admin of a public item with a web address: sign-off, history and restore, publishing, edit locks."""

    signoff_owner = True


class PublisherChangesWhatIsPublicMixin:
    """What the public sees at once with no draft of its own (a theme, a published stand-alone resource).

    An editor may look at it; only a user with `publisher_permission` adds, changes or deletes it,
    so nothing reaches the public without a publisher, by the form, list editing or a crafted POST.
    """

    publisher_permission = "briefings.publish_briefing"

    def is_public(self, obj):
        """Whether `obj` (None: a new one) is before the public as soon as it is saved."""
        return True

    def _publisher_only(self, request, obj):
        return self.is_public(obj) and not request.user.has_perm(self.publisher_permission)

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and not self._publisher_only(request, None)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and not (obj is not None and self._publisher_only(request, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._publisher_only(request, obj)
