"""FirstAgenda's public publication page of a meeting (Aarhus 040), read from its markup.

The heading (``h1``) says ``Dagsorden …`` or ``Referat …`` with the date; the
committee, ``Mødedato:`` and ``Mødested:`` sit in label/value cells of
``table.dagsordeninfo``; each item is a ``tr.punktrow`` with its number in the
first cell, an ``h2`` title, a ``span.sagsnummer`` and ``h3`` sections (Resume,
Beslutningspunkter, Sagsforløb:, Bilag, and on a referat Beslutninger). The
sections are read by the same code as every other layout (sections.py).
"""

import re

from selectolax.lexbor import LexborHTMLParser

from minutes.reading.danish import find_date, find_time
from minutes.reading.html import visible_lines
from minutes.reading.lines import Line
from minutes.reading.sections import MarkedHeading, read_item
from minutes.reading.shape import Meeting, ParseError

H3 = re.compile(r"<h3\b[^>]*>", re.IGNORECASE)
MARK = "\ue000"  # (a private-use character no page text holds)
LUKKET = re.compile(r"^lukket(?:\s+punkt)?\s*[:.–-]\s*", re.IGNORECASE)


def looks_like(tree: LexborHTMLParser) -> bool:
    return tree.css_first("tr.punktrow") is not None


def read(tree: LexborHTMLParser, text: str) -> Meeting:
    info: dict[str, str] = {}
    for row in tree.css("table.dagsordeninfo tr"):
        cells = row.css("td")
        if len(cells) >= 2:
            info[cells[0].text(strip=True).rstrip(":").lower()] = " ".join(cells[1].text().split())
    heading = tree.css_first("h1")
    heading_text = " ".join(heading.text().split()) if heading else ""
    warnings: list[str] = []
    date = start = None
    for source in (info.get("mødedato", ""), heading_text):
        if found := find_date(source):
            date, match = found
            start = find_time(source, match)
            break
    items = []
    for row in tree.css("tr.punktrow"):
        cells = row.css("td")
        title_node = row.css_first("h2")
        number_text = cells[0].text(strip=True) if cells else ""
        if not number_text.isdecimal() or title_node is None:
            continue
        title = " ".join(title_node.text().split())
        closed = bool(LUKKET.match(title))
        title = LUKKET.sub("", title)
        details = row.css_first("div.details")
        case = row.css_first("span.sagsnummer")
        line = text.count("\n", 0, max(0, text.find(row.attributes.get("id") or "\x00"))) + 1
        lines = [Line(line, case.text(strip=True))] if case else []
        if case:
            case.decompose()
        # The h3 headings, marked so that they stay headings in the text, in document order.
        for x in visible_lines(H3.sub(r"\g<0>" + MARK, details.html or "")) if details else []:
            lines.append(MarkedHeading(line, x[1:].strip()) if x.startswith(MARK) else Line(line, x))
        items.append(read_item(int(number_text), title, line, lines, date, closed, only_marked=True))
    if not items:
        raise ParseError(1, "FirstAgenda-siden har ingen dagsordenspunkter")
    body = info.get("udvalg") or None
    decisions = any(item.decision for item in items)
    kind = "dagsorden" if heading_text.lower().startswith("dagsorden") and not decisions else "referat"
    if date is None:
        warnings.append("siden nævner ikke mødedatoen")
    return Meeting(
        body=body,
        date=date,
        start_time=start,
        location=info.get("mødested") or None,
        participants=tuple(n for n in re.split(r",\s*", info.get("mødedeltagere", "")) if n),
        items=tuple(items),
        warnings=tuple(warnings),
        layout="firstagenda-html",
        kind=kind,
    )
