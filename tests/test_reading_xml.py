"""Case-system publishing XML (minutes/reading/xml.py), read without entity expansion."""

import datetime

import pytest

from minutes import reading
from tests.reading_files import assert_matches_labels, layout, real


def test_read_acadre_xml_numbers_items_from_the_agenda_data():
    meeting = reading.read_bytes(layout("acadre.xml"))
    assert (meeting.layout, meeting.kind, meeting.body) == (
        "acadre-xml",
        "referat",
        "Social- og Sundhedsudvalget",
    )
    assert (meeting.date, meeting.start_time) == (datetime.date(2019, 11, 5), datetime.time(14, 0))
    assert [(i.number, i.title, i.case_number, i.closed, i.decision) for i in meeting.items] == [
        (140, "Godkendelse af dagsorden", "19/2001", False, "Godkendt."),
        (141, "Personalesag", "19/2002", True, None),
    ]


def test_read_real_acadre_xml_keeps_this_meetings_decision():
    data, labels = real("039")
    meeting = reading.read_bytes(data)
    assert_matches_labels(meeting, labels)
    (item,) = meeting.items
    assert [d.date for d in item.other_decisions] == [datetime.date(2013, 4, 10), datetime.date(2013, 4, 24)]


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<root><table name="agendaitem"><fields><field name="name">&lol2;</field></fields></table></root>
"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE root [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<root><table name="agendaitem"><fields><field name="name">&secret;</field></fields></table></root>
"""


@pytest.mark.parametrize("text", [BILLION_LAUGHS, EXTERNAL], ids=["entity expansion", "external entity"])
def test_read_xml_refuses_entities(text):
    with pytest.raises(reading.ParseError, match="sikkerhedshensyn"):
        reading.read_text(text)


def test_read_broken_xml_names_the_line():
    with pytest.raises(reading.ParseError) as refused:
        reading.read_text('<?xml version="1.0"?>\n<root>\n<table name="agenda">\n</root>\n')
    assert refused.value.line == 4
