"""Property test: no public URL answers 500, whatever its path and query hold, and streams end.

The URL patterns are read from the resolver, so a new URL is covered without touching this file (the
admin, behind its login, is left out). Path converters get real values from the sample archive and
odd ones. Each view gets odd and real values for every parameter it reads: the names it looks up in
``request.GET`` on a first request (its FilterSet, form or own ``GET.get``), the search FilterSet's
fields when it reads one of them, and the parameters of the API's OpenAPI schema; plus unknown and
repeated parameters. Requests run as in production: DEBUG off, the page cache on.

A 400 must be the Danish page, or the API's JSON error naming a field under /api/. The CI profile
runs MAX_EXAMPLES requests per pattern (seconds); HYPOTHESIS_PROFILE=long runs far more.
"""

import contextlib
import re
from urllib.parse import quote_from_bytes

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RegexPattern
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minutes import bad_requests, discovery
from minutes.api import api
from minutes.models import AgendaItem, Body, Case, DecisionType, Meeting, Person
from minutes.search.filters import OPEN_OR_CLOSED, SORTS, ItemFilter

# A tenth of the profile's examples for each of the ~35 patterns: 15 each in CI, 1,000 in the long run.
MAX_EXAMPLES = max(10, settings().max_examples // 10)
CONVERTER = re.compile(r"<(?:(?P<kind>[^>:]+):)?(?P<name>[^>]+)>")


def _routes(resolver, prefix=""):
    for entry in resolver.url_patterns:
        route = prefix + _as_route(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry, route)
        else:
            yield route


def _as_route(pattern) -> str:
    """A pattern as a path() route; a re_path's named groups become <str:name>."""
    text = str(pattern)
    if isinstance(pattern, RegexPattern):
        text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<str:\1>", text).removeprefix("^").removesuffix("$")
        assert not re.search(r"[\\()\[\]*+?|^$]", text), f"extend _as_route for {pattern}"
    return text


ROUTES = sorted({route for route in _routes(get_resolver()) if not route.startswith("admin/")})


def _schema_parameters() -> dict[str, set[str]]:
    """The query parameters of each API operation, by its route ("api/meetings/<meeting_id>")."""
    paths = api.get_openapi_schema(path_prefix="/api/")["paths"]
    found = {}
    for path, operations in paths.items():
        route = re.sub(r"\{(\w+)\}", r"<\1>", path.removeprefix("/"))
        found[route] = {
            parameter["name"]
            for operation in operations.values()
            for parameter in operation.get("parameters", [])
            if parameter["in"] == "query"
        }
    return found


SCHEMA_PARAMETERS = _schema_parameters()
FILTER_PARAMETERS = set(ItemFilter.base_filters)


@contextlib.contextmanager
def reads_of_get(monkeypatch):
    """The names a request's code looks up in a QueryDict (get, [], getlist) while it runs."""
    names = set()
    getitem, getlist = MultiValueDict.__getitem__, MultiValueDict.getlist

    def recorded_getitem(self, key):
        if isinstance(key, str):
            names.add(key)
        return getitem(self, key)

    def recorded_getlist(self, key, default=None):
        if isinstance(key, str):
            names.add(key)
        return getlist(self, key, default)

    with monkeypatch.context() as patch:
        patch.setattr(MultiValueDict, "__getitem__", recorded_getitem)
        patch.setattr(MultiValueDict, "getlist", recorded_getlist)
        yield names


def real_values():
    """Values the archive has: ids, years, case numbers, slugs, sitemap sections, filter choices."""
    ints = [
        *Meeting.objects.values_list("pk", flat=True)[:3],
        *AgendaItem.objects.values_list("pk", flat=True)[:3],
        *{day.year for day in Meeting.objects.dates("date", "year")},
    ]
    words = [
        *Case.objects.values_list("number", flat=True)[:3],
        *Body.objects.values_list("slug", flat=True)[:3],
        *Person.objects.values_list("slug", flat=True)[:3],
        *discovery.SITEMAPS,
        *DecisionType.values,
        *(value for value, _ in OPEN_OR_CLOSED),
        *SORTS,
        "budget",
        "flåde",
        "komma",
        "2024-04-02",
    ]
    return [str(n) for n in ints], words


def path_of(route, values: dict[str, bytes]) -> str:
    return "/" + CONVERTER.sub(lambda m: quote_from_bytes(values[m["name"]], safe=""), route)


def first_page(client, monkeypatch, route, ints, words):
    """A path of this route that answers 200 (real values tried in turn) and the parameters it reads."""
    names = [m["name"] for m in CONVERTER.finditer(route)]
    kinds = {m["name"]: m["kind"] or "str" for m in CONVERTER.finditer(route)}
    candidates = [ints if kinds[name] == "int" else ints + words for name in names]
    for attempt in range(max([len(c) for c in candidates], default=1)):
        values = {name: c[attempt % len(c)].encode() for name, c in zip(names, candidates, strict=True)}
        path = path_of(route, values)
        with reads_of_get(monkeypatch) as read:
            response = client.get(path)
        if response.streaming:
            # Read to its end, as a browser does: left half-read, the CSV's server-side cursor was closed
            # whenever the garbage collector freed the response, inside a later test's transaction,
            # which that made fail.
            b"".join(response.streaming_content)
        if response.status_code == 200:
            return values, set(read)
    return None, set()


ODD = [
    b"",
    b" ",
    b"\x00",
    b"a\x00b",
    b"\x01\x1b\x7f",
    b"\t\r\n",
    b"\xed\xa0\x80",  # a lone surrogate, UTF-8 encoded
    b"\xed\xbf\xbf\xed\xa0\x80",
    b"\xff\xfe",
    b"\xc3",  # a cut-off two-byte letter
    b"\xf8konomi",  # Latin-1
    b"-5",
    b"0",
    b"-0",
    b"1.5",
    b"1e400",
    b"NaN",
    b"Infinity",
    b"99999999999999999999",
    b"-99999999999999999999",
    b"9" * 5000,
    b"2020-02-30",
    b"0000-01-01",
    b"9999-12-31",
    b"24-003210",
    "²".encode(),
    "２０２４".encode(),
    "Økonomiudvalget".encode(),
    "\u202e\ufeff\ufffe".encode(),
    "🙂".encode(),
    b"<img src=x onerror=alert(1)>",
    b'=HYPERLINK("http://x")',
    b"'\"\\%&=+;#?/",
    b"direktionen;x",
    b"x" * 3000,
    b"x" * 9000,
]


def _readable(value: bytes) -> bool:
    try:
        return not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", value.decode())
    except UnicodeDecodeError:
        return False


# Odd values the request check lets through to the views, and any bytes at all.
odd_text = st.one_of(
    st.sampled_from([value for value in ODD if _readable(value)]),
    st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=40).map(str.encode),
    st.integers().map(lambda n: str(n).encode()),
)
odd_bytes = st.one_of(
    st.sampled_from(ODD),
    st.binary(max_size=40),
    st.text(st.characters(exclude_categories=()), max_size=40).map(
        lambda text: text.encode("utf-8", "surrogatepass")
    ),
)


