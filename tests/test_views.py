"""The pages people browse, rendered from the sample referater: what a reader sees, and how many queries."""

import datetime
import re

import pytest

from minutes import importer, views
from minutes.models import AgendaItem, Body, Meeting
from minutes.templatetags.minutes_tags import da_date

FLAADE = importer.SAMPLE_DIR / "000_fca47c908a356a01.txt"  # Direktionen 2024-04-02, 10 items


def text(response):
    """The page as a reader sees it: tags dropped, whitespace collapsed."""
    words = " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())
    return re.sub(r" ([,.:])", r"\1", words)


def html(response):
    return response.content.decode()


def meeting_on(day):
    return Meeting.objects.get(date=day)


def item_article(response, number):
    """The HTML of one item on a meeting page."""
    match = re.search(rf'<article class="item" id="punkt-{number}".*?</article>', html(response), re.S)
    return match.group(0)


def test_da_date_uses_danish_month_names_and_the_local_date():
    assert da_date(datetime.date(2024, 4, 2)) == "2. april 2024"
    assert da_date(datetime.date(2019, 1, 30)) == "30. januar 2019"
    # 23:30 UTC on 31 December is New Year's Day in Copenhagen.
    late = datetime.datetime(2023, 12, 31, 23, 30, tzinfo=datetime.UTC)
    assert da_date(late) == "1. januar 2024"


@pytest.mark.django_db
def test_every_page_is_danish_with_landmarks_skip_link_and_a_search_form(client):
    for url in ["/", "/arkiv/", "/udvalg/", "/soeg/?q=budget", "/findes-ikke/"]:
        page = html(client.get(url))
        assert '<html lang="da">' in page
        assert '<a class="skip-link" href="#indhold">Gå til indholdet</a>' in page
        assert '<main id="indhold"' in page and "<header" in page and "<footer" in page and "<nav" in page
        form = re.search(r'<form[^>]*role="search"[^>]*>.*?</form>', page, re.S).group(0)
        assert 'action="/soeg/"' in form and 'method="get"' in form and 'name="q"' in form
        field_id = re.search(r'<input type="search" id="([^"]+)"', form).group(1)
        assert f'<label for="{field_id}">Søg i referaterne</label>' in form


@pytest.mark.django_db
def test_search_page_echoes_the_query_escaped(client):
    response = client.get("/soeg/", {"q": "<b>budget</b>"})

    assert "Søgning: &lt;b&gt;budget&lt;/b&gt;" in text(response)
    assert "<b>budget</b>" not in html(response)


