"""Benchmark the import: generate N referater, import them as import_minutes does, print figures.

The import is the real one, ``importer.import_files`` with ``--jobs`` processes: each file
is read when its turn comes, so memory stays flat however large N is; the figures show the
resident memory of this process at 10 %, 50 % and 100 % and the peak of the import processes.
"""

import collections
import pathlib
import resource
import sys
import tempfile
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from minutes import generator, importer
from minutes.models import Meeting


def rss_kib() -> int:
    """This process's resident set size now (Linux), else its peak so far."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


class Command(BaseCommand):
    help = (
        "Mål importen: generér N syntetiske referater, importér dem som import_minutes og udskriv "
        "referater/s, punkter/s og hukommelsesforbrug. ADVARSEL: skriver i den konfigurerede database "
        "(DATABASE_URL, ellers den indbyggede i .pgdata/); brug en tom database, du kan smide væk. "
        "Nægter at køre, hvis arkivet allerede har møder, medmindre --allow-existing er givet."
    )

    def add_arguments(self, parser):
        parser.add_argument("n", type=int, help="antal referater")
        parser.add_argument("--seed", type=int, default=0, help="vælger et andet syntetisk arkiv")
        parser.add_argument("--jobs", type=int, default=2, help="importprocesser (som import_minutes --jobs)")
        parser.add_argument(
            "--keep-files", type=pathlib.Path, metavar="DIR", help="skriv filerne i DIR og behold dem"
        )
        parser.add_argument("--allow-existing", action="store_true", help="kør selv om arkivet har møder")

    def handle(self, *args, n, seed, jobs, keep_files, allow_existing, **options):
        if not 1 <= n <= generator.SLOTS:
            raise CommandError(f"N skal være mellem 1 og {generator.SLOTS}")
        if not allow_existing and Meeting.objects.exists():
            raise CommandError(
                "Arkivet har allerede møder, og benchmarken skriver i databasen. Brug en tom database "
                "eller --allow-existing."
            )
        if settings.DEBUG:
            self.stderr.write(
                "Bemærk: DEBUG er slået til; Django gemmer forespørgslerne. Kør med DEBUG=false."
            )
        if keep_files:
            self.run(n, seed, jobs, keep_files)
        else:
            with tempfile.TemporaryDirectory(prefix="benchmark-referater-") as folder:
                self.run(n, seed, jobs, pathlib.Path(folder))

    def run(self, n, seed, jobs, folder):
        progress = sys.stderr.isatty()
        start = time.perf_counter()
        for _ in generator.write_minutes(n, folder, seed, progress=progress):
            pass
        generated = time.perf_counter() - start

        marks = {max(1, n * share // 100): f"{share} %" for share in (10, 50, 100)}
        rss = {}
        counts = collections.Counter()
        items = done = 0
        start = time.perf_counter()
        results = importer.import_files(
            (path for path, _ in importer.minutes_files([str(folder)])), jobs=jobs
        )
        for result in tqdm(results, total=n, unit="referat", disable=not progress, file=sys.stderr):
            done += 1
            if result.error:
                self.stderr.write(result.error)
                counts["failed"] += 1
            else:
                counts[result.outcome.status] += 1
                items += result.outcome.items
            if done in marks:
                rss[marks[done]] = rss_kib()
        seconds = time.perf_counter() - start

        workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        self.stdout.write(
            "\n".join(
                [
                    f"referater:    {done} ({counts['created']} oprettet, {counts['updated']} opdateret, "
                    f"{counts['unchanged']} uændret, {counts['failed']} fejlede), {jobs} importprocesser",
                    f"punkter:      {items}",
                    f"sekunder:     {seconds:.1f} til import ({generated:.1f} til generering)",
                    f"referater/s:  {done / seconds:.1f}",
                    f"punkter/s:    {items / seconds:.0f}",
                    "hukommelse:   denne proces ved "
                    + ", ".join(f"{label}: {mib(kib)}" for label, kib in rss.items())
                    + f"; maks. RSS for en importproces: {mib(workers)}",
                ]
            )
        )
