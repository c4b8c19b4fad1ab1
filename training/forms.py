import datetime

from django import forms
from django.contrib.admin.widgets import AdminDateWidget, AdminTimeWidget
from django.core.validators import URLValidator
from django.forms.utils import from_current_timezone
from django.utils import timezone

from briefings.models import Theme
from portal.admin_mixins import VersionedForm
from portal.forms import FilterForm, OrderedPartForm, clean_markdown
from portal.publication import published_q
from portal.when import DATE_MESSAGE, TIME_MESSAGE, parse_date, parse_time

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


class ForgivingDateField(forms.DateField):
    """A date as staff type it (portal.when), day first."""

    default_error_messages = {"invalid": DATE_MESSAGE, "required": "Enter the date, " + DATE_MESSAGE[6:]}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return parse_date(str(value))
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid") from None


class ForgivingTimeField(forms.TimeField):
    """A time as staff type it (portal.when): 14:00, 2pm, 2.30 pm, 1430."""

    default_error_messages = {"invalid": TIME_MESSAGE, "required": "Enter the time, " + TIME_MESSAGE[6:]}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.time):
            return value
        try:
            return parse_time(str(value))
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid") from None


class DayFirstSplitWidget(forms.SplitDateTimeWidget):
    """The admin's date and time boxes, the time shown as 14:00 rather than 14:00:00."""

    template_name = "admin/widgets/split_datetime.html"

    def __init__(self, attrs=None):
        forms.MultiWidget.__init__(self, [AdminDateWidget(attrs), AdminTimeWidget(attrs, format="%H:%M")])

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["date_label"], context["time_label"] = "Date:", "Time:"
        return context


class WhenField(forms.MultiValueField):
    """A date and a time typed separately; with `date_required=False` the date may be left out (the form fills it)."""

    widget = DayFirstSplitWidget

    def __init__(self, *, date_required=True, **kwargs):
        fields = (
            ForgivingDateField(
                required=date_required, error_messages={"incomplete": "Enter the date, " + DATE_MESSAGE[6:]}
            ),
            ForgivingTimeField(error_messages={"incomplete": "Enter the time, " + TIME_MESSAGE[6:]}),
        )
        required = "Enter the date and the time, e.g. 3/12/2026 and 2pm."
        kwargs.setdefault("error_messages", {"required": required if date_required else "Enter the time, e.g. 4pm."})
        super().__init__(fields, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        """An aware datetime, or only the time when the date was left out; None when both are empty."""
        day, time = (list(data_list) + [None, None])[:2]
        if time is None:
            return None
        return from_current_timezone(datetime.datetime.combine(day, time)) if day else time


class SessionForm(forms.ModelForm):
    starts = WhenField(label="Starts", help_text="Date and time, e.g. 3/12/2026 and 2pm.")
    ends = WhenField(
        label="Ends",
        date_required=False,
        help_text="The time, e.g. 4.30pm; a date only if it ends on another day.",
    )

    class Meta:
        model = Session
        fields = [
            "course", "starts", "ends", "is_online", "location",
            "places_total", "places_left", "status", "booking_url", "note",
        ]  # fmt: skip
        field_classes = {"booking_url": WebAddressField}

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts"), cleaned.get("ends")
        if isinstance(ends, datetime.time):
            if isinstance(starts, datetime.datetime):
                day = timezone.localtime(starts).date()
                # "to midnight" with no date ends at the end of the start day.
                day += datetime.timedelta(days=1) if ends == datetime.time(0) else datetime.timedelta(0)
                try:
                    ends = cleaned["ends"] = from_current_timezone(datetime.datetime.combine(day, ends))
                except forms.ValidationError as error:
                    self.add_error("ends", error)
                    ends = None
            else:
                ends = None
        if starts and ends and ends <= starts:
            self.add_error("ends", "The end must be after the start. Check the date and the time of both.")
        if not cleaned.get("is_online") and not cleaned.get("location", "").strip() and "location" in self.fields:
            self.add_error("location", "Enter the place (venue and address), or tick “online”.")
        total, left = cleaned.get("places_total"), cleaned.get("places_left")
        if total is not None and left is not None and left > total:
            self.add_error("places_left", f"Places left cannot be more than the places in total ({total}).")
        if left == 0 and cleaned.get("status") == Session.Status.OPEN:
            # No places left is full, whatever the status box said: the course page and feeds agree.
            cleaned["status"] = Session.Status.FULL
        return cleaned

    def _post_clean(self):
        if isinstance(self.cleaned_data.get("ends"), datetime.time):
            # Not yet a datetime (the start had an error): not a value for the model's field.
            del self.cleaned_data["ends"]
        super()._post_clean()


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
