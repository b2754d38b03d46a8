"""The items of the FirstAgenda text layout (firstagenda.py): headings, sections and decisions.

``Punkt N: Title`` headings, the old layout's ``Sagsnr.: … J.nr.: … Dokumentnr.: …``
line and ``Direktionens møde den …:`` decisions, the new layout's case number under
the heading and ``Beslutning`` sections. Its patterns are also the lines a PDF's text
keeps on their own (minutes/sources.py).
"""

import datetime
import re

from minutes.reading.danish import CASE_NUMBER, MONTHS, canonical_body, classify_decision
from minutes.reading.lines import LIST_MARKER, Line, join_text, join_wrapped
from minutes.reading.shape import Item, OtherDecision, ParseError

NUMERIC_DATE = r"\d{1,2}[-./]\d{1,2}[-./]\d{4}|\d{4}-\d{2}-\d{2}"
WORD_DATE = r"\d{1,2}\.?\s*[a-zæøå]+\.?\s+\d{4}"
DATE = rf"(?:{NUMERIC_DATE}|{WORD_DATE})"
ISO_DATE_PARTS = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
NUMERIC_DATE_PARTS = re.compile(r"(\d{1,2})[-./](\d{1,2})[-./](\d{4})")
WORD_DATE_PARTS = re.compile(r"(\d{1,2})\.?\s*([a-zæøå]+)\.?\s+(\d{4})")

ITEM_HEADING = re.compile(r"^(?:Punkt|Pkt\.?)\s*(?P<number>\d{1,3})\s*(?:[:.]|\s[-–])\s*(?P<title>.*)$")
CLOSED_PREFIX = re.compile(r"^Lukket(?:\s+punkt)?\s*[:.–-]\s*", re.IGNORECASE)

# A case number alone on a line (new layout): 24-003210, 21-046857K, 2023-004512,
# 326-2020-15086, EMN-2025-003383.
CASE_LINE = re.compile(rf"^(?:Sagsnr\.?\s*:?\s*)?(?P<case>{CASE_NUMBER})$")
OLD_CASE = re.compile(rf"\bSagsnr\.?\s*:?\s*(?P<case>{CASE_NUMBER})")
OLD_JOURNAL = re.compile(r"\bJ\.?\s?nr\.?\s*:?\s*(?P<journal>\d{2}\.\d{2}(?:\.\d{2})?(?:-[A-ZÆØÅ]\d{2})?)")
OLD_DOCUMENT = re.compile(rf"\bDokumentnr\.?\s*:?\s*(?P<document>{CASE_NUMBER})")
STATUS = re.compile(r"^(?P<status>Åbent|Lukket)(?:\s+punkt)?$", re.IGNORECASE)
DOCUMENT_NUMBER_ALONE = re.compile(r"^\d{2,4}-\d{4}-\d{3,7}$")
DOCUMENT_NUMBER_TRAILING = re.compile(r"(?:\t+|\s+)\d{2,4}-\d{4}-\d{3,7}$")

SECTIONS = {
    "beslutning": "decision",
    "beslutninger": "decision",
    "afgørelse": "decision",
    "sagsfremstilling": "presentation",
    "resume og sagens baggrund": "summary",
    "resumé og sagens baggrund": "summary",
    "resume": "summary",
    "resumé": "summary",
    "sagens baggrund": "summary",
    "indstilling": "recommendation",
    "indstillinger": "recommendation",
    "indstillingen": "recommendation",
    "forvaltningens indstilling": "recommendation",
    "behandling": "treated_by",
    "økonomiske konsekvenser": "economic_consequences",
    "økonomi og finansiering": "economic_consequences",
    "bilag": "attachments",
    "sagstype": "case_type",
}
SECTION_LABEL = re.compile(
    r"^(?P<label>" + "|".join(sorted(SECTIONS, key=len, reverse=True)) + r")\s*(?::\s*(?P<rest>.*))?$",
    re.IGNORECASE,
)
# "Direktionens møde den 5. oktober 2020:" / "Beslutning i Økonomiudvalget den 14. marts 2022"
BODY_DECISION = re.compile(
    r"^(?:(?P<genitive>[A-ZÆØÅ][\w\- ]{2,60}?s)\s+møde"
    r"|Beslutning\s+i\s+(?P<body>[A-ZÆØÅ][\w\- ]{2,60}?))"
    rf"\s+(?:(?:den|d\.)\s+)?(?P<date>{DATE})\s*(?:[,:.]\s*(?P<rest>.*))?$"
)
NOT_WORD = re.compile(r"[\W_]+")
NUMBERED_HEADING = re.compile(r"^(?P<number>\d{1,3})\.\s+(?P<title>.+)$")


