"""search.page.search_page and the pages on it, as people type: names for filters, operators with
compounds, pasted case numbers, people, typos, notices, and following a search."""

import re
from xml.etree import ElementTree

import pytest
from django.http import QueryDict

from minutes.models import AgendaItem, Person
from minutes.search.page import search_page


def text(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def found(query: str):
    return search_page(QueryDict(query), per_page=100)


@pytest.mark.parametrize("typed", ["direktionen", "Direktionen", "DIREKTIONEN", " direktionen "])
def test_body_filter_takes_the_name_as_shown_in_any_case(archive, typed):
    result = found(f"udvalg={typed}")
    assert result.total == AgendaItem.objects.filter(meeting_body__name="Direktionen").count() > 0
    assert [chip.label for chip in result.chips] == ["Udvalg: Direktionen"]
    assert not result.notices


@pytest.mark.parametrize("typed", ["michael-gravesen", "Michael Gravesen", "michael gravesen", "Gravesen"])
def test_participant_filter_takes_a_name_or_a_surname(archive, typed):
    result = found(f"deltager={typed}")
    expected = AgendaItem.objects.filter(meeting__participants__slug="michael-gravesen").count()
    assert result.total == expected > 0
    assert [chip.label for chip in result.chips] == ["Mødedeltager: Michael Gravesen"]


def test_case_type_filter_ignores_case(archive):
    stored = AgendaItem.objects.exclude(case_type="").values_list("case_type", flat=True).first()
    assert found(f"sagstype={stored.upper()}").total == found(f"sagstype={stored}").total > 0


def test_an_unknown_body_is_reported_with_the_nearest_never_a_silent_zero(archive, client):
    result = found("q=budget&udvalg=Direktionn")
    assert result.total == found("q=budget").total > 0  # the filter is left out, not applied
    assert result.notices[0].text == "Arkivet kender ikke udvalget «Direktionn», så det filter er ikke brugt."
    assert result.notices[0].links[0].text == "Mente du Direktionen?"
    assert "udvalg=direktionen" in result.notices[0].links[0].url

    page = text(client.get("/soeg/", {"q": "budget", "udvalg": "Direktionn"}))
    assert (
        "Arkivet kender ikke udvalget «Direktionn», så det filter er ikke brugt. Mente du Direktionen?"
        in page
    )


def test_an_unknown_body_is_a_400_with_the_nearest_in_the_api_csv_and_feed(archive, client):
    response = client.get("/api/search", {"udvalg": "Direktionn"})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "udvalg", "reason": "unknown value 'Direktionn'. Nearest: Direktionen (direktionen)."}
    ]
    assert client.get("/soeg/csv/", {"udvalg": "Direktionn"}).status_code == 400
    assert client.get("/soeg/atom/", {"udvalg": "Direktionn"}).status_code == 400


def test_api_search_takes_the_same_human_values_as_the_page(archive, client):
    page = found("udvalg=Direktionen&deltager=Gravesen")
    data = client.get("/api/search", {"udvalg": "Direktionen", "deltager": "Gravesen", "antal": 100}).json()
    assert data["total"] == page.total > 0
    assert [hit["id"] for hit in data["results"]] == [hit.item.pk for hit in page.hits]


def test_operators_keep_the_compound_widening(archive):
    budget = {hit.item.pk for hit in found("q=budget&ordret=1").hits}
    either = {hit.item.pk for hit in found("q=budget or elbiler&ordret=1").hits}
    without = {hit.item.pk for hit in found("q=budget -elbiler&ordret=1").hits}
    elbiler = {hit.item.pk for hit in found("q=elbiler&ordret=1").hits}
    assert either == budget | elbiler  # each side of "or" widened as on its own
    assert without == budget - elbiler
    # the widening finds "budgetopfølgning" with or without operators
    titles = {hit.item.title for hit in found("q=budget -elbiler").hits}
    assert "Samlet budgetopfølgning pr. 31. august 2024" in titles


@pytest.mark.parametrize(
    "pasted",
    ["23-012486", "23–012486", "Sag 23-012486", "sagsnr. 23-012486", "Sagsnr.: 23–012486", "23012486"],
)
def test_a_pasted_case_number_opens_the_case(archive, client, pasted):
    response = client.get("/soeg/", {"q": pasted})
    assert response.status_code == 302 and response.url == "/sag/23-012486/"


def test_a_surname_search_offers_the_persons_page(archive, client):
    page = client.get("/soeg/", {"q": "Gravesen"})
    assert 'href="/person/michael-gravesen/"' in page.content.decode()
    assert "Mødedeltagere står ikke i punkternes tekst. Se personens møder: Michael Gravesen" in text(page)


