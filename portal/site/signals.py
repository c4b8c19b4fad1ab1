"""Keep the search index in step with briefings, courses, resources and pages; send the sign-off mail.

Signals only note what changed; portal.site.search indexes each source once when the
transaction commits (an admin save fires a signal for every inline row).
"""

from urllib.parse import urljoin

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.urls import reverse

from briefings.models import Briefing, DiscussionQuestion, KeyFact, Resource, Section, Theme
from mail.outbox import send_mail_later
from pages.models import Page
from portal import publication, redirects
from portal.models import PendingRevision, SiteSettings
from portal.site import search
from portal.site.search.index import reindex_kind
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


def _page(sender, instance, **kwargs):
    search.schedule("page", instance.pk)


def _theme(sender, instance, created=False, **kwargs):
    if not created:
        search.schedule("theme", instance.pk)


def _kind_names(sender, instance, raw=False, **kwargs):
    """Site settings saved: briefings of a kind whose name changed are found by the new name, no longer the old.

    Re-indexed by the worker (thousands of rows would hold up the admin's save); the task is enqueued in the
    save's transaction. Meanwhile the results show the new name (read at request time) and the old one finds them.
    """
    if not raw:
        for kind in sorted(getattr(instance, "kind_names_changed", ())):
            reindex_kind.enqueue(kind)


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
    "briefings.Briefing": [
        "briefings:detail",
        "briefings:team-pack",
        "briefings:pdf",
        "briefings:team-pack-pdf",
        "briefings:present",
        # Printed on the team pack as a QR code: a renamed briefing's old packs must still reach the form.
        "learning:record",
    ],
    "briefings.Theme": ["briefings:theme", "feed-theme"],
    "training.Course": ["training:detail", "training:course-sessions-ics"],
    "pages.Page": ["pages:detail"],
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
    for model in (Briefing, Theme, Course, Page):
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
        (Page, _page),
    ]
    for model, handler in handlers:
        label = model._meta.label
        post_save.connect(handler, sender=model, dispatch_uid=f"search-save-{label}")
        post_delete.connect(handler, sender=model, dispatch_uid=f"search-delete-{label}")
    post_save.connect(_kind_names, sender=SiteSettings, dispatch_uid="search-kind-names")
    for model, doc_type in [(Briefing, "briefing"), (Resource, "resource"), (Course, "course")]:
        m2m_changed.connect(
            _themes_changed(doc_type),
            sender=model.themes.through,
            dispatch_uid=f"search-themes-{model._meta.label}",
            weak=False,
        )
    connect_signoff()


# --- Sign-off mail: publishers hear of a waiting change, its author of the decision ------------


def publishers_of(model):
    """Active users who may publish `model` records and have an email address."""
    opts = model._meta
    permission = Permission.objects.filter(
        content_type__app_label=opts.app_label, codename=f"publish_{opts.model_name}"
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | Q(user_permissions__in=permission) | Q(groups__permissions__in=permission))
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def _review_link(revision, base_url):
    opts = revision.model._meta
    path = reverse(f"admin:{opts.app_label}_{opts.model_name}_signoff_review", args=[revision.object_id])
    return urljoin(base_url, path) if base_url else path


def _change_link(revision, base_url):
    opts = revision.model._meta
    path = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[revision.object_id])
    return urljoin(base_url, path) if base_url else path


def _submitted(sender, revision, base_url="", **kwargs):
    noun = revision.model._meta.verbose_name
    author = publication.who(revision.author)
    what = (
        f"the draft {noun} “{revision.title}” to be published"
        if revision.publish
        else f"changes to the published {noun} “{revision.title}”"
    )
    body = (
        f"{author} has sent {what} for your approval.\n\n"
        f"See what changes, then approve or return it with a comment:\n{_review_link(revision, base_url)}\n\n"
        "The public page stays as it is until a publisher approves.\n"
    )
    for user in publishers_of(revision.model):
        if user.pk == revision.author_id:
            continue
        send_mail_later(
            f"Waiting for your approval: {revision.title}"[:200],
            body,
            [user.email],
            key=f"signoff:{revision.pk}:submitted:{user.pk}",
        )


def _decided(sender, revision, base_url="", **kwargs):
    author = revision.author
    if author is None or not author.email:
        return
    approved = revision.status == PendingRevision.Status.APPROVED
    decider = publication.who(revision.decided_by)
    if approved:
        subject = f"Approved: {revision.title}"
        opening = f"{decider} approved your {'draft' if revision.publish else 'changes'}; they are live now."
    else:
        subject = f"Returned to you: {revision.title}"
        opening = f"{decider} returned your {'draft' if revision.publish else 'changes'} without putting them live."
    comment = f"\n\nTheir comment:\n\n{revision.comment}" if revision.comment else ""
    body = f"{opening}{comment}\n\nOpen it:\n{_change_link(revision, base_url)}\n"
    send_mail_later(subject[:200], body, [author.email], key=f"signoff:{revision.pk}:{revision.status}")


def connect_signoff():
    publication.submitted.connect(_submitted, dispatch_uid="signoff-mail-submitted")
    publication.decided.connect(_decided, dispatch_uid="signoff-mail-decided")
