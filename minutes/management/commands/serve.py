"""Run the archive: migrate, import the bundled sample referater into an empty archive, collect static
files, then replace this process with gunicorn (static files are served by whitenoise).

It serves as production does (DEBUG off: Danish error pages, no debug page listing the URLs, the page
cache on), over plain HTTP on the address it binds, with a secret key generated on first use and kept
in the git-ignored ``.local/secret_key``. ``--dev`` serves with DEBUG on instead. Settings given in the
environment always win.
"""

import os
import secrets
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
        parser.add_argument(
            "--dev",
            action="store_true",
            help="udviklingstilstand: DEBUG slået til (Djangos fejlsider), ingen sidecache",
        )

    def handle(self, *args, bind, workers, verbosity, dev, **options):
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
        if not dev:
            _production_environment(bind)
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


def _production_environment(bind: str) -> None:
    """Production settings for the gunicorn this process becomes, except where the environment says.

    Served over plain HTTP on ``bind``: no redirect to HTTPS, no HSTS, cookies not HTTPS-only (behind a
    TLS proxy, set those in the environment as the README's Configuration says).
    """
    host = bind.rsplit(":", 1)[0].strip("[]") or "127.0.0.1"
    defaults = {
        "DEBUG": "false",
        "SECRET_KEY": _kept_secret_key(),
        "ALLOWED_HOSTS": ",".join(dict.fromkeys([host, "localhost", "127.0.0.1"])),
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "SECURE_COOKIES": "false",
    }
    for name, value in defaults.items():
        os.environ.setdefault(name, value)


def _kept_secret_key() -> str:
    """A random key made once per checkout and kept (git-ignored), so sessions survive a restart."""
    path = settings.BASE_DIR / ".local" / "secret_key"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()