def parse_date(text: str, line: int) -> datetime.date:
    text = text.strip().lower()
    if m := ISO_DATE_PARTS.fullmatch(text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := NUMERIC_DATE_PARTS.fullmatch(text):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    elif (m := WORD_DATE_PARTS.fullmatch(text)) and m[2] in MONTHS:
        day, month, year = int(m[1]), MONTHS[m[2]], int(m[3])
    else:
        raise ParseError(line, f"kan ikke læse datoen {text!r}")
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ParseError(line, f"datoen {text!r} findes ikke") from None


def _body_from_genitive(genitive: str) -> str:
    return canonical_body(genitive[:-1] if genitive.endswith("s") else genitive)


# --- items ----------------------------------------------------------------------


def split_items(lines: list[Line]) -> tuple[list[Line], list[tuple[Line, re.Match, list[Line]]]]:
    head: list[Line] = []
    items: list[tuple[Line, re.Match, list[Line]]] = []
    for line in lines:
        # (the test of the first letter saves a regex call on nearly every line)
        if line.text.startswith("P") and (match := ITEM_HEADING.match(line.text)):
            items.append((line, match, []))
        elif items:
            items[-1][2].append(line)
        else:
            head.append(line)
    return head, items


def _title(heading: Line, match: re.Match, body: list[Line]) -> tuple[str, list[Line]]:
    """The item title, joined over wrapped heading lines, and the lines after it."""
    title = match["title"].strip()
    rest = body
    bold_open = heading.bold_open
    while rest and rest[0].text and (bold_open or _is_title_continuation(rest[0].text)):
        title = join_wrapped(title, rest[0].text) if title else rest[0].text
        bold_open = bold_open != rest[0].bold_open
        rest = rest[1:]
    return title, rest


def _is_title_continuation(text: str) -> bool:
    return not (
        CASE_LINE.match(text)
        or SECTION_LABEL.match(text)
        or _body_decision(text)
        or STATUS.match(text)
        or _old_case(text)
        or len(text) > 150
    )


# The two helpers below skip a regex that cannot match because a word it needs is
# missing. Both regexes are slow on ordinary lines (OLD_CASE tries every position,
# BODY_DECISION backtracks over up to 60 characters) and run on nearly every line.


def _old_case(text: str) -> re.Match | None:
    return OLD_CASE.search(text) if "Sagsnr" in text else None


def _body_decision(text: str) -> re.Match | None:
    if "møde" in text or text.startswith("Beslutning"):
        return BODY_DECISION.match(text)
    return None


def _clean_title(title: str) -> tuple[str, bool]:
    closed = bool(CLOSED_PREFIX.match(title))
    title = CLOSED_PREFIX.sub("", title).strip()
    if "|" in title:  # "projekt |Virtuelle Opfølgningsmøder|" (004 seed): a converter's lost quotes
        title = " ".join(title.replace("|", " ").split())
    if title.endswith(".") and re.search(r"[^\W\d_]{4}\.$", title):
        title = title[:-1]
    return title, closed


def _title_key(text: str) -> str:
    return NOT_WORD.sub("", text.lower())


def _same_title(text: str, title_key: str) -> bool:
    """Whether a line repeats the item's title (the old layout's "1. Title" line)."""
    if len(text.lower()) < len(title_key):  # too short to hold the title: skip the slow NOT_WORD.sub
        return False
    key = _title_key(text)
    return key == title_key or (len(title_key) > 10 and key.startswith(title_key))


def _may_repeat_title(meta: dict, sections: list[tuple[str, list[Line]]], current: list[Line] | None) -> bool:
    """Whether an item with no text yet is still where the old layout repeats its title."""
    if any(value is not None for value in meta.values()):
        return False
    if current is None:
        return True
    # (current may be a decision's lines, "Direktionens møde den …:", which is not in sections)
    in_presentation = bool(sections) and sections[-1][0] == "presentation" and sections[-1][1] is current
    return in_presentation and not any(x.text for x in current)


def parse_item(
    heading: Line, match: re.Match, body: list[Line], meeting_body: str, meeting_date: datetime.date
) -> Item:
    raw_title, rest = _title(heading, match, body)
    title, closed = _clean_title(raw_title)
    if not title:
        raise ParseError(heading.number, f"punkt {match['number']} har ingen titel")
    title_key = _title_key(title)
    meta: dict[str, str | None] = {"case_number": None, "journal_number": None, "document_number": None}
    sections: list[tuple[str, list[Line]]] = []
    decisions: list[tuple[str, datetime.date | None, list[Line]]] = []
    current: list[Line] | None = None
    seen_content = False
    title_repeated = False  # the old layout's "6. Title" line was seen
    number = int(match["number"])

    for line in rest:
        text = line.text
        if not text:
            if current is not None:
                current.append(line)
            continue
        if not seen_content and meta["case_number"] is None and (case := CASE_LINE.match(text)):
            meta["case_number"] = case["case"]
            continue
        if _old_case(text) or (not seen_content and text.startswith(("J.nr", "Dokumentnr"))):
            for pattern, key in (
                (OLD_CASE, "case_number"),
                (OLD_JOURNAL, "journal_number"),
                (OLD_DOCUMENT, "document_number"),
            ):
                if (found := pattern.search(text)) and meta[key] is None:
                    meta[key] = found.group(1)
            continue
        if status := STATUS.match(text):
            closed = closed or status["status"].lower() == "lukket"
            continue
        # The old layout repeats the title under the Sagsfremstilling heading, before the Sagsnr.
        # line: "6. Budgetopfølgning …" under Punkt 6, in the 003 seed followed by the title alone.
        # Anywhere else a line that starts like the title is text: "Valg af emner til drøftelse med
        # borgmesteren på næste Direktionsmøde." is the summary of the item of that title (004 seed).
        if not seen_content and _may_repeat_title(meta, sections, current):
            numbered = NUMBERED_HEADING.match(text)
            if numbered and int(numbered["number"]) == number and _same_title(numbered["title"], title_key):
                title_repeated = True
                continue
            if title_repeated and _same_title(text, title_key):
                continue
        if sections and sections[-1][0] == "case_type" and not any(x.text for x in current or []):
            current.append(line)  # "Sagstype" / "Beslutning": a value, not a heading (004 seed)
            continue
        if label := SECTION_LABEL.match(text):
            current = []
            sections.append((SECTIONS[label["label"].lower()], current))
            if label["rest"]:
                current.append(Line(line.number, label["rest"]))
            continue
        if found := _body_decision(text):
            body = canonical_body(found["body"]) if found["body"] else _body_from_genitive(found["genitive"])
            current = []
            decisions.append((body, parse_date(found["date"], line.number), current))
            if found["rest"]:
                current.append(Line(line.number, found["rest"]))
            continue
        seen_content = True
        if text.startswith("År") and not any(x.text for x in current or []):
            # debris at the start of a section: "År økonomistaben fremlægger ..." (003 seed)
            line = Line(line.number, re.sub(r"^År\s+(?=[a-zæøå])", "", text))
        if current is None:
            current = []
            sections.append(("presentation", current))
        current.append(line)

    texts: dict[str, list[str]] = {}
    attachment_lines: list[Line] = []
    for kind, section_lines in sections:
        if kind == "attachments":
            attachment_lines.extend(section_lines)
            continue
        text = join_text(section_lines)
        if text:
            texts.setdefault(kind, []).append(text)

    def section(kind: str) -> str | None:
        return "\n\n".join(texts[kind]) if kind in texts else None

    decision = section("decision")
    other_decisions = []
    for body, date, decision_lines in decisions:
        text = join_text(decision_lines)
        if body == meeting_body and date in (meeting_date, None) and decision is None:
            decision = text
        elif text and text.strip() != "-":
            other_decisions.append(OtherDecision(body, date, text))

    attachments, bare_decision = _attachments(attachment_lines)
    if decision is None and not decisions and bare_decision:
        decision = bare_decision  # 004 seed, item 3: a bare "Anbefales." after the Bilag
    if decision is not None and decision.strip() in ("-", "–", ""):
        decision = None

    treated = section("treated_by")
    case_type = section("case_type")
    return Item(
        number=number,
        title=title,
        closed=closed,
        case_number=meta["case_number"],
        journal_number=meta["journal_number"],
        document_number=meta["document_number"],
        case_type=case_type.split("\n\n")[0].rstrip(".").strip() if case_type else None,
        decision=decision,
        decision_type=classify_decision(decision),
        other_decisions=tuple(other_decisions),
        treated_by=_bodies(treated) if treated else (),
        attachments=attachments,
        summary=section("summary"),
        recommendation=section("recommendation"),
        presentation=section("presentation"),
        economic_consequences=section("economic_consequences"),
        line=heading.number,
    )


def _attachments(lines: list[Line]) -> tuple[tuple[str, ...], str | None]:
    """Attachment titles, each once, and a bare decision found among them."""
    titles: dict[str, str] = {}
    bare_decision = None
    for line in lines:
        text = LIST_MARKER.sub("", line.text).strip()
        if not text or DOCUMENT_NUMBER_ALONE.match(text):
            continue
        if classify_decision(text) not in (None, "other") and text.endswith(".") and len(text) < 80:
            bare_decision = text
            continue
        text = DOCUMENT_NUMBER_TRAILING.sub("", text).strip()
        titles.setdefault(text.lower(), text)
    return tuple(titles.values()), bare_decision


def _bodies(text: str) -> tuple[str, ...]:
    names = re.split(r",\s*|;\s*|(?<!-)\s+og\s+|\n+", text.strip().rstrip("."))
    result: list[str] = []
    for name in names:
        body = canonical_body(name)
        if body and body not in result:
            result.append(body)
    return tuple(result)
