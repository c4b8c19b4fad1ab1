"""One way of being drafted, published and withdrawn, shared by everything the public sees.

A record is public when its status is "published" and its publication date has come
(`published()`, `published_q()`); a published record dated ahead appears on its day. Briefings
and courses use `Publishable`; a part (a resource, a session) is public through its owner, so it
uses `published_q("briefing__")` in a join. The admin side is
`portal.admin_mixins.PublicationAdminMixin`.
"""

import difflib
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import Signal
from django.http import Http404
from django.shortcuts import render
from django.urls import resolve
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe

from portal import history, versions
from portal.cache import today
from portal.models import PendingRevision


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


def published_q(prefix=""):
    """What the public may see: published, with a publication date not in the future.

    `prefix` ("briefing__") applies the same rule to a related record in a join.
    """
    return Q(**{f"{prefix}status": Status.PUBLISHED, f"{prefix}published__lte": today()})


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
        return self.status == Status.PUBLISHED and self.published is not None and self.published <= today()

    @is_published.setter
    def is_published(self, value):
        # Lets a record be made with `is_published=True`: published from today unless already dated.
        if value:
            self.status = Status.PUBLISHED
            self.published = self.published or timezone.localdate()
        else:
            self.status = Status.DRAFT

    def clean(self):
        super().clean()
        if self.status == Status.PUBLISHED and self.published is None:
            self.published = timezone.localdate()  # published with no date given: from today

    def publish(self, on=None):
        self.status = Status.PUBLISHED
        self.published = self.published or on or timezone.localdate()

    def withdraw(self):
        self.status = Status.DRAFT

    def was_public(self):
        """Whether the public could read this at some time, judged from its history.

        Each version stands from its own date to the next one's (or today): it was public if it was
        published, with a publication date on or before the end of that stretch.
        """
        past = self.history.order_by("history_date", "history_id")
        rows = list(past.values_list("history_date", "status", "published"))
        today = timezone.localdate()
        for index, (_, status, published) in enumerate(rows):
            ends = timezone.localdate(rows[index + 1][0]) if index + 1 < len(rows) else today
            if status == Status.PUBLISHED and published is not None and published <= ends:
                return True
        return False


def withdrawn(request, item, *, noun, themes, listing):
    """410 Gone for an item the public could once read and no longer can; otherwise 404.

    A never-published draft stays a plain "not found": its title is not the public's business.
    `listing` is the (address, link text, breadcrumb or None) of where readers can go next.
    """
    if item is None or not item.was_public():
        raise Http404(f"No {noun} at this address.")
    context = {
        "item": item,
        "noun": noun,
        "title": f"{noun.capitalize()} withdrawn",
        "themes": themes,
        **dict(zip(("listing_url", "listing_name", "listing_crumb"), listing, strict=True)),
    }
    response = render(request, "portal/withdrawn.html", context, status=410)
    response["Cache-Control"] = "no-cache"
    return response


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


# --- Sign-off: changes to published records wait for a publisher ---------------------------
#
# Every route that saves a briefing or course (the admin form and its inlines, a part's own page,
# list editing, bulk actions, import, restore) runs inside `hold(user)`. Whatever the route saves,
# each owner record it touches is noted (its own saves, and every change to one of its parts,
# which moves its version: portal.versions.bump). When the work is done, if it touched a
# published record the user may not publish, the record is serialised as it now stands
# (portal.history.snapshot), everything is rolled back, and `Held` carries the snapshots out;
# `keep_pending` stores them as PendingRevisions. Approving applies the snapshot.

submitted = Signal()  # sender=PendingRevision, revision, base_url: a change is waiting (publishers are told)
decided = Signal()  # sender=PendingRevision, revision, base_url: approved or returned (its author is told)

_collector = ContextVar("signoff_collector", default=None)


class SignOffRefused(ValueError):
    """A change that cannot be kept for approval (someone else's is waiting); nothing was saved."""


