"""The general reader: numbered item headings and the usual Danish section names, in any layout.

Most municipal web pages and exports differ only in how an item heading looks:
``12. Title``, ``12.Title`` (Vejen), ``12 Title`` (Bornholm, Viborg), ``12Title``
(Frederikssund), ``Pkt. 66 Title`` (Roskilde), ``Nr.60 - Title`` (Fredensborg),
or a title line followed by ``Sag nr. 11`` (Rødovre). Each heading style is tried;
the item numbers of the chosen style must rise through the document, which keeps
numbered lists inside an item (``1. at dagsordenen godkendes``) out. A run of
numbered lines whose first number comes again further down is a contents list: it
confirms and completes titles and names the items a cut-off document lacks, but
adds no item. A document without any heading is read as one item (an item page).

Input is a list of ``Line``; ``text_to_lines`` makes it from text, dropping web
page chrome (cookie banners, "Udskriv", "Til toppen", "Fold alle ud").
"""

import re
from dataclasses import dataclass

from minutes.reading.danish import CASE_ALONE
from minutes.reading.header import labels_anywhere, read_header
from minutes.reading.lines import Line, strip_markdown
from minutes.reading.sections import (
    CLOSED_MARK,
    decision_dates,
    decision_heading,
    read_item,
    section_label,
    status_of,
)
from minutes.reading.shape import Meeting, ParseError

BULLET = re.compile(r"^[•·\uf0b7▪◦●\-–*][ \t]+")
CHROME = re.compile(
    r"^(?:til toppen|til top|tilbage til toppen|udskriv|udskriv hele dagsord(?:en|nen)|print|fold alle ud"
    r"|fold alle punkter|til indholdsfortegnelse|hent som fil:?|hent som pdf|kopier link|you are here|søg"
    r"|klik her for at se sagsfremstillingen|se alle bilag|del|luk|menu|accepter(?: alle)?(?: cookies)?"
    r"|tilbage til forsiden|gå til indhold|spring til indhold|pdf)$"
    r"|.*\bcookies?\b.*|.*\bcookiepolitik\b.*|^made with flippingbook.*",
    re.IGNORECASE,
)
ITEM_MARKER = re.compile(r"^udskriv$", re.IGNORECASE)  # Aabenraa: each item opens with an "Udskriv" link
OPEN_SECTION = re.compile(r"^(?:åbne|åben)(?:[ \t]+(?:punkter|sager|dagsordenspunkter|dagsorden))?:?$", re.I)
CLOSED_SECTION = re.compile(
    r"^(?:lukkede|lukket)[ \t]+(?:punkter|sager|dagsordenspunkter|dagsorden):?$", re.I
)

TITLE_START = r"(?P<title>[A-ZÆØÅÉÜ\d\"'“”„§(«].{0,250})"
# Heading styles, strongest first. Each gives the item number and the title (which may be empty).
STYLES = (
    (
        "prefixed",
        re.compile(
            rf"^(?:Pkt\.?|Punkt|Nr\.?)[ \t]{{0,3}}(?P<number>\d{{1,4}})[ \t]{{0,3}}"
            rf"(?:[.:]|[ \t][-–])?[ \t]{{0,3}}(?:{TITLE_START})?$"
        ),
    ),
    # "12. Title"; "1.Temamøde" (Vejen) only before a letter: "116.000 kr." and "85.02.02-G01-5-17"
    # are no headings
    ("dotted", re.compile(rf"^(?P<number>\d{{1,4}})\.(?:[ \t]{{1,12}}|(?=[^\W\d_])){TITLE_START}$")),
    (
        "spaced",
        re.compile(
            rf"^(?:(?:åbent|lukket)[ \t]{{1,3}})?(?P<number>\d{{1,4}})[ \t]{{1,12}}{TITLE_START}$", re.I
        ),
    ),
    ("glued", re.compile(r"^(?P<number>\d{1,4})(?P<title>[A-ZÆØÅ][a-zæøå].{0,250})$")),
)
CONTENTS_GLUED = re.compile(r"^(Indholdsfortegnelse|Indhold|Dagsordenspunkter):?(?=\d)", re.IGNORECASE)
GLUED_HEADING = re.compile(r"(?<=[a-zæøå])(?P<number>\d{1,4})\.[ \t]{1,3}(?=[A-ZÆØÅ])")
RUN_TOGETHER_LABELS = ("indstilling", "beslutning", "sagsfremstilling", "resume", "resumé")
SAG_NR = re.compile(
    r"^Sag[ \t]{0,2}nr\.?[ \t]{0,3}(?P<number>\d{1,4})\b"
)  # Rødovre: "Sag nr. 19 (ØU 23/2010)"
CONTENTS_TAIL = re.compile(r"[ \t]*\.{3,}[ \t]*\d{1,4}$")  # "715. Title ........2" (Acadre's contents page)


