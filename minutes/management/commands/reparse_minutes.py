"""Parse the stored raw text of every meeting again, after the parser has improved."""

import sys
from collections import Counter

from django.core.management.base import BaseCommand
from tqdm import tqdm

from minutes import importer
from minutes.models import Meeting


class Command(BaseCommand):
    help = "Fortolk den gemte kildetekst for alle møder igen (efter en forbedring af fortolkeren)."

    def handle(self, *args, **options):
        counts = Counter()
        ids = list(Meeting.objects.order_by("pk").values_list("pk", flat=True))
        for pk in tqdm(ids, unit="møde", disable=not sys.stderr.isatty(), file=sys.stderr):
            meeting = Meeting.objects.get(pk=pk)
            try:
                counts[importer.reparse(meeting).status] += 1
            except importer.ImportFailure as failure:
                self.stderr.write(str(failure))
                counts["failed"] += 1
        self.stdout.write(
            f"Genfortolket: {counts['updated']} ændret, {counts['unchanged']} uændret, "
            f"{counts['failed']} fejlede"
        )
        if counts["failed"]:
            sys.exit(1)