class Held(Exception):
    """Changes to published records were rolled back and are carried here as snapshots."""

    def __init__(self, held, others):
        super().__init__("changes held for approval")
        self.held = held  # [(model, pk, snapshot)]
        self.others = others  # [(model, pk, snapshot)] changed alongside, needing no approval


class _Discard(Exception):
    def __init__(self, result):
        super().__init__("rolled back")
        self.result = result


class Collector:
    def __init__(self, user):
        self.user = user
        self.touched = {}  # (model, pk) -> whether it was published when first touched
        self.created = set()  # (part label, pk) first saved here
        self.discard = False

    def note(self, model, pks):
        for pk in pks:
            if pk is None or (model, pk) in self.touched:
                continue
            published = model._base_manager.filter(pk=pk, status=Status.PUBLISHED).exists()
            self.touched[(model, pk)] = published
            if published and not may_publish(self.user, model):
                self._carry_on(model, pk)

    def _carry_on(self, model, pk):
        # The user's own change still waiting (or just returned) is the starting point of this one,
        # by whatever route it comes: a second save adds to the first rather than starting again
        # from the live version.
        mine = own_change(model, pk, self.user)
        if mine is not None:
            history.apply_snapshot(model, pk, mine.snapshot, user=self.user, keep_version=True)


def may_publish(user, model):
    opts = model._meta
    return user is not None and user.has_perm(f"{opts.app_label}.publish_{opts.model_name}")


@contextmanager
def hold(user, discard=False):
    """Run the block in a transaction; changes to published records `user` may not publish raise Held.

    With `discard` (a preview), everything is rolled back and nothing is held. Without a user (the
    command line, which runs with full rights) it is a plain transaction.
    """
    if user is None or _collector.get() is not None:
        with transaction.atomic():
            yield None
        return
    collector = Collector(user)
    collector.discard = discard
    token = _collector.set(collector)
    try:
        with transaction.atomic():
            yield collector
            if collector.discard:
                raise _Discard(None)
            held, others = [], []
            for (model, pk), was_published in collector.touched.items():
                if not model._base_manager.filter(pk=pk).exists():
                    continue
                if was_published and not may_publish(user, model):
                    held.append((model, pk, history.snapshot(model, pk, collector.created)))
                else:
                    others.append((model, pk, history.snapshot(model, pk, collector.created)))
            if held:
                raise Held(held, others)
    except _Discard:
        pass
    finally:
        _collector.reset(token)


def discard_changes():
    """Ask the enclosing `hold` to roll everything back (a failed form, a preview)."""
    collector = _collector.get()
    if collector is not None:
        collector.discard = True


def _noted(sender, pks, **kwargs):
    collector = _collector.get()
    if collector is not None and sender._meta.label in history.PARTS:
        collector.note(sender, pks)


def _owner_saving(sender, instance, raw=False, **kwargs):
    if not raw and instance.pk is not None:
        _noted(sender, {instance.pk})


