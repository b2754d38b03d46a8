"""Pick the reader by looking at the document, never at its name.

``read_bytes`` and ``read_text`` are the entry points the importer and the
commands call. XML from a case system goes to xml.py, a saved web page to
html.py (FirstAgenda's publication page to its own reader), docplayer.dk
transcripts to docplayer.py, FirstAgenda's "REFERAT <organ> d. <dato>" text
to firstagenda.py, and everything else to the general reader. When the
FirstAgenda reader refuses a text, the general reader gets a go before the
error is reported.
"""

import re
from collections.abc import Mapping
from dataclasses import replace

from minutes.reading import docplayer, firstagenda, general, html, repair, xml
from minutes.reading.decode import decode
from minutes.reading.shape import Meeting, ParseError

# "REFERAT Direktionen d. 02-04-2024" (or "Referat … den 5. …"): FirstAgenda prints REFERAT in capitals.
FIRSTAGENDA_TITLE = re.compile(
    r"^\W{0,6}(?:REFERAT\b|(?i:referat\b).{0,120}\b(?:d\.|den)\s*\d)", re.MULTILINE
)
HTML_START = re.compile(
    r"^\s{0,64}(?:<!doctype\s+html|<html\b|<head\b|<body\b|<meta\b|<div\b|<table\b|<p\b)", re.I
)
# Refusals that say the text is not FirstAgenda's layout (rather than a FirstAgenda referat gone wrong).
LAYOUT_REFUSALS = ("mangler titellinjen", "referatet har ingen punkter", "mangler mødedatoen")
XML_START = re.compile(r"^\s{0,64}<\?xml\b", re.IGNORECASE)


def read_bytes(data: bytes, vocabulary: Mapping[str, int] | None = None) -> Meeting:
    """Decode and read one document; raises ParseError."""
    return read_text(decode(data), vocabulary)


def read_text(text: str, vocabulary: Mapping[str, int] | None = None) -> Meeting:
    """Read the text of one document (text, markdown, HTML or XML); raises ParseError."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ParseError(1, "filen er tom")
    if XML_START.match(text) or text.lstrip().startswith("<") and "<table name=" in text[:4000]:
        return _within(xml.read, text)
    if HTML_START.match(text):
        return _within(html.read, text)
    if FIRSTAGENDA_TITLE.search(text[:6000]):
        try:
            return firstagenda.parse(text, vocabulary)  # (it repairs mojibake itself)
        except ParseError as refusal:
            # Another layout with a FirstAgenda-like title gets the general reader; a FirstAgenda referat
            # with a wrong date, a repeated item or a cut-off contents list keeps the precise refusal.
            if not refusal.reason.startswith(LAYOUT_REFUSALS):
                raise
            try:
                meeting = _read_text_layout(text, vocabulary)
            except ParseError:
                raise refusal from None
            if meeting.body is None or meeting.date is None:
                raise refusal from None
            note = f"FirstAgenda-læseren afviste filen (linje {refusal.line}: {refusal.reason})"
            return _with_warnings(meeting, [note])
    return _read_text_layout(text, vocabulary)


def _read_text_layout(text: str, vocabulary: Mapping[str, int] | None) -> Meeting:
    text, repairs = repair.fix_mojibake(text, vocabulary)
    if docplayer.looks_like(text):
        return _with_warnings(docplayer.read(text), repairs)
    return _with_warnings(general.read(general.text_to_lines(text)), repairs)


def _with_warnings(meeting: Meeting, warnings: list[str]) -> Meeting:
    if not warnings:
        return meeting
    return replace(meeting, warnings=tuple(dict.fromkeys([*warnings, *meeting.warnings])))


def _within(reader, text: str) -> Meeting:
    """Read markup; the lines its items and errors name stay within the file's lines (a page's visible
    text has lines of its own)."""
    last = text.count("\n") + 1
    try:
        meeting = reader(text)
    except ParseError as error:
        raise ParseError(min(max(error.line, 1), last), error.reason) from None
    if all(1 <= item.line <= last for item in meeting.items):
        return meeting
    return replace(meeting, items=tuple(replace(i, line=min(max(i.line, 1), last)) for i in meeting.items))
