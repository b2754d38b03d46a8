"""A PDF is read in a child process with bounded time and memory: a decompression bomb is refused in
seconds with a Danish reason, in the preview, the upload's publication and the command line alike."""

import io
import time
import zlib

import pytest
from django.core.management import call_command

from minutes import importer, pdftext
from minutes.models import Meeting, SourceFile


def bomb_pdf(pages: int = 200, operations: int = 400_000) -> bytes:
    """A small PDF whose pages all share one content stream that inflates to megabytes of text
    operations: every page makes pypdf run the whole stream again."""
    content = b"BT /F1 12 Tf " + b"(a) Tj 0 0 Td " * operations + b"ET"
    stream = zlib.compress(content, 9)
    kids = " ".join(f"{5 + i} 0 R" for i in range(pages)).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(pages).encode() + b" >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R"
    objects += [page + b" /Resources << /Font << /F1 4 0 R >> >> >>"] * pages
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


BOMB_REFUSED = "PDF'en har usædvanligt meget sideindhold, når den pakkes ud (over 64 MB)"


def test_bomb_is_small_but_refused_in_seconds():
    data = bomb_pdf()
    assert len(data) < 100_000
    started = time.monotonic()
    with pytest.raises(pdftext.PdfError) as refused:
        pdftext.page_texts(data)
    assert time.monotonic() - started < 3
    assert str(refused.value).startswith(BOMB_REFUSED)


def test_time_limit_ends_a_slow_pdf(monkeypatch):
    monkeypatch.setattr(pdftext, "SECONDS", 1)
    monkeypatch.setattr(pdftext, "MAX_CONTENT_BYTES", 10**12)  # past the content check
    started = time.monotonic()
    with pytest.raises(pdftext.PdfError) as refused:
        pdftext.page_texts(bomb_pdf())
    assert time.monotonic() - started < 3
    assert str(refused.value).startswith("PDF'en kunne ikke læses på 1 sekunder")


def test_memory_limit_ends_the_child_with_a_danish_reason(monkeypatch):
    monkeypatch.setattr(pdftext, "MEMORY_BYTES", 100 * 1024 * 1024)
    with pytest.raises(pdftext.PdfError) as refused:
        pdftext.page_texts(bomb_pdf(pages=1, operations=4_000_000))  # 56 MB of operations, inflated
    assert str(refused.value).startswith("PDF'en kræver for meget hukommelse at læse")


def test_a_normal_pdf_is_read_in_the_child():
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    pdf.drawString(72, 720, "REFERAT Direktionen d. 02-04-2024")
    pdf.showPage()
    pdf.drawString(72, 720, "Side to")
    pdf.save()
    pages = pdftext.page_texts(out.getvalue())
    assert len(pages) == 2
    assert "REFERAT Direktionen d. 02-04-2024" in pages[0] and "Side to" in pages[1]


def test_command_line_refuses_the_bomb_and_goes_on(tmp_path, db):
    bomb = tmp_path / "bombe.pdf"
    bomb.write_bytes(bomb_pdf())
    good = tmp_path / "god.txt"
    good.write_bytes((importer.SAMPLE_DIR / "000_fca47c908a356a01.txt").read_bytes())
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import_minutes", str(bomb), str(good), stdout=out, stderr=err)
    assert err.getvalue().startswith(f"{bomb}:1: {BOMB_REFUSED}")
    assert "1 oprettet" in out.getvalue() and "1 fejlede" in out.getvalue()
    assert Meeting.objects.count() == 1


def test_upload_preview_refuses_the_bomb_with_its_name(secretary):
    client = secretary
    file = io.BytesIO(bomb_pdf())
    file.name = "bombe.pdf"
    started = time.monotonic()
    response = client.post("/admin/upload/", {"files": [file]})
    html = client.get(response.url).content.decode()
    assert time.monotonic() - started < 5
    assert "bombe.pdf:1: " + BOMB_REFUSED.replace("'", "&#x27;") in html
    assert Meeting.objects.count() == 0 and SourceFile.objects.count() == 0
