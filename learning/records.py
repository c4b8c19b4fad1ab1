"""The online record of a team's discussion of a briefing, and the one follow-up question three months on.

No login: the form is protected against spam and floods by a hidden field people never fill, a
minimum time between opening the form and sending it (a signed time stamp in the form), and
per-address limits kept in the shared cache. Every refusal says why and keeps what was typed.
"""

import calendar
import datetime
import hashlib
import re
import time

from django import forms
from django.core import signing
from django.core.cache import caches
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control

from briefings.models import Briefing
from portal.middleware import client_ip

from .models import Agency, FollowUp, TeamRecord

# A person reads the form and types several answers; a script posts at once.
MIN_FILL_SECONDS = 5
# A form left open longer than this is sent again with a fresh time stamp (nothing typed is lost).
MAX_FORM_AGE = 24 * 3600
# (records, seconds) per address: a team manager recording several teams stays well inside these.
RATE_LIMITS = [(10, 10 * 60), (40, 24 * 3600)]
SIGNING_SALT = "learning.record.started"
TOO_MANY = (
    "Too many records have been sent from your network in a short time, so this one was not saved. "
    "Please wait ten minutes and send it again: what you typed is kept below."
)
TRAP_FILLED = (
    "This record was not saved because a field meant to stay empty was filled in (this catches automatic spam). "
    "If you are a person, clear your browser's autofill for this page and send it again."
)

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
NUMERIC_DATE = re.compile(r"(\d{1,2})\s*[/.\-\s]\s*(\d{1,2})\s*[/.\-\s]\s*(\d{4}|\d{2})")
ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
WORDED_DATE = re.compile(r"(?:[a-z]+\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]+)\.?(?:\s+(\d{4}|\d{2}))?")
US_WORDED_DATE = re.compile(r"([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:\s+(\d{4}|\d{2}))?")


def parse_uk_date(text, today):
    """A date as people in the UK write it (27/11/2026, 27.11.26, 27 Nov 2026, 2026-11-27, yesterday), or None."""
    value = " ".join(text.lower().replace(",", " ").split())
    if value in ("today", "yesterday"):
        return today - datetime.timedelta(days=1 if value == "yesterday" else 0)
    year = month = day = None
    if match := ISO_DATE.fullmatch(value):
        year, month, day = (int(part) for part in match.groups())
    elif match := NUMERIC_DATE.fullmatch(value):
        day, month, year = (int(part) for part in match.groups())
    elif (match := WORDED_DATE.fullmatch(value)) and match[2] in MONTHS:
        day, month, year = int(match[1]), MONTHS[match[2]], match[3] and int(match[3])
    elif (match := US_WORDED_DATE.fullmatch(value)) and match[1] in MONTHS:
        month, day, year = MONTHS[match[1]], int(match[2]), match[3] and int(match[3])
    else:
        return None
    if not year:
        # "3 March" means the last 3 March, not one to come.
        year = today.year if (month, day) <= (today.month, today.day) else today.year - 1
    elif year < 100:
        year += 2000
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


class UKDateField(forms.Field):
    """A text box that takes a date the way people write it, and says plainly what it could not read."""

    def __init__(self, *args, allow_future=False, **kwargs):
        self.allow_future = allow_future
        kwargs.setdefault("widget", forms.TextInput(attrs={"maxlength": 40}))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = str(value).strip() if value is not None else ""
        if not value:
            return None
        parsed = parse_uk_date(value[:100], timezone.localdate())
        if parsed is None:
            raise forms.ValidationError(
                "Enter the date as day, month and year, for example 27/11/2026 or 27 November 2026.", code="invalid"
            )
        return parsed

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        today = timezone.localdate()
        if not self.allow_future and value > today:
            raise forms.ValidationError("The date cannot be in the future.", code="future")
        if value.year < 2000 or value.year > today.year + 5:
            raise forms.ValidationError("Check the year: %(year)s does not look right.", params={"year": value.year})

    def prepare_value(self, value):
        return f"{value:%d/%m/%Y}" if isinstance(value, datetime.date) else value


class RecordForm(forms.Form):
    """What a team records about one meeting; nothing here may name a child, a family or a colleague."""

    met_on = UKDateField(
        label="Date of the meeting",
        help_text="For example 27/11/2026 or 27 November 2026.",
        error_messages={"required": "Enter the date of the meeting."},
    )
    team = forms.CharField(
        label="Team or service",
        max_length=200,
        help_text="For example “North locality social work team”. Not the names of the people in it.",
        error_messages={"required": "Enter the name of your team or service."},
    )
    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.filter(active=True),
        empty_label="Choose your agency",
        error_messages={
            "required": "Choose your agency (choose “Other” if it is not listed).",
            "invalid_choice": "Choose an agency from the list.",
        },
    )
    attendees = forms.IntegerField(
        label="Number attending",
        min_value=1,
        max_value=500,
        error_messages={
            "required": "Enter how many people took part in the discussion.",
            "invalid": "Enter the number of people attending as a whole number, for example 8.",
            "min_value": "Enter at least 1 person attending.",
            "max_value": "Enter 500 or fewer people attending: record a larger event in parts.",
        },
    )
    changes = forms.CharField(
        label="What the team agreed to do differently",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="A few sentences are enough. Do not name or describe any child, family or colleague.",
        error_messages={
            "required": "Enter what the team agreed to do differently (or write that nothing changes, and why).",
        },
    )
    email = forms.EmailField(
        label="Email address for a follow-up (optional)",
        required=False,
        max_length=254,
        help_text=(
            "If you give one, we send one email in three months asking what has changed, then delete the address."
        ),
        error_messages={"invalid": "Enter an email address like name@example.org, or leave it empty."},
    )
    # Hidden from people (and from screen readers); form-filling robots fill it in.
    website = forms.CharField(required=False, label="Leave this empty")
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("met_on", "team", "attendees", "email"):
            self.fields[name].widget.attrs["autocomplete"] = "off"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["attendees"].widget.attrs["inputmode"] = "numeric"
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    @property
    def visible(self):
        return [self[name] for name in ("met_on", "team", "agency", "attendees", "changes", "email")]


