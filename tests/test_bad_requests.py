"""Invalid requests get a Danish 400 page (JSON naming the field under /api/), or a notice: never a 500."""

import re

import pytest
from django.test import RequestFactory

from minutes import bad_requests
from minutes.models import Person


@pytest.fixture
def production(settings):
    """As served: DEBUG off, the page cache on."""
    settings.DEBUG = False
    settings.PAGE_CACHE_SECONDS = 300
    return settings


def text(response):
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def assert_danish_400(response, *named):
    assert response.status_code == 400
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = text(response)
    assert "Forespørgslen kunne ikke læses" in page and '<html lang="da">' in response.content.decode()
    for name in named:
        assert name in page
    return page


def assert_api_400(response, field):
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = response.json()
    assert [error["field"] for error in data["errors"]] == [field] and field in data["detail"]


@pytest.mark.parametrize(
    "url, named",
    [
        ("/soeg/?q=bud%00get&aar=2020", "«q»"),
        ("/soeg/?deltager=a%00", "«deltager»"),
        ("/soeg/csv/?q=budget&udvalg=direktionen%00", "«udvalg»"),
        ("/soeg/atom/?q=%01", "«q»"),
        ("/sag/24-00%003210/", "Adressen"),
        ("/sag/24-003210/atom/%00", "Adressen"),
        ("/udvalg/?side=%00", "«side»"),
    ],
)
def test_a_control_character_anywhere_is_a_400(archive, client, production, url, named):
    assert_danish_400(client.get(url), "kontroltegn", named)


@pytest.mark.parametrize(
    "url, named",
    [
        ("/soeg/?q=%ED%A0%80", "«q»"),  # a lone surrogate, UTF-8 encoded
        ("/soeg/?q=%F8konomi", "«q»"),  # Latin-1
        ("/soeg/?%FF=1", "«\ufffd»"),
        ("/sag/%ED%A0%80/", "Adressen"),
        ("/udvalg/direktionen%FF/", "Adressen"),
    ],
)
def test_text_that_is_not_utf8_is_a_400(archive, client, production, url, named):
    assert_danish_400(client.get(url), "UTF-8", named)


@pytest.mark.parametrize(
    "url, field",
    [
        ("/api/people/a%00b", "slug"),
        ("/api/bodies/a%00b", "slug"),
        ("/api/cases/24-00%003210", "number"),
        ("/api/people/a%ED%A0%80", "slug"),
        ("/api/search?q=%ED%A0%80", "q"),
        ("/api/meetings?deltager=%00", "deltager"),
    ],
)
def test_api_names_the_field_of_an_unreadable_value(archive, client, production, url, field):
    assert_api_400(client.get(url), field)


def test_too_many_parameters_is_a_400_whose_page_does_not_read_them_again(archive, client, production):
    query = "&".join(f"p{n}=1" for n in range(1001))
    assert_danish_400(client.get(f"/soeg/?{query}"), "over 100 parametre")
    assert_api_400(client.get(f"/api/search?{query}"), "?")
    many = "&".join(["beslutning=approved"] * (bad_requests.MAX_PARAMETERS + 1))
    assert client.get(f"/soeg/?{many}").status_code == 400
    few = "&".join(["beslutning=approved"] * bad_requests.MAX_PARAMETERS)
    assert client.get(f"/soeg/?{few}").status_code == 200


def test_a_too_long_query_string_is_a_400(archive, client, production):
    response = client.get("/udvalg/", {"q": "x" * bad_requests.MAX_QUERY_BYTES})
    assert_danish_400(response, "længere end 8192 tegn")
    # A full-length Danish search, percent-encoded, is far inside the limit.
    assert client.get("/soeg/", {"q": "æøå " * 125}).status_code == 200


def test_handler400_renders_when_the_query_cannot_be_read(archive):
    # Django calls handler400 for TooManyFieldsSent; its page must not read the query again.
    request = RequestFactory().get("/soeg/?" + "&".join(f"p{n}=1" for n in range(1001)))
    response = bad_requests.bad_request(request, None)
    assert response.status_code == 400
    assert "Forespørgslen kunne ikke læses" in response.content.decode()


@pytest.mark.parametrize(
    "year", ["-5", "0", "-0", "10000", "99999999999999999999", "2024.5", "²", "9" * 5000]
)
def test_search_page_ignores_an_impossible_year_with_a_notice(archive, client, production, year):
    response = client.get("/soeg/", {"q": "budget", "aar": year})
    assert response.status_code == 200
    page = text(response)
    assert "Nogle filtre kunne ikke bruges og er sprunget over: År:" in page
    assert "Søgning: budget" in page


@pytest.mark.parametrize(
    "params, named",
    [
        ({"aar": "-5"}, "År:"),
        ({"aar": "99999999999999999999"}, "År:"),
        ({"fra": "2020-02-30"}, "Fra dato:"),
        ({"beslutning": "måske"}, "Beslutning:"),
        ({"udvalg": "x" * 201}, "Udvalg:"),
        ({"sep": "tab"}, "«sep»"),
    ],
)
def test_csv_refuses_an_invalid_filter_before_it_starts(archive, client, production, params, named):
    response = client.get("/soeg/csv/", {"q": "budget", **params})
    assert not response.streaming
    assert_danish_400(response, named)


@pytest.mark.parametrize(
    "params, named",
    [({"aar": "-5"}, "År:"), ({"til": "0"}, "Til dato:"), ({"status": "halvåbne"}, "Åbne/lukkede:")],
)
def test_search_feed_refuses_an_invalid_filter(archive, client, production, params, named):
    assert_danish_400(client.get("/soeg/atom/", {"q": "budget", **params}), named)


def test_csv_with_a_valid_year_still_streams(archive, client, production):
    response = client.get("/soeg/csv/", {"aar": "2019"})
    assert response.streaming and response.status_code == 200
    assert len(b"".join(response.streaming_content).decode().splitlines()) == 9  # header and 8 items


@pytest.mark.parametrize("year", ["²", "9" * 5000, "-1", "abc"])
def test_person_page_refuses_an_invalid_year(archive, client, production, year):
    person = Person.objects.get(name="Michael Gravesen")
    assert_danish_400(client.get(f"/person/{person.slug}/", {"aar": year}), "År:")
    assert client.get(f"/person/{person.slug}/", {"aar": "1999"}).status_code == 200  # no meetings: all


@pytest.mark.parametrize(
    "url",
    ["/moede/99999999999999999999/", "/punkt/99999999999999999999/", "/arkiv/99999999999999999999/"],
)
def test_huge_numbers_in_the_path_are_not_found(archive, client, production, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("name", ["lists", "items", "keys", "values", "urlencode"])
def test_a_parameter_named_like_a_method_of_the_query_is_just_a_parameter(archive, client, production, name):
    # Found by tests/test_url_fuzz.py: the template read request.GET.lists, which is the parameter
    # "lists" when the URL has one (a template looks up a key before an attribute).
    response = client.get("/soeg/", {"q": "budget", name: "42", "beslutning": "approved"})
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<input type="hidden" name="{name}" value="42">' in page
    assert '<input type="hidden" name="beslutning" value="approved">' in page
