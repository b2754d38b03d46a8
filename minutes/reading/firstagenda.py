"""The FirstAgenda text layout: "REFERAT <organ> d. <dato>" exports and their PDFs (the seeds).

Reads the *family* of these referater, not one file: markdown and plain text
exports, headings at any markdown level, labels with or without colons, the old
layout (``Sagsnr.: … J.nr.: …``, ``Direktionens møde den …:``) and the new one
(case number under the heading, ``Beslutning``), titles wrapped over two lines,
PDF page breaks, page numbers and running headers. The shape it returns is
docs/PARSE_OUTPUT.md. ``parse`` is strict: a text without the title line or
without ``Punkt N`` headings raises ``ParseError`` (detect.py then tries the
general reader).
"""

import datetime
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from minutes.reading import repair
from minutes.reading.danish import MONTHS, canonical_body
from minutes.reading.decode import decode
from minutes.reading.firstagenda_items import (  # (sources.py reads these patterns through this module)
    BODY_DECISION,
    CASE_LINE,
    DATE,
    ITEM_HEADING,
    OLD_CASE,
    SECTION_LABEL,
    STATUS,
    parse_date,
    parse_item,
    split_items,
)
from minutes.reading.lines import LIST_MARKER, Line, single_line, strip_markdown, text_lines
from minutes.reading.shape import Item, Meeting, ParseError

__all__ = [
    "BODY_DECISION",
    "CASE_LINE",
    "CONTENTS",
    "CONTENTS_ENTRY",
    "HEADER_LABEL",
    "ITEM_HEADING",
    "LIST_MARKER",
    "MONTHS",
    "OLD_CASE",
    "SECTION_LABEL",
    "STATUS",
    "parse",
    "parse_bytes",
    "strip_markdown",
]

# --- labels and patterns --------------------------------------------------------

