"""Publishing XML from the case systems (Acadre MeetingManager; Syddjurs 039), read safely.

defusedxml parses it: the standard library's parser with entity declarations,
external entities and DTD tricks refused (no billion laughs, no file or network
access), and no extra native dependency. Acadre writes ``<table name=…>``
records of ``<field name=…>`` values: the agenda (``Referat``/``Dagsorden``),
the committee, the meeting (date, location, address with escaped ``<br>``) and
each agenda item (name, caseno, accessname) with one ``bullet`` per section
whose content is escaped HTML. Items are numbered from ``startAgendaItemNo``.
XML of another shape is read as text by the general reader.
"""

import datetime
import xml.etree.ElementTree as ElementTree

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from minutes.reading import general
from minutes.reading.html import visible_lines
from minutes.reading.lines import Line
from minutes.reading.sections import read_item
from minutes.reading.shape import Meeting, ParseError


def read(text: str) -> Meeting:
    try:
        root = fromstring(text.encode("utf-8"), forbid_dtd=True)
    except DefusedXmlException:
        reason = "XML-filen bruger DTD eller entiteter, som af sikkerhedshensyn ikke læses"
        raise ParseError(1, reason) from None
    except ElementTree.ParseError as error:
        line = error.position[0] if error.position else 1
        raise ParseError(max(1, line), f"XML-filen kan ikke læses ({error})") from None
    if root.find(".//table[@name='agendaitem']") is None:
        lines = [Line(n, " ".join(t.split())) for n, t in enumerate(root.itertext(), start=1) if t.strip()]
        return general.read(lines, layout="xml")
    return _acadre(root, text)


def _fields(table: ElementTree.Element | None) -> dict[str, str]:
    if table is None:
        return {}
    fields = table.find("fields")
    if fields is None:
        return {}
    return {f.get("name", ""): (f.text or "").strip() for f in fields.findall("field")}


def _acadre(root: ElementTree.Element, text: str) -> Meeting:
    agenda = _fields(root.find(".//table[@name='agenda']"))
    committee = _fields(root.find(".//table[@name='committee']"))
    meeting = _fields(root.find(".//table[@name='meeting']"))
    warnings: list[str] = []
    date = start = None
    try:
        when = datetime.datetime.strptime(meeting.get("date", "")[:16], "%Y-%m-%d %H:%M")
        date, start = when.date(), when.time()
    except ValueError:
        warnings.append("XML-filen har ingen læsbar mødedato")
    first = root.findtext(".//agendaData/startAgendaItemNo") or ""
    number = int(first) if first.strip().isdecimal() else 1
    if not first.strip().isdecimal():
        warnings.append("XML-filen angiver ikke det første punktnummer; punkterne er nummereret fra 1")
    items = []
    for item_table in root.iter("table"):
        if item_table.get("name") != "agendaitem":
            continue
        fields = _fields(item_table)
        lines: list[Line] = []
        if fields.get("caseno"):
            lines.append(Line(1, "Sagsnr.: " + fields["caseno"]))
        for bullet in item_table.findall("table"):
            if bullet.get("name") != "bullet":
                continue
            bullet_fields = _fields(bullet)
            lines.append(Line(1, bullet_fields.get("bulletname", "")))
            content = bullet_fields.get("bulletcontent") or "<p></p>"  # escaped HTML
            lines.extend(Line(1, x) for x in visible_lines(content))
            lines.append(Line(1, ""))
        closed = fields.get("accessname", "").lower().startswith("lukket")
        items.append(read_item(number, fields.get("name", ""), 1, lines, date, closed))
        number += 1
    if not items:
        raise ParseError(1, "XML-filen har ingen dagsordenspunkter")
    decisions = any(item.decision for item in items)
    dagsorden = agenda.get("name", "").lower().startswith("dagsorden")
    return Meeting(
        body=committee.get("name") or None,
        date=date,
        start_time=start,
        location=meeting.get("location") or None,
        participants=(),
        items=tuple(items),
        warnings=tuple(warnings),
        layout="acadre-xml",
        kind="dagsorden" if dagsorden and not decisions else "referat",
    )
