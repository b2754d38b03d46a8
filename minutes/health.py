"""How the site behaves when something is wrong: the 500 page, the 503 page while the database is
unavailable, and ``/healthz`` for a load balancer or monitor.

Django calls ``server_error`` for every uncaught exception, from a view or a middleware, inside the
``except`` block that caught it; so it can tell a database outage (connection refused, server gone,
statement timeout) from a bug. Neither page shows anything of the exception, and neither touches the
database. The site recovers by itself: a broken connection is closed at the end of its request, and
a kept one is checked before reuse (``CONN_HEALTH_CHECKS``).
"""

import logging
import sys
import time

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache

OUTAGE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER = 30  # seconds; what a 503 tells clients to wait


def server_error(request):
    """Django's handler500: the Danish 503 page while the database is unavailable, else the 500 page.

    Under ``/api/`` the same answers are JSON, as the API's other errors are.
    """
    outage = isinstance(sys.exc_info()[1], OUTAGE_ERRORS)
    status = 503 if outage else 500
    if request.path.startswith("/api/"):
        detail = "Arkivets database svarer ikke lige nu" if outage else "Der opstod en fejl på serveren"
        response = JsonResponse({"detail": f"{detail}. Prøv igen om lidt."}, status=status)
    else:
        response = HttpResponse(loader.render_to_string(f"{status}.html"), status=status)
    if outage:
        response["Retry-After"] = str(RETRY_AFTER)
    return response


@never_cache
def healthz(request):
    """The site's and the database's state: 200 when a query answers, else 503; JSON either way."""
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except DatabaseError:
        database = "unavailable"
        connection.close()  # the next request connects afresh
    elapsed = round((time.perf_counter() - started) * 1000, 1)
    ok = database == "ok"
    answer = {"status": "ok" if ok else "error", "database": database, "database_ms": elapsed}
    if ok:
        answer["search_index"] = _search_index()
    return JsonResponse(answer, status=200 if ok else 503)


def _search_index() -> dict:
    """How far the search index is behind the database. Search works either way (it asks PostgreSQL
    while the index is missing or behind), so this never makes the check fail; a monitor should warn
    when ``waiting`` stays above 0 (no search_indexer running) or ``state`` is not "current"."""
    from minutes.search import indexing

    try:
        status = indexing.status()
    except DatabaseError:
        connection.close()
        return {"state": "unknown"}
    if not status.enabled:
        state = "off"
    elif status.path is None:
        state = "missing"
    elif not status.same_archive:
        state = "other archive"
    else:
        state = "current" if status.waiting == 0 else "behind"
    return {"state": state, "documents": status.documents, "waiting": status.waiting}


class OutageLogFilter(logging.Filter):
    """Logs a database outage as one line, not a traceback per request (a flood while it lasts)."""

    def filter(self, record):
        if record.exc_info and isinstance(record.exc_info[1], OUTAGE_ERRORS):
            reason = (str(record.exc_info[1]).strip().splitlines() or [""])[0]
            record.msg, record.args = "%s (database unavailable: %s)", (record.getMessage(), reason)
            record.exc_info = None
            record.exc_text = None
        return True
