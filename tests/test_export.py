"""CSV of any search: the same items in the same order as the search page, Excel-ready, escaped."""

import csv
import io
import re

from django.http import StreamingHttpResponse

from minutes.models import AgendaItem


def rows(response, delimiter=";"):
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


def page_ids(html):
    return [int(pk) for pk in re.findall(r'<h3 class="hit__title"><a href="/punkt/(\d+)/">', html)]


def test_csv_has_the_search_pages_items_in_its_order(archive, client):
    for params in ({"q": "budget"}, {"q": "flåde", "sortering": "aeldste"}, {"beslutning": "approved"}):
        table = rows(client.get("/soeg/csv/", params))
        assert table[0] == [
            "Mødedato",
            "Udvalg",
            "Punkt",
            "Titel",
            "Sagsnr.",
            "Beslutningstype",
            "Beslutning",
            "Side",
        ]
        csv_ids = [int(row[7].rstrip("/").rsplit("/", 1)[1]) for row in table[1:]]
        html = client.get("/soeg/", params).content.decode()
        assert csv_ids[:20] == page_ids(html) and csv_ids
        assert all(row[7].startswith("http://testserver/punkt/") for row in table[1:])


def test_csv_applies_the_filters(archive, client):
    table = rows(client.get("/soeg/csv/", {"aar": "2019"}))[1:]
    assert len(table) == AgendaItem.objects.filter(meeting_date__year=2019).count() > 0
    assert {row[0][:4] for row in table} == {"2019"}
    assert {row[1] for row in table} == {"Direktionen"}


def test_csv_escapes_separators_quotes_and_newlines(archive, client):
    item = AgendaItem.objects.exclude(decision="").order_by("pk").first()
    item.decision = 'Godkendt; dog "med forbehold"\nfor budgettet, se bilag'
    item.save()
    for sep, delimiter in (("semikolon", ";"), ("komma", ",")):
        response = client.get("/soeg/csv/", {"sagsnr": item.case.number, "sep": sep})
        assert response["Content-Disposition"] == 'attachment; filename="referatarkiv-soegning.csv"'
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        table = rows(response, delimiter)
        mine = [row for row in table[1:] if row[7].endswith(f"/punkt/{item.pk}/")]
        assert mine[0][6] == item.decision and mine[0][5] == item.get_decision_type_display()


def test_results_page_links_its_csv(archive, client):
    html = client.get("/soeg/", {"q": "budget", "aar": "2024"}).content.decode()
    assert 'href="/soeg/csv/?q=budget&amp;aar=2024"' in html
    assert 'href="/soeg/csv/?q=budget&amp;aar=2024&amp;sep=komma"' in html