def test_home_shows_the_archive_size_and_newest_meetings(archive, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = client.get("/")

    page = text(response)
    assert "Arkivet indeholder 5 møder 58 dagsordenspunkter fra 2019 til 2024" in page
    newest = "Nyeste møder De nyeste møder i arkivet Dato Udvalg Punkter 7. oktober 2024 Direktionen 14"
    assert f"{newest} 24. juni 2024 Direktionen 12" in page
    assert f'href="/moede/{meeting_on("2024-10-07").pk}/"' in html(response)
    assert 'id="soeg"' in html(response) and 'id="soeg-top"' not in html(response)


@pytest.mark.django_db
def test_home_of_an_empty_archive(client):
    assert "Arkivet er tomt endnu." in text(client.get("/"))


def test_year_archive_counts_meetings_per_year(archive, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = client.get("/arkiv/")

    assert "2024 3 møder 2020 1 møde 2019 1 møde" in text(response)
    assert 'href="/arkiv/2020/"' in html(response)


def test_year_page_lists_the_years_meetings_newest_first(archive, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = client.get("/arkiv/2024/")

    page = text(response)
    assert "Møder i 2024" in page and "3 møder, nyeste først." in page
    assert "7. oktober 2024 Direktionen 14 24. juni 2024 Direktionen 12 2. april 2024 Direktionen 10" in page
    assert client.get("/arkiv/2021/").status_code == 404


def test_year_page_narrows_to_a_body_and_the_body_page_lists_its_years(archive, client):
    year = client.get("/arkiv/2019/")
    assert "Årets udvalg" in text(year)
    assert 'href="/arkiv/2019/?udvalg=direktionen"' in html(year)

    narrowed = text(client.get("/arkiv/2019/", {"udvalg": "direktionen"}))
    assert "Møder i 2019: Direktionen" in narrowed

    body = client.get("/udvalg/direktionen/")
    assert "År 2024 3 møder" in text(body)
    assert 'href="/arkiv/2024/?udvalg=direktionen"' in html(body)


def test_meeting_page_shows_when_where_and_who(archive, client, django_assert_max_num_queries):
    meeting = meeting_on("2024-04-02")
    with django_assert_max_num_queries(9):
        response = client.get(f"/moede/{meeting.pk}/")

    page = text(response)
    assert "Direktionen, møde 2. april 2024" in page
    assert "Dato Tirsdag 2. april 2024 Tidspunkt kl. 12:30 Sted Direktionens kontor" in page
    for slug, name in [
        ("michael-gravesen", "Michael Gravesen"),
        ("jan-lysgaard-thomsen", "Jan Lysgaard Thomsen"),
        ("michel-van-der-linden", "Michel van der Linden"),
        ("soeren-ole-soerensen", "Søren Ole Sørensen"),
    ]:
        assert f'<a href="/person/{slug}/">{name}</a>' in html(response)
    # The sample's file name is the archive's own, not the municipality's: never shown as a label.
    assert "Hent referatet som offentliggjort: referat-direktionen-2024-04-02.txt" in page
    assert FLAADE.name not in page
    assert f"Lagt i arkivet {da_date(meeting.imported_at)}" in page


def test_meeting_page_offers_the_original_referat_under_its_own_name(archive, client):
    meeting = meeting_on("2024-04-02")
    response = client.get(f"/moede/{meeting.pk}/referat/")

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="referat-direktionen-2024-04-02.txt"'
    assert response.content.decode() == meeting.raw_text


def test_meeting_page_has_a_table_of_contents_with_an_anchor_per_item(archive, client):
    response = client.get(f"/moede/{meeting_on('2024-04-02').pk}/")

    for number in range(1, 11):
        assert f'href="#punkt-{number}"' in html(response)
        assert f'id="punkt-{number}"' in html(response)
    assert "Punkt 2: Forberedelse af Planseminar (lukket punkt)" in text(response)


def test_meeting_page_shows_an_items_sections_decision_first(archive, client):
    response = client.get(f"/moede/{meeting_on('2024-04-02').pk}/")

    item = item_article(response, 5)
    assert "Godkendt med de faldne bemærkninger" in item
    assert '<span class="visually-hidden">Beslutningstype: </span>Godkendt</span>' in item
    headings = re.findall(r"<h3>(.*?)</h3>", item)
    assert headings == [
        "Beslutning",
        "Resumé",
        "Indstilling",
        "Sagsfremstilling",
        "Økonomiske konsekvenser",
        "Bilag",
        "Behandling",
    ]
    assert item.index("<h3>Behandling</h3>") < item.index('href="/sag/23-012486/"')


def test_closed_item_shows_only_what_the_source_publishes(archive, client):
    response = client.get(f"/moede/{meeting_on('2024-04-02').pk}/")

    closed = item_article(response, 2)
    assert "Punkt 2: Forberedelse af Planseminar" in closed
    assert "Lukket punkt" in closed
    assert "<h3>" not in closed and "item-meta" not in closed
    with_case = item_article(response, 3)
    assert 'href="/sag/23-011260/"' in with_case and "<h3>" not in with_case


def test_meeting_page_links_the_bodys_previous_and_next_meeting(archive, client):
    april, june = meeting_on("2024-04-02"), meeting_on("2024-06-24")
    oldest, newest = meeting_on("2019-01-28"), meeting_on("2024-10-07")

    page = html(client.get(f"/moede/{april.pk}/"))
    october = meeting_on("2020-10-05")
    assert f'<a rel="prev" href="/moede/{october.pk}/">← Forrige møde: 5. oktober 2020</a>' in page
    assert f'<a rel="next" href="/moede/{june.pk}/">Næste møde: 24. juni 2024 →</a>' in page
    assert 'rel="prev"' not in html(client.get(f"/moede/{oldest.pk}/"))
    assert 'rel="next"' not in html(client.get(f"/moede/{newest.pk}/"))


@pytest.mark.django_db
def test_neighbours_on_one_day_are_ordered_by_start_time_untimed_first():
    body = Body.objects.create(name="Byrådet", slug="byraadet")

    def meeting(day, time):
        return Meeting.objects.create(body=body, date=day, start_time=time, source_sha256="x")

    day_before = meeting("2024-05-01", datetime.time(9))
    untimed, nine = meeting("2024-05-02", None), meeting("2024-05-02", datetime.time(9))
    one = meeting("2024-05-02", datetime.time(13))
    for earlier, current, expected in [
        (True, untimed, day_before),
        (False, untimed, nine),
        (True, nine, untimed),
        (False, nine, one),
        (True, one, nine),
        (False, one, None),
    ]:
        found = Meeting.objects.neighbour(Meeting.objects.get(pk=current.pk), earlier=earlier)
        assert (found and found.pk) == (expected and expected.pk)


def test_item_page_shows_the_item_in_its_meeting(archive, client, django_assert_max_num_queries):
    meeting = meeting_on("2024-04-02")
    item = meeting.items.get(number=5)
    with django_assert_max_num_queries(4):
        response = client.get(f"/punkt/{item.pk}/")

    page = text(response)
    assert "Punkt 5: Flådestyring af Kalundborg Kommunes bilflåde - faseskift til beslutningsfase" in page
    assert "Fra mødet i Direktionen 2. april 2024 kl. 12:30, Direktionens kontor." in page
    assert "Beslutning Beslutningstype: Godkendt Godkendt med de faldne bemærkninger" in page
    assert f'href="/moede/{meeting.pk}/#punkt-5"' in html(response)
    assert '<a href="/sag/23-012486/">Hele sagens forløb (23-012486)</a>' in html(response)


def test_case_page_lists_every_item_of_the_case_newest_first(archive, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = client.get("/sag/23-012486/")

    page = text(response)
    assert "Sag 23-012486" in page and "2 dagsordenspunkter" in page
    first = page.index("2. april 2024, Direktionen, punkt 5 Flådestyring af Kalundborg Kommunes bilflåde")
    second = page.index("2. april 2024, Direktionen, punkt 6 Strategi for overgang til 0-emissionsdrift")
    assert first < second
    assert "Beslutningstype: Anbefalet" not in page and "Beslutningstype: Drøftet" in page

    recurring = text(client.get("/sag/21-102762/"))
    dates = ["2. april 2024", "24. juni 2024", "7. oktober 2024"]
    assert [recurring.index(day) for day in dates] == sorted(
        (recurring.index(day) for day in dates), reverse=True
    )
    assert "Følg sag 21-102762" in recurring


def test_case_page_shows_the_other_bodies_decisions(archive, client):
    page = text(client.get("/sag/326-2019-830/"))

    assert "28. januar 2019, Direktionen, punkt 2" in page
    assert "Beslutning Beslutningstype: Anbefalet Anbefales." in page
    assert "Andre udvalgs beslutninger Økonomiudvalget, 30. januar 2019: Godkendt." in page


def test_person_page_lists_meetings_attended_per_year(archive, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = client.get("/person/michael-gravesen/")

    page = text(response)
    assert "Michael Gravesen Deltog i 3 møder i arkivet." in page
    assert "2024 (3 møder) 7. oktober 2024 · Direktionen 24. juni 2024 · Direktionen 2. april 2024" in page


def test_body_page_lists_its_meetings_and_the_items_it_treats(archive, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client.get("/udvalg/direktionen/")

    page = text(response)
    assert "5 møder, nyeste først." in page
    assert "7. oktober 2024 Direktionen 14" in page
    assert "Samlet budgetopfølgning pr. 31. august 2024 Direktionen, 7. oktober 2024, punkt 3" in page
    assert 'href="/udvalg/direktionen/punkter/"' in html(response)  # more than 20 items: a link to all


def test_body_without_meetings_shows_the_items_it_treats(archive, client):
    page = text(client.get("/udvalg/oekonomiudvalget/"))

    assert "Arkivet har ingen referater fra møder i Økonomiudvalget." in page
    assert "Beslutning om støtte til Kalundborg Rockers jubilæum i 2019" in page


def test_body_pages_are_paginated(archive, client, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(views, "MEETINGS_PER_PAGE", 2)
    monkeypatch.setattr(views, "ITEMS_PER_PAGE", 10)

    page = text(client.get("/udvalg/direktionen/", {"side": 2}))
    assert "Side 2 af 3" in page
    assert "2. april 2024 Direktionen 10 5. oktober 2020 Direktionen 14" in page
    assert "24. juni 2024" not in page.split("Punkter, Direktionen behandler")[0]

    with django_assert_max_num_queries(3):
        response = client.get("/udvalg/direktionen/punkter/", {"side": 2})
    assert "Side 2 af 3" in text(response)  # 26 items treated by Direktionen
    assert '<a rel="prev" href="?side=1">' in html(response)
    assert '<a rel="next" href="?side=3">' in html(response)


def test_minutes_text_is_escaped(db, client):
    data = FLAADE.read_bytes().replace(
        "Godkendt med de faldne bemærkninger.".encode(), b"Godkendt <script>alert(1)</script>"
    )
    importer.import_bytes(data, "script.txt")
    item = AgendaItem.objects.get(number=5)
    assert "<script>alert(1)</script>" in item.decision

    for url in [f"/moede/{item.meeting_id}/", f"/punkt/{item.pk}/", "/sag/23-012486/"]:
        page = html(client.get(url))
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<script>" not in page


@pytest.mark.parametrize(
    "url",
    [
        "/moede/999999/",
        "/punkt/999999/",
        "/sag/99-999999/",
        "/person/ingen-saadan-person/",
        "/udvalg/intet-saadant-udvalg/",
        "/udvalg/intet-saadant-udvalg/punkter/",
        "/arkiv/1900/",
        "/arkiv/99999/",
    ],
)
def test_unknown_pages_are_404_in_danish(archive, client, url):
    response = client.get(url)

    assert response.status_code == 404
    assert "Siden findes ikke" in text(response)


def test_person_page_shows_one_years_meetings_and_links_their_items(archive, client):
    page = html(client.get("/person/michael-gravesen/"))
    assert '<a href="?aar=2024">2024</a>: 3 møder' in page
    assert 'href="/soeg/?deltager=michael-gravesen&amp;aar=2024"' in page
    chosen = client.get("/person/michael-gravesen/", {"aar": "2024"})
    assert 'aria-current="page">2024</a>' in html(chosen)
    assert text(chosen).count("· Direktionen") == 3
    items = client.get("/soeg/", {"deltager": "michael-gravesen", "aar": "2024"}).content.decode()
    expected = AgendaItem.objects.filter(
        meeting__participants__slug="michael-gravesen", meeting_date__year=2024
    )
    assert f"{expected.count()} punkter" in items
    assert client.get("/person/michael-gravesen/", {"aar": "1999"}).status_code == 200  # ignored


def test_body_list_shows_meetings_and_years_per_body(archive, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        page = text(client.get("/udvalg/"))
    assert "Direktionen 5 møder, 2019–2024" in page
    assert "Økonomiudvalget ingen møder, kun behandlinger" in page


def test_a_meeting_with_a_very_long_item_stays_a_small_page(client, db):
    from tests.test_importer import huge_item_referat

    importer.import_bytes(huge_item_referat(30_000), "lang.txt")  # about 270,000 characters in item 1
    meeting = Meeting.objects.get()
    item = meeting.items.get(number=1)
    page = client.get(f"/moede/{meeting.pk}/").content.decode()
    assert len(page) < 120_000
    assert "Punktets tekst er lang og er forkortet her." in page
    assert f'href="/punkt/{item.pk}/">Læs hele punktet 1 på dets egen side</a>' in page
    assert page.count("Punktets tekst er lang") == 1  # the other items are shown whole
    full = client.get(f"/punkt/{item.pk}/").content.decode()
    assert len(full) > 250_000 and "forkortet" not in full
