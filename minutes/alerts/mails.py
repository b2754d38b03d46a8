"""The alerts' mails: Danish, plain text with an HTML alternative, links absolute (settings.SITE_URL).

Every mail about a subscription carries RFC 8058 one-click unsubscribe headers: ``List-Unsubscribe``
with the subscription's own unsubscribe URL (a POST to it ends the subscription, no CSRF token needed)
and ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``.
"""

import smtplib
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
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


class Outbox:
    """Sends mails over ALERT_SMTP_CONNECTIONS SMTP connections at once, one per thread, so that the
    waits for the server's answers overlap. ``send`` hands a mail over and returns the results of the
    mails that finished meanwhile, as (key, sent); ``finish`` waits for the rest. At most twice as many
    mails as connections are in flight, so memory stays flat.
    """

    def __init__(self, connections: int | None = None):
        self.size = max(1, connections or settings.ALERT_SMTP_CONNECTIONS)
        self.pool = ThreadPoolExecutor(self.size, thread_name_prefix="smtp")
        self.local = threading.local()
        self.opened: list = []
        self.lock = threading.Lock()
        self.pending: deque = deque()

    def send(self, key, mail) -> list[tuple[object, bool]]:
        self.pending.append((key, self.pool.submit(self._send, mail)))
        done = []
        while self.pending and (len(self.pending) > 2 * self.size or self.pending[0][1].done()):
            done.append(self._result(*self.pending.popleft()))
        return done

    def finish(self) -> list[tuple[object, bool]]:
        done = [self._result(*self.pending.popleft()) for _ in range(len(self.pending))]
        self.pool.shutdown()
        for connection in self.opened:
            connection.close()
        return done

    @staticmethod
    def _result(key, future) -> tuple[object, bool]:
        return key, future.result()

    def _send(self, mail) -> bool:
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = self.local.connection = get_connection()
            with self.lock:
                self.opened.append(connection)
        try:
            connection.open()  # once: an open connection stays open (send_messages would close its own)
            connection.send_messages([mail])
            return True
        except (OSError, smtplib.SMTPException):
            connection.close()  # the server may have hung up: the next mail opens a new connection
            return False
