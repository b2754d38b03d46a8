"""Tests for minutes.sources: uploaded bytes to referat text.

The PDFs are made here with reportlab from the five bundled sample referater, printed
as a word processor prints them (A4, lines wrapped at the margin, tab stops, a running
header and page numbers), and must parse to the same meeting as the text they came
from. No database.
"""

import codecs
import io
import random
import re
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from minutes import pdftext, reading, sources
from minutes.reading import firstagenda as parser
from minutes.reading import repair
from minutes.sources import SourceError, referat_bytes

SAMPLES = sorted((Path(sources.__file__).parent / "sample_minutes").glob("*.txt"))
VOCABULARY = repair.vocabulary_from_files(SAMPLES)  # as importer.archive_vocabulary(), without Django
PAGES_FIXTURE = Path(__file__).parent / "fixtures" / "direktionen_2025_pdf_pages.txt"

PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT = 20 * mm
TEXT_WIDTH = PAGE_WIDTH - 2 * LEFT
TOP, BOTTOM = PAGE_HEIGHT - 25 * mm, 25 * mm
TAB_STOP = 25 * mm
SIZE, LEADING = 10, 12
HEADER = "Kalundborg Kommune - Referat"


# --- making PDFs ------------------------------------------------------------------


def referat_pdf(text: str, font: str = "Helvetica", *, markdown: bool = False, encrypt=None) -> bytes:
    """A PDF of a referat: A4, long lines wrapped at the margin, a header and "Side n" on every page.

    With ``markdown`` every line is printed as it is, marks and all; otherwise as a converter
    renders markdown: headings and bold lines in bold, the marks left out. A tab-separated
    table row is printed on one line with its cells at tab stops.
    """
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, encrypt=encrypt)
    y = TOP
    for raw in text.split("\n"):
        line_font, line = (font, raw) if markdown else _rendered(raw, font)
        if not line.strip():
            y -= LEADING
            continue
        for piece in [line] if "\t" in line else simpleSplit(line, line_font, SIZE, TEXT_WIDTH):
            if y < BOTTOM:
                _finish_page(pdf)
                y = TOP
            pdf.setFont(line_font, SIZE)
            for x, cell in _cells(piece, line_font):
                pdf.drawString(LEFT + x, y, cell)
            y -= LEADING
    _finish_page(pdf)
    pdf.save()
    return buffer.getvalue()


def _rendered(raw: str, font: str) -> tuple[str, str]:
    bold = raw.lstrip().startswith(("#", "**"))
    return (f"{font}-Bold" if bold else font), parser.strip_markdown(raw)


