"""docplayer.dk transcripts of PDF referater (minutes/reading/docplayer.py)."""

import datetime

import pytest

from minutes import reading
from tests.reading_files import assert_matches_labels, layout, real


def test_read_docplayer_transcript_cuts_the_page_lines_at_their_labels():
    meeting = reading.read_bytes(layout("docplayer.txt"))
    assert meeting.layout == "docplayer-pdf"
    assert (meeting.body, meeting.date, meeting.start_time) == (
        "Kulturudvalget",
        datetime.date(2015, 3, 2),
        datetime.time(15, 0),
    )
    assert [(i.number, i.title, i.case_number, i.closed, i.decision) for i in meeting.items] == [
        (12, "Godkendelse af dagsorden", "15/301", False, "Godkendt."),
        (13, "Bibliotekets åbningstider", "15/877", False, "Udsat."),
    ]


@pytest.mark.parametrize("prefix", ["030", "031", "032", "033", "034", "036"])
def test_read_real_docplayer_transcripts(prefix):
    data, labels = real(prefix)
    meeting = reading.read_bytes(data)
    items = {i.number: i for i in meeting.items}
    assert sorted(items) == sorted(i["number"] for i in labels["items"])
    for key in ("date", "start_time"):
        if key in labels:
            shown = getattr(meeting, key)
            assert shown.isoformat()[: len(labels[key])] == labels[key]


def test_read_real_skive_agenda_is_a_dagsorden():
    data, labels = real("031")
    meeting = reading.read_bytes(data)
    assert meeting.kind == "dagsorden"
    assert_matches_labels(
        meeting,
        {k: v for k, v in labels.items() if k != "location"} | {"location": "Gl. Rådhus, Byrådssalen"},
    )
