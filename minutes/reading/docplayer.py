"""docplayer.dk transcripts of published PDF referater (Esbjerg, Skive, Ballerup, Tårnby, Varde, …).

docplayer prints its own chrome (title, ``Størrelse: px``, ``Starte visningen fra
side:``, ``Download "…"``, ``Transkript``) and then one line per PDF page that
starts with the page number. Labels, section heads and the text run together on
that line, and most digits next to letters are lost (``Beslutning Økonomiudvalget
den Godkendt.``). This reader cuts each page line back into lines before the
labels and section heads that PDF layouts use, and hands them to the general
reader. The ``Download "…"`` title often keeps the digits the page lost
(``… møde den 11.06.2012 kl. 16:00 …``), so it is read as the first header line.
"""

import re

from minutes.reading import general
from minutes.reading.lines import Line
from minutes.reading.sections import SECTIONS
from minutes.reading.shape import Meeting

CHROME = re.compile(r"^(?:Størrelse: px|Starte visningen fra side:|Transkript)$")
DOWNLOAD = re.compile(r'^Download "(?P<title>.*)"$')
PAGE_NUMBER = re.compile(r"^(?:side[ \t]+)?\d{1,4}[ \t]+(?:side(?:[ \t]+\d{1,4})?[ \t]+)?")
PAGE_FOOTER = re.compile(r"[ \t]+(?:Side[ \t]+\d{1,4}|\d{1,4})$")
# Upper-case section heads (Skive, Tårnby: "SAGSFREMSTILLING", "FORVENTET SAGSGANG").
UPPER_HEADS = "|".join(
    re.escape(name.upper()) for name in sorted(SECTIONS, key=len, reverse=True) if len(name) > 4
)
# Where a PDF line began: before labels and section heads.
BREAK_BEFORE = re.compile(
    r"[ \t](?=(?:Dok\.nr\.?|Sagsid\.?:|Sagsnr\.?|Sagsbeh\.|Initialer:|Sagsansvarlig:|Åben sag|Lukket sag"
    r"|ÅBENT\b"
    r"|LUKKET\b|Beslutning\b|Mødedato:|Mødested:|Mødetidspunkt:|Mødelokale:|Deltagere:|Medlemmer:|Fraværende:"
    r"|Afbud:|Referent:|Mødet hævet:|Indledning[ \t][A-ZÆØÅ]|Sagsfremstilling[ \t][A-ZÆØÅ]"
    r"|Indstilling[ \t][A-ZÆØÅ]"
    r"|Resumé?[ \t][A-ZÆØÅ]|(?:" + UPPER_HEADS + r")[ \t](?=[A-ZÆØÅ\d])))"
)
# A date lost by docplayer leaves "Beslutning <udvalg> den" followed by the decision itself.
DATELESS_DECISION = re.compile(r"^(Beslutning[ \t].{2,90}?[ \t]den)[ \t]+(?=[A-ZÆØÅ])")
# Hørsholm's reference heading "KFU-71/06-B Title": the item number is the one before the year.
REFERENCE_HEADING = re.compile(
    r"(?:^|[ \t])[A-ZÆØÅ]{2,5}-(?P<number>\d{1,3})/\d{2}(?:-[A-Z])?[ \t]+(?=[A-ZÆØÅ])"
)
# Ballerup: "Kommunalbestyrelsens møde 25. september 2006 Punkt 1:" opens a decision;
# "… ØKONOMIUDVALGET 2. Title" starts the next item after a committee's upper-case group heading.
BREAK_ALSO = re.compile(
    r"[ \t](?=[A-ZÆØÅ]\w{3,40}s[ \t]møde[ \t](?:den[ \t])?\d)|(?<=[A-ZÆØÅ]{4})[ \t](?=\d{1,3}\.[ \t][A-ZÆØÅ])"
)
# Where a run-on heading's title ends: a list marker "a)", or a capitalised word that starts a sentence.
TITLE_END = re.compile(r"[ \t](?=[a-z]\)[ \t]|[A-ZÆØÅ][a-zæøå]+[ \t][a-zæøå])")
HEADING = re.compile(r"^\d{1,3}\.[ \t]\S+")
CONTENTS_PAGE = re.compile(r"^(?:side[ \t]+\d+[ \t]+)?indholdsfortegnelse\b", re.IGNORECASE)


def looks_like(text: str) -> bool:
    head = text[:3000]
    return "Transkript" in head and "Starte visningen fra side" in head


def read(text: str) -> Meeting:
    lines: list[Line] = []
    title_lines: list[Line] = []
    in_pages = False
    for number, raw in enumerate(text.split("\n"), start=1):
        raw = raw.strip()
        if not raw:
            continue
        if not in_pages:
            if match := DOWNLOAD.match(raw):
                title_lines = [Line(number, piece) for piece in _split(match["title"].replace(". ", " "))]
            in_pages = raw == "Transkript"
            continue
        if CHROME.match(raw):
            continue
        page = PAGE_FOOTER.sub("", PAGE_NUMBER.sub("", raw, count=1))
        if CONTENTS_PAGE.match(page):
            continue  # docplayer drops the numbers of the entries: the list would confirm nothing
        page = REFERENCE_HEADING.sub(lambda m: f"\n{m['number']}. ", page)
        for piece in page.split("\n"):
            lines.extend(Line(number, p) for p in _split(piece))
            lines.append(Line(number, ""))
    lines = title_lines + [Line(title_lines[-1].number if title_lines else 1, "")] + lines
    return general.read(lines, layout="docplayer-pdf")


def _split(text: str) -> list[str]:
    pieces = []
    for part in BREAK_ALSO.split(text):
        for piece in BREAK_BEFORE.split(part):
            piece = piece.strip()
            if match := DATELESS_DECISION.match(piece):
                pieces.extend([match[1], piece[match.end() :].strip()])
            elif len(piece) > 60 and (end := _title_end(piece)):
                pieces.extend([piece[: end.start()], piece[end.end() :]])
            elif piece:
                pieces.append(piece)
    return pieces


def _title_end(piece: str) -> re.Match | None:
    heading = HEADING.match(piece)
    return TITLE_END.search(piece, heading.end()) if heading else None
