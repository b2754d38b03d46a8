"""pytest plugin (`-p tests.pg_plugin` in pyproject.toml) giving each test run its own PostgreSQL.

pytest-django reads the settings in its own pytest_load_initial_conftests hook, before any conftest.py is
imported, so the server is started here, in a hook wrapper that runs before it, and handed to the settings
as DATABASE_URL. A DATABASE_URL set by the user wins and no server is started.

Each run gets a fresh server in a temporary directory, so two runs (two terminals, CI next to a dev
server) never share a data directory. It is stopped and deleted when the run ends; a run that was killed
leaves its directory behind, and the next run stops and deletes it (the directory name holds the pid).
pytest-xdist's workers (addopts: -n 2) use the server of the run that started them; pytest-django gives
each worker its own test database on it.
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from minutes import embedded_postgres

DIR_PREFIX = "referat-arkiv-tests-"

# This run's server directory; None when the user's DATABASE_URL is used.
data_dir: Path | None = None


# Set for the run's pytest-xdist workers: the controller's server, which they share (each has its own
# test database, named by pytest-django with the worker's id).
DATA_DIR_VARIABLE = "REFERAT_ARKIV_TEST_SERVER"

# A throw-away server need not survive a crash of the machine: commits without waiting for the disk.
UNSAFE_BUT_FAST = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config, parser, args):
    global data_dir
    if os.getenv("PYTEST_XDIST_WORKER") and os.getenv(DATA_DIR_VARIABLE):
        data_dir = Path(os.environ[DATA_DIR_VARIABLE])  # the controller started it and removes it
    elif not os.getenv("DATABASE_URL"):
        remove_abandoned_servers()
        data_dir = Path(tempfile.mkdtemp(prefix=f"{DIR_PREFIX}{os.getpid()}-"))
        early_config.add_cleanup(lambda: remove_server(data_dir))
        try:
            params = embedded_postgres.ensure_running(data_dir)
            configure(params)
        except BaseException:
            remove_server(data_dir)
            raise
        os.environ["DATABASE_URL"] = embedded_postgres.database_url(params)
        os.environ[DATA_DIR_VARIABLE] = str(data_dir)
    return (yield)


def configure(params: dict) -> None:
    import psycopg

    with psycopg.connect(
        host=params["HOST"], port=params["PORT"], user=params["USER"], dbname=params["NAME"], autocommit=True
    ) as conn:
        for name, value in UNSAFE_BUT_FAST.items():
            conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
        conn.execute("SELECT pg_reload_conf()")


@pytest.fixture(autouse=True)
def _static_files_without_manifest(settings):
    # Pages render {% static %} in tests without a collectstatic run, which the manifest storage needs.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def remove_server(data_dir: Path) -> None:
    # The run's own server and any that a test started in a folder beneath it.
    for pid_file in data_dir.glob(f"**/{embedded_postgres.MAJOR_VERSION}/postmaster.pid"):
        embedded_postgres.stop(pid_file.parent.parent)
    shutil.rmtree(data_dir, ignore_errors=True)


def remove_abandoned_servers() -> None:
    for data_dir in Path(tempfile.gettempdir()).glob(f"{DIR_PREFIX}*"):
        pid = data_dir.name.removeprefix(DIR_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not embedded_postgres.pid_alive(int(pid)):
            remove_server(data_dir)
