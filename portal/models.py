from django.core.exceptions import ValidationError
from django.db import models
from markdownx.models import MarkdownxField


def validate_web_address(value):
    """Only http and https: a booking or exit link must never run script or open a file."""
    if not value.lower().startswith(("http://", "https://")):
        raise ValidationError(
            "Enter a web address that starts with https:// (or http://).",
            code="scheme",
        )


class SiteSettings(models.Model):
    """The one record of site-wide text that staff edit in admin."""

    partnership_name = models.CharField(
        max_length=200,
        default="Example Safeguarding Children Partnership",
        help_text="Shown in the header of every page and on printed briefings.",
    )
    emergency_line = models.TextField(
        default=(
            "If you think a child is at risk of significant harm, contact the Children's "
            "Front Door on 0300 123 4567. In an emergency call 999."
        ),
        help_text=(
            "Shown at the top of every page. Phone numbers (for example 0300 123 4567 or 999) become tap-to-call links."
        ),
    )
    exit_url = models.URLField(
        "quick exit destination",
        default="https://www.bbc.co.uk/weather",
        validators=[validate_web_address],
        help_text="A neutral site the quick exit goes to. It must not be a search engine results page.",
    )
    accessibility_statement = MarkdownxField(
        blank=True,
        help_text="The accessibility statement in the GOV.UK model. Leave empty to use the built-in statement.",
    )
    statement_prepared = models.DateField(
        null=True,
        blank=True,
        help_text="When the accessibility statement was prepared or last reviewed.",
    )
    contact_email = models.EmailField(
        blank=True,
        default="learning@example.org",
        help_text="Where readers ask for an accessible format or report a problem.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "site settings"
        verbose_name_plural = "site settings"

    def __str__(self):
        return "Site settings"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        # The site always needs its settings; deleting resets nothing.
        return (0, {})

    @classmethod
    def load(cls):
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj
