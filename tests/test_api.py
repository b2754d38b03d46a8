"""The JSON API under /api/: the same search as the search page, the archive's objects, errors as JSON."""

import pytest
from django.http import QueryDict

from minutes import versions
from minutes.models import AgendaItem, Body, Case, Meeting, Person
from minutes.search import facets
from minutes.search import page as search_page
from minutes.search.filters import ItemFilter

SEARCHES = [
    {"q": "budget"},
    {"q": "budget", "sortering": "aeldste"},
    {"q": "budget", "sortering": "nyeste", "side": "2"},
    {"q": "økonomi", "udvalg": "direktionen", "beslutning": ["approved", "noted"]},
    {"q": "aftale", "fra": "2023-01-01", "til": "2024-12-31", "status": "aabne"},
    {"aar": "2021", "behandles_af": "kommunalbestyrelsen"},
    {"deltager": "__first_person__", "sortering": "aeldste", "side": "3"},
    {"sagstype": "Beslutning"},
    {},
]


def api_get(client, path, params=None):
    response = client.get(f"/api/{path}", params or {})
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response.status_code, response.json()


def html_item_ids(client, params):
    response = client.get("/soeg/", params)
    assert response.status_code == 200
    return [hit.item.pk for hit in response.context["result"].hits], response.context["result"]


def with_person(params):
    if params.get("deltager") == "__first_person__":
        params = {**params, "deltager": Person.objects.order_by("name").first().slug}
    return params


def test_api_search_lists_the_same_items_in_the_same_order_as_the_search_page(generated_archive, client):
    shown = []
    for params in map(with_person, SEARCHES):  # one archive for all: building it is the slow part
        html_ids, context = html_item_ids(client, params)

        status, data = api_get(client, "search", params)

        assert status == 200, params
        assert [hit["id"] for hit in data["results"]] == html_ids, params
        assert (data["total"], data["approximate"]) == (context.total, context.approximate)
        assert data["page"] == context.number
        assert data["pages"] == context.pages
        html_facets = {
            facet.label: [(option.label, option.count) for option in facet.options]
            for facet in context.facets
        }
        api_facets = {f["label"]: [(o["label"], o["count"]) for o in f["options"]] for f in data["facets"]}
        assert {name: options for name, options in api_facets.items() if options} == html_facets
        shown.append(len(html_ids))
    assert sum(n > 0 for n in shown) >= 7, shown  # the comparisons are not of empty lists


def test_api_search_pages_through_every_hit_once(generated_archive, client):
    expected = list(
        search_page.item_query(QueryDict("q=budget&sortering=nyeste")).items.values_list("pk", flat=True)
    )
    assert len(expected) > 100
    seen, url = [], "/api/search?q=budget&sortering=nyeste&antal=100"
    while url:
        data = client.get(url).json()
        assert data["per_page"] == 100 and data["count"] == len(expected)
        seen += [hit["id"] for hit in data["results"]]
        url = data["next"]
    assert seen == expected
    assert data["previous"].endswith("side=" + str(data["pages"] - 1))


def test_api_search_with_very_many_hits_lists_the_window_like_the_page(
    generated_archive, client, monkeypatch, settings
):
    settings.SEARCH_INDEX = False  # PostgreSQL's estimates, while the index is missing or behind
    monkeypatch.setattr(facets, "EXACT_BELOW", 0)
    monkeypatch.setattr(facets, "MIN_SAMPLED", 1)
    monkeypatch.setattr(search_page, "RESULT_WINDOW", 30)
    html_ids, context = html_item_ids(client, {"q": "budget", "side": "2"})

    status, data = api_get(client, "search", {"q": "budget", "side": "2"})

    assert status == 200 and data["approximate"] and data["window"] == 30 and data["pages"] == 2
    assert [hit["id"] for hit in data["results"]] == html_ids
    assert data["total"] == context.total
    assert all(facet["estimated"] for facet in data["facets"])


