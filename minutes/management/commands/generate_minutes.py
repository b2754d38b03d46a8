"""Write N synthetic referater (minutes/generator.py) to OUTDIR/<year>/<name>.txt, one at a time."""

import pathlib
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from minutes import generator


class Command(BaseCommand):
    help = (
        "Skriv N syntetiske referater i seed-formaterne til OUTDIR/<år>/<navn>.txt (til benchmarks). "
        "Samme N og --seed giver de samme filer."
    )

    def add_arguments(self, parser):
        parser.add_argument("n", type=int, help="antal referater")
        parser.add_argument("outdir", type=pathlib.Path, help="mappe; oprettes om nødvendigt")
        parser.add_argument("--seed", type=int, default=0, help="vælger et andet, lige så realistisk arkiv")

    def handle(self, *args, n, outdir, seed, **options):
        if not 0 <= n <= generator.SLOTS:
            raise CommandError(f"N skal være mellem 0 og {generator.SLOTS}")
        start = time.perf_counter()
        files = items = size = 0
        for path, item_count in generator.write_minutes(n, outdir, seed, progress=sys.stderr.isatty()):
            files += 1
            items += item_count
            size += path.stat().st_size
        seconds = time.perf_counter() - start
        self.stdout.write(
            f"Skrev {files} referater med {items} punkter ({size / 1e6:.1f} MB) til {outdir} "
            f"på {seconds:.1f} s ({files / max(seconds, 1e-9):.0f} referater/s)"
        )
