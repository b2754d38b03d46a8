"""The alerts' mails: Danish, plain text with an HTML alternative, links absolute (settings.SITE_URL).

Every mail about a subscription carries RFC 8058 one-click unsubscribe headers: ``List-Unsubscribe``
with the subscription's own unsubscribe URL (a POST to it ends the subscription, no CSRF token needed)
and ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``.
"""

import multiprocessing
import os
import smtplib
from collections import deque
from dataclasses import dataclass, field
from email.utils import make_msgid
from multiprocessing.connection import wait

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


SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
IN_FLIGHT = 2  # mails handed to one connection and not answered yet
# Everything Django's mail classes and backends read (the SMTP server, its login and TLS, the charset).
MAIL_SETTINGS = (
    "DEFAULT_CHARSET",
    "DEFAULT_FROM_EMAIL",
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
    "EMAIL_SSL_CERTFILE",
    "EMAIL_SSL_KEYFILE",
    "EMAIL_TIMEOUT",
    "EMAIL_USE_LOCALTIME",
)


class Outbox:
    """Sends mails over ALERT_SMTP_CONNECTIONS SMTP connections at once, each in a worker process of its
    own, so that the waits for the server's answers overlap and so does the work: making a mail's MIME
    bytes is Python (the email package), which threads of one process can't run at the same time (the
    interpreter lock), while this process finds and writes the next mails.

    ``send`` hands a mail over and returns the results of the mails that finished meanwhile, as
    (key, sent); ``finish`` waits for the rest. At most IN_FLIGHT mails per connection are in flight, so
    memory stays flat and a run that dies leaves no more than those unrecorded: a worker stops when its
    run is gone (see _work). The workers are spawned (a fresh interpreter, not a fork of this process
    with its database connection) with the mail settings only. Other backends than SMTP (the console's,
    the tests' in-memory outbox) send from this process, one mail at a time.
    """

    def __init__(self, connections: int | None = None):
        self.size = max(1, connections or settings.ALERT_SMTP_CONNECTIONS)
        self.workers: list[_Worker] = []  # started with the first mail
        self.local = None if settings.EMAIL_BACKEND == SMTP_BACKEND else get_connection()

    def send(self, key, mail) -> list[tuple[object, bool]]:
        if self.local is not None:
            return [(key, _deliver(self.local, mail))]
        if not self.workers:
            self.workers = [_Worker.start() for _ in range(self.size)]
        done = []
        while len((worker := min(self.workers, key=lambda w: len(w.keys))).keys) >= IN_FLIGHT:
            done += self._collect(block=True)
        try:
            worker.pipe.send(mail)
        except OSError:  # the worker died: this mail is not sent either
            return done + self._replace(worker) + [(key, False)]
        worker.keys.append(key)
        return done + self._collect(block=False)

    def finish(self) -> list[tuple[object, bool]]:
        done = []
        while any(worker.keys for worker in self.workers):
            done += self._collect(block=True)
        for worker in self.workers:
            worker.stop()
        self.workers = []
        if self.local is not None:
            self.local.close()
        return done

    def _collect(self, block: bool) -> list[tuple[object, bool]]:
        """The answers that have come (block: at least one)."""
        busy = [worker for worker in self.workers if worker.keys]
        ready = wait([worker.pipe for worker in busy], timeout=None if block else 0)
        done = []
        for worker in busy:
            if worker.pipe not in ready:
                continue
            try:
                sent = worker.pipe.recv()
            except (EOFError, OSError):
                done += self._replace(worker)
                continue
            done.append((worker.keys.popleft(), sent))
        return done

    def _replace(self, worker: "_Worker") -> list[tuple[object, bool]]:
        """A worker that died: its mails in flight count as not sent (the next run sends them), a new
        worker takes its place."""
        worker.process.kill()
        worker.stop()
        self.workers[self.workers.index(worker)] = _Worker.start()
        return [(key, False) for key in worker.keys]


@dataclass
class _Worker:
    process: object
    pipe: object  # this end of a duplex pipe: mails out, answers (sent or not) back, in order
    keys: deque = field(default_factory=deque)  # of the mails in flight

    @classmethod
    def start(cls) -> "_Worker":
        context = multiprocessing.get_context("spawn")
        here, there = context.Pipe()
        mail_settings = {name: getattr(settings, name) for name in MAIL_SETTINGS if hasattr(settings, name)}
        process = context.Process(target=_work, args=(there, mail_settings, os.getpid()), daemon=True)
        process.start()
        there.close()  # the worker's end lives in the worker only: a dead run is EOF to it
        return cls(process, here)

    def stop(self) -> None:
        self.pipe.close()
        self.process.join()


def _work(pipe, mail_settings: dict, run: int) -> None:
    """A worker process: send each mail that comes over one SMTP connection, answer whether the server
    took it. It stops when its run is gone (the pipe closed, or the run killed: it is no longer this
    process's parent), so that a killed run's mails in flight are not sent after it."""
    settings.configure(**mail_settings)
    connection = get_connection()
    try:
        while True:
            try:
                mail = pipe.recv()
            except EOFError:
                return
            if os.getppid() != run:
                return
            pipe.send(_deliver(connection, mail))
    except OSError:  # the run closed its end while this answered
        return
    finally:
        connection.close()


def _deliver(connection, mail) -> bool:
    try:
        connection.open()  # once: an open connection stays open (send_messages would close its own)
        connection.send_messages([mail])
        return True
    except (OSError, smtplib.SMTPException):
        connection.close()  # the server may have hung up: the next mail opens a new connection
        return False
