"""Parse the stored raw text of every meeting again, after the parser has improved."""

import sys
from collections import Counter

from django.core.management.base import BaseCommand
from tqdm import tqdm

from minutes import importer
from minutes.models import Meeting


class Command(BaseCommand):
    help = "Fortolk den gemte kildetekst for alle møder igen (efter en forbedring af fortolkeren)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--ogsaa-rettede",
            action="store_true",
            dest="include_hand_edited",
            help="fortolk også møder, der er rettet i hånden (rettelserne gemmes i en tidligere version)",
        )

    def handle(self, *args, include_hand_edited=False, **options):
        counts = Counter()
        meetings = Meeting.objects.all()
        if not include_hand_edited:  # a hand correction is never replaced without being asked for
            skipped = meetings.filter(hand_edited_at__isnull=False).count()
            meetings = meetings.filter(hand_edited_at__isnull=True)
            if skipped:
                self.stdout.write(f"Springer {skipped} møder over, der er rettet i hånden (--ogsaa-rettede).")
        ids = list(meetings.order_by("pk").values_list("pk", flat=True))
        for pk in tqdm(ids, unit="møde", disable=not sys.stderr.isatty(), file=sys.stderr):
            meeting = Meeting.objects.get(pk=pk)
            try:
                counts[importer.reparse(meeting).status] += 1
            except importer.ImportFailure as failure:
                self.stderr.write(str(failure))
                counts["failed"] += 1
        importer.finish_run()  # the words of the changed meetings, for compound-word search
        self.stdout.write(
            f"Genfortolket: {counts['updated']} ændret, {counts['unchanged']} uændret, "
            f"{counts['failed']} fejlede"
        )
        if counts["failed"]:
            sys.exit(1)
