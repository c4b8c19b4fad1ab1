"""Keep the search index in step with briefings, courses and resources.

Signals only note what changed; portal.site.search indexes each source once when the
transaction commits (an admin save fires a signal for every inline row).
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.urls import reverse

from briefings.models import Briefing, DiscussionQuestion, KeyFact, Resource, Section, Theme
from portal import redirects
from portal.site import search
from training.models import Course, LearningOutcome

M2M_ACTIONS = {"post_add", "post_remove", "post_clear"}


def _briefing(sender, instance, **kwargs):
    search.schedule("briefing", instance.pk)


def _briefing_part(sender, instance, **kwargs):
    search.schedule("briefing", instance.briefing_id)


def _resource(sender, instance, **kwargs):
    search.schedule("resource", instance.pk)
    # A resource moved to another briefing: the old briefing's row set changes too.
    search.schedule("briefing", instance.briefing_id)


def _course(sender, instance, **kwargs):
    search.schedule("course", instance.pk)


def _course_part(sender, instance, **kwargs):
    search.schedule("course", instance.course_id)


def _theme(sender, instance, created=False, **kwargs):
    if not created:
        search.schedule("theme", instance.pk)


def _themes_changed(doc_type):
    """Handler for a `themes` m2m on briefings, resources or courses, from either side."""

    def handler(sender, instance, action, reverse, pk_set, **kwargs):
        if action not in M2M_ACTIONS:
            return
        if not reverse:
            search.schedule(doc_type, instance.pk)
        elif pk_set is not None:
            for pk in pk_set:
                search.schedule(doc_type, pk)
        else:  # theme.briefings.clear(): whatever was on the theme
            search.schedule("theme", instance.pk)

    return handler


# The addresses of an item with a web address, by URL name: each keeps working after a rename.
ADDRESSES = {
    "briefings.Briefing": ["briefings:detail", "briefings:team-pack", "briefings:pdf"],
    "briefings.Theme": ["briefings:theme", "feed-theme"],
    "training.Course": ["training:detail", "training:course-sessions-ics"],
}


def addresses(instance, slug):
    return [reverse(name, args=[slug]) for name in ADDRESSES[instance._meta.label]]


def _note_old_slug(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._stored_slug = None
        return
    instance._stored_slug = sender._default_manager.filter(pk=instance.pk).values_list("slug", flat=True).first()


def _keep_addresses(sender, instance, created=False, raw=False, **kwargs):
    """Old addresses redirect to the new ones; the item's own addresses are its own (portal.redirects)."""
    if raw:
        return
    old = getattr(instance, "_stored_slug", None)
    if not created and (old is None or old == instance.slug):
        return
    new_paths = addresses(instance, instance.slug)
    claimed = redirects.claim(new_paths)
    moved = redirects.moved(addresses(instance, old), new_paths) if old and old != instance.slug else []
    instance._address_changes = {"claimed": claimed, "moved": moved}
    instance._stored_slug = instance.slug


def connect():
    for model in (Briefing, Theme, Course):
        label = model._meta.label
        pre_save.connect(_note_old_slug, sender=model, dispatch_uid=f"addresses-pre-{label}")
        post_save.connect(_keep_addresses, sender=model, dispatch_uid=f"addresses-post-{label}")

    handlers = [
        (Briefing, _briefing),
        (Section, _briefing_part),
        (DiscussionQuestion, _briefing_part),
        (KeyFact, _briefing_part),
        (Resource, _resource),
        (Course, _course),
        (LearningOutcome, _course_part),
        (Theme, _theme),
    ]
    for model, handler in handlers:
        label = model._meta.label
        post_save.connect(handler, sender=model, dispatch_uid=f"search-save-{label}")
        post_delete.connect(handler, sender=model, dispatch_uid=f"search-delete-{label}")
    for model, doc_type in [(Briefing, "briefing"), (Resource, "resource"), (Course, "course")]:
        m2m_changed.connect(
            _themes_changed(doc_type),
            sender=model.themes.through,
            dispatch_uid=f"search-themes-{model._meta.label}",
            weak=False,
        )
