"""Read one referat (minutes file) into frozen dataclasses.

Pure Python: no Django import, no database, no files. ``parse_bytes`` takes the
bytes of a file as uploaded (UTF-8 with or without BOM, or Windows-1252; any line
ending; NFC or NFD), ``parse`` takes text. Both return a ``Meeting`` or raise
``ParseError`` with the 1-based line number of the decoded text and a reason a
person can act on. ``meeting_to_dict`` gives the JSON shape of PARSE_OUTPUT.md.

The parser reads the *family* of referater, not one layout: markdown and plain
text exports, headings at any markdown level, labels with or without colons,
the old layout (``Sagsnr.: … J.nr.: …``, ``Direktionens møde den …:``) and the
new one (case number under the heading, ``Beslutning``), titles wrapped over two
lines, PDF page breaks, page numbers and running headers.
"""

import datetime
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from minutes import repair

DECISION_TYPES = (
    "approved",
    "recommended",
    "discussed",
    "noted",
    "rejected",
    "postponed",
    "no_remarks",
    "other",
)


class ParseError(Exception):
    def __init__(self, line: int, reason: str):
        super().__init__(f"{line}: {reason}")
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class OtherDecision:
    body: str
    date: datetime.date | None
    text: str


@dataclass(frozen=True)
class Item:
    number: int
    title: str
    closed: bool
    case_number: str | None = None
    journal_number: str | None = None
    document_number: str | None = None
    case_type: str | None = None
    decision: str | None = None
    decision_type: str | None = None
    other_decisions: tuple[OtherDecision, ...] = ()
    treated_by: tuple[str, ...] = ()
    attachments: tuple[str, ...] = ()
    summary: str | None = None
    recommendation: str | None = None
    presentation: str | None = None
    economic_consequences: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Meeting:
    body: str
    date: datetime.date
    start_time: datetime.time | None
    location: str | None
    participants: tuple[str, ...]
    items: tuple[Item, ...]
    contents: tuple[str, ...] = ()  # titles as the table of contents gives them
    warnings: tuple[str, ...] = field(default=(), compare=False)


# --- decoding -----------------------------------------------------------------