def _owner_links(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action in {"pre_add", "pre_remove", "pre_clear"}:
        if reverse:
            _noted(model, pk_set or set())
        else:
            _noted(type(instance), {instance.pk})


def _part_saved(sender, instance, created=False, raw=False, **kwargs):
    collector = _collector.get()
    if collector is not None and created and not raw:
        collector.created.add((sender._meta.label, instance.pk))


def connect():
    """Wire the collector to the owners' saves and links and the parts' saves (at start-up)."""
    versions.version_moved.connect(_noted, dispatch_uid="signoff-version-moved")
    for owner_label, parts in history.PARTS.items():
        owner = apps.get_model(owner_label)
        pre_save.connect(_owner_saving, sender=owner, dispatch_uid=f"signoff-save-{owner_label}")
        for field in owner._meta.many_to_many:
            m2m_changed.connect(_owner_links, sender=field.remote_field.through, dispatch_uid=f"signoff-{field}")
        for part_label, _ in parts:
            post_save.connect(_part_saved, sender=apps.get_model(part_label), dispatch_uid=f"signoff-{part_label}")


def pending_for(obj):
    """The change to `obj` waiting for approval, or None."""
    return pending_for_pk(type(obj), obj.pk)


def pending_for_pk(model, pk):
    content_type = ContentType.objects.get_for_model(model)
    return (
        PendingRevision.objects.filter(content_type=content_type, object_id=pk, status=PendingRevision.Status.PENDING)
        .select_related("author")
        .first()
    )


def start(model, pk):
    """Inside `hold`: begin from the user's own waiting change to this record, if any (an admin form)."""
    collector = _collector.get()
    if collector is not None:
        collector.note(model, {pk})


def awaiting_approval():
    """Changes and submitted drafts waiting for a publisher, oldest first (for the review desk)."""
    return (
        PendingRevision.objects.filter(status=PendingRevision.Status.PENDING)
        .select_related("author")
        .order_by("created", "pk")
    )


def returned_to(user):
    """Changes by `user` that a publisher sent back, newest first, each with its comment."""
    return (
        PendingRevision.objects.filter(status=PendingRevision.Status.RETURNED, author=user)
        .select_related("decided_by")
        .order_by("-decided_at", "-pk")
    )


def own_change(model, pk, user):
    """`user`'s change to this record that is waiting, or was returned with nothing sent since; else None."""
    latest = (
        PendingRevision.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id=pk)
        .order_by("-created", "-pk")
        .first()
    )
    if latest is None or latest.author_id != user.pk or latest.publish:
        return None
    return latest if latest.status in (PendingRevision.Status.PENDING, PendingRevision.Status.RETURNED) else None


def last_returned(obj, user):
    """[user's latest change to `obj`] if a publisher returned it and nothing newer was sent since, else []."""
    latest = (
        PendingRevision.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk, author=user
        )
        .select_related("decided_by")
        .order_by("-created", "-pk")
        .first()
    )
    return [latest] if latest is not None and latest.status == PendingRevision.Status.RETURNED else []


def who(user):
    return (user.get_full_name() or user.get_username()) if user else "someone"


def keep_pending(held, user, base_url=""):
    """Store what `Held` carried as pending revisions of `user`; return those that change something.

    A record with someone else's change already waiting is refused (SignOffRefused): two people's
    changes are never laid one over the other. Records changed alongside that need no approval (a
    draft, in a bulk action over several) were rolled back with the rest: they are saved again here.
    """
    kept = []
    with transaction.atomic():
        for model, pk, data in held.held:
            live = history.snapshot(model, pk)
            content_type = ContentType.objects.get_for_model(model)
            current = (
                PendingRevision.objects.select_for_update()
                .filter(content_type=content_type, object_id=pk, status=PendingRevision.Status.PENDING)
                .first()
            )
            if current is not None and current.author_id != user.pk:
                raise SignOffRefused(
                    f"Nothing was saved: {who(current.author)}'s changes to “{current.title}” are already "
                    "waiting for approval. Ask a publisher to approve or return them first."
                )
            if history.same_content(data, live):
                if current is not None:
                    current.delete()  # its author undid every change: nothing waits any more
                continue
            version = model._base_manager.filter(pk=pk).values_list("version", flat=True).get()
            revision = current or PendingRevision(content_type=content_type, object_id=pk, author=user)
            revision.title, revision.snapshot, revision.base_version = data["title"][:300], data, version
            revision.save()
            kept.append(revision)
            if current is None:
                transaction.on_commit(
                    partial(submitted.send, sender=PendingRevision, revision=revision, base_url=base_url)
                )
        for model, pk, data in held.others:
            if not model._base_manager.filter(pk=pk).exists():
                raise SignOffRefused(
                    f"Nothing was saved: “{data['title']}” is new and was changed together with published items "
                    "that need a publisher's approval. Save it on its own first."
                )
            if not history.same_content(data, history.snapshot(model, pk)):
                history.apply_snapshot(
                    model,
                    pk,
                    data,
                    user=user,
                    reason="Saved with changes waiting for approval",
                    keep_publication=not may_publish(user, model),
                )
    return kept


