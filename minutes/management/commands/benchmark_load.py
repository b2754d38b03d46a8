"""Load test: gunicorn on 127.0.0.1 under a steady rate of realistic requests (locust), with figures.

Run on the generated archive (README, "Load and outages"). The command picks pages to visit from the
configured database, collects static files, starts gunicorn with archive_site/gunicorn.conf.py on a
loopback port, warms it up, then runs locust (tests/load/locustfile.py) at each rate asked for, for a
bounded time, and prints throughput and p50/p95/p99 per kind of request from locust's request log.

``--outage START:LENGTH`` stops the embedded PostgreSQL server of ``--pg-data-dir`` START seconds into
the run and starts it again LENGTH seconds later; the figures are then split into before, during and
after the outage. Only loopback traffic, and every run ends by itself.
"""

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections

from minutes import embedded_postgres, page_cache
from minutes.management.commands.benchmark_search import QUERIES, percentile
from minutes.models import Body, Case, Meeting, Person

LOCUSTFILE = settings.BASE_DIR / "tests" / "load" / "locustfile.py"
P95_LIMIT_MS = 300  # the highest rate reported is the highest whose p95 stays under this


def sample_ids(table: str, n: int, seed: int) -> list[int]:
    """n ids of a table, spread over it (a Bernoulli sample is cheap on 1,000,000 rows)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT reltuples FROM pg_class WHERE relname = '{table}'")
        rows = max(cursor.fetchone()[0], n)
        share = min(100.0, 300.0 * n / rows)
        cursor.execute(
            f"SELECT id FROM {table} TABLESAMPLE BERNOULLI ({share}) REPEATABLE ({seed}) LIMIT {n}"
        )
        return [row[0] for row in cursor.fetchall()]


class Command(BaseCommand):
    help = "Belastningstest: gunicorn på 127.0.0.1 under en fast rate af realistiske forespørgsler (locust)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--rate", default="50", help="forespørgsler pr. sekund; flere med komma: 50,100,150"
        )
        parser.add_argument("--duration", type=int, default=60, help="sekunder pr. rate (standard 60)")
        parser.add_argument("--warmup", type=int, default=20, help="sekunders opvarmning, der ikke tælles")
        parser.add_argument("--workers", type=int, default=4, help="gunicorn-workers (standard 4)")
        parser.add_argument("--conn-max-age", type=int, default=60, help="CONN_MAX_AGE for gunicorn")
        parser.add_argument(
            "--page-cache", type=int, default=300, help="PAGE_CACHE_SECONDS for gunicorn; 0 = uden sidecache"
        )
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--outage", metavar="START:LENGTH", help="stop PostgreSQL START s inde i kørslen")
        parser.add_argument("--pg-data-dir", type=Path, help="den indlejrede servers mappe (til --outage)")
        parser.add_argument("--keep-log", type=Path, help="gem forespørgselsloggen (CSV) her")
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, **options):
        rates = [int(r) for r in options["rate"].split(",")]
        outage = None
        if options["outage"]:
            if not options["pg_data_dir"]:
                raise CommandError("--outage kræver --pg-data-dir (den indlejrede PostgreSQL-servers mappe)")
            start, length = (float(x) for x in options["outage"].split(":"))
            outage = (start, length, options["pg_data_dir"])
        work = Path(tempfile.mkdtemp(prefix="benchmark-load-"))
        targets = work / "targets.json"
        targets.write_text(json.dumps(self.targets(options["seed"])), encoding="utf-8")
        call_command("collectstatic", interactive=False, verbosity=0)
        caches[page_cache.ALIAS].clear()  # every run starts with no page kept; the warm-up fills it
        connections.close_all()
        server = self.start_gunicorn(options)
        try:
            self.stdout.write(f"Opvarmning {options['warmup']} s ved {rates[0]}/s …")
            self.locust(rates[0], options["warmup"], targets, work / "warmup.csv", options["port"])
            for rate in rates:
                log = options["keep_log"] or work / f"rate-{rate}.csv"
                log.unlink(missing_ok=True)
                timeline = {}
                if outage:
                    threading.Thread(target=self.outage, args=(*outage, timeline), daemon=True).start()
                started = time.time()
                self.locust(rate, options["duration"], targets, log, options["port"])
                rows = self.read_log(log)
                self.report(rate, options["duration"], rows, started, timeline)
                if not outage and percentile([r[3] for r in rows], 0.95) > P95_LIMIT_MS:
                    break
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)

    def targets(self, seed: int) -> dict:
        rng = random.Random(seed)
        meetings = sample_ids("minutes_meeting", 500, seed)
        cases = list(
            Case.objects.filter(pk__in=sample_ids("minutes_case", 500, seed)).values_list("number", flat=True)
        )
        years = sorted({d.year for d in Meeting.objects.dates("date", "year")})
        if not (meetings and cases):
            raise CommandError("Arkivet er tomt: importér først (README, Benchmarks)")
        return {
            "searches": [params for _, params in QUERIES],
            "meetings": meetings,
            "items": sample_ids("minutes_agendaitem", 500, seed),
            "cases": cases,
            "people": rng.sample(
                list(Person.objects.values_list("slug", flat=True)), k=min(200, Person.objects.count())
            ),
            "bodies": list(
                Body.objects.filter(meetings__isnull=False).distinct().values_list("slug", flat=True)
            ),
            "years": years,
        }

    def start_gunicorn(self, options) -> subprocess.Popen:
        port = options["port"]
        env = {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": os.getenv("SECRET_KEY") or "benchmark-load-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1",
            # plain HTTP on the loopback: no HTTPS redirect, as behind a TLS-terminating proxy
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "SECURE_COOKIES": "false",
            "CONN_MAX_AGE": str(options["conn_max_age"]),
            "PAGE_CACHE_SECONDS": str(options["page_cache"]),
            "WEB_CONCURRENCY": str(options["workers"]),
            "ACCESS_LOG": "/dev/null",
        }
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "archive_site/gunicorn.conf.py",
            "archive_site.wsgi",
        ]
        command += ["--bind", f"127.0.0.1:{port}"]
        server = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    if response.status == 200:
                        workers, age, kept = (
                            options["workers"],
                            options["conn_max_age"],
                            options["page_cache"],
                        )
                        self.stdout.write(
                            f"gunicorn: {workers} workers, CONN_MAX_AGE={age}, "
                            f"PAGE_CACHE_SECONDS={kept}, port {port}"
                        )
                        return server
            except OSError:
                time.sleep(0.5)
        server.kill()
        raise CommandError("gunicorn svarede ikke på /healthz inden for 60 s")

    def locust(self, rate: int, seconds: int, targets: Path, log: Path, port: int) -> None:
        env = {**os.environ, "LOAD_TARGETS": str(targets), "LOAD_LOG": str(log)}
        command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--only-summary"]
        command += ["-u", str(rate), "-r", str(rate), "--run-time", f"{seconds}s", "--stop-timeout", "5"]
        command += ["--host", f"http://127.0.0.1:{port}", "--loglevel", "WARNING"]
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, timeout=seconds + 120, check=False)

    def outage(self, start: float, length: float, data_dir: Path, timeline: dict) -> None:
        time.sleep(start)
        timeline["stop"] = time.time()
        embedded_postgres.stop(data_dir)
        timeline["stopped"] = time.time()
        time.sleep(length)
        timeline["start"] = time.time()
        embedded_postgres.ensure_running(data_dir)
        timeline["started"] = time.time()

    @staticmethod
    def read_log(log: Path) -> list[tuple[float, str, int, float]]:
        rows = []
        for line in log.read_text(encoding="utf-8").splitlines():
            start, kind, status, ms = line.split(",")
            rows.append((float(start), kind, int(status), float(ms)))
        return rows

    def report(self, rate, duration, rows, started, timeline) -> None:
        self.stdout.write(f"\n== {rate} forespørgsler/s i {duration} s ==")
        if not timeline:
            self.figures("alle", rows, duration)
            by_kind = defaultdict(list)
            for row in rows:
                by_kind[row[1]].append(row)
            for kind, kind_rows in sorted(by_kind.items(), key=lambda kv: -len(kv[1])):
                self.figures(f"  {kind}", kind_rows, duration)
            return
        down, up = timeline.get("stop", float("inf")), timeline.get("started", float("inf"))
        stopping, starting = timeline["stopped"] - down, up - timeline["start"]
        self.stdout.write(
            f"PostgreSQL stoppet {down - started:.1f} s inde (nede efter {stopping:.1f} s), "
            f"startet igen {timeline['start'] - started:.1f} s inde (klar efter {starting:.1f} s)"
        )
        before = [r for r in rows if r[0] + r[3] / 1000 < down]
        during = [r for r in rows if r[0] < up and r[0] + r[3] / 1000 >= down]
        after = [r for r in rows if r[0] >= up]
        self.figures("før", before, down - started)
        self.figures("under", during, up - down)
        self.figures("efter", after, started + duration - up)
        first_ok = min((r[0] for r in after if r[2] == 200), default=None)
        if first_ok is not None:
            self.stdout.write(f"første svar 200 efter genstart: {first_ok - up:.2f} s")
        failed_after = [r for r in after if r[2] != 200 and r[0] > up + 1]
        self.stdout.write(f"fejl mere end 1 s efter genstart: {len(failed_after)}")

    def figures(self, label, rows, seconds) -> None:
        if not rows:
            self.stdout.write(f"{label}: ingen forespørgsler")
            return
        ms = [r[3] for r in rows]
        statuses = Counter(r[2] for r in rows)
        status_text = ", ".join(f"{s or 'ingen forbindelse'}: {n}" for s, n in sorted(statuses.items()))
        self.stdout.write(
            f"{label}: {len(rows)} forespørgsler, {len(rows) / max(seconds, 1e-9):.1f}/s, "
            f"p50 {percentile(ms, 0.50):.0f} ms, p95 {percentile(ms, 0.95):.0f} ms, "
            f"p99 {percentile(ms, 0.99):.0f} ms, maks {max(ms):.0f} ms; status {status_text}"
        )
