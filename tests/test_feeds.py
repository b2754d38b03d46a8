"""Atom feeds for a search, a case, a body and the archive: valid Atom with the right items."""

import xml.etree.ElementTree as ET

import pytest

from minutes import search
from minutes.models import AgendaItem, Body, Case

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response):
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert (
        feed.tag == f"{ATOM}feed"
        and feed.find(f"{ATOM}title").text
        and feed.find(f"{ATOM}updated") is not None
    )
    found = []
    for entry in feed.findall(f"{ATOM}entry"):
        for tag in ("title", "id", "updated", "link", "summary"):
            assert entry.find(f"{ATOM}{tag}") is not None, tag
        found.append(int(entry.find(f"{ATOM}link").get("href").rstrip("/").rsplit("/", 1)[1]))
    return found


def newest_first(items):
    return list(
        items.order_by("-meeting_date", "-meeting__start_time", "-number").values_list("pk", flat=True)
    )


def test_search_feed_has_the_searchs_items_newest_first(archive, client):
    ids = entries(client.get("/soeg/atom/", {"q": "flåde", "sortering": "relevans"}))
    assert ids == newest_first(search.search(AgendaItem.objects.all(), "flåde")) and ids


def test_search_feed_applies_the_filters(archive, client):
    ids = entries(client.get("/soeg/atom/", {"aar": "2019", "beslutning": "approved"}))
    assert ids == newest_first(AgendaItem.objects.filter(meeting_date__year=2019, decision_type="approved"))


def test_case_feed_follows_a_case_however_the_number_is_typed(archive, client):
    case = Case.objects.get(number="23-012486")
    assert entries(client.get("/sag/23-12486/atom/")) == newest_first(case.items.all())
    assert client.get("/sag/99-999999/atom/").status_code == 404


def test_body_and_archive_feeds(archive, client):
    body = Body.objects.get(name="Direktionen")
    assert (
        entries(client.get(f"/udvalg/{body.slug}/atom/"))
        == newest_first(AgendaItem.objects.filter(meeting_body=body))[:50]
    )
    assert entries(client.get("/atom/")) == newest_first(AgendaItem.objects.all())[:50]


def test_entries_carry_the_decision(archive, client):
    response = client.get("/soeg/atom/", {"q": "flådestyring"})
    item = search.search(AgendaItem.objects.all(), "flådestyring").exclude(decision="").first()
    assert item.decision.split()[0] in response.content.decode()


def test_pages_link_their_feeds(archive, client):
    assert 'type="application/atom+xml"' in client.get("/").content.decode()
    assert 'href="/soeg/atom/?q=budget"' in client.get("/soeg/", {"q": "budget"}).content.decode()
    assert 'href="/sag/23-012486/atom/"' in client.get("/sag/23-012486/").content.decode()
    assert 'href="/udvalg/direktionen/atom/"' in client.get("/udvalg/direktionen/").content.decode()


FEEDS = ["/atom/", "/soeg/atom/?q=flådestyring", "/sag/23-012486/atom/", "/udvalg/direktionen/atom/"]
MARKUP = '<img src=x onerror="alert(1)"><b>Godkendt</b>'


@pytest.mark.parametrize("url", FEEDS)
def test_entries_reach_feed_readers_as_text_never_as_markup(archive, client, url):
    item = AgendaItem.objects.filter(case__number="23-012486").order_by("-meeting_date").first()
    item.decision = MARKUP + " & videre"
    item.title = "<script>alert(2)</script> Flådestyring"
    item.save()
    response = client.get(url)
    feed = ET.fromstring(response.content)
    entry = next(
        e for e in feed.findall(f"{ATOM}entry") if e.find(f"{ATOM}link").get("href").endswith(f"/{item.pk}/")
    )
    summary = entry.find(f"{ATOM}summary")
    # type="text": a reader shows the characters; the markup is text, not an element or escaped HTML.
    assert summary.get("type") == "text"
    assert MARKUP + " & videre" in summary.text and len(summary) == 0
    title = entry.find(f"{ATOM}title")
    assert title.get("type", "text") == "text" and "<script>alert(2)</script> Flådestyring" in title.text
    assert b'type="html"' not in response.content and b"<img" not in response.content


@pytest.mark.parametrize("url", FEEDS)
def test_control_characters_in_a_referat_do_not_break_a_feed(archive, client, url):
    item = AgendaItem.objects.filter(case__number="23-012486").order_by("-meeting_date").first()
    item.decision = "Godkendt\x0c side 2\x1b."  # a PDF's form feed, an escape
    item.save()
    response = client.get(url)
    assert response.status_code == 200
    summaries = [
        e.find(f"{ATOM}summary").text for e in ET.fromstring(response.content).findall(f"{ATOM}entry")
    ]
    assert any("Godkendt side 2." in text for text in summaries)


def feed_links(response):
    feed = ET.fromstring(response.content)
    return {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}


def test_search_feed_links_itself_with_its_query(archive, client):
    response = client.get("/soeg/atom/?q=flåde&aar=2024&beslutning=approved&beslutning=noted")
    links = feed_links(response)
    expected = "q=fl%C3%A5de&aar=2024&beslutning=approved&beslutning=noted"
    assert links["self"] == f"http://testserver/soeg/atom/?{expected}"
    assert links["alternate"] == f"http://testserver/soeg/?{expected}"
    assert feed_links(client.get("/soeg/atom/"))["self"] == "http://testserver/soeg/atom/"


def test_other_feeds_link_themselves(archive, client):
    for url in ("/atom/", "/sag/23-012486/atom/", "/udvalg/direktionen/atom/"):
        assert feed_links(client.get(url))["self"] == f"http://testserver{url}"
