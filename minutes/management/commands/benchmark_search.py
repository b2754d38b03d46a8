"""Benchmark search through the full Django request: a fixed, rotating mix of queries.

Each request goes through the whole stack (middleware, view, filters, facets, snippets,
template) with Django's test client, against the configured database; run it on the
generated archive (see README "Benchmarks"). Prints p50, p95 and max per kind of request.
"""

import random
import statistics
import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client

from minutes.models import Case

# (kind, GET parameters): frequent and rare words, phrases, compounds, several words, syntax,
# and queries with filters and sorting. Every one renders a full results page with facets.
QUERIES = [
    ("frequent", {"q": "budget"}),
    ("frequent", {"q": "drøftet"}),
    ("frequent", {"q": "kommune"}),
    ("frequent", {"q": "godkendt"}),
    ("frequent", {"q": "økonomi"}),
    ("frequent", {"q": "orientering"}),
    ("frequent", {"q": "direktionen"}),
    ("frequent", {"q": "plan"}),
    ("rare", {"q": "skorstensfejerbidrag"}),
    ("rare", {"q": "rottebekæmpelse"}),
    ("rare", {"q": "kanalstrategi"}),
    ("rare", {"q": "jubilæum"}),
    ("rare", {"q": "onboarding"}),
    ("rare", {"q": "ladeinfrastruktur"}),
    ("phrase", {"q": '"central styring"'}),
    ("phrase", {"q": '"taget til efterretning"'}),
    ("phrase", {"q": '"kalundborg kommune"'}),
    ("phrase", {"q": '"budgetopfølgning pr"'}),
    ("compound", {"q": "flåde"}),
    ("compound", {"q": "infrastruktur"}),
    ("compound", {"q": "pulje"}),
    ("compound", {"q": "tilsyn"}),
    ("compound", {"q": "styring"}),
    ("compound", {"q": "kontrol"}),
    ("words", {"q": "budget august"}),
    ("words", {"q": "flådestyring bilflåde"}),
    ("words", {"q": "skole trivsel"}),
    ("words", {"q": "affald plan"}),
    ("syntax", {"q": "budget -august"}),
    ("syntax", {"q": "flåde or bilflåde"}),
    ("filtered", {"q": "budget", "aar": "2019"}),
    ("filtered", {"q": "drøftet", "beslutning": "discussed"}),
    ("filtered", {"q": "plan", "udvalg": "oekonomiudvalget"}),
    ("filtered", {"q": "strategi", "fra": "2015-01-01", "til": "2018-12-31"}),
    ("filtered", {"q": "tilsyn", "status": "aabne"}),
    ("filtered", {"q": "budget", "beslutning": ["approved", "recommended"]}),
    ("filtered", {"q": "økonomi", "behandles_af": "kommunalbestyrelsen"}),
    ("filtered", {"q": "godkendt", "sortering": "nyeste"}),
    ("filtered", {"aar": "2020", "udvalg": "direktionen"}),
    ("filtered", {"sortering": "aeldste"}),
    ("filtered", {"q": "budget", "side": "3"}),
    ("filtered", {}),
]


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = (
        "Mål søgningen gennem hele Django-forespørgslen: p50, p95 og maks. for en fast blanding af søgninger."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rounds", type=int, default=5, help="gennemløb af blandingen (standard 5)")
        parser.add_argument("--cases", type=int, default=40, help="sagsnumre at slå op pr. gennemløb")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--explain",
            metavar="PARAMETRE",
            help="vis i stedet EXPLAIN (ANALYZE, BUFFERS) for hver forespørgsel på én side, fx 'q=budget'",
        )
        parser.add_argument(
            "--api", action="store_true", help="mål JSON-API'et (/api/search, /api/cases/…), ikke siderne"
        )

    def handle(self, *args, rounds, cases, seed, explain=None, api=False, **options):
        # With DEBUG=false the page cache (page_cache.py) would answer every timed page from the warm-up
        # (0.7 ms): the figures would measure the cache, not search. Off for this process, whatever the
        # environment says.
        settings.PAGE_CACHE_SECONDS = 0
        client = Client(SERVER_NAME="127.0.0.1")  # must be in ALLOWED_HOSTS (it is by default)
        # Requests go as over HTTPS, as in production (SECURE_SSL_REDIRECT answers plain HTTP with 301).
        if explain is not None:
            return self.explain(client, explain)
        rng = random.Random(seed)
        numbers = list(Case.objects.order_by("?").values_list("number", flat=True)[: cases * rounds])
        if not numbers:
            raise CommandError("Arkivet har ingen sager; importér først (se README, Benchmarks).")
        timings: dict[str, list[float]] = {}

        def timed(kind, url, expect):
            start = time.perf_counter()
            response = client.get(url, secure=True)
            elapsed = (time.perf_counter() - start) * 1000
            if response.status_code not in (expect if isinstance(expect, tuple) else (expect,)):
                raise CommandError(f"{url}: svar {response.status_code}, ventede {expect}")
            timings.setdefault(kind, []).append(elapsed)
            return response

        search_path, label = ("/api/search?", "API-søgning") if api else ("/soeg/?", "resultatside")
        for _, params in QUERIES:  # warm up: caches, connections, plans
            client.get(search_path + urlencode(params, doseq=True), secure=True)
        for round_ in range(rounds):
            mix = QUERIES[:]
            rng.shuffle(mix)
            for kind, params in mix:
                # The page shows its last page for a "side" past it, the API says 404 (a small archive).
                timed(
                    f"{label} ({kind})",
                    search_path + urlencode(params, doseq=True),
                    (200, 404) if api else 200,
                )
            for number in numbers[round_ * cases : (round_ + 1) * cases]:
                if api:
                    timed("API: sag med tidslinje", f"/api/cases/{number}", 200)
                    continue
                typed = number.replace("-0", "-", 1)  # as people type it: 24-003210 -> 24-03210
                response = timed(
                    "sagsnr. i søgefeltet (viderestilling)", "/soeg/?" + urlencode({"q": typed}), 302
                )
                timed("sagsside", response.url, 200)

        self.stdout.write("Sidecachen er slået fra under målingen (PAGE_CACHE_SECONDS=0): hver side søges.")
        results = [t for kind, values in timings.items() if kind.startswith(label) for t in values]
        rows = [("alle API-søgninger" if api else "alle resultatsider", results)] + sorted(timings.items())
        width = max(len(kind) for kind, _ in rows)
        self.stdout.write(f"{'forespørgsel':{width}}  antal     p50     p95     maks (ms)")
        for kind, values in rows:
            self.stdout.write(
                f"{kind:{width}}  {len(values):5d} {statistics.median(values):7.1f} "
                f"{percentile(values, 0.95):7.1f} {max(values):8.1f}"
            )

    def explain(self, client, params):
        """Request /soeg/?<params> once, then show how PostgreSQL ran each SELECT it sent."""
        statements = []

        def record(execute, sql, sql_params, many, context):
            statements.append((sql, sql_params))
            return execute(sql, sql_params, many, context)

        with connection.execute_wrapper(record):
            start = time.perf_counter()
            client.get("/soeg/?" + params, secure=True)
            elapsed = (time.perf_counter() - start) * 1000
        self.stdout.write(f"/soeg/?{params}: {elapsed:.1f} ms, {len(statements)} forespørgsler\n")
        with connection.cursor() as cursor:
            for sql, sql_params in statements:
                if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                    continue
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, sql_params)
                self.stdout.write(" ".join(sql.split())[:300] + "\n")
                self.stdout.write("\n".join(row[0] for row in cursor.fetchall()) + "\n")
