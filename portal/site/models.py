"""What the site-wide features keep of their own: the search's synonyms."""

from django.core.exceptions import ValidationError
from django.db import models

from portal.text import WORD

MAX_VARIANT_WORDS = 6


def split_terms(text):
    """The comma-separated words or phrases of a synonym group, each as its lower-case words."""
    variants = []
    for part in str(text or "").split(","):
        words = tuple(word.lower() for word in WORD.findall(part))
        if words and words not in variants:
            variants.append(words)
    return variants


class SynonymGroup(models.Model):
    """Words and phrases a search treats as one, both ways: a search for any finds them all."""

    terms = models.CharField(
        max_length=500,
        help_text=(
            "The words or phrases that mean the same here, separated by commas, for example "
            "“GCP, GCP2, Graded Care Profile”. Hyphens and capitals do not matter."
        ),
    )

    class Meta:
        ordering = ["terms"]
        verbose_name = "search synonym group"

    def __str__(self):
        return self.terms

    def clean(self):
        variants = split_terms(self.terms)
        if len(variants) < 2:
            raise ValidationError({"terms": "Give at least two words or phrases, separated by commas."})
        if any(len(words) > MAX_VARIANT_WORDS for words in variants):
            raise ValidationError({"terms": f"Each phrase may have at most {MAX_VARIANT_WORDS} words."})