def test_api_search_result_is_the_item_with_its_meeting_and_links(archive, client):
    status, data = api_get(client, "search", {"q": "flådestyring"})

    assert status == 200
    hit = data["results"][0]
    item = AgendaItem.objects.get(pk=hit["id"])
    _, stored = versions.read_items_by_id([item.pk])[item.pk]
    assert {key: hit[key] for key in stored} == stored
    assert hit["url"] == f"http://testserver/punkt/{item.pk}/"
    assert hit["api_url"] == f"http://testserver/api/items/{item.pk}"
    assert hit["meeting"]["id"] == item.meeting_id and hit["meeting"]["date"] == item.meeting_date.isoformat()
    assert hit["meeting"]["body"]["slug"] == "direktionen"
    assert data["html_url"] == "http://testserver/soeg/?q=fl%C3%A5destyring"
    assert data["csv_url"].startswith("http://testserver/soeg/csv/?q=")
    assert data["atom_url"].startswith("http://testserver/soeg/atom/?q=")
    assert "Flådestyring" in client.get("/api/search", {"q": "flådestyring"}).content.decode()  # not \u00e5


def test_api_search_for_a_case_number_names_the_case(archive, client):
    _, data = api_get(client, "search", {"q": "24-3210"})
    assert data["case"] == {
        "number": "24-003210",
        "url": "http://testserver/sag/24-003210/",
        "api_url": "http://testserver/api/cases/24-003210",
    }


def test_api_search_suggests_words_when_nothing_is_found(archive, client):
    _, data = api_get(client, "search", {"q": "flaadestyring", "ordret": "true"})
    assert data["total"] == 0 and "flådestyring" in data["suggestions"] and data["applied"] == []


def test_api_search_says_what_it_did_beyond_the_typed_words(archive, client):
    _, data = api_get(client, "search", {"q": "flaadestyring"})
    assert data["applied"] == [
        {"kind": "corrected", "word": "flaadestyring", "words": ["flådestyring"], "all_words": 0},
        *data["applied"][1:],
    ]
    assert data["total"] > 0 and data["searched"].startswith("flådestyring")
    assert data["results"][0]["title"].startswith("Flådestyring")


@pytest.mark.parametrize(
    "params, field",
    [
        ({"fra": "2024-13-45"}, "fra"),
        ({"til": "0"}, "til"),
        ({"aar": "tyve"}, "aar"),
        ({"beslutning": "maybe"}, "beslutning"),
        ({"status": "halvåbne"}, "status"),
        ({"sortering": "tilfældig"}, "sortering"),
        ({"antal": "101"}, "antal"),
        ({"antal": "0"}, "antal"),
        ({"side": "-1"}, "side"),
        ({"udvalg": "Øko udvalg"}, "udvalg"),
        ({"q": "bud\x00get"}, "q"),
    ],
)
def test_api_search_rejects_a_bad_parameter_with_400_naming_it(db, client, params, field):
    status, data = api_get(client, "search", params)
    assert status == 400
    assert [error["field"] for error in data["errors"]] == [field]
    assert data["errors"][0]["reason"]
    assert field in data["detail"]


def test_api_page_past_the_last_is_a_json_404(archive, client):
    status, data = api_get(client, "search", {"q": "budget", "side": "50"})
    assert status == 404 and "Page 50" in data["detail"]
    assert api_get(client, "meetings", {"side": "2"})[0] == 404
    assert api_get(client, "search", {"q": "ingenting-her"})[1]["results"] == []  # page 1 always exists


def test_api_meeting_is_the_stored_referat_with_ids_and_urls(archive, client):
    meeting = Meeting.objects.get(date="2024-04-02")

    status, data = api_get(client, f"meetings/{meeting.pk}")

    assert status == 200
    expected = versions.snapshot(meeting)
    assert [person["name"] for person in data["participants"]] == expected["participants"]
    assert data["participants"][0]["url"].startswith("http://testserver/person/")
    assert (data["date"], data["start_time"], data["location"]) == (
        expected["date"],
        expected["start_time"],
        expected["location"],
    )
    assert [
        {key: item[key] for key in stored}
        for item, stored in zip(data["items"], expected["items"], strict=True)
    ] == (expected["items"])
    assert [item["id"] for item in data["items"]] == list(
        meeting.items.order_by("number").values_list("pk", flat=True)
    )
    assert data["source"]["name"] == meeting.source_name and data["source"]["replaced_at"] is None
    assert data["previous"]["date"] < data["date"] < data["next"]["date"]


