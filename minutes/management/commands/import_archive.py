"""Read an export_archive file (JSON Lines) into the archive, one transaction per meeting."""

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from minutes import archive_export, importer


class Command(BaseCommand):
    help = (
        "Indlæs en fil skrevet af export_archive (JSON Lines) i arkivet, ét møde ad gangen. Møder, "
        "arkivet allerede har, lades urørt; en forkert linje springes over og nævnes med sit linjenummer."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="filen fra export_archive; - læser fra standard-input")

    def handle(self, *args, file, **options):
        if file == "-":
            self._import(sys.stdin.buffer, "stdin")
            return
        try:
            handle = open(file, "rb")  # bytes: each line is decoded alone, a bad one fails alone
        except OSError as error:
            raise CommandError(f"{file}:1: kan ikke læse filen: {error.strerror or error}") from None
        with handle:
            self._import(handle, file)

    def _import(self, handle, name: str) -> None:
        bar = tqdm(handle, unit="møde", disable=not sys.stderr.isatty(), file=sys.stderr)

        def report(failure: importer.ImportFailure) -> None:
            bar.clear()
            self.stderr.write(str(failure))

        with bar:
            counts = archive_export.import_lines(bar, name=name, on_error=report)
        self.stdout.write(
            f"Indlæst: {counts[importer.CREATED]} oprettet, {counts[importer.UPDATED]} opdateret, "
            f"{counts[importer.UNCHANGED]} uændret, {counts[archive_export.FAILED]} fejlede"
        )
        if counts[archive_export.FAILED]:
            sys.exit(1)
