"""Bytes to text (minutes/reading/decode.py), the date forms (danish.py) and the parse_minutes command."""

import codecs
import datetime
import io
import json
import unicodedata

import pytest

from minutes import reading
from minutes.management.commands.parse_minutes import run
from minutes.reading.danish import find_date, find_time
from tests.reading_files import LAYOUTS

TEXT = "Møde i Økonomiudvalget\nSted: Rådhuset\n"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        TEXT.encode("cp1252"),
        TEXT.replace("\n", "\r\n").encode("utf-8"),
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        unicodedata.normalize("NFD", TEXT).encode("utf-8"),
    ],
    ids=["utf-8", "bom", "cp1252", "crlf", "utf-16-le", "utf-16-be", "nfd"],
)
def test_decode_gives_the_same_text(data):
    assert reading.decode(data) == TEXT


def test_decode_reports_a_nul_byte_on_its_own_line():
    with pytest.raises(reading.ParseError) as refused:
        reading.decode(b"REFERAT\n\nPunkt 1: Eventuelt\nBeslut\x00ning\n")
    assert refused.value.line == 4 and "NUL" in refused.value.reason


@pytest.mark.parametrize(
    "data", [b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"PK\x03\x04rest"], ids=["pdf", "png", "zip"]
)
def test_decode_refuses_binary_files_at_line_1(data):
    with pytest.raises(reading.ParseError) as refused:
        reading.decode(data)
    assert refused.value.line == 1 and "ikke tekst" in refused.value.reason


@pytest.mark.parametrize(
    "text, date, time",
    [
        ("STARTTIDSPUNKT 04-06-2020 09:00:00", datetime.date(2020, 6, 4), datetime.time(9, 0)),
        ("Mødedato: 11. jun 2019", datetime.date(2019, 6, 11), None),
        ("onsdag den 1. oktober 2025 kl. 15.45", datetime.date(2025, 10, 1), datetime.time(15, 45)),
        ("Tirsdag, Maj 8, 2018 - 08:00", datetime.date(2018, 5, 8), datetime.time(8, 0)),
        ("Tirsdag, 27 august, 2019 - 16:00", datetime.date(2019, 8, 27), datetime.time(16, 0)),
        ("Referat af Byrådets møde d. 08.05.2018", datetime.date(2018, 5, 8), None),
        ("2013-06-20", datetime.date(2013, 6, 20), None),
    ],
)
def test_find_date_and_time_in_every_printed_form(text, date, time):
    found, match = find_date(text)
    assert found == date
    assert find_time(text, match) == time


def test_find_date_skips_a_day_that_does_not_exist():
    assert find_date("31-02-2024 og 1. marts 2024")[0] == datetime.date(2024, 3, 1)


def test_parse_minutes_prints_layout_kind_and_null_where_silent():
    out, err = io.StringIO(), io.StringIO()
    assert run(str(LAYOUTS / "item_page.txt"), out, err) == 0
    printed = json.loads(out.getvalue())
    assert (printed["layout"], printed["kind"], printed["body"], printed["single_item"]) == (
        "general",
        "referat",
        None,
        True,
    )
    assert printed["warnings"] and err.getvalue() == ""


def test_parse_minutes_refuses_with_file_line_and_reason(tmp_path):
    path = tmp_path / "tom.txt"
    path.write_text("Bare tekst.\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert run(str(path), out, err) == 1
    assert out.getvalue() == "" and err.getvalue().startswith(f"{path}:1: fandt ingen dagsordenspunkter")


def test_parse_minutes_reads_a_pdf_through_sources(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "referat.pdf"
    pdf = canvas.Canvas(str(path))
    for y, line in zip(
        range(800, 100, -20), LAYOUTS.joinpath("cut_off.txt").read_text().splitlines(), strict=False
    ):
        pdf.drawString(60, y, line)
    pdf.save()
    out, err = io.StringIO(), io.StringIO()
    assert run(str(path), out, err) == 0, err.getvalue()
    printed = json.loads(out.getvalue())
    assert printed["body"] == "Kulturudvalget"
    assert [i["number"] for i in printed["items"]] == [1, 2]
