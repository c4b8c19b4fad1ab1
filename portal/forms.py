"""Form pieces every app uses: ordered inline rows, tidied Markdown, public list filters."""

from django import forms

from portal.text import nesting_problem, tidy_markdown


def clean_markdown(text):
    """Pasted Markdown tidied as the importer tidies it; refused if it nests too deeply to render."""
    text = tidy_markdown(text)
    problem = nesting_problem(text)
    if problem:
        raise forms.ValidationError(f"The {problem}.")
    return text


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


def number_in_order(formset):
    """Renumber a formset's kept rows 1, 2, 3... by the positions given (empty ones last), before it is saved."""
    deleted = set(formset.deleted_forms)
    kept = [form for form in formset.forms if form not in deleted and (form.instance.pk or form.has_changed())]
    keyed = [((form.cleaned_data.get("position") or float("inf"), index), form) for index, form in enumerate(kept)]
    for number, (_, form) in enumerate(sorted(keyed, key=lambda pair: pair[0]), start=1):
        form.instance.position = number
        # The formset saves changed rows; an unchanged row that moved is saved here.
        moved = number != form.initial.get("position")
        if form.instance.pk and not form.has_changed() and moved:
            form.instance.save(update_fields=["position"])


class FilterForm(forms.Form):
    """A public list's filters: a value that is not one of the choices is dropped, never an error."""

    lookups = {}  # filter name -> the queryset lookup it narrows by

    def values(self):
        self.is_valid()
        return {name: value for name, value in getattr(self, "cleaned_data", {}).items() if value}

    def filter(self, queryset, chosen):
        return queryset.filter(**{self.lookups[name]: value for name, value in chosen.items()})