def _cells(line: str, font: str) -> list[tuple[float, str]]:
    """(x, text) of each tab-separated cell; a tab moves on to the next tab stop at least 4 mm away."""
    x, cells = 0.0, []
    for i, cell in enumerate(line.split("\t")):
        if i:
            x = ((x + 4 * mm) // TAB_STOP + 1) * TAB_STOP
        cells.append((x, cell))
        x += stringWidth(cell, font, SIZE)
    return cells


def _finish_page(pdf: canvas.Canvas) -> None:
    pdf.setFont("Helvetica", 8)
    pdf.drawString(LEFT, PAGE_HEIGHT - 15 * mm, HEADER)
    pdf.drawRightString(LEFT + TEXT_WIDTH, 12 * mm, f"Side {pdf.getPageNumber()}")
    pdf.showPage()


def lines_pdf(pages: list[list[str]], **options) -> bytes:
    """A PDF with exactly these lines on each page, one every LEADING points, tabs at tab stops."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, **options)
    for lines in pages:
        pdf.setFont("Helvetica", SIZE)
        for i, line in enumerate(lines):
            for x, cell in _cells(line, "Helvetica"):
                pdf.drawString(LEFT + x, TOP - i * LEADING, cell)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def sample_text(path: Path) -> str:
    return reading.decode(path.read_bytes())


def comparable(meeting: reading.Meeting) -> dict:
    """What a reader sees of a meeting: meeting_to_dict, the table of contents and the repair notes.

    One thing a PDF cannot tell is ignored: whether a line ending in a hyphen had a space after
    the hyphen ("voksen- handicapområdet" in sample 003) or was one word the line broke.
    """
    shown = {
        **reading.meeting_to_dict(meeting),
        "contents": list(meeting.contents),
        "warnings": meeting.warnings,
    }
    return _without_hyphen_space(shown)


def _without_hyphen_space(value):
    if isinstance(value, str):
        return re.sub(r"(?<=[^\W\d_])- (?=[a-zæøå])", "", value)
    if isinstance(value, dict):
        return {key: _without_hyphen_space(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_without_hyphen_space(item) for item in value]
    return value


def reason_of(data: bytes, name: str = "referat.txt", **options) -> str:
    with pytest.raises(SourceError) as caught:
        referat_bytes(data, name, **options)
    error = caught.value
    assert (error.name, str(error)) == (name, f"{name}: {error.reason}")
    return error.reason


# --- PDFs of the samples ------------------------------------------------------------


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda path: path.name[:3])
@pytest.mark.parametrize(
    ("font", "markdown"), [("Helvetica", False), ("Courier", True)], ids=["helvetica", "courier-markdown"]
)
def test_pdf_of_a_sample_parses_like_the_sample(sample, font, markdown):
    text = sample_text(sample)
    data, kind = referat_bytes(referat_pdf(text, font, markdown=markdown), "referat.pdf")
    assert kind == "pdf"
    extracted = data.decode("utf-8")
    assert extracted.count("\n\n") > 20  # paragraphs and headings stay apart
    assert HEADER not in extracted
    assert not re.search(r"^Side \d+$", extracted, re.MULTILINE)

    expected = reading.meeting_to_dict(parser.parse(text, VOCABULARY))
    got = reading.meeting_to_dict(parser.parse(extracted, VOCABULARY))
    assert (got["body"], got["date"], got["start_time"]) == (
        expected["body"],
        expected["date"],
        expected["start_time"],
    )
    assert [(i["number"], i["title"], i["closed"]) for i in got["items"]] == [
        (i["number"], i["title"], i["closed"]) for i in expected["items"]
    ]
    assert [(i["case_number"], i["decision_type"]) for i in got["items"]] == [
        (i["case_number"], i["decision_type"]) for i in expected["items"]
    ]
    assert comparable(parser.parse(extracted, VOCABULARY)) == comparable(parser.parse(text, VOCABULARY))


def test_samples_make_multi_page_pdfs_with_wrapped_lines():
    """The test above is about page breaks and wrapped lines: the PDFs have both."""
    text = sample_text(SAMPLES[0])
    page_count = referat_pdf(text).count(b"/Type /Page\n")
    assert page_count >= 3
    assert any(
        stringWidth(parser.strip_markdown(line), "Helvetica", SIZE) > TEXT_WIDTH for line in text.split("\n")
    )


def test_pdf_with_running_headers_and_page_numbers_parses_like_its_text():
    """A referat as pdftotext gives it (tests/fixtures), each of its pages printed on a page of its own."""
    text = PAGES_FIXTURE.read_text(encoding="utf-8")
    pages = [page.strip("\n").split("\n") for page in text.split("\f")]
    data, kind = referat_bytes(lines_pdf(pages), "direktionen.pdf")
    extracted = data.decode("utf-8")
    assert kind == "pdf"
    assert "Direktionen 03-02-2025" not in extracted  # the header of pages 2 to 7
    assert "af 7" not in extracted
    assert comparable(parser.parse(extracted)) == comparable(parser.parse(text))


def test_wrapped_lines_are_joined_but_headings_stay_on_their_own_line():
    first = (
        "Direktionen drøftede den samlede budgetopfølgning for 2024 og de forventede merudgifter på hele det"
    )
    wrapped = "Specialiserede socialområde."
    full = "Handleplanen forelægges Økonomiudvalget sammen med den næste budgetopfølgning i september,"
    assert stringWidth(f"{first} {wrapped.split()[0]}", "Helvetica", SIZE) > TEXT_WIDTH  # it had to wrap
    lines = [first, wrapped, full, "Beslutning", "Godkendt.", full, "24-001522", full, "- Ingen bemærkninger"]
    # By length alone, each line after ``full`` could be the rest of it.
    assert len(f"{full} Beslutning") > sources.WRAP_SHARE * max(map(len, lines))
    data, _ = referat_bytes(lines_pdf([lines]), "tæt.pdf")
    assert data.decode("utf-8").split("\n") == [
        f"{first} {wrapped}",
        full,
        "Beslutning",
        "Godkendt.",
        full,
        "24-001522",
        full,
        "- Ingen bemærkninger",
        "",
    ]


def test_a_paragraph_split_by_a_page_break_is_joined_and_a_list_continues():
    body = "Der er udarbejdet en handleplan for området, som forelægges Økonomiudvalget på næste"
    pages = [
        ["Resume", "", body],
        ["Socialudvalg i september.", "", "- Renovation"],
        ["- Rottebekæmpelse", "", "Ingen."],
    ]
    data, _ = referat_bytes(lines_pdf(pages), "sider.pdf")
    assert data.decode("utf-8") == (
        f"Resume\n\n{body} Socialudvalg i september.\n\n- Renovation\n- Rottebekæmpelse\n\nIngen.\n"
    )


def test_running_headers_go_but_case_numbers_at_the_top_of_pages_stay():
    pages = [
        ["Direktionen 07-10-2024", "Punkt 1: Budget", "", "Beslutning", "", "Godkendt.", "", "Side 1 af 2"],
        ["Direktionen 07-10-2024", "24-001522", "", "Punkt 2: Eventuelt", "", "Side 2 af 2"],
        ["Direktionen 07-10-2024", "24-010991", "", "Beslutning", "", "Drøftet.", "", "Side 3 af 3"],
    ]
    data, _ = referat_bytes(lines_pdf(pages), "sider.pdf")
    assert data.decode("utf-8") == (
        "Punkt 1: Budget\n\nBeslutning\n\nGodkendt.\n\n24-001522\n\nPunkt 2: Eventuelt\n\n"
        "24-010991\n\nBeslutning\n\nDrøftet.\n"
    )


def test_a_table_keeps_its_columns_as_tabs():
    table = "Kroner\t2024\t2025\nNetto\t113,8\t345,2\n\tI alt\t1,0\n"
    data, _ = referat_bytes(
        lines_pdf([table.split("\n") + ["Samlet udgift i tabellen ovenfor."]]), "tabel.pdf"
    )
    assert data.decode("utf-8") == f"{table}\nSamlet udgift i tabellen ovenfor.\n"


# --- PDFs that cannot be read -----------------------------------------------------------


def test_pdf_without_text_layer():
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.rect(LEFT, BOTTOM, TEXT_WIDTH, 100 * mm, fill=1)
    pdf.line(LEFT, TOP, LEFT + TEXT_WIDTH, TOP)
    pdf.showPage()
    scan = Image.new("RGB", (200, 280), "white")
    scan.paste((0, 0, 0), (20, 20, 180, 30))  # a "line of text", as pixels
    pdf.drawImage(ImageReader(scan), LEFT, BOTTOM, width=TEXT_WIDTH, height=TOP - BOTTOM)
    pdf.drawString(LEFT, TOP, "Side 2")  # a page number is not a text layer
    pdf.showPage()
    pdf.save()
    assert "intet tekstlag" in reason_of(buffer.getvalue(), "scannet.pdf")


def test_encrypted_pdf():
    text = sample_text(SAMPLES[1])
    assert "krypteret" in reason_of(referat_pdf(text, encrypt=StandardEncryption("hemmelig")), "låst.pdf")
    assert "krypteret" in reason_of(
        referat_pdf(text, encrypt=StandardEncryption("x", strength=128)), "låst.pdf"
    )


def test_pdf_with_only_an_owner_password_is_read():
    """Anyone may open it (empty user password); the owner password only restricts copying or printing."""
    text = sample_text(SAMPLES[1])
    locked = referat_pdf(text, encrypt=StandardEncryption("", ownerPassword="ejer", canCopy=0))
    plain = referat_pdf(text)
    assert referat_bytes(locked, "beskyttet.pdf") == referat_bytes(plain, "åben.pdf")


def test_aes_encrypted_pdf_with_only_an_owner_password_is_read():
    plain = referat_pdf(sample_text(SAMPLES[1]))
    writer = PdfWriter(clone_from=io.BytesIO(plain))
    writer.encrypt(user_password="", owner_password="ejer", algorithm="AES-256")
    locked = io.BytesIO()
    writer.write(locked)
    assert referat_bytes(locked.getvalue(), "aes.pdf") == referat_bytes(plain, "åben.pdf")


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n" + bytes(random.Random(1).randrange(256) for _ in range(4000)),
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R",
        b"%PDF-",
    ],
    ids=["garbage", "truncated", "header-only"],
)
def test_broken_pdf(data):
    assert reason_of(data, "ødelagt.pdf").startswith("PDF'en kan ikke læses: ")


def test_damaged_pdfs_raise_only_source_errors():
    """Cut short or with bytes changed, a real referat PDF reads or raises SourceError, nothing else."""
    pdf = referat_pdf(sample_text(SAMPLES[1]))
    damaged = [pdf[:length] for length in range(5, len(pdf), len(pdf) // 40)]
    rng = random.Random(2)
    for _ in range(60):
        changed = bytearray(pdf)
        for _ in range(rng.randrange(1, 30)):
            changed[rng.randrange(9, len(changed))] = rng.randrange(256)
        damaged.append(bytes(changed))
    rejected = 0
    for data in damaged:
        try:
            referat_bytes(data, "x.pdf")
        except SourceError as error:
            assert error.reason.startswith("PDF'en ")
            rejected += 1
    assert rejected > len(damaged) / 2


def test_pdf_with_too_many_pages(monkeypatch):
    monkeypatch.setattr(pdftext, "MAX_PAGES", 2)
    pdf = lines_pdf([["Side med tekst nok til at være et referat"]] * 3)
    assert reason_of(pdf, "lang.pdf") == "PDF'en har for mange sider (3; højst 2)"


# --- what a file is -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "filen er tom"),
        (b" \r\n\t\n  ", "filen er tom"),
        (codecs.BOM_UTF8 + b"\n\n", "filen er tom"),
        (codecs.BOM_UTF16_LE + " \n".encode("utf-16-le"), "filen er tom"),
        (b"Referat\x00\x00\x00Direktionen", "filen er ikke tekst (den indeholder NUL-bytes)"),
        (
            b"Referat " * 20 + b"\x01\x02\x1b\x1b\x07",
            "filen er ikke tekst (den indeholder mange kontroltegn)",
        ),
        (
            b"PK\x03\x04\x14\x00\x06\x00[Content_Types].xml word/document.xml",
            "filen er et Word-dokument (DOCX)",
        ),
        (b"PK\x03\x04\x14\x00\x06\x00xl/workbook.xml", "filen er en ZIP-fil"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "filen er et ældre Office-dokument"),
        (b"{\\rtf1\\ansi Referat Direktionen", "filen er et RTF-dokument"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "filen er et billede (PNG)"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "filen er et billede (JPEG)"),
        (b"\x1f\x8b\x08\x00", "filen er komprimeret (gzip)"),
        (codecs.BOM_UTF16_LE + b"R\x00e\x00f", "filen begynder som UTF-16-tekst, men kan ikke læses"),
    ],
)
def test_files_that_are_not_referater(data, expected):
    assert reason_of(data).startswith(expected)


def test_each_kind_of_file_has_its_own_reason():
    files = [
        b"",
        b"\x00\x01binary",
        b"PK\x03\x04word/document.xml",
        b"PK\x03\x04",
        b"\x89PNG\r\n\x1a\n",
        b"\xd0\xcf\x11\xe0",
        b"GIF89a",
        b"%PDF-1.4\nnonsense",
        b"a" * 100,
    ]
    reasons = [reason_of(data, max_bytes=99) for data in files]
    assert len(set(reasons)) == len(files)
    assert all("–" in reason for reason in reasons[2:7])  # a format: what to do instead


def test_too_large():
    data = b"a" * (3 * 1024 * 1024)
    assert reason_of(data, max_bytes=2 * 1024 * 1024) == "filen er for stor (3,0 MB; højst 2,0 MB)"
    assert reason_of(b"%PDF-" + data, max_bytes=1024 * 1024) == "filen er for stor (3,0 MB; højst 1,0 MB)"
    assert referat_bytes(data, "r.txt", max_bytes=len(data)) == (data, "text")


def test_default_size_limit():
    assert sources.MAX_UPLOAD_BYTES == 20 * 1024 * 1024
    too_large = b"a" * (sources.MAX_UPLOAD_BYTES + 1)
    assert reason_of(too_large) == "filen er for stor (20,0 MB; højst 20,0 MB)"


def test_content_decides_not_the_file_name():
    text = SAMPLES[0].read_bytes()
    pdf = referat_pdf(sample_text(SAMPLES[0]))
    assert referat_bytes(text, "referat.pdf") == (text, "text")
    assert referat_bytes(pdf, "referat.txt")[1] == "pdf"
    assert referat_bytes(pdf, "referat")[1] == "pdf"
    assert referat_bytes(b"\r\n \t" + pdf, "referat.docx")[1] == "pdf"  # whitespace before %PDF-
    assert "ikke tekst" in reason_of(b"\x00" * 50 + pdf, "referat.pdf")  # %PDF- too far in


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda path: path.name[:3])
def test_text_encodings(sample):
    text = sample_text(sample)
    utf8 = text.encode("utf-8")
    for data in (
        utf8,
        codecs.BOM_UTF8 + utf8,
        text.encode("cp1252"),
        text.encode("latin-1", errors="replace"),
    ):
        assert referat_bytes(data, "referat.txt") == (data, "text")
        assert parser.parse(parser.decode(data), VOCABULARY).items  # and the parser reads it
    for utf16 in (
        codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
    ):
        assert referat_bytes(utf16, "referat.txt") == (utf8, "text")


def test_text_with_a_few_control_characters_is_text():
    data = b"Referat Direktionen\x0c\n" + b"Punkt 1: Eventuelt\r\n" * 20 + b"\x1a"  # FF and a DOS EOF
    assert referat_bytes(data, "referat.txt") == (data, "text")