def submit_draft(obj, user, base_url=""):
    """A draft sent to the publishers to be published; returns the PendingRevision."""
    model = type(obj)
    if obj.status == Status.PUBLISHED:
        raise SignOffRefused(f"“{obj}” is already published: changes to it are submitted when you save.")
    with transaction.atomic():
        current = pending_for(obj)
        if current is not None:
            raise SignOffRefused(f"“{obj}” is already waiting for approval (sent by {who(current.author)}).")
        revision = PendingRevision.objects.create(
            content_type=ContentType.objects.get_for_model(model),
            object_id=obj.pk,
            title=str(obj)[:300],
            snapshot=history.snapshot(model, obj.pk),
            base_version=obj.version,
            publish=True,
            author=user,
        )
        transaction.on_commit(partial(submitted.send, sender=PendingRevision, revision=revision, base_url=base_url))
    return revision


def approve(revision, user, comment="", base_url=""):
    """Put a pending change live (or publish a submitted draft); the page cache clears with the save."""
    with transaction.atomic():
        revision = PendingRevision.objects.select_for_update().get(pk=revision.pk)
        if revision.status != PendingRevision.Status.PENDING:
            raise SignOffRefused(f"This change was already {revision.get_status_display().lower()}.")
        model = revision.model
        if not may_publish(user, model):
            raise SignOffRefused("Only a publisher can approve changes.")
        reason = f"Approved by {who(user)}: changes by {who(revision.author)}"
        if revision.publish:
            obj = model._default_manager.select_for_update().get(pk=revision.object_id)
            obj.publish()
            obj.version += 1
            obj._history_user, obj._change_reason = user, reason
            obj.save()
        else:
            history.apply_snapshot(model, revision.object_id, revision.snapshot, user=user, reason=reason)
        _decide(revision, user, PendingRevision.Status.APPROVED, comment, base_url)
    return revision


def return_to_author(revision, user, comment, base_url=""):
    """Send a pending change back to its author with a comment; the public page stays as it is."""
    if not comment.strip():
        raise SignOffRefused("Say what needs changing: the comment is sent to the person who made the change.")
    with transaction.atomic():
        revision = PendingRevision.objects.select_for_update().get(pk=revision.pk)
        if revision.status != PendingRevision.Status.PENDING:
            raise SignOffRefused(f"This change was already {revision.get_status_display().lower()}.")
        if not may_publish(user, revision.model):
            raise SignOffRefused("Only a publisher can return changes.")
        _decide(revision, user, PendingRevision.Status.RETURNED, comment, base_url)
    return revision


def _decide(revision, user, status, comment, base_url):
    revision.status, revision.comment = status, comment.strip()
    revision.decided_by, revision.decided_at = user, timezone.now()
    revision.save()
    transaction.on_commit(partial(decided.send, sender=PendingRevision, revision=revision, base_url=base_url))


# --- What a waiting change would do ----------------------------------------------------------

PREVIEW_BANNER = (
    '<p class="draft-label signoff-preview" role="status">Preview: this page as it would look if the changes '
    "waiting for approval were approved. The public still sees the approved version.</p>"
)


def preview(revision, request):
    """The public page rendered from a waiting change, inside a transaction that is then rolled back."""
    model = revision.model
    with hold(request.user, discard=True):
        obj = history.apply_snapshot(model, revision.object_id, revision.snapshot, user=request.user)
        match = resolve(obj.get_absolute_url())
        response = match.func(request, *match.args, **match.kwargs)
        if hasattr(response, "render"):
            response.render()
    patch_cache_control(response, private=True, no_store=True)
    body = response.content.decode()
    at = body.find(">", body.find("<main")) + 1
    if body.find("<main") >= 0:
        response.content = (body[:at] + PREVIEW_BANNER + body[at:]).encode()
    return response


