"""Print the parse of one minutes file as JSON (PARSE_OUTPUT.md); touches no database."""

import json
import sys

from django.core.management.base import BaseCommand

from minutes import importer, parser


class Command(BaseCommand):
    help = "Fortolk én referatfil og skriv resultatet som JSON (rører ikke databasen)."
    requires_system_checks = []

    def add_arguments(self, parser_):
        parser_.add_argument("file", help="referatfil (.txt eller .md)")

    def handle(self, *args, file, **options):
        try:
            with open(file, "rb") as handle:
                data = handle.read()
        except OSError as error:
            self._fail(file, 1, f"kan ikke læse filen: {error.strerror or error}")
        try:
            meeting = importer.read(data, file).meeting
        except importer.ImportFailure as failure:
            self._fail(file, failure.line, failure.reason)
        except Exception as error:  # noqa: BLE001 - never a traceback for a user's file
            self._fail(file, 1, f"uventet fejl under fortolkningen ({type(error).__name__}: {error})")
        self.stdout.write(json.dumps(parser.meeting_to_dict(meeting), ensure_ascii=False, indent=2))

    def _fail(self, file, line, reason):
        self.stderr.write(f"{file}:{line}: {reason}")
        sys.exit(1)
