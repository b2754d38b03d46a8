"""The inside of an agenda item, in any layout: case number, open/closed, sections, decisions.

Used by the general reader (general.py) and the readers built on it. Section
names are the ones Danish municipalities print, in any case and with or without
a colon; a decision is a ``Beslutning`` section or a heading that names the body
and the meeting (``Beslutning i Økonomiudvalget den 04-06-2020``,
``Integrationsudvalgets møde den 12. december 2011:``, ``Klima- og Miljøudvalget,
08-05-2018, pkt. 66``). Of several decisions, the one of this meeting's date is
the item's decision; the others are other bodies' or earlier meetings'.
"""

import datetime
import re
from dataclasses import dataclass, field

from minutes.reading.danish import (
    CASE_ALONE,
    LABELLED_CASE,
    classify_decision,
    find_date,
)
from minutes.reading.lines import LIST_MARKER, Line, join_text
from minutes.reading.shape import Item, OtherDecision

SECTION_NAMES = {
    "decision": (
        "beslutning",
        "beslutninger",
        "afgørelse",
        "beslutning og begrundelse",
        "udvalgets beslutning",
    ),
    "recommendation": (
        "indstilling",
        "indstillinger",
        "indstillingen",
        "administrativ indstilling",
        "administrationens indstilling",
        "forvaltningens indstilling",
        "forvaltningen foreslår",
        "forvaltningen indstiller",
        "direktionens indstilling",
        "indstilling og beslutning",
        "beslutningspunkter",
        "forslag til beslutning",
    ),
    "summary": (
        "resume",
        "sagstema",
        "resumé",
        "sagsresume",
        "sagsresumé",
        "sagens kerne",
        "resume og sagens baggrund",
        "resumé og sagens baggrund",
        "sagens baggrund",
        "præsentation",
        "indledning",
        "baggrund",
    ),
    "presentation": (
        "sagsfremstilling",
        "beskrivelse af sagen",
        "sagsbeskrivelse",
        "redegørelse",
        "anledning",
        "supplerende sagsfremstilling",
        "sagens indhold",
        "uddybende bemærkninger",
        "problemstilling",
    ),
    "economic_consequences": (
        "økonomi",
        "økonomiske konsekvenser",
        "økonomi og organisatoriske konsekvenser",
        "økonomi og finansiering",
        "økonomiske og personalemæssige konsekvenser",
        "bevillingsmæssige konsekvenser",
    ),
    "attachments": ("bilag", "bilagsnr", "bilagsoversigt", "bilagsliste", "se alle bilag"),
    "treated_by": ("behandling", "sagsgang", "forventet sagsgang", "sagsgang og sagstype", "sagsforløb"),
    "case_type": ("sagstype",),
    "other": (
        "kompetence",
        "beslutningskompetence",
        "hvem beslutter",
        "sagen afgøres i",
        "sagen afgøres af",
        "beslutningstema",
        "lovgrundlag",
        "lovgrundlag – link",
        "retsgrundlag",
        "høring",
        "udtalelser og høring",
        "tidligere behandling",
        "personalemæssige konsekvenser",
        "retsregler og andre forskrifter",
        "alternativ indstilling",
        "beskrivelse af alternativ indstilling",
        "øvrige konsekvenser",
        "sagshistorik, henvisninger",
        "forvaltningens bemærkninger",
        "handicapaspekter",
        "løsning",
        "videre proces",
        "kommunikation",
        "miljøvurdering",
        "sagens opståen",
        "tidsplan",
        "relation til politik",
        "administrative, miljømæssige og sundhedsmæssige konsekvenser",
        "fremmøde og inhabilitet",
        "konsekvenser",
        "borgerinddragelse",
        "klima",
        "bæredygtighed",
        "risikovurdering",
        "vurdering",
        "sagsbehandler",
        "ansvarlig",
        "sagens videre forløb",
        "kommunikation og inddragelse",
    ),
}
SECTIONS = {name: kind for kind, names in SECTION_NAMES.items() for name in names}
SECTION_LABEL = re.compile(
    r"^(?P<label>" + "|".join(re.escape(n) for n in sorted(SECTIONS, key=len, reverse=True)) + r")"
    r"[ \t]{0,3}(?::[ \t]{0,3}(?P<rest>.*))?$",
    re.IGNORECASE,
)
# Words that make a run of capitalised words a body's name.
BODY_WORD = re.compile(
    r"(?:udvalg|råd\b|rådet|byråd|bestyrelse|direktion|magistrat|repræsentation|kommission|forum|komité"
    r"|lokaludvalg|kommunalbestyrelse|ØU|KB)",
    re.IGNORECASE,
)
# "Beslutning i Økonomiudvalget den 1. oktober 2018:", "Beslutning Teknik- og Miljøudvalget den 11-08-2021",
# "Beslutning fra Integrationsrådet" (Odsherred), "Beslutning i Udvalget for Kultur og Fritid den" (the date
# lost by docplayer).
DECISION_HEADING = re.compile(
    r"^Beslutning(?:er)?[ \t]{1,3}(?:(?:i|fra|af)[ \t]{1,3})?(?P<body>[A-ZÆØÅ][^:]{1,90}?)"
    r"(?:[ \t]{1,3}(?:den|d\.)(?:[ \t]{1,3}(?P<date>[^:]{6,30}?))?)?[ \t]{0,3}(?::[ \t]{0,3}(?P<rest>.*))?$"
)
# "Integrationsudvalgets møde den 12. december 2011:" (PolWeb), "Det rådgivende Integrationsudvalgs beslutning
# i mødet den 2. maj 2005" (København 2005), "Økonomiudvalgets møde 25. september 2006 Punkt 1:".
GENITIVE_DECISION = re.compile(
    r"^(?!(?:Referat|Dagsorden|REFERAT|DAGSORDEN)\b)(?P<genitive>[A-ZÆØÅ][\w\-–, ]{2,70}?s)[ \t]{1,3}"
    r"(?:beslutning[ \t]{1,3}i[ \t]{1,3}mødet|møde)"
    r"[ \t]{1,3}(?:(?:den|d\.)[ \t]{1,3})?(?P<date>[^:]{6,30}?)[ \t]{0,3}(?::[ \t]{0,3}(?P<rest>.*))?$"
)
# "Klima- og Miljøudvalget, 08-05-2018, pkt. 66" (Roskilde), "Børne- og Skoleudvalget den 6. november 2018:"
# (Bornholm), "Teknisk Udvalg, 28.02.2011 Anbefales." (Næstved's FlippingBook).
BODY_DATE_HEADING = re.compile(
    r"^(?P<body>[A-ZÆØÅ][\w\-–&,. ]{2,70}?)(?:,|[ \t]den)[ \t]{1,3}(?P<date>\d{1,2}[-.]\d{1,2}[-.]\d{4}"
    r"|\d{1,2}\.[ \t]{0,2}[a-zæøå]{3,9}[ \t]{1,2}\d{4})(?P<tail>,[ \t]{0,3}pkt\.[ \t]{0,3}\d{1,4}|:)?"
    r"(?:[ \t]{1,3}(?P<rest>.*))?$"
)
# Lower-case words a body's name may hold: "Udvalget for Teknik og Miljø", "Klima- og Miljøudvalget".
NAME_CONNECTORS = frozenset("og for i af til med det den de samt -".split())
STATUS_AT_END = re.compile(
    r"(?:^|[ \t])(?P<status>åben(?:t)?(?:[ \t]{1,3}(?:sag|punkt))?|lukket(?:[ \t]{1,3}(?:sag|punkt))?)$",
    re.IGNORECASE,
)
CLOSED_MARK = re.compile(r"[ \t]{0,3}\((?P<mark>lukket|åbent)\)$", re.IGNORECASE)
NOT_WORD = re.compile(r"[\W_]+")