def test_api_meetings_list_by_year_body_and_participant(archive, client):
    _, everything = api_get(client, "meetings")
    dates = [meeting["date"] for meeting in everything["results"]]
    assert dates == sorted(dates, reverse=True) and everything["count"] == Meeting.objects.count()
    _, in_2024 = api_get(client, "meetings", {"aar": "2024"})
    assert {m["date"][:4] for m in in_2024["results"]} == {"2024"} and in_2024["count"] == 3
    person = Person.objects.get(name="Michael Gravesen")
    _, attended = api_get(client, "meetings", {"deltager": person.slug, "antal": "1"})
    assert attended["count"] == person.attendances.count() and len(attended["results"]) == 1
    _, none = api_get(client, "meetings", {"udvalg": "kommunalbestyrelsen"})
    assert none["count"] == 0 and none["results"] == []
    first = everything["results"][0]
    assert first["item_count"] == Meeting.objects.get(pk=first["id"]).items.count()


@pytest.mark.parametrize("typed", ["Direktionen", "DIREKTIONEN", " direktionen "])
def test_api_meetings_take_a_body_as_shown_in_any_case(archive, client, typed):
    _, by_slug = api_get(client, "meetings", {"udvalg": "direktionen"})
    status, by_name = api_get(client, "meetings", {"udvalg": typed})
    assert status == 200
    assert (
        by_name["count"] == by_slug["count"] == Meeting.objects.filter(body__name="Direktionen").count() > 0
    )
    assert [m["id"] for m in by_name["results"]] == [m["id"] for m in by_slug["results"]]
    assert {m["body"]["name"] for m in by_name["results"]} == {"Direktionen"}


@pytest.mark.parametrize("typed", ["Gravesen", "Michael Gravesen", "michael gravesen", "GRAVESEN"])
def test_api_meetings_take_a_participant_by_name_or_surname(archive, client, typed):
    _, by_slug = api_get(client, "meetings", {"deltager": "michael-gravesen"})
    status, by_name = api_get(client, "meetings", {"deltager": typed, "antal": "1"})
    assert status == 200
    assert (
        by_name["count"]
        == by_slug["count"]
        == Person.objects.get(slug="michael-gravesen").attendances.count()
    )
    assert by_name["results"][0]["id"] == by_slug["results"][0]["id"]
    _, second = api_get(client, "meetings", dict(QueryDict(by_name["next"].split("?", 1)[1]).items()))
    assert second["results"][0]["id"] == by_slug["results"][1]["id"]  # its next page reads the name again


@pytest.mark.parametrize(
    "params, error",
    [
        (
            {"udvalg": "Direktionn"},
            {"field": "udvalg", "reason": "unknown value 'Direktionn'. Nearest: Direktionen (direktionen)."},
        ),
        (
            {"deltager": "Gravsen"},
            {
                "field": "deltager",
                "reason": "unknown value 'Gravsen'. Nearest: Michael Gravesen (michael-gravesen).",
            },
        ),
    ],
)
def test_api_meetings_refuse_an_unknown_name_naming_the_nearest(archive, client, params, error):
    status, data = api_get(client, "meetings", params)
    assert status == 400
    assert data["errors"] == [error]
    assert data["detail"] == f"Invalid parameters: {error['field']}: {error['reason']}"