CHAIN_REACH = 60  # a heading follows one of the 60 numbered lines before it (lists in an item are shorter)


@dataclass
class Heading:
    index: int  # in the lines
    number: int
    title: str
    evidence: bool = False
    untitled: bool = False  # the layout prints no title (Aabenraa's "Udskriv" items)


def text_to_lines(text: str) -> list[Line]:
    """Lines with spaces folded, bullets and markdown marks removed and web-page chrome blanked."""
    lines = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = strip_markdown(raw.replace("\t", " ")) if raw.strip() else ""
        line = BULLET.sub("", line)
        if line and not ITEM_MARKER.match(line) and CHROME.match(line):
            line = ""
        lines.extend(Line(number, piece) for piece in _unglue(line))
    return lines


def _unglue(line: str) -> list[str]:
    """A line that holds two: "Indholdsfortegnelse1. Fraværende" (Brønderslev), and a contents list's
    last entry run into the first heading, "176. Budgetrevision 2 og handlingsplaner174. Godkendelse …"
    (Holbæk 008)."""
    if match := CONTENTS_GLUED.match(line):
        return [match[1], line[match.end(1) :].strip()]
    if line[:1].isdecimal() and (first := re.match(r"\d{1,4}(?=\.)", line)):
        for glued in GLUED_HEADING.finditer(line, first.end()):
            if int(glued["number"]) <= int(first.group()):
                return [line[: glued.start()].strip(), line[glued.start() :]]
    return [line]


def _candidates(lines: list[Line], pattern: re.Pattern) -> list[Heading]:
    found = []
    for i, line in enumerate(lines):
        text = line.text
        if not text[:1].isdecimal() and text[:1] not in "PpNnÅåLl":
            continue
        if (match := pattern.match(text)) and int(match["number"]) > 0:
            title = CONTENTS_TAIL.sub("", (match["title"] or "").strip())
            if title.endswith((",", ";")) or _page_mark(title):
                continue
            found.append(Heading(i, int(match["number"]), title))
    return found


def _page_mark(title: str) -> bool:
    """Acadre's PDF page marks "2 of 5" and bare page numbers, which look like numbered lines."""
    return bool(re.match(r"^of \d", title)) or bool(re.match(r"^\d{1,3}$", title))


def _rodovre_candidates(lines: list[Line]) -> list[Heading]:
    found = []
    for i, line in enumerate(lines):
        if line.text.startswith("Sag") and (match := SAG_NR.match(line.text)):
            j = i - 1
            while j >= 0 and not lines[j].text:
                j -= 1
            if j >= 0 and not section_label(lines[j].text):
                found.append(Heading(j, int(match["number"]), lines[j].text, evidence=True))
    return found


def _evidence(lines: list[Line], heading: Heading, end: int) -> bool:
    seen = 0
    for line in lines[heading.index + 1 : end]:
        if not line.text:
            continue
        text = line.text
        if (
            section_label(text)
            or decision_heading(text)
            or status_of(text) is not None
            or CASE_ALONE.match(text)
        ):
            return True
        if "Sagsnr" in text or "Sagsid" in text or "Sagsnummer" in text:
            return True
        seen += 1
        if seen > 8:
            break
    return False


def _split_contents(
    lines: list[Line], candidates: list[Heading], everywhere: list[Heading]
) -> tuple[list[Heading], list[Heading]]:
    """(headings, contents entries): a run of adjacent numbered lines whose first number recurs further
    down, in any heading style (Gribskov lists "59 Title" and heads the item "59. Title"), is a list."""
    last_seen = {c.number: c.index for c in sorted(everywhere, key=lambda c: c.index)}
    contents: list[Heading] = []
    runs: list[list[Heading]] = []
    for c in candidates:
        previous = runs[-1][-1] if runs else None
        adjacent = previous and all(not x.text for x in lines[previous.index + 1 : c.index])
        if adjacent and previous.number < c.number:
            runs[-1].append(c)
        else:
            runs.append([c])
    kept: list[Heading] = []
    for run in runs:
        if len(run) >= 2 and last_seen.get(run[0].number, -1) > run[-1].index:
            contents.extend(run)
            # Holbæk 008: the last list line runs into the first heading
            # ("…handlingsplaner174. Godkendelse …")
            last = run[-1]
            glued = re.search(rf"(?<=\D){run[0].number}\.[ \t]{{0,3}}(?=[A-ZÆØÅ])", last.title)
            if glued:
                last.title = last.title[: glued.start()].strip()
        else:
            kept.extend(run)
    return kept, contents


