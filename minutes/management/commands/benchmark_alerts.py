"""Benchmark send_alerts: N confirmed subscriptions of mixed kinds, an import of new generated referater,
then one real run that renders and sends every digest over SMTP to a sink on 127.0.0.1 (aiosmtpd, a
development dependency), with its time and memory.

The subscriptions are made like people's: a third searches (words from the archive's own item titles,
half of them with a filter: a body, a decision type or a year), the rest bodies, cases and people, a
share of them of the new referater so that there is something to send. They are confirmed at the
archive's current mark, so that only the new referater are news. Every subscription it made is deleted
at the end; the imported referater stay (use a database you can throw away).
"""

import multiprocessing
import random
import resource
import socket
import time
import tracemalloc

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.http import QueryDict
from django.utils import timezone

from minutes import generator, importer
from minutes.alerts.sending import send_alerts
from minutes.models import (
    AgendaItem,
    AlertKind,
    Body,
    Case,
    Meeting,
    Person,
    Publication,
    Subscription,
)

DOMAIN = "benchmark.invalid"


class Sink:
    """An SMTP server's handler that counts the mails and their bytes (shared values), and keeps nothing."""

    def __init__(self, mails, size):
        self.mails, self.size = mails, size

    async def handle_DATA(self, server, session, envelope):
        with self.mails.get_lock():
            self.mails.value += 1
            self.size.value += len(envelope.content)
        return "250 OK"


def serve_sink(port, mails, size, stop):
    """The SMTP sink, in a process of its own: in this one it would share the interpreter lock with the
    run it measures."""
    from aiosmtpd.controller import Controller

    controller = Controller(Sink(mails, size), hostname="127.0.0.1", port=port)
    controller.start()
    stop.wait()
    controller.stop()


