from urllib.parse import urlencode

from django import forms
from django.db.models import Count, F
from django.db.models.functions import ExtractYear

from portal.admin_mixins import VersionedForm
from portal.forms import FilterForm, OrderedPartForm, clean_markdown
from portal.text import tidy_line
from portal.uploads import validate_upload

from .models import Briefing, ProfessionalGroup, Section, Theme


class BriefingFilterForm(FilterForm):
    """The public briefing list's filters (the briefings feed takes the same ones)."""

    lookups = {
        "kind": "kind",
        "theme": "themes__slug",
        "audience": "audience",
        "group": "professional_groups__slug",
        "year": "published__year",
    }

    kind = forms.ChoiceField(label="Type", required=False)
    theme = forms.ChoiceField(label="Theme", required=False)
    audience = forms.ChoiceField(
        label="Audience", required=False, choices=[("", "Any audience"), *Briefing.Audience.choices]
    )
    group = forms.ChoiceField(label="Professional group", required=False)
    year = forms.TypedChoiceField(label="Year published", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = ((kind.value, Briefing.kind_name_of(kind)) for kind in Briefing.Kind)
        self.fields["kind"].choices = [("", "All types"), *kinds]
        published = Briefing.objects.published()
        themes = Theme.objects.filter(briefings__in=published).distinct().order_by("name")
        self.fields["theme"].choices = [("", "All themes"), *themes.values_list("slug", "name")]
        groups = ProfessionalGroup.objects.values_list("slug", "name")
        self.fields["group"].choices = [("", "Any group"), *groups]
        years = published.annotate(y=ExtractYear("published")).values_list("y", flat=True).distinct().order_by("-y")
        self.fields["year"].choices = [("", "Any year"), *((year, year) for year in years)]

    def count_options(self, queryset, chosen):
        """Label each option with how many briefings it would give with the other filters kept: one query per filter."""
        for name, lookup in self.lookups.items():
            others = {key: value for key, value in chosen.items() if key != name}
            key = lookup.removesuffix("__year")
            rows = self.filter(queryset, others).order_by()
            rows = rows.annotate(option=ExtractYear(key) if lookup.endswith("__year") else F(key))
            counts = dict(rows.values("option").annotate(n=Count("pk", distinct=True)).values_list("option", "n"))
            field = self.fields[name]
            field.choices = [
                (value, label if value == "" else f"{label} ({counts.get(value, 0)})") for value, label in field.choices
            ]

    def query(self, chosen):
        """The chosen filters as a query string, in the form's order, for links that keep them."""
        return urlencode([(name, chosen[name]) for name in self.fields if name in chosen])


class BriefingAdminForm(VersionedForm):
    class Meta:
        model = Briefing
        fields = "__all__"
        # A short list staff tick, rather than a multiple select that needs Ctrl-click.
        widgets = {"professional_groups": forms.CheckboxSelectMultiple}

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
