"""Turn an uploaded file into the bytes of referat text that the parser reads.

``referat_bytes`` tells a PDF from text by the content, never by the file name or
a content type sent by the browser. Text comes back unchanged (UTF-16 converted to
UTF-8; the parser decodes UTF-8 and Windows-1252 itself). A PDF comes back as the
UTF-8 text of its text layer, laid out as the parser expects a referat: one line
per line of the page, a blank line where the page leaves space, table columns
separated by tabs, running headers and footers removed and the lines the PDF
wrapped joined again. Anything else (Word files, images, archives, binary data,
encrypted, broken or scanned PDFs) raises ``SourceError`` with a Danish reason a
person can act on.

Pure Python: no Django, no database, no files.
"""

import codecs
import re
from collections import Counter

from minutes import pdftext
from minutes.reading import firstagenda as parser  # the FirstAgenda layout a PDF export follows

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # default; callers pass settings.UPLOAD_MAX_BYTES
MIN_PDF_LETTERS = 20  # fewer letters in a whole PDF: no text layer, a scan

PDF_START = re.compile(rb"\s{0,16}%PDF-")
ZIP = b"PK\x03\x04"
# Magic numbers of binary files uploaded by mistake, and what to do instead.
BINARY_FORMATS = (
    (ZIP, "filen er en ZIP-fil (fx et Excel-dokument) – gem referatet som PDF eller tekst"),
    (b"\xd0\xcf\x11\xe0", "filen er et ældre Office-dokument (fx Word .doc) – gem den som PDF eller tekst"),
    (b"{\\rtf", "filen er et RTF-dokument – gem den som PDF eller tekst"),
    (b"\x89PNG", "filen er et billede (PNG) – OCR først, eller upload teksten"),
    (b"\xff\xd8\xff", "filen er et billede (JPEG) – OCR først, eller upload teksten"),
    (b"GIF8", "filen er et billede (GIF) – OCR først, eller upload teksten"),
    (b"II*\x00", "filen er et billede (TIFF) – OCR først, eller upload teksten"),
    (b"MM\x00*", "filen er et billede (TIFF) – OCR først, eller upload teksten"),
    (b"\x1f\x8b", "filen er komprimeret (gzip) – pak den ud først"),
    (b"\x7fELF", "filen er et program, ikke et referat"),
)
UPLOAD_TEXT_INSTEAD = "upload referatet som PDF eller tekst"
DOCX = "filen er et Word-dokument (DOCX) – gem den som PDF eller tekst"
# Control characters other than tab, LF, FF and CR; more than 1 % of the bytes: not text.
CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])


class SourceError(Exception):
    """A file that cannot be read as a referat. str() is "<name>: <reason>" with a Danish reason."""

    def __init__(self, name: str, reason: str, line: int = 1):
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason
        self.line = line  # where in the file, for a text file


def referat_bytes(data: bytes, name: str, *, max_bytes: int = MAX_UPLOAD_BYTES) -> tuple[bytes, str]:
    """(bytes to parse, kind) for an uploaded file; kind is "pdf" or "text". Raises SourceError."""
    if len(data) > max_bytes:
        raise SourceError(name, too_large(len(data), max_bytes))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        data = _utf16_to_utf8(data, name)
    if not data.removeprefix(codecs.BOM_UTF8).strip():
        raise SourceError(name, "filen er tom")
    if PDF_START.match(data):
        return _pdf_text(data, name).encode("utf-8"), "pdf"
    if problem := _not_text(data):
        reason, line = problem
        raise SourceError(name, reason, line)
    return data, "text"


def too_large(size: int, limit: int) -> str:
    return f"filen er for stor ({_megabytes(size)}; højst {_megabytes(limit)})"


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB".replace(".", ",")


def _utf16_to_utf8(data: bytes, name: str) -> bytes:
    try:
        return data.decode("utf-16").encode("utf-8")  # (the codec drops the BOM)
    except UnicodeDecodeError:
        raise SourceError(name, "filen begynder som UTF-16-tekst, men kan ikke læses som UTF-16") from None


def _not_text(data: bytes) -> tuple[str, int] | None:
    """Why ``data`` is not text and on which line, or None if it may be text."""
    for magic, reason in BINARY_FORMATS:
        if data.startswith(magic):
            return (DOCX if magic == ZIP and b"word/" in data else reason), 1
    if (nul := data.find(b"\x00")) >= 0:
        reason = "filen er ikke tekst (den indeholder NUL-bytes) – " + UPLOAD_TEXT_INSTEAD
        return reason, data.count(b"\n", 0, nul) + 1
    controls = len(data) - len(data.translate(None, CONTROL_BYTES))
    if controls * 100 > len(data):
        return "filen er ikke tekst (den indeholder mange kontroltegn) – " + UPLOAD_TEXT_INSTEAD, 1
    return None


# --- PDF ------------------------------------------------------------------------


def _pdf_text(data: bytes, name: str) -> str:
    pages = [_page_lines(text) for text in _page_texts(data, name)]
    _drop_running_lines(pages)
    text = "\n".join(_join_pages(pages)).strip()
    if sum(1 for char in text if char.isalpha()) < MIN_PDF_LETTERS:
        raise SourceError(name, "PDF'en har intet tekstlag (scannet?) – OCR først, eller upload teksten")
    return text + "\n"


