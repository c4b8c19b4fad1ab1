"""One way of being drafted, published and withdrawn, shared by everything the public sees.

A record is public when its status is "published" and its publication date has come
(`published()`, `published_q()`); a published record dated ahead appears on its day. Briefings
and courses use `Publishable`; a part (a resource, a session) is public through its owner, so it
uses `published_q("briefing__")` in a join. The admin side is
`portal.admin_mixins.PublicationAdminMixin`.
"""

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


def published_q(prefix=""):
    """What the public may see: published, with a publication date not in the future.

    `prefix` ("briefing__") applies the same rule to a related record in a join.
    """
    return Q(**{f"{prefix}status": Status.PUBLISHED, f"{prefix}published__lte": timezone.localdate()})


class PublicationQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_q())

    def drafts(self):
        return self.exclude(status=Status.PUBLISHED)


class Publishable(models.Model):
    """A status and a publication date: public once published and the date has come."""

    Status = Status

    published = models.DateField(null=True, blank=True, help_text="Publication date. A draft may leave it empty.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_published(self):
        return self.status == Status.PUBLISHED and self.published is not None and self.published <= timezone.localdate()

    @is_published.setter
    def is_published(self, value):
        # Lets a record be made with `is_published=True`: published from today unless already dated.
        if value:
            self.status = Status.PUBLISHED
            self.published = self.published or timezone.localdate()
        else:
            self.status = Status.DRAFT

    def publish(self, on=None):
        self.status = Status.PUBLISHED
        self.published = self.published or on or timezone.localdate()

    def withdraw(self):
        self.status = Status.DRAFT


def set_published(model, pks, value, *, reason):
    """Publish (or take back to draft) these records one by one, atomically; return how many changed.

    Saved one by one (not queryset.update) so history, versions, search and the page cache all see it.
    """
    changed = 0
    with transaction.atomic():
        rows = model._default_manager.select_for_update().filter(pk__in=list(pks))
        rows = rows.exclude(status=Status.PUBLISHED) if value else rows.filter(status=Status.PUBLISHED)
        for obj in rows:
            if value:
                obj.publish()
            else:
                obj.withdraw()
            obj.version += 1
            obj._change_reason = reason
            obj.save()
            changed += 1
    return changed