BINARY_SIGNATURES = (
    (b"%PDF", "en PDF-fil"),
    (b"\x89PNG", "et PNG-billede"),
    (b"\xff\xd8\xff", "et JPEG-billede"),
    (b"GIF8", "et GIF-billede"),
    (b"PK\x03\x04", "en ZIP-fil (fx et Word- eller Excel-dokument)"),
    (b"\xd0\xcf\x11\xe0", "et gammelt Office-dokument"),
    (b"{\\rtf", "et RTF-dokument"),
)


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def decode(data: bytes) -> str:
    """Text of a minutes file: BOM dropped, UTF-8 or Windows-1252, LF, NFC."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for signature, kind in BINARY_SIGNATURES:
        if data.lstrip()[: len(signature)] == signature:
            raise ParseError(1, f"filen er ikke tekst, men ser ud til at være {kind}")
    if b"\x00" in data[:8192]:
        raise ParseError(1, "filen er ikke tekst (den indeholder NUL-bytes); er det en binær fil?")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    controls = len(CONTROL_CHARACTERS.findall(text, 0, 8192))
    if controls > max(8, len(text[:8192]) // 100):
        raise ParseError(1, "filen er ikke tekst (den indeholder mange kontroltegn); er det en binær fil?")
    return text


def parse_bytes(data: bytes, vocabulary: Mapping[str, int] | None = None) -> Meeting:
    return parse(decode(data), vocabulary)


# --- lines ----------------------------------------------------------------------


@dataclass(slots=True)
class Line:
    number: int  # 1-based, in the decoded text
    text: str  # markdown marks and debris removed, whitespace trimmed
    bold_open: bool = False  # a "**" opened on this line is closed on a later one


MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
MD_TAGS = re.compile(r"</?(?:i|b|u|em|strong|sup|sub|span|br)\s*/?>", re.IGNORECASE)
MD_STAR_EMPHASIS = re.compile(r"(?<![\w*\\])\*(?=\S)(.+?)(?<=[^\s\\])\*(?![\w*])")
MD_UNDERSCORE_EMPHASIS = re.compile(r"(?<![\w\\])_(?=\S)(.+?)(?<=[^\s\\])_(?!\w)")
MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<])")
PAGE_NUMBER = re.compile(r"^(?:side\s+)?\d{1,3}(?:\s*(?:af|/)\s*\d{1,3})?$", re.IGNORECASE)
SPACES = re.compile(r"[ \u00a0\u2000-\u200a\u202f]+")
ODD_SPACE = re.compile(r"[\u00a0\u2000-\u200a\u202f]")  # a space in SPACES other than U+0020


MD_MARKS = re.compile(r"[#*_<\\>]")
MD_MARK_OR_ODD_SPACE = re.compile(r"[#*_<\\>\u00a0\u2000-\u200a\u202f]")


def strip_markdown(raw: str) -> str:
    # The parser calls this for every line of every referat, and most lines are
    # plain words and single spaces: each regex below runs only if it can change
    # the text (one search for both kinds of work saves a regex call per line).
    if "  " not in raw and not MD_MARK_OR_ODD_SPACE.search(raw):
        return raw.strip(" |")
    if not MD_MARKS.search(raw):
        return _fold_spaces(raw)
    text = MD_HEADING.sub("", raw) if "#" in raw else raw
    if "<" in text:
        text = MD_TAGS.sub("", text)
    text = text.replace("**", "").replace("__", "")
    if "*" in text:
        text = MD_STAR_EMPHASIS.sub(r"\1", text)
    if "_" in text:
        text = MD_UNDERSCORE_EMPHASIS.sub(r"\1", text)
    if "\\" in text:
        text = MD_ESCAPE.sub(r"\1", text)
    if text.lstrip().startswith("> "):
        text = text.lstrip()[2:]
    return _fold_spaces(text)


def _fold_spaces(text: str) -> str:
    """Each run of spaces (of any width) as one plain space; no spaces or pipes at the ends."""
    # SPACES.sub is slow on ordinary prose, where every single space is a match.
    if "  " in text or ODD_SPACE.search(text):
        text = SPACES.sub(" ", text)
    return text.strip(" |")


def _lines(text: str) -> list[Line]:
    """The text as cleaned lines; page breaks, page numbers and running headers removed."""
    raw_lines = text.split("\n")
    lines: list[Line] = []
    page_edges: list[int] = []  # indexes in ``lines`` next to a form feed
    for number, raw in enumerate(raw_lines, start=1):
        if not raw:  # about half the lines of a referat
            lines.append(Line(number, ""))
            continue
        pieces = raw.split("\f")
        for i, piece in enumerate(pieces):
            if i > 0:
                page_edges.append(len(lines))
                lines.append(Line(number, "\f"))
            cleaned = repair.drop_debris(strip_markdown(piece))
            bold_open = piece.count("**") % 2 == 1
            lines.append(Line(number, cleaned or "", bold_open and bool(cleaned)))
    _drop_page_furniture(lines, page_edges)
    if page_edges or "\x00" in text:  # (_join_pages also drops lone NULs, its marker)
        return _join_pages(lines)
    return lines  # no page breaks, as in most referater


def _drop_page_furniture(lines: list[Line], page_edges: list[int]) -> None:
    """Blank out page numbers and headers/footers that repeat at page breaks."""
    near_edges: dict[str, list[int]] = {}
    for edge in page_edges:
        for step in (-1, 1):
            i = edge + step
            while 0 <= i < len(lines) and not lines[i].text:
                i += step
            if 0 <= i < len(lines) and lines[i].text != "\f" and len(lines[i].text) < 90:
                key = re.sub(r"\d+", "#", lines[i].text.lower())
                near_edges.setdefault(key, []).append(i)
    for key, indexes in near_edges.items():
        if len(set(indexes)) >= 2 or PAGE_NUMBER.match(key.replace("#", "1")):
            for i in indexes:
                lines[i].text = ""
    for line in lines:
        # (a page number ends in a digit; the test saves a regex call on most lines)
        if line.text[-1:].isdecimal() and PAGE_NUMBER.match(line.text):
            line.text = ""


def _join_pages(lines: list[Line]) -> list[Line]:
    """Remove page-break markers, rejoining a paragraph that a page break cut."""
    out: list[Line] = []
    for i, line in enumerate(lines):
        if line.text != "\f":
            out.append(line)
            continue
        before = next((x for x in reversed(out) if x.text), None)
        after = next((x for x in lines[i + 1 :] if x.text and x.text != "\f"), None)
        if before and after and not re.search(r"[.:;!?]$", before.text) and after.text[:1].islower():
            while out and not out[-1].text:
                out.pop()
            j = i + 1
            while j < len(lines) and not lines[j].text:
                lines[j].text = "\x00"  # marker: skip this blank, the paragraph goes on
                j += 1
        else:
            out.append(Line(line.number, ""))
    return [x for x in out if x.text != "\x00"]


# --- labels and patterns --------------------------------------------------------

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("januar", "jan"),
            ("februar", "feb"),
            ("marts", "mar"),
            ("april", "apr"),
            ("maj",),
            ("juni", "jun"),
            ("juli", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "okt"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
NUMERIC_DATE = r"\d{1,2}[-./]\d{1,2}[-./]\d{4}|\d{4}-\d{2}-\d{2}"
WORD_DATE = r"\d{1,2}\.?\s*[a-zæøå]+\.?\s+\d{4}"
DATE = rf"(?:{NUMERIC_DATE}|{WORD_DATE})"
ISO_DATE_PARTS = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
NUMERIC_DATE_PARTS = re.compile(r"(\d{1,2})[-./](\d{1,2})[-./](\d{4})")
WORD_DATE_PARTS = re.compile(r"(\d{1,2})\.?\s*([a-zæøå]+)\.?\s+(\d{4})")
WHITESPACE = re.compile(r"\s+")

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

ITEM_HEADING = re.compile(r"^(?:Punkt|Pkt\.?)\s*(?P<number>\d{1,3})\s*(?:[:.]|\s[-–])\s*(?P<title>.*)$")
CLOSED_PREFIX = re.compile(r"^Lukket(?:\s+punkt)?\s*[:.–-]\s*", re.IGNORECASE)

# A case number alone on a line (new layout): 24-003210, 21-046857K, 2023-004512,
# 326-2020-15086, EMN-2025-003383.
CASE_NUMBER = r"(?:[A-ZÆØÅ]{1,5}-)?\d{2,4}-\d{3,7}(?:-\d{1,7})?[A-ZÆØÅ]?"
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
LIST_MARKER = re.compile(r"^(?:[-*•·o–]\s|\d{1,2}[.)]\s|[a-z][.)]\s)")

DECISION_PATTERNS = (
    ("no_remarks", r"ingen bemærkninger"),
    ("rejected", r"(?:ikke godkendt|afvist|afvises|afslået|afslås|forkastet|ikke anbefalet|anbefales ikke)"),
    ("noted", r"(?:taget|tages|toget) (?:til )?efterretning|orienteringen (?:er )?taget til efterretning"),
    ("approved", r"godkend(?:t|es|te|er)"),
    ("recommended", r"anbefal(?:es|et|ede|er)|indstilles"),
    ("discussed", r"drøft(?:et|es|ede|ede\b|else)"),
    ("postponed", r"(?:udsat|udsættes|aflyst|aflyses|ikke behandlet)"),
)
DECISION_START = re.compile(
    r"^(?:(?:[A-ZÆØÅ]\w+(?:en|et)|udvalget|direktionen)\s+)?(?:"
    + "|".join(f"(?P<{kind}>{pattern})" for kind, pattern in DECISION_PATTERNS)
    + r")\b",
    re.IGNORECASE,
)


def classify_decision(text: str | None) -> str | None:
    """The decision type of a decision text; None for no decision."""
    if not text:
        return None
    match = DECISION_START.match(text.strip())
    if not match:
        return "other"
    return next(kind for kind, _ in DECISION_PATTERNS if match.group(kind))


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


def canonical_body(name: str) -> str:
    """Body names in their usual form: capitalised and definite (Direktion -> Direktionen)."""
    name = WHITESPACE.sub(" ", name).strip(" .,;:")
    if not name:
        return name
    name = name[0].upper() + name[1:]
    lower = name.lower()
    if lower.endswith(("udvalg", "råd", "byråd", "forum", "panel", "sekretariat")):
        name += "et"
    elif lower.endswith(("direktion", "bestyrelse", "gruppe", "komité", "kommission", "ledelse")):
        name += "n" if lower.endswith("e") else "en"
    return name


def _body_from_genitive(genitive: str) -> str:
    return canonical_body(genitive[:-1] if genitive.endswith("s") else genitive)


# --- text -----------------------------------------------------------------------


def join_text(lines: list[Line]) -> str | None:
    """Lines of a section as plain text: paragraphs separated by a blank line.

    A line that starts with a lower-case letter continues the line before it (a
    wrapped sentence, possibly with a word broken by a hyphen); lists and
    tab-separated tables keep their lines.
    """
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        text = line.text
        if not text:
            if current:
                paragraphs.append(current)
                current = []
            continue
        if current and _continues(current[-1], text):
            current[-1] = _join_wrapped(current[-1], text)
        else:
            current.append(text)
    if current:
        paragraphs.append(current)
    result = "\n\n".join("\n".join(p) for p in paragraphs).strip()
    return result or None


def _continues(previous: str, text: str) -> bool:
    return (
        text[:1].islower()
        and "\t" not in previous
        and "\t" not in text
        and not LIST_MARKER.match(text)
        and not previous.endswith(":")
    )


def _join_wrapped(first: str, second: str) -> str:
    """Join a line that wrapped; "Budgetopfølg-" + "ning" -> "Budgetopfølgning"."""
    if not first.endswith("-"):  # (the searches below would scan a whole paragraph to find out)
        return f"{first} {second}"
    if re.search(r"(?:\d|\b[A-ZÆØÅ]{2,5})-$", first):  # "0-" / "emissionsdrift", "IT-" / "kompetence…"
        return first + second
    if re.search(r"[^\W\d_]{2}-$", first):
        next_word = second.split(" ", 1)[0]
        if next_word in ("og", "eller", "samt", "til"):  # "Unge- og Beskæftigelsesudvalget"
            return f"{first} {second}"
        if second[:1].islower():
            return first[:-1] + second
        return first + second
    return f"{first} {second}"


def _single_line(lines: list[Line]) -> str | None:
    text = join_text(lines)
    return WHITESPACE.sub(" ", text) if text else None


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
        header.location = _single_line(fields["location"])
    if "participants" in fields:
        names = _single_line(fields["participants"]) or ""
        parts = re.split(r",\s*|\s+og\s+|;\s*", names.rstrip("."))
        header.participants = tuple(p.strip() for p in parts if p.strip())
    return header


# --- items ----------------------------------------------------------------------


def _split_items(lines: list[Line]) -> tuple[list[Line], list[tuple[Line, re.Match, list[Line]]]]:
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
        title = _join_wrapped(title, rest[0].text) if title else rest[0].text
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


def _parse_item(
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


# --- the whole referat ----------------------------------------------------------


def parse(text: str, vocabulary: Mapping[str, int] | None = None) -> Meeting:
    """Parse the text of one referat; ``vocabulary`` (word -> count) helps repair mojibake."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise ParseError(1, "filen er tom")
    text, warnings = repair.fix_mojibake(text, vocabulary)
    lines = _lines(text)
    head, raw_items = _split_items(lines)
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
        items.append(_parse_item(heading, match, body, header.body, header.date))

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


def meeting_to_dict(meeting: Meeting) -> dict:
    """The JSON shape of PARSE_OUTPUT.md."""
    return {
        "body": meeting.body,
        "date": meeting.date.isoformat(),
        "start_time": meeting.start_time.strftime("%H:%M") if meeting.start_time else None,
        "location": meeting.location,
        "participants": list(meeting.participants),
        "items": [
            {
                "number": item.number,
                "title": item.title,
                "closed": item.closed,
                "case_number": item.case_number,
                "journal_number": item.journal_number,
                "document_number": item.document_number,
                "case_type": item.case_type,
                "decision": item.decision,
                "decision_type": item.decision_type,
                "other_decisions": [
                    {"body": d.body, "date": d.date.isoformat() if d.date else None, "text": d.text}
                    for d in item.other_decisions
                ],
                "treated_by": list(item.treated_by),
                "attachments": list(item.attachments),
                "summary": item.summary,
                "recommendation": item.recommendation,
                "presentation": item.presentation,
                "economic_consequences": item.economic_consequences,
            }
            for item in meeting.items
        ],
    }
