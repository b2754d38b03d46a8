"""Rendered public pages, kept in a cache that every gunicorn worker shares (a table in the database).

A search page costs 50-150 ms on 1,000,000 items, and the same searches and meetings are asked for
again and again; a kept page costs one indexed read. Only what anyone may see is kept: answers 200 to
GET requests without a session cookie, that set no cookie and are not marked private or no-store.

The archive changes only by a write through the importer or the admin, and both empty the cache:
every write ends with ``importer.finish_run``, and the admin also by any POST to /admin/ that
succeeds. They empty it whatever their own settings say: an import run with the cache off (a
developer's shell, DEBUG on) still empties the table the web server reads. PAGE_CACHE_SECONDS (0
turns the cache off) bounds the age of a page in any other case, such as an import killed before
its end.

The cache is an optimisation, never a dependency: while the database is down it is skipped (the view
then answers the 503 page), and ``/healthz`` never goes through it, so a monitor always gets its JSON.
"""

import hashlib

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError

ALIAS = "pages"
UNCACHED_PATHS = ("/healthz",)  # answered fresh every time


def clear() -> None:
    """Empty the shared cache table, whether or not this process serves from it."""
    caches[ALIAS].clear()


def _key(request) -> str:
    url = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return "page:" + hashlib.sha256(url.encode()).hexdigest()


def _cacheable(response) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
        and "no-cache" not in cache_control
    )


class PageCacheMiddleware:
    """Answers a public GET from the cache when it can, and keeps what it may (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = settings.PAGE_CACHE_SECONDS
        public = request.method == "GET" and settings.SESSION_COOKIE_NAME not in request.COOKIES
        if not seconds or not public or request.path.startswith(UNCACHED_PATHS):
            response = self.get_response(request)
            if request.method == "POST" and request.path.startswith("/admin/"):
                if response.status_code in (301, 302, 303):  # a change was saved (or a login)
                    clear()
            return response
        pages = caches[ALIAS]
        key = _key(request)
        try:
            response = pages.get(key)
        except DatabaseError:  # the database is down: the view answers (with the 503 page)
            return self.get_response(request)
        if response is not None:
            response["X-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if _cacheable(response):
            try:
                pages.set(key, response, seconds)
                response["X-Cache"] = "miss"
            except DatabaseError:
                pass  # kept next time
        return response
