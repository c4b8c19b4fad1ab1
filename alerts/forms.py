from django import forms

from briefings.models import Theme

from .models import Subscriber


class ChoicesForm(forms.ModelForm):
    """What a subscriber hears about: themes (or every theme), kinds of news, how often."""

    themes = forms.ModelMultipleChoiceField(
        Theme.objects.all(), required=False, widget=forms.CheckboxSelectMultiple, label="Themes"
    )

    class Meta:
        model = Subscriber
        fields = ["everything", "themes", "new_briefings", "updated_briefings", "new_sessions", "frequency"]
        labels = {
            "everything": "Every theme, including new ones",
            "new_briefings": "New briefings",
            "updated_briefings": "Important updates to briefings",
            "new_sessions": "New training dates",
            "frequency": "How often",
        }
        widgets = {"frequency": forms.RadioSelect}

    def clean(self):
        data = super().clean()
        if not data.get("everything") and not data.get("themes"):
            self.add_error("themes", "Choose at least one theme, or every theme.")
        if not any(data.get(name) for name in ("new_briefings", "updated_briefings", "new_sessions")):
            self.add_error("new_briefings", "Choose at least one kind of news.")
        return data


class SubscribeForm(ChoicesForm):
    email = forms.EmailField(
        label="Your email address", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    class Meta(ChoicesForm.Meta):
        fields = ["email", *ChoicesForm.Meta.fields]

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def validate_unique(self):
        # Whether an address is subscribed already is never shown: the email sent says so instead.
        pass