@dataclass
class Decision:
    body: str | None
    date: datetime.date | None
    lines: list[Line] = field(default_factory=list)
    dated: bool = False  # the heading named the meeting (body and date), not a bare "Beslutning"


def section_label(text: str) -> re.Match | None:
    if not text[:1].isalpha() or len(text) > 120 and ":" not in text[:45]:
        return None  # ("Beslutning: KFU anbefaler: …" runs on for a page in Hørsholm's docplayer text)
    return SECTION_LABEL.match(text)


def decision_heading(text: str) -> Decision | None:
    """A heading that opens a decision and names its body and date; None for any other line."""
    if len(text) > 200:
        return None
    match = None
    if text.startswith("Beslutning"):
        match = DECISION_HEADING.match(text)
        if match and (section_label(text) or not BODY_WORD.search(match["body"]) and not match["date"]):
            match = None
    if match is None and (" møde" in text or "beslutning i mødet" in text):
        match = GENITIVE_DECISION.match(text)
        if match and not find_date(match["date"]):
            match = None
    if match is None and ("," in text or " den " in text):
        match = BODY_DATE_HEADING.match(text)
        if match and not (_names_a_body(match["body"]) and (match["tail"] or match["rest"])):
            match = None
    if match is None:
        return None
    groups = match.groupdict()
    # The body as printed, capitalised ("Integrationsudvalgets møde" -> Integrationsudvalget; "Det rådgivende
    # Integrationsudvalgs beslutning" -> Det rådgivende Integrationsudvalg, København 2005).
    name = groups["genitive"].removesuffix("s") if groups.get("genitive") else groups["body"]
    name = " ".join(name.split()).strip(" .,;:")
    body = name[:1].upper() + name[1:]
    found = find_date(groups.get("date") or "")
    decision = Decision(body or None, found[0] if found else None, dated=True)
    if rest := (groups.get("rest") or "").strip():
        decision.lines.append(Line(0, rest))
    return decision