def query_of(pairs) -> str:
    return "&".join(
        quote_from_bytes(name, safe="") + "=" + quote_from_bytes(value, safe="") for name, value in pairs
    )


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.PAGE_CACHE_SECONDS = 300
    return settings


@pytest.mark.parametrize("route", ROUTES)
def test_no_url_answers_500(route, archive, production, monkeypatch):
    client = Client()  # raises what a view raises: Hypothesis shows the traceback
    production.PAGE_CACHE_SECONDS = 0  # the first requests must reach the view to see what it reads
    ints, words = real_values()
    good_path, read = first_page(client, monkeypatch, route, ints, words)
    production.PAGE_CACHE_SECONDS = 300
    parameters = read | SCHEMA_PARAMETERS.get(re.sub(r"<\w+:", "<", route), set())
    if parameters & FILTER_PARAMETERS:
        parameters |= FILTER_PARAMETERS
    names = sorted(name.encode() for name in parameters) + [b"utm_source", b"ukendt", b""]
    real = [value.encode() for value in ints + words]

    @given(data=st.data())
    @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    def requests(data):
        converters = {m["name"] for m in CONVERTER.finditer(route)}
        values = dict(good_path or {})
        # Mostly real values, so that most requests get past the request check to the view.
        value = st.one_of(st.sampled_from(real), st.sampled_from(real), odd_text, odd_text, odd_bytes)
        for name in converters:
            if not good_path or data.draw(st.booleans(), label=f"odd {name}"):
                values[name] = data.draw(value, label=name)
        name = st.one_of(st.sampled_from(names), st.sampled_from(names), odd_text, odd_bytes)
        pairs = data.draw(st.lists(st.tuples(name, value), max_size=6), label="query")
        if data.draw(st.integers(0, 9), label="many") == 0:  # repeated past the parameter limit
            pairs = pairs * data.draw(st.integers(1, 150), label="times")
        url = path_of(route, values) + ("?" + query_of(pairs) if pairs else "")
        method = data.draw(st.sampled_from(["get", "get", "get", "head", "options"]), label="method")
        accept = data.draw(
            st.sampled_from(["*/*", "application/json", "text/html;q=0.1", "application/atom+xml", "x/\x00y"])
        )
        response = getattr(client, method)(url, HTTP_ACCEPT=accept)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code < 500, url
        if response.status_code == 400 and method != "head":
            if url.startswith(bad_requests.JSON_PATHS):  # the API, and /healthz for monitors
                assert response.json()["errors"], url
            else:
                assert (
                    '<html lang="da">' in body.decode() and "Forespørgslen kunne ikke læses" in body.decode()
                ), url

    requests()


def test_the_parameters_a_view_reads_are_found(archive, production, monkeypatch):
    # The property test's parameters come from what views read; check that reading is seen.
    production.PAGE_CACHE_SECONDS = 0
    client = Client()
    ints, words = real_values()
    _, search = first_page(client, monkeypatch, "soeg/", ints, words)
    assert FILTER_PARAMETERS | {"side", "sortering"} <= search
    assert "sep" in first_page(client, monkeypatch, "soeg/csv/", ints, words)[1]
    assert "aar" in first_page(client, monkeypatch, "person/<slug:slug>/", ints, words)[1]
    values, read = first_page(client, monkeypatch, "sitemap-<slug:section>.xml", ints, words)
    assert values and "p" in read
    assert {"q", "aar", "side", "antal"} <= SCHEMA_PARAMETERS["api/search"]
    assert (
        "soeg/" in ROUTES and "api/<str:rest>" in ROUTES and not any(r.startswith("admin/") for r in ROUTES)
    )
