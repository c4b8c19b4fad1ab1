from django import forms
from django.db.models.functions import ExtractYear

from portal.admin_mixins import VersionedForm
from portal.forms import FilterForm, OrderedPartForm, clean_markdown
from portal.text import tidy_line
from portal.uploads import validate_upload

from .models import Briefing, Section, Theme


class BriefingFilterForm(FilterForm):
    """The public briefing list's filters."""

    lookups = {"kind": "kind", "theme": "themes", "year": "published__year"}

    kind = forms.ChoiceField(label="Type", required=False, choices=[("", "All types"), *Briefing.Kind.choices])
    theme = forms.ModelChoiceField(
        label="Theme", required=False, queryset=Theme.objects.none(), to_field_name="slug", empty_label="All themes"
    )
    year = forms.TypedChoiceField(label="Year published", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        published = Briefing.objects.published()
        self.fields["theme"].queryset = Theme.objects.filter(briefings__in=published).distinct().order_by("name")
        years = published.annotate(y=ExtractYear("published")).values_list("y", flat=True).distinct().order_by("-y")
        self.fields["year"].choices = [("", "Any year"), *((year, year) for year in years)]


class BriefingAdminForm(VersionedForm):
    class Meta:
        model = Briefing
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == Briefing.Status.PUBLISHED and not cleaned.get("published"):
            self.add_error("published", "A published briefing needs a publication date.")
        review_due, last_reviewed = cleaned.get("review_due"), cleaned.get("last_reviewed")
        if review_due and last_reviewed and review_due < last_reviewed:
            self.add_error("review_due", "The next review cannot be due before the last review.")
        return cleaned


class UploadCheckedMixin:
    """An uploaded resource file is accepted only when its content is an allowed type and size."""

    def clean_file(self):
        return validate_upload(self.cleaned_data.get("file"))


class ResourceForm(UploadCheckedMixin, OrderedPartForm):
    pass


class ResourceAdminForm(UploadCheckedMixin, forms.ModelForm):
    pass


class SectionForm(OrderedPartForm):
    position = forms.IntegerField(
        label="Order",
        required=False,
        min_value=0,
        help_text="1 comes first; on a 7-minute briefing it is the panel's number. "
        "Use the Move up / Move down buttons, drag the section, or leave it empty to put it at the end.",
        widget=forms.NumberInput(attrs={"size": 3, "class": "vSmallIntegerField", "data-order": ""}),
    )

    class Meta:
        model = Section
        fields = ["position", "heading", "body"]

    def clean_heading(self):
        return tidy_line(self.cleaned_data.get("heading"))

    def clean_body(self):
        return clean_markdown(self.cleaned_data.get("body"))

    def has_changed(self):
        # A new row counts when it has a heading or text: a pre-filled starter heading is content, and clearing
        # it is how an editor drops the row, whatever its Order box says.
        if not self.instance.pk:
            return any(self.data.get(self.add_prefix(name), "").strip() for name in ("heading", "body"))
        return super().has_changed()