def _chain(headings: list[Heading]) -> list[Heading]:
    """The heaviest run of rising numbers (equal numbers in a row are one heading seen twice)."""
    if not headings:
        return []
    weight = [1 + 5 * h.evidence for h in headings]
    best = weight[:]
    previous = [-1] * len(headings)
    for i, h in enumerate(headings):
        for j in range(max(0, i - CHAIN_REACH), i):
            step = h.number - headings[j].number
            # (a step of one is how agendas count; a list inside an item restarts at 1)
            gain = best[j] + weight[i] + 2 * (step == 1)
            if step > 0 and gain > best[i]:
                best[i], previous[i] = gain, j
    i = max(range(len(headings)), key=lambda k: (best[k], -k))
    chain = []
    while i >= 0:
        chain.append(headings[i])
        i = previous[i]
    return chain[::-1]


def find_headings(lines: list[Line]) -> tuple[list[Heading], list[Heading], str]:
    """(headings, contents entries, style) of the best heading style."""
    best: tuple[int, list[Heading], list[Heading], str] = (0, [], [], "")
    by_style = {name: _candidates(lines, pattern) for name, pattern in STYLES}
    by_style["sag-nr"] = _rodovre_candidates(lines)
    everywhere = [c for found in by_style.values() for c in found]
    for name, candidates in by_style.items():
        if not candidates:
            continue
        # A heading printed twice in a row (Slagelse's mirror, Roskilde's "Pkt. 66") is one heading.
        merged: list[Heading] = []
        for c in candidates:
            if merged and merged[-1].number == c.number and c.index - merged[-1].index < 40:
                merged[-1].title = c.title or merged[-1].title
                continue
            merged.append(c)
        kept, contents = _split_contents(lines, merged, everywhere)
        ends = [h.index for h in kept[1:]] + [len(lines)] * bool(kept)
        for h, end in zip(kept, ends, strict=True):
            h.evidence = h.evidence or _evidence(lines, h, end)
        chain = _chain(kept)
        score = sum(1 + 5 * h.evidence for h in chain)
        if score > best[0]:
            best = (score, chain, contents, name)
    return best[1], best[2], best[3]


def read(lines: list[Line], layout: str = "general") -> Meeting:
    """A meeting from cleaned lines (``text_to_lines``)."""
    if not any(line.text for line in lines):
        raise ParseError(lines[-1].number if lines else 1, "filen er tom")
    headings, contents, style = find_headings(lines)
    warnings: list[str] = []
    single = False
    if not headings:
        headings, single = _unnumbered_items(lines, warnings)
    else:  # "Udskriv" links are chrome where the items have headings
        lines = [Line(x.number, "") if ITEM_MARKER.match(x.text) else x for x in lines]
    if not headings:
        last = next(x.number for x in reversed(lines) if x.text)  # the end of the text, where it stops
        raise ParseError(
            last,
            "fandt ingen dagsordenspunkter (hverken nummererede overskrifter "
            "eller afsnit som Sagsfremstilling og Beslutning); er filen afkortet?",
        )
    first = min([headings[0].index] + [c.index for c in contents])
    header = read_header(lines[:first])
    if header.date is None or header.location is None:
        labels_anywhere(lines, header)
    warnings[:0] = header.warnings
    body, date = header.body, header.date
    if body is None or date is None:
        found = decision_dates(lines)
        if body is None and (bodies := [b for b, _ in found if b]):
            body = max(set(bodies), key=bodies.count)
            warnings.append(f"organet er læst af beslutningsoverskrifterne: {body}")
        if date is None and (dates := [d for _, d in found if d]):
            date = max(set(dates), key=dates.count)
            warnings.append(f"mødedatoen er læst af beslutningsoverskrifterne: {date.isoformat()}")
    titles = {c.number: c.title for c in contents}
    items = []
    closed_section = None
    starts = [_prefix_start(lines, h.index) for h in headings]
    for n, heading in enumerate(headings):
        end = starts[n + 1] if n + 1 < len(headings) else len(lines)
        for line in lines[(headings[n - 1].index if n else 0) : heading.index]:
            if OPEN_SECTION.match(line.text):
                closed_section = False
            elif CLOSED_SECTION.match(line.text):
                closed_section = True
        title = heading.title
        closed = _status_before(lines, heading.index)
        if mark := CLOSED_MARK.search(title):
            closed = mark["mark"].lower() == "lukket"
        if closed is None:
            closed = closed_section
        start = heading.index + 1
        if not title and heading.number in titles:
            title = titles[heading.number]
        elif not title and not heading.untitled:
            title, start = _next_text(lines, start)
        body_lines = lines[starts[n] : heading.index] + lines[start:end]
        item = read_item(heading.number, title, lines[heading.index].number, body_lines, date, closed)
        if not title:
            warnings.append(f"punkt {heading.number} har ingen titel i dokumentet")
        items.append(item)
    held = {item.number for item in items}
    missing = tuple(f"{c.number}. {c.title}" for c in contents if c.number not in held)
    if missing:
        warnings.append(
            "dokumentet er afkortet: indholdsfortegnelsen nævner punkter, som filen ikke har: "
            + "; ".join(missing)
        )
    if style not in ("", "prefixed", "dotted", "sag-nr"):
        warnings.append(f"punktoverskrifterne er læst som nummer og titel uden punktum ({style})")
    decisions = any(item.decision for item in items)
    kind = "dagsorden" if header.says_dagsorden and not header.says_referat and not decisions else "referat"
    return Meeting(
        body=body,
        date=date,
        start_time=header.start_time,
        location=header.location,
        participants=header.participants,
        items=tuple(items),
        contents=tuple(c.title for c in contents),
        warnings=tuple(warnings),
        layout=layout,
        kind=kind,
        missing_items=missing,
        single_item=single or (len(items) == 1 and not contents and header.date is None),
    )


