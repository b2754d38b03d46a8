"""Write the whole archive as JSON Lines (minutes/archive_export.py): a backup, or a move elsewhere."""

import os
import re
import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from minutes import archive_export
from minutes.models import Meeting


class Command(BaseCommand):
    help = (
        "Skriv hele arkivet som JSON Lines: ét møde pr. linje (som parse_minutes viser det) med id, "
        "adresse, kilde og kildetekst. Kan indlæses igen med import_archive."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            nargs="?",
            default="-",
            help="filen, der skrives; udeladt eller - skriver til standard-output",
        )
        parser.add_argument(
            "--uden-tekst",
            action="store_false",
            dest="include_text",
            help="udelad referaternes kildetekst (raw_text): filen bliver mindre, "
            "men møder indlæst fra den kan ikke fortolkes igen",
        )
        parser.add_argument(
            "--base-url",
            default="",
            help="gør adresserne absolutte, fx https://referater.kommune.dk; ellers kun stien, /moede/17/",
        )

    def handle(self, *args, file, include_text=True, base_url="", **options):
        if base_url and not re.match(r"https?://[^/\s]+", base_url):
            raise CommandError(f"--base-url skal begynde med http:// eller https://, ikke {base_url!r}")
        lines = archive_export.export_lines(include_text=include_text, base_url=base_url)
        show_progress = sys.stderr.isatty()
        total = Meeting.objects.count() if show_progress else None
        bar = tqdm(lines, total=total, unit="møde", disable=not show_progress, file=sys.stderr)
        if file == "-":
            count = self._write(bar, lambda line: self.stdout.write(line, ending=""))
            self.stderr.write(f"Eksporteret: {count} møder")  # stdout is the data
            return
        # Written beside the target and renamed when complete: a broken-off export never looks whole.
        partial = f"{file}.tmp"
        try:
            with open(partial, "w", encoding="utf-8", newline="\n") as handle:
                count = self._write(bar, handle.write)
            os.replace(partial, file)
        except OSError as error:
            raise CommandError(f"{file}: kan ikke skrive filen: {error.strerror or error}") from None
        finally:
            if os.path.exists(partial):
                os.remove(partial)
        self.stdout.write(f"Eksporteret: {count} møder til {file}")

    @staticmethod
    def _write(bar, write) -> int:
        count = 0
        with bar:
            for line in bar:
                write(line)
                count += 1
        return count
