"""Saved HTML pages (minutes/reading/html.py) and FirstAgenda's publication page (firstagenda_html.py)."""

import datetime

from minutes import reading
from minutes.reading.html import visible_lines
from tests.reading_files import assert_matches_labels, layout, real


def test_visible_lines_skip_scripts_menus_banners_and_footer():
    lines = visible_lines(layout("cms_page.html").decode())
    assert lines[:3] == ["Teknisk Udvalg - Referat", "Dato:", "14. marts 2022 kl. 16:00"]
    assert "Vintertjenesten koster mere end budgetteret." in lines  # inline markup stays in its line
    text = "\n".join(lines)
    for chrome in ("12. Falsk punkt", "cookies", "Forside", "1. Politik", "Torvet 1"):
        assert chrome not in text


def test_read_html_page_through_the_general_reader():
    meeting = reading.read_bytes(layout("cms_page.html"))
    assert meeting.layout == "html"
    assert (meeting.body, meeting.date, meeting.start_time, meeting.location) == (
        "Teknisk Udvalg",
        datetime.date(2022, 3, 14),
        datetime.time(16, 0),
        "Udvalgsværelse 2",
    )
    assert [(i.number, i.title, i.case_number, i.decision) for i in meeting.items] == [
        (31, "Godkendelse af dagsorden", "22/1840", "Godkendt."),
        (32, "Vintertjeneste", "21/9933", "Oversendt til Økonomiudvalget."),
    ]


def test_read_html_page_with_nothing_visible_is_refused():
    try:
        reading.read_text("<html><body><script>1. Punkt</script></body></html>")
    except reading.ParseError as error:
        assert error.line == 1 and "synlig tekst" in error.reason
    else:
        raise AssertionError("a page without visible text was read")


def test_read_firstagenda_publication_page():
    data, labels = real("040")
    meeting = reading.read_bytes(data)
    assert (meeting.layout, meeting.kind) == ("firstagenda-html", "dagsorden")
    assert_matches_labels(meeting, labels)
    budget = next(i for i in meeting.items if i.number == 2)
    assert budget.summary.startswith("Vores hverdag leves der, hvor vi bor")
    assert budget.recommendation.startswith("Det indstilles:")
    assert "Bilag 1: Budgetredegørelsen 2026-2029" in budget.attachments