def wait_for_port(port: int, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise CommandError("SMTP-modtageren startede ikke") from None
            time.sleep(0.05)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


class Command(BaseCommand):
    help = (
        "Mål send_alerts: opret N bekræftede abonnementer af alle slags, importér nye genererede referater "
        "og send alle mails over SMTP til en lokal modtager; udskriv tid og hukommelse. ADVARSEL: "
        "importerer i den konfigurerede database; brug en, du kan smide væk."
    )

    def add_arguments(self, parser):
        parser.add_argument("--subscriptions", type=int, default=10_000, help="antal abonnementer (10.000)")
        parser.add_argument("--referater", type=int, default=100, help="nye referater at importere (100)")
        parser.add_argument("--seed", type=int, default=17, help="vælger andre referater og abonnementer")
        parser.add_argument(
            "--tracemalloc",
            dest="trace",
            action="store_true",
            help="mål også Pythons største hukommelsesforbrug (langsommere)",
        )

    def handle(self, *args, subscriptions, referater, seed, trace, **options):
        try:
            import aiosmtpd  # noqa: F401
        except ImportError:
            raise CommandError("aiosmtpd mangler: pip install -e '.[dev]'") from None
        if not AgendaItem.objects.exists():
            raise CommandError("Arkivet er tomt: importér først (benchmark_import).")
        if settings.DEBUG:
            self.stderr.write(
                "Bemærk: DEBUG er slået til; Django gemmer forespørgslerne. Kør med DEBUG=false."
            )
        rng = random.Random(seed)
        Subscription.objects.filter(address__endswith="@" + DOMAIN).delete()

        start = time.perf_counter()
        meetings = self.import_new(referater, seed)
        imported = time.perf_counter() - start
        new_items = list(AgendaItem.objects.filter(meeting__in=meetings).values_list("pk", "case_id"))

        start = time.perf_counter()
        made = self.subscribe(subscriptions, rng, meetings, new_items)
        made_seconds = time.perf_counter() - start

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        received, size, stop = (
            multiprocessing.Value("q", 0),
            multiprocessing.Value("q", 0),
            multiprocessing.Event(),
        )
        sink = multiprocessing.Process(target=serve_sink, args=(port, received, size, stop), daemon=True)
        sink.start()
        wait_for_port(port)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        try:
            rss_before = rss_mib()
            if trace:
                tracemalloc.start()
            start = time.perf_counter()
            figures = send_alerts()
            seconds = time.perf_counter() - start
            traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
            if trace:
                tracemalloc.stop()
        finally:
            stop.set()
            sink.join(10)
            Subscription.objects.filter(address__endswith="@" + DOMAIN).delete()
        lines = [
            f"arkiv:          {AgendaItem.objects.count():,} punkter; {len(meetings)} nye referater med "
            f"{len(new_items)} punkter importeret på {imported:.1f} s",
            f"abonnementer:   {made} ({', '.join(f'{k}: {v}' for k, v in self.kinds.items())}), oprettet på "
            f"{made_seconds:.1f} s",
            f"send_alerts:    {seconds:.1f} s; {figures.subscriptions} undersøgt, "
            f"{figures.mails} mails sendt "
            f"({received.value} modtaget, {size.value / 2**20:.1f} MiB), {figures.failures} fejlede",
            "fordelt på:     " + ", ".join(f"{name} {sec:.1f} s" for name, sec in figures.seconds.items()),
            f"hukommelse:     RSS {rss_before:.0f} MiB før, {rss_mib():.0f} MiB efter, "
            f"højeste {peak_rss_mib():.0f} MiB",
        ]
        if traced is not None:
            lines.append(f"tracemalloc:    højeste Python-hukommelse under send_alerts {traced:.1f} MiB")
        self.stdout.write("\n".join(lines))

    def import_new(self, n: int, seed: int) -> list[int]:
        """Import n generated referater of meetings the archive doesn't have; their meetings' ids."""
        ids = []
        for meeting in generator.generate_meetings(generator.SLOTS, seed=seed):  # lazily, until n are new
            if len(ids) == n:
                break
            exists = Meeting.objects.filter(
                body__name=meeting.body, date=meeting.date, start_time=meeting.start_time
            ).exists()
            if not exists:
                name = f"benchmark-alerts-{seed}-{meeting.file_name}"
                outcome = importer.import_bytes(generator.render(meeting).encode(), name)
                ids.append(outcome.meeting_id)
        importer.finish_run()
        return ids

    def subscribe(self, n: int, rng: random.Random, meetings: list[int], new_items: list) -> int:
        """n confirmed subscriptions at the current mark: searches, bodies, cases and people."""
        titles = AgendaItem.objects.filter(sample=rng.randrange(1000)).values_list("title", flat=True)[:2000]
        words = sorted({w.lower() for title in titles for w in title.split() if len(w) >= 6 and w.isalpha()})
        bodies = list(Body.objects.values_list("pk", "slug", "name"))
        people = list(Person.objects.values_list("pk", "name"))
        new_cases = [case for _, case in new_items if case]
        other_cases = list(
            Case.objects.filter(pk__gte=rng.randrange(400_000)).values_list("pk", flat=True)[:3000]
        )
        cases = dict(Case.objects.filter(pk__in=new_cases + other_cases).values_list("pk", "number"))
        decisions = ["approved", "recommended", "noted", "postponed"]
        mark = Publication.objects.filter(item_id__in=[pk for pk, _ in new_items]).order_by("id")
        mark = (mark.values_list("id", flat=True).first() or 1) - 1
        rows = []
        now = timezone.now()
        self.kinds = {"søgning": 0, "udvalg": 0, "sag": 0, "person": 0}
        for i in range(n):
            roll = rng.random()
            row = {"address": f"abonnent-{i}@{DOMAIN}", "confirmed_at": now, "checked_at": now}
            if roll < 0.35:
                q = " ".join(rng.sample(words, 1 if rng.random() < 0.7 else 2))
                extra = rng.random()
                query = f"q={q}"
                if extra < 0.2:
                    query += f"&udvalg={rng.choice(bodies)[1]}"
                elif extra < 0.35:
                    query += f"&beslutning={rng.choice(decisions)}"
                elif extra < 0.5:
                    query += f"&aar={rng.choice([2024, 2025, 2026])}"
                params = QueryDict(mutable=True)
                for part in query.split("&"):
                    key, value = part.split("=", 1)
                    params[key] = value
                row.update(kind=AlertKind.SEARCH, query=params.urlencode(), description=f"søgningen «{q}»")
                self.kinds["søgning"] += 1
            elif roll < 0.55:
                pk, _, name = rng.choice(bodies)
                row.update(kind=AlertKind.BODY, body_id=pk, description=name)
                self.kinds["udvalg"] += 1
            elif roll < 0.8:
                pk = rng.choice(new_cases) if new_cases and rng.random() < 0.3 else rng.choice(other_cases)
                row.update(kind=AlertKind.CASE, case_id=pk, description=f"sag {cases[pk]}")
                self.kinds["sag"] += 1
            else:
                pk, name = rng.choice(people)
                row.update(kind=AlertKind.PERSON, person_id=pk, description=f"møderne med {name}")
                self.kinds["person"] += 1
            rows.append(Subscription(sent_up_to=mark, **row))
        Subscription.objects.bulk_create(rows, batch_size=2000)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE minutes_subscription, minutes_publication")
        return len(rows)