def differences(live, changed):
    """What a waiting change does, part by part: [{part, item, kind, fields: [(name, old, new, diff)]}]."""
    model = apps.get_model(changed["model"])
    found = []
    fields = _field_changes(model, live["fields"], changed["fields"])
    for name, pks in changed.get("links", {}).items():
        before = live.get("links", {}).get(name, [])
        if sorted(before) != sorted(pks):
            related = getattr(model, name).rel.related_model
            fields.append(_text_change(name.replace("_", " "), _names(related, before), _names(related, pks)))
    if fields:
        found.append(
            {
                "part": model._meta.verbose_name.capitalize(),
                "item": changed["title"],
                "kind": "changed",
                "fields": fields,
            }
        )
    for label, rows in changed["parts"].items():
        part_model = apps.get_model(label)
        noun = part_model._meta.verbose_name
        old_rows = {row["pk"]: row for row in live["parts"].get(label, [])}
        new_rows = {row["pk"]: row for row in rows if not row.get("new")}
        for row in rows:
            old = None if row.get("new") else old_rows.get(row["pk"])
            if old is None:
                changes = _field_changes(part_model, {}, row["fields"])
                found.append(
                    {"part": noun.capitalize(), "item": _row_name(part_model, row), "kind": "added", "fields": changes}
                )
            else:
                changes = _field_changes(part_model, old["fields"], row["fields"])
                if changes:
                    found.append(
                        {
                            "part": noun.capitalize(),
                            "item": _row_name(part_model, old),
                            "kind": "changed",
                            "fields": changes,
                        }
                    )
        for pk, old in old_rows.items():
            if pk not in new_rows:
                changes = _field_changes(part_model, old["fields"], {})
                found.append(
                    {
                        "part": noun.capitalize(),
                        "item": _row_name(part_model, old),
                        "kind": "removed",
                        "fields": changes,
                    }
                )
    return found


SKIPPED = history.BOOKKEEPING | {"position", "status", "published"}


def _field_changes(model, old, new):
    changes = []
    for name in new.keys() | old.keys():
        if name in SKIPPED or old.get(name) == new.get(name):
            continue
        field = model._meta.get_field(name)
        if field.is_relation and not field.many_to_many:
            continue
        if field.many_to_many:
            related = field.related_model
            changes.append(
                _text_change(
                    field.verbose_name, _names(related, old.get(name) or []), _names(related, new.get(name) or [])
                )
            )
        else:
            changes.append(_text_change(field.verbose_name, _shown(field, old.get(name)), _shown(field, new.get(name))))
    order = {f.verbose_name: i for i, f in enumerate(model._meta.get_fields()) if hasattr(f, "verbose_name")}
    return sorted(changes, key=lambda change: order.get(change[0], 999))


def _shown(field, value):
    if value in (None, ""):
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _names(model, pks):
    return "\n".join(sorted(str(obj) for obj in model._default_manager.filter(pk__in=pks)))


def _text_change(name, old, new):
    diff = ""
    if "\n" in old or "\n" in new or len(old) > 120 or len(new) > 120:
        diff = difflib.HtmlDiff(wrapcolumn=60).make_table(
            old.splitlines(),
            new.splitlines(),
            "Approved (public now)",
            "Waiting for approval",
            context=True,
            numlines=2,
        )
    return (str(name), old, new, mark_safe(diff))  # noqa: S308 - difflib escapes the text it lays out


def _row_name(model, row):
    fields = row["fields"]
    for name in ("heading", "title", "text", "figure"):
        if fields.get(name):
            text = str(fields[name])
            return text if len(text) <= 80 else text[:77] + "…"
    if "starts" in fields:
        return f"{model._meta.verbose_name} starting {fields['starts']}"
    return f"{model._meta.verbose_name} {row['pk']}"
