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
from django.http import QueryDict
from django.test import Client

from minutes.models import AgendaItem, Case
from minutes.search import indexed
from minutes.search.filters import ItemFilter, read_filters

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


ENGINE_LABEL = "motoren alene"
POSTGRES_LABEL = "side uden indeks"


def _key(params) -> str:
    return urlencode(params, doseq=True)


def _bare_engine(params):
    """The engine's own work for a search, prepared outside the timing: the ranked top 20 and every
    facet's aggregation, as search/indexed.py asks for them, called directly on the searcher."""
    data = QueryDict(_key(params))
    reading = read_filters(data)
    filterset = ItemFilter(reading.params, queryset=AgendaItem.objects.all(), rows=reading.rows)
    filterset.is_valid()
    text = "" if "q" in filterset.errors else (filterset.form.cleaned_data.get("q") or "").strip()
    known: dict = {}
    parts = indexed.filter_parts(filterset, reading.rows)
    textual = indexed.searched(text, known)
    everything = indexed.narrowed(textual, parts.values())
    scope, aggregations = indexed.facet_plan(text, parts, known)
    sort = data.get("sortering") or ("relevans" if text else "nyeste")
    order = indexed.SORTS.get(sort)
    page = int(data.get("side") or 1)

    def run(searcher):
        offset = (page - 1) * 20
        if order:
            searcher.search(
                everything, 20, count=False, order_by_field=order[0], order=order[1], offset=offset
            )
        else:
            searcher.search(everything, 20, count=False, offset=offset, weight_by_field="prior")
        searcher.aggregate(scope, aggregations)

    return run


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
        parser.add_argument(
            "--postgresql",
            action="store_true",
            help="mål også siderne uden søgeindekset (kun PostgreSQL), i samme gennemløb",
        )

    def handle(self, *args, rounds, cases, seed, explain=None, api=False, postgresql=False, **options):
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
        searcher = indexed.current_searcher()
        if searcher is None:
            raise CommandError(
                "Søgeindekset er ikke brugbart (mangler, er bagud eller hører til en anden database): "
                "kør manage.py rebuild_search_index først."
            )
        bare = {_key(params): _bare_engine(params) for _, params in QUERIES}

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
                # The same query, interleaved: the bare engine, the page, and the page without the index.
                run = bare[_key(params)]
                start = time.perf_counter()
                run(searcher)
                timings.setdefault(f"{ENGINE_LABEL} ({kind})", []).append(
                    (time.perf_counter() - start) * 1000
                )
                # The page shows its last page for a "side" past it, the API says 404 (a small archive).
                timed(
                    f"{label} ({kind})",
                    search_path + urlencode(params, doseq=True),
                    (200, 404) if api else 200,
                )
                if postgresql:
                    settings.SEARCH_INDEX = False
                    try:
                        timed(
                            f"{POSTGRES_LABEL} ({kind})",
                            search_path + urlencode(params, doseq=True),
                            (200, 404) if api else 200,
                        )
                    finally:
                        settings.SEARCH_INDEX = True
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
        self.stdout.write(
            f"Søgeindeks: {searcher.num_docs:_} punkter. «{ENGINE_LABEL}»: samme forespørgsler direkte i"
            " tantivy (top 20 rangeret + alle facetter, eksakt), uden Django og PostgreSQL.".replace("_", ".")
        )
        everything = {
            name: [t for kind, values in timings.items() if kind.startswith(name + " (") for t in values]
            for name in (label, ENGINE_LABEL, POSTGRES_LABEL)
        }
        rows = [(f"alle: {name}", values) for name, values in everything.items() if values]
        rows += sorted(timings.items())
        width = max(len(kind) for kind, _ in rows)
        self.stdout.write(f"{'forespørgsel':{width}}  antal     p50     p95     maks (ms)")
        for kind, values in rows:
            self.stdout.write(
                f"{kind:{width}}  {len(values):5d} {statistics.median(values):7.1f} "
                f"{percentile(values, 0.95):7.1f} {max(values):8.1f}"
            )
        page, engine_alone = everything[label], everything[ENGINE_LABEL]
        self.stdout.write(
            f"Forhold {label} / {ENGINE_LABEL}: "
            f"p50 {statistics.median(page) / statistics.median(engine_alone):.2f}, "
            f"p95 {percentile(page, 0.95) / percentile(engine_alone, 0.95):.2f}"
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
