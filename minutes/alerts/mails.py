"""The alerts' mails: Danish, plain text with an HTML alternative, links absolute (settings.SITE_URL).

Every mail about a subscription carries RFC 8058 one-click unsubscribe headers: ``List-Unsubscribe``
with the subscription's own unsubscribe URL (a POST to it ends the subscription, no CSRF token needed)
and ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``.
"""

from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def build(address: str, subject: str, template: str, context: dict, *, unsubscribe: str = "", key: str = ""):
    """A mail to ``address`` from templates/minutes/alerts/<template>.txt and .html.

    ``unsubscribe``: the absolute one-click unsubscribe URL. ``key``: makes the Message-ID the same for
    the same mail, so that a mail sent again after a run died between sending and recording it is
    recognisable as the same one.
    """
    context = {**context, "site_url": settings.SITE_URL, "unsubscribe_url": unsubscribe}
    headers = {}
    if unsubscribe:
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    domain = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
    headers["Message-ID"] = f"<{key}@{domain}>" if key else make_msgid(domain=domain)
    mail = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string(f"minutes/alerts/{template}.txt", context),
        to=[address],
        headers=headers,
    )
    mail.attach_alternative(render_to_string(f"minutes/alerts/{template}.html", context), "text/html")
    return mail
