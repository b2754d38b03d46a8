"""The general reader (minutes/reading/general.py, header.py, sections.py) on the layout families it
reads: small fixtures written for each family, and the real referater of ../shared/real."""

import datetime

import pytest

from minutes import reading
from tests.reading_files import assert_matches_labels, layout, real, real_prefixes

TEXT_FAMILIES = {
    "polweb-agenda",
    "polweb-item",
    "dagsordner-html-export",
    "mirror-page",
    "drupal-dagsorden",
    "cms-page",
    "roskilde-pkt",
    "viborg-bullets",
    "middelfart-referat",
    "frederikssund-fold",
    "kk-punkt",
    "kk-edoc",
    "brk-infref",
    "aabenraa-beslutningsprotokol",
    "sbsys-preview",
    "vejen-agenda",
    "herning-printagenda",
    "rk-visning",
    "fredensborg-item",
    "gribskov-arkiv",
    "aspx-referat",
    "flippingbook",
    "acadre-pdf",
}


@pytest.mark.parametrize("prefix", real_prefixes(TEXT_FAMILIES))
def test_read_real_text_layouts_gives_the_labelled_fields(prefix):
    data, labels = real(prefix)
    assert_matches_labels(reading.read_bytes(data), labels)


def test_read_polweb_takes_body_and_date_from_the_decision_headings():
    meeting = reading.read_bytes(layout("polweb_agenda.txt"))
    assert (meeting.body, meeting.date) == ("Ældreudvalget", datetime.date(2016, 3, 3))
    assert [(i.number, i.case_number, i.closed) for i in meeting.items] == [
        (1, "326-2016-1200", False),
        (2, "326-2015-70411", True),
    ]
    assert meeting.items[1].decision == "Taget til efterretning."
    assert any("beslutningsoverskrifterne" in w for w in meeting.warnings)


def test_read_label_header_keeps_running_numbers_and_uses_contents_only_to_confirm():
    meeting = reading.read_bytes(layout("label_header.txt"))
    assert (meeting.body, meeting.start_time) == ("Miljø- og Planudvalget", datetime.time(9, 0))
    assert meeting.location == "Mødelokale 3, Rådhuset"
    assert [(i.number, i.title) for i in meeting.items] == [
        (112, "Godkendelse af dagsorden"),
        (113, "Lokalplan for boliger ved Åen"),
    ]
    lokalplan = meeting.items[1]
    assert lokalplan.decision == "Sendt i høring."  # this meeting's decision, not the Økonomiudvalg's
    assert [(d.body, d.date, d.text) for d in lokalplan.other_decisions] == [
        ("Økonomiudvalget", datetime.date(2020, 5, 28), "Anbefales.")
    ]
    assert meeting.missing_items == ()


def test_read_bulleted_cms_sections_and_a_word_date():
    meeting = reading.read_bytes(layout("cms_sections.txt"))
    assert (meeting.body, meeting.date, meeting.start_time) == (
        "Økonomiudvalget",
        datetime.date(2019, 6, 11),
        datetime.time(15, 45),
    )
    regnskab = meeting.items[0]
    assert (regnskab.number, regnskab.title, regnskab.decision) == (7, "Regnskab 2018", "Godkendt.")
    assert regnskab.recommendation == "Forvaltningen indstiller, at regnskabet godkendes."
    assert regnskab.presentation == "Regnskabet viser et overskud."


def test_read_cut_off_document_names_what_is_missing():
    meeting = reading.read_bytes(layout("cut_off.txt"))
    assert [i.number for i in meeting.items] == [1, 2]
    assert meeting.missing_items == ("3. Budget 2020", "4. Eventuelt")
    assert any("afkortet" in w and "Budget 2020" in w for w in meeting.warnings)
    with pytest.raises(reading.ParseError, match="afkortet"):
        reading.require_complete(meeting)


def test_read_dagsorden_without_decisions_is_a_dagsorden():
    meeting = reading.read_bytes(layout("dagsorden.txt"))
    assert meeting.kind == "dagsorden"
    assert [(i.number, i.case_number, i.decision) for i in meeting.items] == [
        (1, "18/2210", None),
        (2, "18/1020", None),
    ]
    assert reading.read_bytes(layout("cut_off.txt")).kind == "referat"


def test_read_item_page_is_one_item_and_says_so():
    meeting = reading.read_bytes(layout("item_page.txt"))
    assert meeting.single_item and meeting.body is None
    assert (meeting.date, meeting.location) == (datetime.date(2018, 5, 8), "Rådhuset, værelse 1")
    (item,) = meeting.items
    assert (item.number, item.title) == (1, "Forslag om nye cykelstier")
    assert item.decision == "Indstillingen blev godkendt uden afstemning."
    with pytest.raises(reading.ParseError, match="--udvalg"):
        reading.require_complete(meeting)


def test_read_a_layout_never_seen_markdown_headings_and_inline_labels():
    meeting = reading.read_bytes(layout("unseen_markdown.md"))
    assert (meeting.body, meeting.date, meeting.location) == (
        "Socialudvalget",
        datetime.date(2018, 5, 8),
        "Mødelokale B",
    )
    assert [(i.number, i.case_number, i.decision) for i in meeting.items] == [
        (21, "2018-000511", "Taget til efterretning."),
        (22, None, "Ingen bemærkninger."),
    ]


def test_read_keeps_a_numbered_list_inside_an_item_out_of_the_items():
    text = layout("label_header.txt").decode() + "\n\n114. Eventuelt\n\nBeslutning\n\nIntet.\n"
    assert [i.number for i in reading.read_text(text).items] == [112, 113, 114]


def test_read_text_without_items_is_refused_with_a_line():
    with pytest.raises(reading.ParseError) as refused:
        reading.read_text("Dette er bare en tekst.\nUden punkter.\n")
    assert refused.value.line == 2
