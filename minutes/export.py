"""Any search as a CSV file: the items of the search page's query and filters, in its order, streamed.

Danish Excel opens it as it is: UTF-8 with a byte order mark and ";" between fields (``sep=komma``
gives ","). Rows come from a server-side cursor in chunks, so an export of the whole archive runs
in flat memory; the file starts before the last row is read, but only after the parameters are
checked and the first rows read: an invalid or unknown filter value is a 400, never a 200 that breaks off.

Every CSV the site writes goes through ``SpreadsheetWriter``: a cell that a spreadsheet would run as
a formula (it starts with =, +, -, @, tab or CR; OWASP's "CSV injection") gets a leading apostrophe,
which Excel and LibreOffice show as text and hide.
"""

import csv
import itertools

from django.http import StreamingHttpResponse
from django.urls import reverse

from minutes.bad_requests import Problem, refuse
from minutes.models import DecisionType
from minutes.search.page import item_query

HEADER = ["Mødedato", "Udvalg", "Punkt", "Titel", "Sagsnr.", "Beslutningstype", "Beslutning", "Side"]
SEPARATORS = {"semikolon": ";", "komma": ","}
SEPARATOR_CHOICES = ("skal være semikolon eller komma", "must be semikolon or komma")
CHUNK = 2000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP's list: what Excel and LibreOffice read as formulas


def spreadsheet_text(value):
    """A cell's value as a spreadsheet shows it and never runs it: "=1+1" becomes "'=1+1"."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class Echo:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value):
        return value


class SpreadsheetWriter:
    """csv.writer for a generator (writerow returns the line) whose cells cannot be formulas."""

    def __init__(self, **options):
        self.writer = csv.writer(Echo(), **options)

    def writerow(self, row) -> str:
        return self.writer.writerow([spreadsheet_text(cell) for cell in row])


def search_csv(request):
    found = item_query(request.GET)  # the search page's items, in its order
    problems = found.problems
    separator = SEPARATORS.get(request.GET.get("sep") or "semikolon")
    if separator is None:
        problems.append(Problem.of_parameter("sep", SEPARATOR_CHOICES))
    if problems:  # a CSV has no place for the search page's notice: refuse, before any row
        return refuse(request, problems)
    site = request.build_absolute_uri("/")[:-1]
    lines = _lines(found, separator, site)
    first = list(itertools.islice(lines, 2))  # the header and the first row: the query has run
    response = StreamingHttpResponse(itertools.chain(first, lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="referatarkiv-soegning.csv"'
    return response


def _lines(found, separator, site):
    writer = SpreadsheetWriter(delimiter=separator)
    labels = dict(DecisionType.choices)
    yield "\ufeff" + writer.writerow(HEADER)
    rows = found.rows(
        "pk",
        "meeting_date",
        "meeting_body__name",
        "number",
        "title",
        "case__number",
        "decision_type",
        "decision",
        chunk=CHUNK,
    )
    item_url = reverse("minutes:item_detail", args=[0]).replace("/0/", "/{}/")
    for pk, date, body, number, title, case, decision_type, decision in rows:
        yield writer.writerow(
            [
                date.isoformat(),
                body,
                number,
                title,
                case or "",
                labels.get(decision_type, ""),
                decision,
                site + item_url.format(pk),
            ]
        )
