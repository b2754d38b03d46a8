"""Build the search index from scratch from the database, while search goes on with the old one."""

import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from minutes.search import indexing


class Command(BaseCommand):
    help = (
        "Byg søgeindekset forfra fra databasen. Søgningen kører videre på det gamle indeks imens; "
        "det nye tages i brug, når det er færdigt."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--threads", type=int, default=2, help="indekseringstråde (standard: %(default)s)"
        )

    def handle(self, *args, threads, verbosity, **options):
        bar = tqdm(total=0, unit=" punkter", disable=verbosity == 0, desc="Søgeindeks")

        def progress(done, total):
            bar.total = total
            bar.n = done
            bar.refresh()

        started = time.monotonic()
        try:
            path, documents = indexing.rebuild(progress, threads=threads)
        except indexing.IndexBusy as busy:
            raise CommandError(str(busy)) from None
        finally:
            bar.close()
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Søgeindekset er bygget: {documents:,} punkter på {seconds:.0f} s ({path}).".replace(
                    ",", "."
                )
            )
        )
