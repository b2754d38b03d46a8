"""Print the reading of one minutes file as JSON (docs/PARSE_OUTPUT.md); touches no database.

Start-up is kept cheap on purpose: the command imports only minutes.reading and
minutes.sources (no models, no importer, no search), and manage.py runs it without
setting Django up, because scoring runs it once per file (40 files in under 45 s).
"""

import json
import sys

from django.core.management.base import BaseCommand

from minutes import reading, sources

# The bundled sample referater help repair mojibake; read here rather than through the importer,
# which would import the models.
SAMPLE_DIR = __import__("pathlib").Path(__file__).resolve().parents[2] / "sample_minutes"


def run(file: str, out=sys.stdout, err=sys.stderr) -> int:
    """Read ``file`` and print its meeting as JSON; 0 when at least one item was found, else 1."""
    try:
        with open(file, "rb") as handle:
            data = handle.read()
    except OSError as error:
        return _fail(err, file, 1, f"kan ikke læse filen: {error.strerror or error}")
    try:
        data, _ = sources.referat_bytes(data, file)
        meeting = reading.read_bytes(
            data, reading.repair.vocabulary_from_files(sorted(SAMPLE_DIR.glob("*.txt")))
        )
    except sources.SourceError as error:
        return _fail(err, file, 1, error.reason)
    except reading.ParseError as error:
        return _fail(err, file, error.line, error.reason)
    except Exception as error:  # noqa: BLE001 - never a traceback for a user's file
        return _fail(err, file, 1, f"uventet fejl under fortolkningen ({type(error).__name__}: {error})")
    out.write(json.dumps(reading.meeting_to_json(meeting), ensure_ascii=False, indent=2) + "\n")
    if not meeting.items:
        return _fail(err, file, 1, "fandt ingen punkter")
    return 0


def _fail(err, file: str, line: int, reason: str) -> int:
    err.write(f"{file}:{line}: {reason}\n")
    return 1


class Command(BaseCommand):
    help = "Fortolk én referatfil (tekst, PDF, HTML eller XML) og skriv resultatet som JSON (rører ikke databasen)."  # noqa: E501
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="referatfil (.txt, .md, .pdf, .html eller .xml)")

    def handle(self, *args, file, **options):
        if code := run(file, self.stdout, self.stderr):
            sys.exit(code)