def started_token(now=None):
    """The signed time the form was shown at."""
    return signing.dumps(now if now is not None else time.time(), salt=SIGNING_SALT)


def fill_time_problem(token, now=None):
    """Why the form's time stamp is refused (sent too fast, too old, missing or forged), or None."""
    now = now if now is not None else time.time()
    try:
        started = float(signing.loads(token or "", salt=SIGNING_SALT, max_age=MAX_FORM_AGE))
    except (signing.BadSignature, TypeError, ValueError):
        started = None
    if started is None or now - started > MAX_FORM_AGE:
        return "This form had been open for a long time, or its page was not loaded in full."
    if now - started < MIN_FILL_SECONDS:
        return "This form was sent too quickly after it was opened for us to tell it came from a person."
    return None


def over_rate_limit(request):
    """Count this attempt against the sender's address; True when one of RATE_LIMITS is exceeded."""
    cache = caches["default"]
    now = time.time()
    address = client_ip(request) or "unknown"
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
    over = False
    for limit, window in RATE_LIMITS:
        key = f"learning-record:{window}:{int(now // window)}:{digest}"
        cache.add(key, 0, window + 60)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window + 60)
            count = 1
        over = over or count > limit
    return over


def private(response):
    """Never stored by the page cache or a shared cache: the page carries this reader's CSRF token or answers."""
    patch_cache_control(response, private=True, no_cache=True)
    return response


def record(request, slug):
    """Record that a team discussed a published briefing."""
    briefing = get_object_or_404(Briefing.objects.published(), slug=slug)
    refusal, status = None, 200
    if request.method == "POST":
        data = request.POST.copy()
        form = RecordForm(data)
        if over_rate_limit(request):
            refusal, status = TOO_MANY, 429
        elif data.get("website"):
            refusal, status = TRAP_FILLED, 400
        elif problem := fill_time_problem(data.get("started")):
            refusal, status = f"{problem} Nothing was saved: check your answers below and send the form again.", 400
        elif form.is_valid():
            with transaction.atomic():
                TeamRecord.objects.create(
                    briefing=briefing,
                    briefing_title=briefing.title,
                    met_on=form.cleaned_data["met_on"],
                    team=form.cleaned_data["team"].strip(),
                    agency=form.cleaned_data["agency"],
                    attendees=form.cleaned_data["attendees"],
                    changes=form.cleaned_data["changes"].strip(),
                    email=form.cleaned_data["email"],
                    site_address=request.build_absolute_uri("/"),
                )
            return redirect("learning:record-thanks", slug=briefing.slug)
        else:
            status = 400
        # A fresh time stamp, so sending again after reading the message is accepted.
        data["started"] = started_token()
        data["website"] = ""
    else:
        form = RecordForm(initial={"started": started_token()})
    context = {"briefing": briefing, "form": form, "refusal": refusal}
    return private(render(request, "learning/record.html", context, status=status))


def record_thanks(request, slug):
    briefing = get_object_or_404(Briefing.objects.published(), slug=slug)
    return private(render(request, "learning/record_thanks.html", {"briefing": briefing}))


def token_digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


class FollowUpForm(forms.Form):
    answer = forms.CharField(
        label="What has changed in your team's practice since?",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Do not name or describe any child, family or colleague.",
        error_messages={"required": "Enter what has changed (or write that nothing has, and why)."},
    )


def follow_up(request, token):
    """The one-question form the follow-up email links to; the link works once and until it expires."""
    found = (
        FollowUp.objects.select_related("record")
        .filter(token_hash=token_digest(token), status=FollowUp.Status.SENT, expires_at__gt=timezone.now())
        .first()
    )
    if found is None:
        return private(render(request, "learning/follow_up_gone.html", status=410))
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            # Only one answer counts, even if the form is sent twice at once.
            claimed = FollowUp.objects.filter(pk=found.pk, status=FollowUp.Status.SENT).update(
                status=FollowUp.Status.ANSWERED,
                answer=form.cleaned_data["answer"].strip(),
                answered_at=timezone.now(),
                token_hash=None,
            )
            if claimed:
                TeamRecord.objects.filter(pk=found.record_id).update(email="", follow_up_answered=True)
        if not claimed:
            return private(render(request, "learning/follow_up_gone.html", status=410))
        return private(render(request, "learning/follow_up_thanks.html", {"record": found.record}))
    status = 400 if request.method == "POST" else 200
    return private(render(request, "learning/follow_up.html", {"form": form, "record": found.record}, status=status))
