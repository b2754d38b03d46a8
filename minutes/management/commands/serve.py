"""Run the archive: migrate, import the bundled sample referater into an empty archive, collect static
files, then replace this process with gunicorn (static files are served by whitenoise)."""

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections

from minutes.importer import SAMPLE_DIR
from minutes.models import Meeting


class Command(BaseCommand):
    help = "Migrate, import the sample referater if the archive is empty, and serve it with gunicorn."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000", help="address:port (default: %(default)s)")
        parser.add_argument(
            "--workers", type=int, help="gunicorn workers (default: WEB_CONCURRENCY, else gunicorn.conf.py's)"
        )

    def handle(self, *args, bind, workers, verbosity, **options):
        call_command("migrate", interactive=False, verbosity=verbosity)
        self.import_samples_into_empty_archive()
        call_command("collectstatic", interactive=False, verbosity=0)

        if not os.getenv("DATABASE_URL"):
            self.stdout.write(
                f"Database: embedded PostgreSQL in {settings.BASE_DIR / '.pgdata'}; it keeps running after "
                "this command stops (stop it with: python -m minutes.embedded_postgres stop)"
            )
        self.stdout.write(self.style.SUCCESS(f"Serving the archive at http://{bind}/"))
        sys.stdout.flush()
        sys.stderr.flush()
        connections.close_all()
        gunicorn = [sys.executable, "-m", "gunicorn", "archive_site.wsgi"]
        config = settings.BASE_DIR / "archive_site" / "gunicorn.conf.py"
        options = ["--config", str(config), "--bind", bind, "--chdir", str(settings.BASE_DIR)]
        if workers:
            options += ["--workers", str(workers)]
        os.execv(sys.executable, gunicorn + options)

    def import_samples_into_empty_archive(self):
        if Meeting.objects.exists():
            return
        self.stdout.write(f"The archive is empty: importing the sample referater in {SAMPLE_DIR}")
        call_command("import_minutes", str(SAMPLE_DIR))
