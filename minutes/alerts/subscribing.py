"""Asking for an alert, confirming it, and leaving: double opt-in that can't be used to mail-bomb.

* Nothing is sent to an address before its owner used the confirmation link; the link's token is
  ``secrets.token_urlsafe`` (256 bits), stored only as its sha256, and expires after
  ALERT_CONFIRMATION_HOURS; ``send_alerts`` deletes requests that were never confirmed.
* At most one confirmation mail per address per hour (whatever it is asked to follow), and at most
  ALERT_REQUESTS_PER_CLIENT_HOUR requests per client address (counted in the "limits" cache under a
  hash of the client's IP address, which is not stored anywhere else).
* The links in every mail (manage, unsubscribe) carry the subscription's id signed with SECRET_KEY
  (django.core.signing, HMAC-SHA256): nothing to store, nothing to guess, valid as long as the
  subscription exists, so the unsubscribe link of an old mail still works.
* Leaving deletes the row; an address with no subscription left is not kept anywhere.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from minutes.alerts import mails
from minutes.models import AlertFrequency, Publication, Subscription

CONFIRMATION_MAIL_EVERY = datetime.timedelta(hours=1)
SIGNING_SALT = "minutes.alerts.subscription"


class Refused(Exception):
    """A request the archive won't act on; the message is Danish, for the page."""


def normalised(address: str) -> str:
    # Addresses differ in case only in theory: one address, one throttle, one row per thing followed.
    return address.strip().lower()


def hashed(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_token(subscription: Subscription) -> str:
    return signing.Signer(salt=SIGNING_SALT).sign(str(subscription.pk))


def by_link_token(token: str) -> Subscription | None:
    """The subscription a manage or unsubscribe link names, if the link is genuine and it still exists."""
    try:
        pk = int(signing.Signer(salt=SIGNING_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    return Subscription.objects.filter(pk=pk, confirmed_at__isnull=False).first()


def manage_url(subscription: Subscription) -> str:
    return mails.absolute(reverse("minutes:alert_manage", args=[link_token(subscription)]))


def unsubscribe_url(subscription: Subscription) -> str:
    return mails.absolute(reverse("minutes:alert_unsubscribe", args=[link_token(subscription)]))


def count_client_request(client: str) -> None:
    """Count one subscribe request of this client; Refused when it has made too many this hour."""
    limits = caches["limits"]
    key = "alerts:client:" + hashlib.sha256(f"{settings.SECRET_KEY}|{client}".encode()).hexdigest()
    limits.add(key, 0, timeout=3600)
    try:
        count = limits.incr(key)
    except ValueError:  # expired between add and incr
        limits.set(key, 1, timeout=3600)
        count = 1
    if count > settings.ALERT_REQUESTS_PER_CLIENT_HOUR:
        raise Refused(
            "Der er bedt om for mange abonnementer fra din forbindelse den seneste time. Prøv igen senere."
        )


def subscribe(address: str, followed, frequency: str, *, now=None) -> bool:
    """Ask for ``followed`` to be mailed to ``address``: a confirmation mail with a fresh link.

    False, and no mail, when the address already follows it (the page says the same either way, so
    nobody learns what another address follows). Refused when the address had a confirmation mail
    less than an hour ago, or the mail can't be sent.
    """
    address, now = normalised(address), now or timezone.now()
    with transaction.atomic():
        # Two requests for one address at once: one waits, then sees the other's mail and is throttled.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 17))", [address])
        rows = Subscription.objects.filter(address=address)
        existing = rows.filter(
            kind=followed.kind,
            query=followed.query,
            case=followed.case,
            body=followed.body,
            person=followed.person,
        ).first()
        if existing and existing.confirmed_at:
            return False
        last = max(
            (sent for sent in rows.values_list("confirmation_sent_at", flat=True) if sent), default=None
        )
        if last and now - last < CONFIRMATION_MAIL_EVERY:
            at = timezone.localtime(last + CONFIRMATION_MAIL_EVERY)
            raise Refused(
                "Adressen har fået en mail med et bekræftelseslink for under en time siden. "
                f"Brug linket i den, eller bed om et nyt efter kl. {at:%H.%M}."
            )
        token = secrets.token_urlsafe(32)
        subscription = existing or Subscription(
            address=address,
            kind=followed.kind,
            query=followed.query,
            case=followed.case,
            body=followed.body,
            person=followed.person,
        )
        subscription.description = followed.what
        subscription.frequency = (
            frequency if frequency in AlertFrequency.values else AlertFrequency.IMMEDIATELY
        )
        subscription.confirmation_hash = hashed(token)
        subscription.confirmation_sent_at = now
        subscription.confirmation_expires_at = now + datetime.timedelta(
            hours=settings.ALERT_CONFIRMATION_HOURS
        )
        subscription.save()
        mail = mails.build(
            address,
            f"Bekræft: følg {followed.what}",
            "confirmation",
            {
                "what": followed.what,
                "frequency": subscription.get_frequency_display().lower(),
                "page_url": mails.absolute(followed.url),
                "confirm_url": mails.absolute(reverse("minutes:alert_confirm", args=[token])),
                "hours": settings.ALERT_CONFIRMATION_HOURS,
            },
        )
        try:
            mail.send()
        except OSError:  # smtplib's errors are OSErrors; the request is undone with the transaction
            raise Refused("Mailen kunne ikke sendes lige nu. Prøv igen om lidt.") from None
    return True


def waiting_for(token: str, *, now=None) -> Subscription | None:
    """The unconfirmed request a confirmation link names, if the link is genuine and has not expired."""
    now = now or timezone.now()
    return Subscription.objects.filter(
        confirmation_hash=hashed(token), confirmed_at__isnull=True, confirmation_expires_at__gt=now
    ).first()


def confirm(subscription: Subscription, *, now=None) -> None:
    """From now on: its mark is what is published so far, so the first mail holds only what comes next."""
    now = now or timezone.now()
    Subscription.objects.filter(pk=subscription.pk, confirmed_at__isnull=True).update(
        confirmed_at=now,
        confirmation_hash="",
        confirmation_expires_at=None,
        sent_up_to=Publication.objects.committed_bound(),
        checked_at=now,
    )
    subscription.refresh_from_db()


def unsubscribe(subscription: Subscription) -> None:
    Subscription.objects.filter(pk=subscription.pk).delete()


def subscriptions_of(subscription: Subscription):
    """Every confirmed subscription of the address of this one, with what they name read."""
    return (
        Subscription.objects.filter(address=subscription.address, confirmed_at__isnull=False)
        .select_related("case", "body", "person")
        .order_by("pk")
    )


def purge_expired(*, now=None) -> int:
    """Delete the requests never confirmed whose link has expired; how many."""
    now = now or timezone.now()
    expired = Subscription.objects.filter(confirmed_at__isnull=True, confirmation_expires_at__lte=now)
    return expired.delete()[0]