def test_api_item_and_unknown_objects(archive, client):
    item = AgendaItem.objects.get(case__number="24-003210")
    status, data = api_get(client, f"items/{item.pk}")
    assert status == 200 and data["case_number"] == "24-003210" and data["decision_type"] == "recommended"
    assert data["decision_label"] == "Anbefalet" and data["meeting"]["id"] == item.meeting_id
    for path in ("items/999999", "meetings/999999", "cases/99-999999", "people/nobody", "bodies/nothing"):
        status, data = api_get(client, path)
        assert status == 404 and data["detail"]
    status, data = api_get(client, "items/abc")
    assert status == 400 and data["errors"][0]["field"] == "item_id"


def test_api_case_has_its_whole_timeline_oldest_first(archive, client):
    case = max(Case.objects.all(), key=lambda c: c.items.count())
    assert case.items.count() >= 2

    status, data = api_get(client, f"cases/{case.number}")

    assert status == 200 and data["number"] == case.number
    expected = case.items.order_by("meeting_date", "meeting__start_time", "number")
    assert [entry["id"] for entry in data["timeline"]] == list(expected.values_list("pk", flat=True))
    assert [entry["decision"] for entry in data["timeline"]] == [item.decision or None for item in expected]
    dates = [entry["meeting"]["date"] for entry in data["timeline"]]
    assert dates == sorted(dates)
    _, listed = api_get(client, "cases")
    row = next(row for row in listed["results"] if row["number"] == case.number)
    assert (row["items"], row["first"], row["last"]) == (len(dates), dates[0], dates[-1])
    assert listed["count"] == Case.objects.count()


def test_api_people_and_bodies(archive, client):
    _, people = api_get(client, "people")
    assert [p["name"] for p in people["results"]] == sorted(Person.objects.values_list("name", flat=True))
    person = Person.objects.get(name="Michael Gravesen")
    _, data = api_get(client, f"people/{person.slug}")
    assert data["meetings"] == person.attendances.count() == sum(year["meetings"] for year in data["years"])
    assert data["meetings_api_url"] == f"http://testserver/api/meetings?deltager={person.slug}"
    _, bodies = api_get(client, "bodies")
    assert [b["name"] for b in bodies] == sorted(Body.objects.values_list("name", flat=True))
    direktionen = next(b for b in bodies if b["slug"] == "direktionen")
    assert direktionen["meetings"] == 5 and direktionen["first"] == "2019-01-28"
    assert api_get(client, "bodies/direktionen")[1] == direktionen


def test_api_has_a_generated_openapi_schema_and_docs(db, client):
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/search",
        "/api/meetings",
        "/api/meetings/{meeting_id}",
        "/api/items/{item_id}",
        "/api/cases",
        "/api/cases/{number}",
        "/api/people",
        "/api/people/{slug}",
        "/api/bodies",
        "/api/bodies/{slug}",
    } <= set(schema["paths"])
    search = schema["paths"]["/api/search"]["get"]
    names = {parameter["name"] for parameter in search["parameters"]}
    assert names == {*ItemFilter.base_filters, "sortering", "side", "antal", "ordret"}
    assert set(search["responses"]) == {"200", "400", "404"}
    assert client.get("/api/docs").status_code == 200


def test_api_overview_page_lists_every_operation_without_javascript(db, client):
    response = client.get("/api/")
    html = response.content.decode()
    assert response.status_code == 200 and '<html lang="da">' in html
    for path in client.get("/api/openapi.json").json()["paths"]:
        assert f"GET {path}</code>" in html
    assert "<code>antal</code>" in html and 'href="/api/openapi.json"' in html
    assert 'href="/api/"' in client.get("/").content.decode()  # the footer links it


def test_unknown_api_path_is_a_json_404(db, client):
    status, data = api_get(client, "nothing/here")
    assert status == 404 and data["detail"] == "No API path /api/nothing/here"


def test_search_page_links_its_json_twin(archive, client):
    html = client.get("/soeg/", {"q": "budget", "udvalg": "direktionen", "side": "1"}).content.decode()
    assert '<a href="/api/search?q=budget&amp;udvalg=direktionen">JSON (API)</a>' in html
