"""The paths of the archive's pages of one object (get_absolute_url), without a reverse() each time.

A results page links 60 of them (each hit's item, meeting and case), and reverse() costs about 70 µs
each (a third of rendering the hits, measured). The path of a page whose URL has one id, number or slug
is reverse()'s with the value in its place, so reverse() is asked once per page name, script prefix and
URLconf, with a stand-in value, and the value is put where the stand-in came out. Only values that
reverse() would leave as they are (letters, digits and hyphens) take this way; any other is reversed.
"""

import re
from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

_STAND_IN = 918_273_645  # valid for every converter the URLs use (int, str, slug), and in no path
_PLAIN = re.compile(r"[0-9A-Za-z-]+")


def page_path(name: str, value) -> str:
    """reverse(name, args=[value])."""
    text = str(value)
    if _PLAIN.fullmatch(text):
        parts = _parts(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
        if parts is not None:
            return parts[0] + text + parts[1]
    return reverse(name, args=[value])


@lru_cache(maxsize=256)
def _parts(name: str, prefix: str, urlconf) -> tuple[str, str] | None:
    path = reverse(name, args=[_STAND_IN], urlconf=urlconf)
    stand_in = str(_STAND_IN)
    if path.count(stand_in) != 1:
        return None
    before, after = path.split(stand_in)
    return before, after
