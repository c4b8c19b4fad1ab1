"""Admin behaviour shared by briefings and courses: who may publish, and no lost edits."""

from django import forms
from django.core.exceptions import PermissionDenied


class PublishControlMixin:
    """Only users with the publish permission may change the publication field.

    Set `publish_field` (e.g. "status") and `publish_permission` (e.g. "briefings.publish_briefing").
    """

    publish_field = None
    publish_permission = None

    def can_publish(self, request):
        return request.user.has_perm(self.publish_permission)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not self.can_publish(request) and self.publish_field not in readonly:
            readonly.append(self.publish_field)
        return readonly

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.can_publish(request):
            for name in ("publish_selected", "unpublish_selected"):
                actions.pop(name, None)
        return actions

    def save_model(self, request, obj, form, change):
        # Belt and braces: a crafted POST cannot change the field a read-only widget hides.
        if not self.can_publish(request) and self.publish_field in form.changed_data:
            raise PermissionDenied("You do not have permission to publish or unpublish.")
        super().save_model(request, obj, form, change)


class VersionedForm(forms.ModelForm):
    """Carries the record's version so a save from a stale form can be refused."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["loaded_version"] = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            current = type(self.instance).objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            loaded = cleaned.get("loaded_version")
            if current is not None and loaded is not None and loaded != current:
                raise forms.ValidationError(
                    "Someone else saved this record while you were editing it, so your changes have not been "
                    "saved. Your text is still in the form below: copy anything you need, then open the record "
                    "again in a new tab to see their changes, and make your edits there.",
                    code="stale",
                )
        return cleaned


class OptimisticLockMixin:
    """Refuse a save whose form was loaded before someone else's save (see VersionedForm)."""

    form = VersionedForm

    def save_model(self, request, obj, form, change):
        if change:
            obj.version = (obj.version or 0) + 1
        super().save_model(request, obj, form, change)
