"""Import referater from files, folders and globs; one transaction per referat."""

import argparse
import datetime
import sys
from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from minutes import importer


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' er ikke en dato på formen ÅÅÅÅ-MM-DD") from None


class Command(BaseCommand):
    help = "Importér referater (.txt, .md, .pdf) fra filer, mapper og mønstre (globs)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="filer, mapper eller mønstre, fx 'referater/**/*.txt'")
        parser.add_argument("--dry-run", action="store_true", help="fortolk og kontrollér, men skriv intet")
        parser.add_argument(
            "--jobs",
            type=int,
            default=1,
            help="importér i så mange processer på én gang (2 på en maskine med 2 kerner); standard 1",
        )
        parser.add_argument(
            "--max-mb",
            type=float,
            default=None,
            help="største fil i MB, der importeres (standard: uploadens grænse, UPLOAD_MAX_BYTES)",
        )
        parser.add_argument(
            "--udvalg", help="udvalget, der holdt mødet, hvor filerne ikke nævner det (går forud for filens)"
        )
        parser.add_argument(
            "--dato", type=_date, help="mødedatoen ÅÅÅÅ-MM-DD, hvor filerne ikke selv nævner den"
        )
        parser.add_argument(
            "--som-det-er",
            action="store_true",
            dest="as_is",
            help="importér et afkortet dokument så langt, det rækker (mødet vises med kun nogle punkter)",
        )

    def handle(self, *args, paths, dry_run, jobs, max_mb, udvalg, dato, as_is, **options):
        if max_mb is not None and max_mb <= 0:
            raise CommandError("--max-mb skal være et positivt tal")
        max_bytes = None if max_mb is None else int(max_mb * 1024 * 1024)
        counts = Counter()

        def readable_files():
            # Paths stream from the folders to the importer: nothing is listed or read ahead.
            for path, problem in importer.minutes_files(paths):
                if problem:
                    self.stderr.write(f"{path}: {problem}")
                    counts["failed"] += 1
                else:
                    yield path

        results = importer.import_files(
            readable_files(),
            jobs=jobs,
            dry_run=dry_run,
            max_bytes=max_bytes,
            supplied={"body": udvalg, "date": dato, "as_is": as_is},
        )
        with tqdm(results, unit="referat", disable=not sys.stderr.isatty(), file=sys.stderr) as bar:
            for result in bar:
                if result.error:
                    bar.clear()
                    self.stderr.write(result.error)
                    counts["failed"] += 1
                else:
                    counts[result.outcome.status] += 1
        verb = "Ville importere" if dry_run else "Importeret"
        summary = (
            f"{verb}: {counts['created']} oprettet, {counts['updated']} opdateret, "
            f"{counts['unchanged']} uændret, {counts['failed']} fejlede"
        )
        if counts[importer.SUPERSEDED]:
            summary += f" ({counts[importer.SUPERSEDED]} sprunget over: en senere fil har samme møde)"
        self.stdout.write(summary)
        if counts["failed"]:
            sys.exit(1)