def test_a_person_suggestion_leads_to_the_person_page(archive):
    suggestions = found("q=Gravesn").suggestions
    person = next(s for s in suggestions if s.kind == "person")
    assert (person.text, person.url) == ("Michael Gravesen", "/person/michael-gravesen/")


def test_a_two_word_typo_is_corrected_word_by_word(archive):
    suggestions = found("q=Kalundborg Rockrs&ordret=1").suggestions
    assert suggestions[0].text.startswith("kalundborg rocker")
    assert suggestions[0].hits > 0


def test_a_page_number_that_does_not_exist_gets_a_notice(archive, client):
    page = text(client.get("/soeg/", {"q": "budget", "side": "abc"}))
    assert "«abc» er ikke et sidenummer; her er side 1." in page
    page = text(client.get("/soeg/", {"q": "budget", "side": "99"}))
    assert "Side 99 findes ikke: søgningen har 1 side. Her er den sidste." in page


def test_facet_groups_keep_their_order_after_a_choice(archive):
    before = [facet.name for facet in found("q=budget").facets]
    after = [facet.name for facet in found("q=budget&udvalg=direktionen&beslutning=approved").facets]
    assert [name for name in before if name in after] == [name for name in after if name in before]
    assert after.index("udvalg") < after.index("beslutning")


def test_page_links_carry_the_archives_values_not_what_was_typed(archive, client):
    # 58 items of Direktionen: three pages of 20
    page = client.get("/soeg/", {"udvalg": "DIREKTIONEN", "side": "2"}).content.decode()
    assert '<a rel="prev" href="?udvalg=direktionen&amp;side=1">' in page
    assert '<a rel="next" href="?udvalg=direktionen&amp;side=3">' in page
    assert '<input type="hidden" name="udvalg" value="direktionen">' in page  # the sort form
    assert 'href="/soeg/csv/?udvalg=direktionen&amp;sep=komma"' in page
    assert 'href="/soeg/atom/?udvalg=direktionen"' in page
    everything = client.get("/soeg/").content.decode()
    assert 'href="/soeg/csv/?sep=komma"' in everything and 'href="/api/search"' in everything


def test_search_tips_are_linked_from_the_search_box(client, db):
    home = client.get("/").content.decode()
    assert 'href="/soeg/tips/"' in home
    tips = text(client.get("/soeg/tips/"))
    for part in ("budget or regnskab", "budget -anlæg", '"taget til efterretning"', "Sag 24-003210", "flåde"):
        assert part in tips


def test_search_case_body_and_person_pages_explain_following_in_danish(archive, client):
    for url, feed in [
        ("/soeg/?q=budget", "/soeg/atom/?q=budget"),
        ("/sag/23-012486/", "/sag/23-012486/atom/"),
        ("/udvalg/direktionen/", "/udvalg/direktionen/atom/"),
        ("/person/michael-gravesen/", "/soeg/atom/?deltager=michael-gravesen"),
    ]:
        response = client.get(url)
        assert "Følg " in text(response) and "feedlæser" in text(response), url
        assert f'href="{feed}"' in response.content.decode(), url


def test_a_feed_names_the_sites_stylesheet_which_reads_as_a_danish_page(archive, client):
    feed = client.get("/soeg/atom/", {"q": "budget"}).content.decode()
    assert feed.startswith(
        '<?xml version="1.0" encoding="utf-8"?><?xml-stylesheet type="text/xsl" href="/atom.xsl"?>'
    )
    assert "<feed" in feed
    stylesheet = client.get("/atom.xsl")
    assert stylesheet["Content-Type"] == "text/xsl; charset=utf-8"
    assert "Dette er et feed." in stylesheet.content.decode()
    root = ElementTree.fromstring(stylesheet.content)  # well-formed, or no browser would apply it
    assert root.tag == "{http://www.w3.org/1999/XSL/Transform}stylesheet"


def test_snippets_are_escaped_then_marked(archive, client):
    item = AgendaItem.objects.get(meeting__date="2024-04-02", number=5)
    AgendaItem.objects.filter(pk=item.pk).update(
        decision='Godkendt: "a" < b & c > flådestyring', summary="", presentation=""
    )
    html = client.get("/soeg/", {"q": "flådestyring"}).content.decode()
    assert "&quot;a&quot; &lt; b &amp; c &gt; <mark>flådestyring</mark>" in html


def test_the_api_overview_is_danish_with_descriptions(client, db):
    page = text(client.get("/api/"))
    assert "Søg i punkterne" in page and "udvalget, der holdt mødet" in page
    assert "Search the agenda items" not in page and "page number" not in page


def test_people_named_by_a_query_are_at_most_a_few(archive):
    assert found("q=Gravesen").people == list(Person.objects.filter(slug="michael-gravesen"))
    assert found("q=budget").people == []