def _prefix_start(lines: list[Line], index: int) -> int:
    """Where an item begins: its heading, or a case number printed just above it (Mariagerfjord's SBSYS)."""
    j = index - 1
    while j >= 0 and not lines[j].text:
        j -= 1
    return j if j >= 0 and CASE_ALONE.match(lines[j].text) else index


def _status_before(lines: list[Line], index: int) -> bool | None:
    """An open/closed mark on the line or two before a heading (Bornholm's "Åbent punkt")."""
    seen = 0
    for line in reversed(lines[max(0, index - 6) : index]):
        if not line.text:
            continue
        if (status := status_of(line.text)) is not None and len(line.text) < 20:
            return status
        seen += 1
        if seen >= 2:
            break
    return None


def _next_text(lines: list[Line], start: int) -> tuple[str, int]:
    for i in range(start, min(len(lines), start + 6)):
        if lines[i].text:
            if section_label(lines[i].text):
                return "", start
            return lines[i].text, i + 1
    return "", start


def _opens_section(text: str) -> bool:
    """A section label, also one run together with its text ("Indstilling Teknik- og Miljøforvaltningen
    indstiller, …" on Næstved's FlippingBook page), or a decision heading."""
    if section_label(text) or decision_heading(text):
        return True
    first, _, rest = text.partition(" ")
    return bool(rest) and rest[:1].isupper() and first.lower() in RUN_TOGETHER_LABELS


def _unnumbered_items(lines: list[Line], warnings: list[str]) -> tuple[list[Heading], bool]:
    """Items of a page without numbered headings: one per "Udskriv" marker, or the page as one item."""
    markers = [i for i, line in enumerate(lines) if ITEM_MARKER.match(line.text)]
    if markers:
        for i in markers:
            lines[i] = Line(lines[i].number, "")
        warnings.append("punkterne har hverken nummer eller titel; de er nummereret efter deres plads")
        return [Heading(i, n, "", untitled=True) for n, i in enumerate(markers, start=1)], False
    first_section = next((i for i, line in enumerate(lines) if _opens_section(line.text)), None)
    if first_section is None:
        return [], False
    header_end = 0
    title_index = None
    for i in range(first_section):
        text = lines[i].text
        if not text:
            continue
        if re.match(r"^(?:mødedato|mødested|dato|sted|udvalg)\b", text, re.IGNORECASE):
            header_end = i + 1
    for i in range(header_end, first_section):
        text = lines[i].text
        if text and len(text) < 150 and not text.endswith((".", ":")) and header_end:
            title_index = i
            break
    warnings.append("siden har ingen nummererede punkter; den er læst som ét punkt med nummer 1")
    if title_index is not None:
        return [Heading(title_index, 1, lines[title_index].text)], True
    return [Heading(first_section, 1, "")], True  # the section label itself opens the item
