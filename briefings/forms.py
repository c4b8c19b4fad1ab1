from django import forms
from django.db.models.functions import ExtractYear

from portal.admin_mixins import VersionedForm
from portal.uploads import validate_upload

from .models import Briefing, Section, Theme
from .text import nesting_problem, tidy_line, tidy_markdown


class BriefingFilterForm(forms.Form):
    """The public list's filters; a value that is not one of the choices is ignored, never an error."""

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

    def values(self):
        self.is_valid()
        return {name: value for name, value in getattr(self, "cleaned_data", {}).items() if value}


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


class OrderedPartForm(forms.ModelForm):
    """An inline row whose position may be left empty: it then goes after the rows above it."""

    position = forms.IntegerField(
        required=False,
        min_value=0,
        help_text="Order on the page. Leave empty to put it at the end.",
        widget=forms.NumberInput(attrs={"size": 3, "class": "vSmallIntegerField"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk and not self.initial.get("position"):
            self.initial["position"] = None

    def clean_position(self):
        return self.cleaned_data.get("position") or 0


class UploadCheckedMixin:
    """An uploaded resource file is accepted only when its content is an allowed type and size."""

    def clean_file(self):
        return validate_upload(self.cleaned_data.get("file"))


class ResourceForm(UploadCheckedMixin, OrderedPartForm):
    pass


class ResourceAdminForm(UploadCheckedMixin, forms.ModelForm):
    pass


def clean_markdown(text):
    """Pasted Markdown tidied as the importer tidies it; refused if it nests too deeply to render."""
    text = tidy_markdown(text)
    problem = nesting_problem(text)
    if problem:
        raise forms.ValidationError(f"The {problem}.")
    return text


class SectionForm(OrderedPartForm):
    class Meta:
        model = Section
        fields = ["position", "number", "heading", "body"]

    def clean_heading(self):
        return tidy_line(self.cleaned_data.get("heading"))

    def clean_body(self):
        return clean_markdown(self.cleaned_data.get("body"))

    def has_changed(self):
        # A pre-filled usual heading counts as content; clearing the heading is how an editor drops the row.
        if not self.instance.pk and self.initial.get("heading"):
            return bool(self.data.get(self.add_prefix("heading"), "").strip()) or super().has_changed()
        return super().has_changed()


def number_in_order(forms_in_order):
    """Renumber the kept rows 1, 2, 3... by the positions given; rows left without one go at the end."""
    keyed = [
        ((form.cleaned_data.get("position") or float("inf"), index), form) for index, form in enumerate(forms_in_order)
    ]
    for number, (_, form) in enumerate(sorted(keyed, key=lambda pair: pair[0]), start=1):
        form.instance.position = number
