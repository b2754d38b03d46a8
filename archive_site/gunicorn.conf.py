"""Gunicorn settings for the archive: `manage.py serve` uses them, and so should production
(`gunicorn -c archive_site/gunicorn.conf.py archive_site.wsgi`). Each can be set from the environment.

The figures behind them are in README.md ("Load and outages"): on 2 cores, with PostgreSQL on the same
machine, WEB_CONCURRENCY sync workers each keep one database connection (CONN_MAX_AGE).
"""

import os

bind = os.getenv("BIND", "127.0.0.1:8000")
workers = int(os.getenv("WEB_CONCURRENCY", "4"))
worker_class = "sync"  # every request is a short, CPU- or database-bound piece of work
# A worker stuck longer than this is killed and replaced; the statement timeout below ends a slow
# query well before, so a user gets the 503 page instead of a dropped connection.
timeout = int(os.getenv("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
keepalive = 5
max_requests = 5000  # recycle workers now and then, staggered, against slow memory growth
max_requests_jitter = 500
accesslog = os.getenv("ACCESS_LOG", "-")
# Only the web workers get a statement timeout: imports and exports run longer on purpose.
raw_env = [f"DB_STATEMENT_TIMEOUT={os.getenv('DB_STATEMENT_TIMEOUT', '10000')}"]

# The search index's one writer (manage.py search_indexer) runs beside the workers, started and stopped
# with gunicorn, so the two README commands need no other service. SEARCH_INDEXER=false when it runs
# elsewhere (README, "Search index": one indexer per index folder).
_indexer = []


def when_ready(server):
    if os.getenv("SEARCH_INDEXER", "true").lower() in ("false", "0"):
        return
    import subprocess
    import sys
    from pathlib import Path

    manage = Path(__file__).resolve().parent.parent / "manage.py"
    _indexer.append(subprocess.Popen([sys.executable, str(manage), "search_indexer"]))
    server.log.info("Started the search indexer (pid %s)", _indexer[0].pid)


def on_exit(server):
    for process in _indexer:
        process.terminate()
        try:
            process.wait(10)
        except Exception:
            process.kill()
