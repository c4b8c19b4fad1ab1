from django import forms
from django.core.validators import URLValidator

from briefings.models import Theme
from portal.admin_mixins import VersionedForm
from portal.forms import FilterForm, OrderedPartForm, clean_markdown
from portal.publication import published_q

from .models import Course, LearningOutcome, Session

WEB_ADDRESS_MESSAGE = (
    "Enter a full web address that starts with https:// (or http://), for example "
    "https://learning.example.org/courses/child-neglect. Other kinds of link (javascript:, data:, "
    "ftp:, mailto: and so on) are not allowed."
)


class WebAddressField(forms.URLField):
    """A URL field that accepts only http and https, with one clear message for anything else."""

    default_error_messages = {"invalid": WEB_ADDRESS_MESSAGE}
    default_validators = [URLValidator(schemes=["http", "https"], message=WEB_ADDRESS_MESSAGE)]

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class CourseAdminForm(VersionedForm):
    class Meta:
        model = Course
        fields = "__all__"
        field_classes = {"booking_url": WebAddressField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "prerequisites" in self.fields and self.instance.pk:
            self.fields["prerequisites"].queryset = self.fields["prerequisites"].queryset.exclude(pk=self.instance.pk)

    def clean_description(self):
        return clean_markdown(self.cleaned_data.get("description"))

    def clean_prerequisites(self):
        prerequisites = self.cleaned_data["prerequisites"]
        if self.instance.pk and any(course.pk == self.instance.pk for course in prerequisites):
            raise forms.ValidationError("A course cannot be a prerequisite of itself.")
        return prerequisites


class LearningOutcomeForm(OrderedPartForm):
    class Meta:
        model = LearningOutcome
        fields = ["position", "text"]


class SessionForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = ["course", "starts", "ends", "is_online", "location", "places", "status", "booking_url", "note"]
        field_classes = {"booking_url": WebAddressField}

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts"), cleaned.get("ends")
        if starts and ends and ends <= starts:
            self.add_error("ends", "The end must be after the start. Check the date and the time of both.")
        if not cleaned.get("is_online") and not cleaned.get("location", "").strip() and "location" in self.fields:
            self.add_error("location", "Enter the place (venue and address), or tick “online”.")
        return cleaned


class CourseFilterForm(FilterForm):
    """The public course list's filters."""

    lookups = {"format": "format", "theme": "themes", "audience": "audience"}

    format = forms.ChoiceField(label="Format", required=False, choices=[("", "All formats"), *Course.Format.choices])
    theme = forms.ModelChoiceField(
        label="Theme", required=False, queryset=Theme.objects.none(), to_field_name="slug", empty_label="All themes"
    )
    audience = forms.ChoiceField(
        label="Who it is for", required=False, choices=[("", "Everyone"), *Course.Audience.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.filter(published_q("courses__")).distinct().order_by("name")

    def values(self):
        """The filters that are valid; odd values in the query string are dropped, never an error."""
        self.is_valid()
        return {name: value for name, value in getattr(self, "cleaned_data", {}).items() if value}


class WhatsOnFilterForm(FilterForm):
    """The What's on page's filters."""

    lookups = {"course": "course__slug", "theme": "course__themes__slug"}

    course = forms.ChoiceField(label="Course", required=False)
    theme = forms.ChoiceField(label="Theme", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        courses = Course.objects.published().order_by("title").values_list("slug", "title")
        self.fields["course"].choices = [("", "All courses"), *courses]
        themes = Theme.objects.filter(published_q("courses__")).distinct().order_by("name")
        self.fields["theme"].choices = [("", "All themes"), *themes.values_list("slug", "name")]
