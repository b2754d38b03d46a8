"""Requests the site refuses: a Danish 400 page naming what is wrong, or JSON naming the field under /api/.

``RequestCheckMiddleware`` refuses, before any view or the page cache sees them, requests that no
view can read safely, whatever the URL:

- a path or a query string that is not UTF-8 (a lone surrogate such as ``%ED%A0%80``, Latin-1 bytes):
  Django would read it with replacement characters and search for those;
- a NUL or another control character in the path or in a parameter (PostgreSQL text cannot hold NUL,
  XML 1.0 none of them; tab, CR and LF pass, as pasted text has them);
- more than MAX_PARAMETERS parameters or a query string over MAX_QUERY_BYTES.

Each view then checks the values it reads (the search's FilterSet, a form, the API's schema) and
answers an invalid one with ``refuse``, before it starts a response. ``bad_request`` is the site's
handler400 (Django's SuspiciousOperation), and keeps its page from reading an unreadable query again.
"""

import re
from typing import NamedTuple
from urllib.parse import unquote_to_bytes

from django.http import JsonResponse, QueryDict
from django.shortcuts import render
from django.urls import Resolver404, resolve

# A search URL has at most about twenty parameters (eleven filters, several decision types, sort,
# page, separator); a hundred leaves room for tracking parameters and costs nothing to read.
MAX_PARAMETERS = 100
# Twice what gunicorn lets through anyway (a request line of 4,094 bytes); a search with a full
# 500-character Danish query (search.MAX_QUERY_LENGTH) is about 3,000 bytes percent-encoded.
MAX_QUERY_BYTES = 8192
CONTROL_RANGES = r"\x00-\x08\x0b\x0c\x0e-\x1f"  # the API's schema refuses them too (api.NO_CONTROL)
CONTROL_CHARACTERS = re.compile(f"[{CONTROL_RANGES}]")

NOT_UTF8 = ("er ikke gyldig tekst (UTF-8)", "is not valid UTF-8")
CONTROL = ("indeholder et kontroltegn", "contains a control character")
ADDRESS = "Adressen"
JSON_PATHS = ("/api/", "/healthz")  # answered in JSON: the API, and the health check for monitors


class Problem(NamedTuple):
    """Why a request is refused: the parameter, what the page calls it, the reason in Danish and English."""

    field: str
    label: str
    danish: str
    english: str

    @classmethod
    def of_parameter(cls, name: str, reason: tuple[str, str]) -> "Problem":
        return cls(name, f"Parameteren «{name}»", *reason)


def api_error(errors: list[tuple[str, str]]) -> dict:
    """The API's error body: each bad parameter and why (minutes/api.py answers with the same)."""
    return {
        "detail": "Invalid parameters: " + "; ".join(f"{field}: {reason}" for field, reason in errors),
        "errors": [{"field": field, "reason": reason} for field, reason in errors],
    }


def refuse(request, problems: list[Problem]):
    """A 400 for these problems: the Danish page, or the API's JSON under /api/.

    The page's search box must not read the query it refuses, so the request's GET is emptied.
    """
    request.GET = QueryDict()
    if request.path.startswith(JSON_PATHS):
        response = JsonResponse(
            api_error([(problem.field, problem.english) for problem in problems]),
            status=400,
            content_type="application/json; charset=utf-8",  # as the API's own answers
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        context = {"problems": [(problem.label, problem.danish) for problem in problems]}
        response = render(request, "400.html", context, status=400)
    response["Cache-Control"] = "no-store"
    return response


def form_problems(form) -> list[Problem]:
    """The invalid fields of a bound form (a FilterSet's form too), labelled as the form labels them."""
    problems = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        reason = " ".join(errors)
        problems.append(Problem(name, f"{field.label if field else name}:", reason, reason))
    return problems


def bad_request(request, exception):
    """handler400: the Danish 400 page; Django calls it also when the query cannot be read at all."""
    return refuse(request, [])


def request_problems(request) -> list[Problem]:
    """What makes this request unreadable; [] if nothing."""
    problems = _path_problems(request)
    raw = request.META.get("QUERY_STRING", "")
    try:
        query = raw.encode("iso-8859-1")  # WSGI hands the bytes over as Latin-1 text
    except UnicodeEncodeError:
        query = raw.encode()
    if len(query) > MAX_QUERY_BYTES:
        reason = (f"er længere end {MAX_QUERY_BYTES} tegn", f"is longer than {MAX_QUERY_BYTES} bytes")
        return [*problems, Problem("?", ADDRESS, *reason)]
    pairs = [pair for pair in query.split(b"&") if pair]
    if len(pairs) > MAX_PARAMETERS:
        reason = (f"har over {MAX_PARAMETERS} parametre", f"has more than {MAX_PARAMETERS} parameters")
        return [*problems, Problem("?", ADDRESS, *reason)]
    for pair in pairs:
        name, _, value = pair.partition(b"=")
        try:
            name = unquote_to_bytes(name.replace(b"+", b" ")).decode()
            value = unquote_to_bytes(value.replace(b"+", b" ")).decode()
        except UnicodeDecodeError:
            problems.append(Problem.of_parameter(unquote_to_bytes(name).decode(errors="replace"), NOT_UTF8))
            continue
        if CONTROL_CHARACTERS.search(name) or CONTROL_CHARACTERS.search(value):
            problems.append(Problem.of_parameter(name, CONTROL))
    return problems


def _path_problems(request) -> list[Problem]:
    # Django has percent-encoded again the bytes of the path that are not UTF-8 ("%ED%A0%80").
    try:
        unquote_to_bytes(request.path_info).decode()
    except UnicodeDecodeError:
        return [Problem(_path_field(request), ADDRESS, *NOT_UTF8)]
    if CONTROL_CHARACTERS.search(request.path_info):
        return [Problem(_path_field(request), ADDRESS, *CONTROL)]
    return []


def _path_field(request) -> str:
    """The path parameter holding the bad value ("slug" of /api/people/{slug}), else "path"."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return "path"
    for name, value in match.kwargs.items():
        if isinstance(value, str) and (CONTROL_CHARACTERS.search(value) or "%" in value):
            return name
    return "path"


class RequestCheckMiddleware:
    """Refuses unreadable requests (see the module) before the page cache and the views."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if problems := request_problems(request):
            return refuse(request, problems)
        return self.get_response(request)