def _names_a_body(text: str) -> bool:
    """Whether text names a body, not a sentence ("Fremsendes til Aarhus Byråd med bemærkning, at …")."""
    words = text.replace(",", " ").split()
    lower = [w for w in words if w[:1].islower() and w not in NAME_CONNECTORS]
    return bool(BODY_WORD.search(text)) and len(words) <= 9 and not lower


def status_of(text: str) -> bool | None:
    """True for a closed-item mark, False for an open one, None for a line that is neither."""
    if len(text) > 200:
        return None
    if match := STATUS_AT_END.search(text):
        if match.start() == 0 or LABELLED_CASE.search(text) or "Sagsid" in text:
            return match["status"].lower().startswith("lukket")
    return None


def title_key(text: str) -> str:
    return NOT_WORD.sub("", text.lower())


class MarkedHeading(Line):
    """A line that the markup marks as a section heading (an ``h3`` on FirstAgenda's page)."""

    __slots__ = ()


def read_item(
    number: int,
    title: str,
    heading_line: int,
    body: list[Line],
    meeting_date,
    closed: bool | None,
    only_marked: bool = False,
):
    """One item from the lines under its heading. ``only_marked``: only ``MarkedHeading`` lines open
    sections (in Aarhus 040 a citizen proposal quoted in the text has its own "Beslutning:" line)."""
    key = title_key(title)
    case_number = None
    sections: list[tuple[str, list[Line]]] = []
    decisions: list[Decision] = []
    current: list[Line] | None = None
    seen_text = 0
    for line in body:
        text = line.text
        if not text:
            if current is not None:
                current.append(line)
            continue
        early = seen_text < 6
        if early and key and title_key(text).endswith(key) and len(text) < len(title) + 12:
            continue  # the title again (Holbæk, Vejen, Herning repeat it under the heading)
        if early and case_number is None:
            if found := LABELLED_CASE.search(text):
                case_number = found["case"] or found["case2"]
                if closed is None:
                    closed = status_of(text)
                continue
            if CASE_ALONE.match(text):
                case_number = text
                continue
        if early and closed is None and (status := status_of(text)) is not None:
            closed = status
            continue
        if only_marked and not isinstance(line, MarkedHeading):
            pass
        elif label := section_label(text):
            kind = SECTIONS[label["label"].lower()]
            current = []
            if kind == "decision":
                decisions.append(Decision(None, None, current))
            else:
                sections.append((kind, current))
            if label["rest"]:
                current.append(Line(line.number, label["rest"]))
            continue
        elif decision := decision_heading(text):
            decisions.append(decision)
            current = decision.lines
            continue
        seen_text += 1
        if current is None:
            current = []
            sections.append(("presentation", current))
        current.append(line)

    texts: dict[str, list[str]] = {}
    attachments: list[str] = []
    for kind, lines in sections:
        if kind == "attachments":
            attachments.extend(a for x in lines if (a := LIST_MARKER.sub("", x.text).strip()) and a != "-")
        elif text := join_text(lines):
            texts.setdefault(kind, []).append(text)
    decision, others = _choose_decision(decisions, meeting_date)

    def section(kind: str) -> str | None:
        return "\n\n".join(texts[kind]) if kind in texts else None

    return Item(
        number=number,
        title=title,
        closed=bool(closed),
        case_number=case_number,
        decision=decision,
        decision_type=classify_decision(decision),
        other_decisions=tuple(others),
        attachments=tuple(dict.fromkeys(attachments)),
        summary=section("summary"),
        recommendation=section("recommendation"),
        presentation=section("presentation"),
        economic_consequences=section("economic_consequences"),
        line=heading_line,
    )


def _choose_decision(decisions: list[Decision], meeting_date) -> tuple[str | None, list[OtherDecision]]:
    """This meeting's decision, and the other decisions recorded in the item."""
    texts = [(d, text) for d in decisions if (text := join_text(d.lines)) and text.strip() not in ("-", "–")]
    if not texts:
        return None, []
    chosen = next((t for t in texts if t[0].date and t[0].date == meeting_date), None)
    chosen = chosen or next((t for t in texts if not t[0].dated), None)
    chosen = chosen or next((t for t in reversed(texts) if t[0].date is None or meeting_date is None), None)
    chosen = chosen or texts[-1]
    others = [OtherDecision(t[0].body or "", t[0].date, t[1]) for t in texts if t is not chosen]
    return chosen[1], others


def decision_dates(lines: list[Line]) -> list[tuple[str | None, datetime.date | None]]:
    """Body and date of every decision heading of a document (for documents without a meeting header)."""
    found = []
    for line in lines:
        if line.text and (d := decision_heading(line.text)) and (d.body or d.date):
            found.append((d.body, d.date))
    return found
