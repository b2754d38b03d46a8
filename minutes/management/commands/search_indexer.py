"""Keep the search index current: apply the database's waiting changes every second.

``serve`` starts it beside gunicorn (archive_site/gunicorn.conf.py); in another deployment run exactly
one per index folder (README, "Search index"). With no usable index (none yet, one of another database
or an older version) it builds one first; search asks PostgreSQL meanwhile.
"""

import signal
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, connection

from minutes.search import engine, indexing


class Command(BaseCommand):
    help = "Hold søgeindekset ajour med databasen (anvender ventende ændringer hvert sekund)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="sekunder mellem kig (standard 1)")
        parser.add_argument("--once", action="store_true", help="anvend det ventende og stop")

    def handle(self, *args, interval, once, verbosity, **options):
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        while not stopping:
            try:
                self.step(verbosity)
            except DatabaseError as error:  # the database restarts: try again, never die
                self.stderr.write(f"Søgeindeks: databasen svarer ikke ({str(error).strip()[:200]})")
                connection.close()
            if once:
                return
            time.sleep(interval)

    def step(self, verbosity):
        status = indexing.status()
        if not status.enabled:
            return
        if not status.usable:
            self.stdout.write("Søgeindeks: intet brugbart indeks; bygger et nyt fra databasen.")
            path, documents = indexing.rebuild()
            self.stdout.write(f"Søgeindeks: {documents} punkter i {path}.")
            engine.forget_opened()
            return
        applied = indexing.drain_all(wait=True)
        if applied and verbosity > 1:
            self.stdout.write(f"Søgeindeks: {applied} ændringer anvendt.")
