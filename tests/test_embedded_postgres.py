"""The private PostgreSQL server: what the archive needs from it, and its lifecycle.

These tests connect with psycopg straight to the database the settings name, so they need no test
database and no migrations; whatever they change is rolled back.
"""

import json
import os
import subprocess
import sys

import psycopg
import pytest
from django.db import connection

from minutes import embedded_postgres
from tests import pg_plugin


@pytest.fixture
def cursor():
    settings = connection.settings_dict
    params = {
        "dbname": settings["NAME"],
        "user": settings["USER"],
        "password": settings["PASSWORD"],
        "host": settings["HOST"],
        "port": settings["PORT"],
    }
    with psycopg.connect(**{key: value for key, value in params.items() if value}) as conn:
        with conn.cursor() as cur:
            yield cur
        conn.rollback()


def test_embedded_postgres_is_postgresql_18(cursor):
    if pg_plugin.data_dir is None:
        pytest.skip("DATABASE_URL is set: the tests run on the user's server, not the embedded one")
    cursor.execute("SHOW server_version_num")
    (version,) = cursor.fetchone()
    assert connection.vendor == "postgresql"
    assert 180000 <= int(version) < 190000


def test_embedded_postgres_danish_config_stems_and_lowercases(cursor):
    cursor.execute("SELECT to_tsvector('danish', 'Beslutningerne i Økonomiudvalget')::text")
    (vector,) = cursor.fetchone()
    assert "'beslutning'" in vector
    assert "'økonomiudvalg'" in vector
    cursor.execute("SELECT to_tsvector('danish', 'ÆBLER og æbler')::text")
    assert cursor.fetchone() == ("'æbl':1,3",)


def test_embedded_postgres_has_pg_trgm_and_unaccent(cursor):
    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    cursor.execute("SELECT similarity('referat', 'referatet'), unaccent('café')")
    similarity, unaccented = cursor.fetchone()
    assert similarity > 0.5
    assert unaccented == "cafe"


def test_prune_dead_pids_keeps_only_live_processes(tmp_path):
    finished = subprocess.Popen(["true"])
    finished.wait()
    pids_file = tmp_path / ".handle_pids.json"
    pids_file.write_text(json.dumps([finished.pid, os.getpid()]))

    assert embedded_postgres.prune_dead_pids(pids_file) == [os.getpid()]
    assert json.loads(pids_file.read_text()) == [os.getpid()]


def test_prune_dead_pids_missing_or_unreadable_file(tmp_path):
    pids_file = tmp_path / ".handle_pids.json"
    assert embedded_postgres.prune_dead_pids(pids_file) == []
    assert not pids_file.exists()

    pids_file.write_text("[12, ")
    assert embedded_postgres.prune_dead_pids(pids_file) == []
    assert json.loads(pids_file.read_text()) == []


def test_ensure_running_reuses_the_running_server():
    if pg_plugin.data_dir is None:
        pytest.skip("DATABASE_URL is set: no embedded server in this run")
    params = embedded_postgres.ensure_running(pg_plugin.data_dir)
    assert embedded_postgres.database_url(params) == os.environ["DATABASE_URL"]
    assert params["HOST"] == str(pg_plugin.data_dir.resolve() / "18")


def start_in_subprocess(data_dir):
    return subprocess.Popen(
        [sys.executable, "-m", "minutes.embedded_postgres", "start", "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE,
        text=True,
    )


def postmaster_pids(data_dir):
    import psutil

    pgdata = str(data_dir / "18")
    return [
        process.pid
        for process in psutil.process_iter(["cmdline", "status"])
        if process.info["status"] != psutil.STATUS_ZOMBIE and pgdata in (process.info["cmdline"] or [])
    ]


def test_embedded_postgres_lifecycle(tmp_path):
    # Beneath the run's server folder when there is one: if the run is killed, the next run stops this
    # server too.
    data_dir = (pg_plugin.data_dir or tmp_path) / "lifecycle"
    try:
        # Two processes starting the same new server at once: one initialises and starts it, both use it.
        starts = [start_in_subprocess(data_dir), start_in_subprocess(data_dir)]
        outputs = [process.communicate(timeout=120)[0] for process in starts]
        assert [process.returncode for process in starts] == [0, 0]
        assert outputs[0] == outputs[1]
        assert outputs[0].startswith("running: postgres://postgres@")
        [pid] = postmaster_pids(data_dir)

        # A server that was SIGKILLed (zombie pid, stale postmaster.pid and socket lock) is started again.
        os.kill(pid, 9)
        params = embedded_postgres.ensure_running(data_dir)
        with psycopg.connect(host=params["HOST"], port=params["PORT"], user=params["USER"]) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        [new_pid] = postmaster_pids(data_dir)
        assert new_pid != pid

        assert embedded_postgres.stop(data_dir) is True
        assert postmaster_pids(data_dir) == []
        assert embedded_postgres.stop(data_dir) is False

        # After a reboot postmaster.pid may name a live process that is no postgres: not a server.
        (data_dir / "18" / "postmaster.pid").write_text(f"{os.getpid()}\n")
        embedded_postgres.ensure_running(data_dir)
        assert len(postmaster_pids(data_dir)) == 1
    finally:
        embedded_postgres.stop(data_dir)
    assert postmaster_pids(data_dir) == []
