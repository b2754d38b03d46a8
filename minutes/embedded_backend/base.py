"""The PostgreSQL backend, starting the embedded server when Django first needs a connection.

Settings name this backend instead of starting the server themselves, so commands that never
touch the database (``parse_minutes``, ``ruff``-style checks, ``--help``) never start it.
"""

from django.db.backends.postgresql import base

from minutes import embedded_postgres


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, settings_dict, *args, **kwargs):
        settings_dict.update(embedded_postgres.ensure_running(settings_dict["DATA_DIR"]))
        super().__init__(settings_dict, *args, **kwargs)
