"""Sitemaps, robots.txt and the OpenSearch description: what crawlers and browsers read."""

import xml.etree.ElementTree as ET

import pytest
from django.db.models import Max, Min
from django.utils import timezone

from minutes import discovery
from minutes.models import AgendaItem, Body, Case, Meeting, Person

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
SECTIONS = ["sider", "moeder", "punkter", "sager", "personer", "udvalg"]
HOST = "referater.example.dk"


@pytest.fixture(autouse=True)
def public_host(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]


def sitemap_locations(response, tag):
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    root = ET.fromstring(response.content)
    assert root.tag == f"{SITEMAP}{tag}"
    return root


def urlset(response):
    """{location: lastmod text or None} of one sitemap page."""
    root = sitemap_locations(response, "urlset")
    return {
        url.find(f"{SITEMAP}loc").text: getattr(url.find(f"{SITEMAP}lastmod"), "text", None)
        for url in root.findall(f"{SITEMAP}url")
    }


def index_locations(response):
    root = sitemap_locations(response, "sitemapindex")
    return [sitemap.find(f"{SITEMAP}loc").text for sitemap in root.findall(f"{SITEMAP}sitemap")]


def test_sitemap_index_lists_every_section_with_absolute_urls(archive, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get("/sitemap.xml", HTTP_HOST=HOST)

    assert index_locations(response) == [f"http://{HOST}/sitemap-{s}.xml" for s in SECTIONS]
    newest = timezone.localtime(Meeting.objects.latest("updated_at").updated_at).isoformat()
    lastmods = [element.text for element in ET.fromstring(response.content).iter(f"{SITEMAP}lastmod")]
    assert lastmods == [newest, newest]  # meetings and items; the other sections have none


def test_sitemap_index_uses_the_requests_scheme(archive, client):
    response = client.get("/sitemap.xml", HTTP_HOST=HOST, secure=True)
    assert index_locations(response)[0] == f"https://{HOST}/sitemap-sider.xml"


def test_meeting_and_item_sitemaps_list_every_page_with_its_meetings_update(
    archive, client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2) as queries:
        meetings = urlset(client.get("/sitemap-moeder.xml"))
    assert not any("OFFSET" in query["sql"] for query in queries.captured_queries)

    assert meetings == {
        f"http://testserver/moede/{meeting.pk}/": timezone.localdate(meeting.updated_at).isoformat()
        for meeting in Meeting.objects.all()
    }
    assert len(meetings) == 5
    with django_assert_max_num_queries(2):
        items = urlset(client.get("/sitemap-punkter.xml"))
    assert items == {
        f"http://testserver/punkt/{item.pk}/": timezone.localdate(item.meeting.updated_at).isoformat()
        for item in AgendaItem.objects.select_related("meeting")
    }
    assert len(items) == 58


def test_case_person_and_body_sitemaps_link_their_pages(archive, client):
    cases = urlset(client.get("/sitemap-sager.xml"))
    numbers = Case.objects.values_list("number", flat=True)
    assert set(cases) == {f"http://testserver/sag/{number}/" for number in numbers}
    assert "http://testserver/sag/23-012486/" in cases

    people = urlset(client.get("/sitemap-personer.xml"))
    slugs = Person.objects.values_list("slug", flat=True)
    assert set(people) == {f"http://testserver/person/{slug}/" for slug in slugs}
    assert "http://testserver/person/soeren-ole-soerensen/" in people

    bodies = urlset(client.get("/sitemap-udvalg.xml"))
    slugs = Body.objects.values_list("slug", flat=True)
    assert set(bodies) == {f"http://testserver/udvalg/{slug}/" for slug in slugs}
    assert "http://testserver/udvalg/direktionen/" in bodies


def test_page_sitemap_has_the_fixed_pages_and_a_page_per_year(archive, client):
    pages = urlset(client.get("/sitemap-sider.xml"))
    assert list(pages) == [
        "http://testserver/",
        "http://testserver/arkiv/",
        "http://testserver/udvalg/",
        "http://testserver/arkiv/2024/",
        "http://testserver/arkiv/2020/",
        "http://testserver/arkiv/2019/",
    ]
    for url in pages:
        assert client.get(url).status_code == 200


def test_sitemaps_split_into_pages_of_id_ranges(archive, client, monkeypatch):
    monkeypatch.setattr(discovery.TableSitemap, "limit", 20)
    ids = AgendaItem.objects.aggregate(first=Min("pk"), last=Max("pk"))
    pages = -(-(ids["last"] - ids["first"] + 1) // 20)
    assert pages == 3  # 58 items with consecutive ids

    item_pages = [url for url in index_locations(client.get("/sitemap.xml")) if "punkter" in url]
    assert item_pages == [
        "http://testserver/sitemap-punkter.xml",
        *(f"http://testserver/sitemap-punkter.xml?p={page}" for page in range(2, pages + 1)),
    ]

    found = []
    for page in range(1, pages + 1):
        urls = list(urlset(client.get("/sitemap-punkter.xml", {"p": page})))
        assert 0 < len(urls) <= 20
        found += urls
    in_id_order = AgendaItem.objects.order_by("pk").values_list("pk", flat=True)
    assert found == [f"http://testserver/punkt/{pk}/" for pk in in_id_order]  # each once, in id order
    assert client.get("/sitemap-punkter.xml", {"p": pages + 1}).status_code == 404
    assert client.get("/sitemap-punkter.xml", {"p": "x"}).status_code == 404


@pytest.mark.django_db
def test_sitemaps_of_an_empty_archive(client):
    sections = [f"http://testserver/sitemap-{section}.xml" for section in SECTIONS]
    assert index_locations(client.get("/sitemap.xml")) == sections
    assert urlset(client.get("/sitemap-punkter.xml")) == {}
    assert list(urlset(client.get("/sitemap-sider.xml"))) == [
        "http://testserver/",
        "http://testserver/arkiv/",
        "http://testserver/udvalg/",
    ]
    assert client.get("/sitemap-findes-ikke.xml").status_code == 404


@pytest.mark.django_db
def test_robots_txt_keeps_crawlers_out_of_admin_and_searches_and_names_the_sitemap(client):
    response = client.get("/robots.txt", HTTP_HOST=HOST, secure=True)

    assert response.status_code == 200 and response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert {"Allow: /", "Disallow: /admin/", "Disallow: /soeg/"} <= set(lines)
    assert f"Sitemap: https://{HOST}/sitemap.xml" in lines


@pytest.mark.django_db
def test_opensearch_description_points_at_the_search_page_and_its_feed(client):
    response = client.get("/opensearch.xml", HTTP_HOST=HOST, secure=True)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/opensearchdescription+xml"
    root = ET.fromstring(response.content)
    assert root.tag == f"{OPENSEARCH}OpenSearchDescription"
    assert root.find(f"{OPENSEARCH}ShortName").text == "Referatarkivet"
    assert root.find(f"{OPENSEARCH}Description").text.startswith("Søg i referaterne")
    assert root.find(f"{OPENSEARCH}InputEncoding").text == "UTF-8"
    assert root.find(f"{OPENSEARCH}Language").text == "da"
    templates = {url.get("type"): url.get("template") for url in root.findall(f"{OPENSEARCH}Url")}
    assert templates == {
        "text/html": f"https://{HOST}/soeg/?q={{searchTerms}}",
        "application/atom+xml": f"https://{HOST}/soeg/atom/?q={{searchTerms}}",
        "application/opensearchdescription+xml": f"https://{HOST}/opensearch.xml",
    }


@pytest.mark.django_db
def test_every_page_names_the_opensearch_description(client):
    link = (
        '<link rel="search" type="application/opensearchdescription+xml" title="Referatarkivet"'
        ' href="/opensearch.xml">'
    )
    assert link in client.get("/").content.decode()
    assert link in client.get("/soeg/", {"q": "budget"}).content.decode()