TITLE = re.compile(
    rf"^referat\b[\s:–-]*(?:(?:fra|af)\s+)?(?:(?:mødet?|møde)\s+i\s+)?(?P<body>.*?)[\s,]*(?:(?:d\.|den)\s*)?(?P<date>{DATE})?\s*$",
    re.IGNORECASE,
)
HEADER_LABELS = {
    "mødedato": "date",
    "dato": "date",
    "mødetidspunkt": "date",
    "tidspunkt": "date",
    "mødested": "location",
    "sted": "location",
    "mødelokale": "location",
    "mødedeltagere": "participants",
    "deltagere": "participants",
    "til stede": "participants",
    "afbud": "absent",
    "fraværende": "absent",
    "fravær": "absent",
}
HEADER_LABEL = re.compile(
    r"^(?P<label>" + "|".join(sorted(HEADER_LABELS, key=len, reverse=True)) + r")\b\s*:?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
CONTENTS = re.compile(r"^(?:indholdsfortegnelse|indhold|dagsorden)\s*:?$", re.IGNORECASE)
CONTENTS_ENTRY = re.compile(r"^(?P<title>.*?)(?:\s*\.{2,}\s*|\t+\s*|\s{2,})(?P<page>\d{1,3})$")
TIME = re.compile(r"\bkl\.?\s*(?P<h>\d{1,2})(?:[.:](?P<m>\d{2}))?")


# --- header ---------------------------------------------------------------------


@dataclass
class _Header:
    body: str = ""
    date: datetime.date | None = None
    date_line: int = 0
    start_time: datetime.time | None = None
    location: str | None = None
    participants: tuple[str, ...] = ()
    contents: list[str] = field(default_factory=list)


def _parse_header(lines: list[Line]) -> _Header:
    header = _Header()
    content = [line for line in lines if line.text]
    if not content:
        raise ParseError(lines[-1].number if lines else 1, "filen er tom")
    title_line = next((line for line in content[:15] if TITLE.match(line.text)), None)
    if title_line is None:
        first = content[0]
        raise ParseError(
            first.number,
            f"mangler titellinjen 'REFERAT <organ> d. <dato>'; første linje er {first.text[:60]!r}",
        )
    m = TITLE.match(title_line.text)
    header.body = canonical_body(m["body"])
    if not header.body:
        raise ParseError(title_line.number, "titellinjen nævner ikke hvilket organ der holdt mødet")
    if m["date"]:
        header.date = parse_date(m["date"], title_line.number)
        header.date_line = title_line.number

    fields: dict[str, list[Line]] = {}
    current = None
    in_contents = False
    for line in lines[lines.index(title_line) + 1 :]:
        if not line.text:
            current = None
            continue
        if CONTENTS.match(line.text):
            in_contents, current = True, None
            continue
        label = HEADER_LABEL.match(line.text)
        if label and not in_contents:
            current = HEADER_LABELS[label["label"].lower()]
            fields.setdefault(current, []).append(Line(line.number, label["rest"]))
        elif in_contents:
            entry = CONTENTS_ENTRY.match(line.text)
            header.contents.append((entry["title"] if entry else line.text).strip(" ."))
        elif current:
            fields[current].append(line)

    if "date" in fields:
        date_text = " ".join(x.text for x in fields["date"])
        date_match = re.search(DATE, date_text.lower())
        if date_match and header.date is None:
            header.date = parse_date(date_match.group(0), fields["date"][0].number)
            header.date_line = fields["date"][0].number
        if time := TIME.search(date_text):
            try:
                header.start_time = datetime.time(int(time["h"]), int(time["m"] or 0))
            except ValueError:
                raise ParseError(
                    fields["date"][0].number, f"klokkeslættet {time.group(0)!r} findes ikke"
                ) from None
    if header.date is None:
        raise ParseError(title_line.number, "mangler mødedatoen (hverken i titellinjen eller under Mødedato)")
    if "location" in fields:
        header.location = single_line(fields["location"])
    if "participants" in fields:
        names = single_line(fields["participants"]) or ""
        parts = re.split(r",\s*|\s+og\s+|;\s*", names.rstrip("."))
        header.participants = tuple(p.strip() for p in parts if p.strip())
    return header


# --- the whole referat ----------------------------------------------------------


def parse(text: str, vocabulary: Mapping[str, int] | None = None) -> Meeting:
    """Parse the text of one referat; ``vocabulary`` (word -> count) helps repair mojibake."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise ParseError(1, "filen er tom")
    text, warnings = repair.fix_mojibake(text, vocabulary)
    lines = text_lines(text)
    head, raw_items = split_items(lines)
    header = _parse_header(head)
    last_line = lines[-1].number if lines else 1
    if not raw_items:
        raise ParseError(last_line, "referatet har ingen punkter ('Punkt 1: …'); er filen afkortet?")

    items: list[Item] = []
    seen: dict[int, int] = {}
    for heading, match, body in raw_items:
        number = int(match["number"])
        if number in seen:
            raise ParseError(heading.number, f"punkt {number} står to gange (også i linje {seen[number]})")
        seen[number] = heading.number
        items.append(parse_item(heading, match, body, header.body, header.date))

    contents = tuple(t for t in header.contents if t)
    # (an entry ends in its page number; the regex is slow on the long lines that don't)
    numbered_entries = sum(
        1 for line in head if line.text[-1:].isdecimal() and CONTENTS_ENTRY.match(line.text)
    )
    if numbered_entries > len(items):
        raise ParseError(
            last_line,
            f"indholdsfortegnelsen nævner {numbered_entries} punkter, men filen har kun {len(items)}; "
            "er filen afkortet?",
        )
    return Meeting(
        body=header.body,
        date=header.date,
        start_time=header.start_time,
        location=header.location,
        participants=header.participants,
        items=tuple(items),
        contents=contents,
        warnings=tuple(warnings),
    )


def parse_bytes(data: bytes, vocabulary: Mapping[str, int] | None = None) -> Meeting:
    return parse(decode(data), vocabulary)