def _page_texts(data: bytes, name: str) -> list[str]:
    """Each page's text in pypdf's layout mode, read in a child process with bounded time and memory."""
    try:
        return pdftext.page_texts(data)
    except pdftext.PdfError as error:
        raise SourceError(name, str(error)) from None


GAP = re.compile(r"(?<=\S) {3,}(?=\S)")  # a column gap in layout-mode text, wider than a word space
LINE_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _page_lines(text: str) -> list[str]:
    """A page's lines: no indentation, one blank line between blocks, table columns separated by tabs."""
    raw_lines = [LINE_CONTROLS.sub("", raw).rstrip() for raw in text.splitlines()]
    margin = min((_indent(raw) for raw in raw_lines if raw), default=0)
    lines: list[str] = []
    for raw in raw_lines:
        line = GAP.sub("\t", raw.lstrip())
        if "\t" in line and _indent(raw) >= margin + 3:
            line = "\t" + line  # a table row whose first cell is empty
        if line or (lines and lines[-1]):
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _drop_running_lines(pages: list[list[str]]) -> None:
    """Remove headers and footers: first or last lines that repeat on at least half the pages."""
    for edge in (0, -1):
        while running := _running_keys(pages, edge):
            for page in pages:
                if page and _furniture_key(page[edge]) in running:
                    page.pop(edge)
                while page and not page[edge]:
                    page.pop(edge)


def _running_keys(pages: list[list[str]], edge: int) -> set[str]:
    keys = Counter(key for page in pages if page and (key := _furniture_key(page[edge])))
    return {key for key, count in keys.items() if count >= max(2, len(pages) / 2)}


def _furniture_key(line: str) -> str | None:
    """A header or footer line with its numbers (the page number) left out; None if it cannot be one."""
    key = re.sub(r"\d+", "#", line.lower())
    if key.count("#") > 1 and not re.search(r"[^\W\d_]", key):
        return None  # only numbers, such as a case number at the top of a page
    return key


# --- wrapped lines ----------------------------------------------------------------
#
# A PDF has no paragraphs, only lines. Layout mode marks the space between
# paragraphs with a blank line, but a line that the PDF wrapped looks like a line
# that ended. The parser joins a wrapped line that goes on in lower case; the
# others are found here by length: a line that, with the next line's first word,
# would be about as long as the longest lines was wrapped because that word did
# not fit. Lines that the parser reads on their own (headings, labels, case
# numbers, list items, table rows) are never joined to the line before them.

MIN_LINE_CAPACITY = 50  # characters in the longest line; with shorter lines there is no running text
WRAP_SHARE = 0.8  # line + next word longer than this share of the longest line: the line was wrapped
SENTENCE_END = re.compile(r"[.:;!?]$")
DATE_AT_START = re.compile(rf"\d{{1,2}}\.\s+(?:{'|'.join(parser.MONTHS)})\b")  # "1. januar", not a list
STANDALONE = (
    parser.ITEM_HEADING,
    parser.SECTION_LABEL,
    parser.HEADER_LABEL,
    parser.CASE_LINE,
    parser.OLD_CASE,
    parser.STATUS,
    parser.BODY_DECISION,
    parser.CONTENTS,
)


def _join_pages(pages: list[list[str]]) -> list[str]:
    """All lines, wrapped lines joined; a page break is a paragraph break unless the text runs on."""
    capacity = max((len(line) for page in pages for line in page if "\t" not in line), default=0)
    lines: list[str] = []
    for page in filter(None, pages):
        if lines and not _runs_on(lines[-1], page[0], capacity):
            lines.append("")
        lines.extend(page)
    return _unwrap(lines, capacity)


def _runs_on(last: str, first: str, capacity: int) -> bool:
    """Whether a page ending with ``last`` goes on in the same paragraph with ``first`` on the next."""
    if _row(last) and _row(first):  # a list or table that the page break split
        return True
    if SENTENCE_END.search(last):
        return first[:1].islower()
    return first[:1].islower() or _wrapped(last, first, capacity)


def _unwrap(lines: list[str], capacity: int) -> list[str]:
    """Join the lines the PDF wrapped. A line broken after a hyphen before a lower-case word is left
    to the parser, which knows "Budgetopfølg-" + "ning" from "Unge-" + "og"."""
    out: list[str] = []
    previous = ""  # the line before, as the PDF has it
    for line in lines:
        hyphenated = previous.endswith("-") and line[:1].islower()
        if previous and line and not hyphenated and _wrapped(previous, line, capacity):
            out[-1] += ("" if re.search(r"\S-$", previous) else " ") + line
        else:
            out.append(line)
        previous = line
    return out


def _wrapped(line: str, following: str, capacity: int) -> bool:
    """Whether the PDF ended ``line`` only because the first word of ``following`` did not fit on it."""
    first_word = following.split(" ", 1)[0]
    return (
        capacity >= MIN_LINE_CAPACITY
        and len(line) + 1 + len(first_word) > capacity * WRAP_SHARE
        and "\t" not in line
        and "\t" not in following
        and not parser.CONTENTS_ENTRY.match(line)
        and not _standalone(parser.strip_markdown(following))
    )


def _standalone(line: str) -> bool:
    return _list_item(line) or any(pattern.match(line) for pattern in STANDALONE)


def _row(line: str) -> bool:
    return "\t" in line or _list_item(line)


def _list_item(line: str) -> bool:
    return bool(parser.LIST_MARKER.match(line)) and not DATE_AT_START.match(line)
