"""Subscribing without an account: double opt-in, and links that carry the subscriber's token."""

import datetime

from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from mail.outbox import send_mail_later
from portal.models import SiteSettings

from .models import Subscriber
from .sending import CONFIRM_LINK_AGE, site_link, subscriber_links

CONFIRM_SALT = "alerts.confirm"
ONE_A_DAY = datetime.timedelta(days=1)
CHOICE_FIELDS = ["everything", "new_briefings", "updated_briefings", "new_sessions", "frequency"]


def confirm_link(subscriber):
    return site_link(reverse("alerts:confirm", args=[signing.dumps(subscriber.token, salt=CONFIRM_SALT)]))


def from_confirm_code(code):
    """The subscriber a confirmation code names, or None if it is forged, expired or its subscriber gone."""
    try:
        token = signing.loads(code, salt=CONFIRM_SALT, max_age=CONFIRM_LINK_AGE)
    except signing.BadSignature:
        return None
    return Subscriber.objects.filter(token=token).first()


def request_subscription(choices, now=None):
    """Send the confirmation email (or, to a subscribed address, its manage link); False if one went today.

    A subscribed address keeps its choices: only a link followed from its own mailbox changes them.
    """
    now = now or timezone.now()
    address = choices["email"]
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(email=address).first()
        if subscriber is not None and subscriber.asked_at and subscriber.asked_at > now - ONE_A_DAY:
            return False
        subscriber = subscriber or Subscriber(email=address)
        subscribed = subscriber.confirmed_at is not None and subscriber.suppressed_at is None
        if not subscribed:
            for name in CHOICE_FIELDS:
                setattr(subscriber, name, choices[name])
        subscriber.asked_at = now
        subscriber.save()
        if not subscribed:
            subscriber.themes.set(choices["themes"])
        site = SiteSettings.cached()
        context = {
            "site": site,
            "confirm_url": confirm_link(subscriber),
            "hours": int(CONFIRM_LINK_AGE.total_seconds() // 3600),
            "subscribed": subscribed,
            "staying_safe_url": site_link(reverse("staying-safe")),
            **subscriber_links(subscriber),
        }
        subject = (
            f"Your email updates from {site.partnership_name}"
            if subscribed
            else f"Confirm your email updates from {site.partnership_name}"
        )
        send_mail_later(
            subject,
            render_to_string("alerts/email/confirm.txt", context),
            [address],
            html=render_to_string("alerts/email/confirm.html", context),
            key=f"alerts-confirm:{subscriber.pk}:{now.isoformat()}",
        )
    return True


def confirm(subscriber):
    with transaction.atomic():
        Subscriber.objects.filter(pk=subscriber.pk, confirmed_at__isnull=True).update(confirmed_at=timezone.now())
        Subscriber.objects.filter(pk=subscriber.pk).update(suppressed_at=None, suppressed_reason="", failures=0)


def unsubscribe(token):
    """Forget the address at once; True if there was one (the send counts stay, without it)."""
    deleted, _ = Subscriber.objects.filter(token=token).delete()
    return bool(deleted)
