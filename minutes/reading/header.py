"""The meeting header in any layout: body, date, start time, location, participants.

Read from the lines before the first item. Labelled values come first
(``Udvalg:``, ``Mødedato:``, ``Mødested:``, Holbæk's upper-case ``UDVALG`` with
the value on the next line); then title sentences (``Referat for <udvalg> møde
den <dato>``, ``<udvalg> – Referat – <dato>``, ``<udvalg>s møde den <dato>``);
then a body name on the line before the date (Rødovre, Bornholm). Every value that
is guessed rather than labelled adds a Danish warning. A value the document does
not print stays None.
"""

import datetime
import re
from dataclasses import dataclass, field

from minutes.reading.danish import CLOCK, canonical_body, find_date, find_time
from minutes.reading.lines import Line
from minutes.reading.sections import BODY_WORD, section_label

LABELS = {
    "udvalg": "body",
    "organ": "body",
    "møde": "meeting",
    "mødedato": "date",
    "dato": "date",
    "mødetid": "date",
    "mødetidspunkt": "time",
    "tidspunkt": "time",
    "starttidspunkt": "date",
    "mødested": "location",
    "sted": "location",
    "lokale": "location",
    "mødelokale": "location",
    "deltagere": "participants",
    "mødedeltagere": "participants",
    "medlemmer": "participants",
    "tilstede": "participants",
    "til stede": "participants",
    "fraværende": "absent",
    "afbud": "absent",
    "sluttidspunkt": "end",
    "mødet hævet": "end",
    "bemærkninger": "notes",
    "publiceret": "published",
    "referent": "notes",
}
LABEL = re.compile(
    r"^(?P<label>"
    + "|".join(sorted(LABELS, key=len, reverse=True))
    + r")(?:[ \t]{0,3}:[ \t]{0,3}(?P<rest>.*)|)$",
    re.IGNORECASE,
)
WEEKDAY = r"(?:mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag)"
# Title sentences that name the body; the date, where there is one, is read from the same line.
TITLES = (
    # "Referat for Beskæftigelses- og Arbejdsmarkedsudvalget møde den 9. april 2014" (Middelfart),
    # "Referat til mødet i Udvalget for Teknik og Miljø den 22. juni 2020 kl. 17:30 i …" (SBSYS),
    # "Åben dagsorden til Teknik- og Miljøudvalget", "Referat af Byrådets møde d. 22.03.2011".
    re.compile(
        r"(?:^|\b)(?:referat|dagsorden|beslutningsprotokol)[ \t]{1,3}(?:for|fra|til|af)[ \t]{1,3}"
        r"(?:(?:mødet|møde)[ \t]{1,3}i[ \t]{1,3})?(?P<body>[^:]{3,90}?)"
        r"(?:[ \t]{1,3}(?:møde[ \t]{1,3})?(?:den\b|d\.).*)?$",
        re.IGNORECASE,
    ),
    # "Økonomiudvalget – Referat – 1. oktober 2018", "Integrationsrådet - Referat",
    # "… - Referat fra mødet den …"
    re.compile(
        r"^(?P<body>[^:]{3,90}?)[ \t]{1,3}[-–][ \t]{1,3}(?:referat|dagsorden|beslutningsprotokol)\b", re.I
    ),
    # "Social og sundheds møde den 17. april 2023" (Frederikssund), "Møde i Kommunalbestyrelsen mandag den …"
    re.compile(r"^(?P<body>[^:]{3,90}?s)[ \t]{1,3}møde[ \t]{1,3}(?:den|d\.)[ \t]", re.IGNORECASE),
    re.compile(
        rf"^Møde[ \t]{{1,3}}i[ \t]{{1,3}}(?P<body>[^:]{{3,90}}?)[ \t,]{{1,3}}{WEEKDAY}\b", re.IGNORECASE
    ),
    # "Teknik- og Bygningsudvalget tirsdag den 16. april 2024 kl. 16.30" (Ishøj)
    re.compile(rf"^(?P<body>[^:]{{3,90}}?)[ \t,]{{1,3}}{WEEKDAY}[ \t]{{1,3}}den\b", re.IGNORECASE),
    # "ÅBEN DAGSORDEN ØKONOMIUDVALG" (Skive, via docplayer)
    re.compile(r"^(?:åben(?:t)?[ \t]{1,3})?(?:referat|dagsorden)[ \t]{1,3}(?P<body>[^:]{3,60})$", re.I),
    # "Plan & Kulturudvalget - 27-08-2019" (Faxe)
    re.compile(r"^(?P<body>[^:]{3,90}?)[ \t]{1,3}[-–][ \t]{1,3}\d{1,2}[-.]\d{1,2}[-.]\d{4}$"),
)
DOCUMENT_WORDS = re.compile(
    r"^(?:åben(?:t)?[ \t]+)?(?:referat|dagsorden|beslutningsprotokol|beslutninger|indholdsfortegnelse|punkter"
    r"|dagsordenspunkter)"
    r"\b",
    re.IGNORECASE,
)
# Lines after a date that name no place: Rødovre's "Sager 19 (ØU 23/2010) - 40 …",
# Næstved's "Økonomiudvalg Byrådet".
NOT_A_PLACE = re.compile(r"^Sager?\b|\d/\d{4}|\w(?:udvalg|udvalget|rådet|bestyrelsen|direktionen)\b", re.I)
LOCATION_IN_SENTENCE = re.compile(
    r"\bkl\.?[ \t]{0,3}\d{1,2}[.:]\d{2}[ \t]{1,3}i[ \t]{1,3}(?P<location>.{3,120})$"
)


@dataclass
class Header:
    body: str | None = None
    date: datetime.date | None = None
    start_time: datetime.time | None = None
    location: str | None = None
    participants: tuple[str, ...] = ()
    warnings: list[str] = field(default_factory=list)
    says_dagsorden: bool = False
    says_referat: bool = False


def _labelled(lines: list[Line]) -> dict[str, tuple[int, str]]:
    """Label -> (index of its line, value) for ``Label: value`` and a label alone with its value below."""
    values: dict[str, tuple[int, str]] = {}
    for i, line in enumerate(lines):
        match = LABEL.match(line.text)
        if not match:
            continue
        kind = LABELS[match["label"].lower()]
        value = (match["rest"] or "").strip()
        if match["rest"] is None or not value:
            following = next((x for x in lines[i + 1 : i + 3] if x.text), None)
            if following and not LABEL.match(following.text) and not section_label(following.text):
                if match["rest"] is None and not match["label"].isupper() and kind not in ("date", "time"):
                    continue  # "Medlemmer" alone: the names follow, one a line (not a value)
                value = following.text
        if value and kind not in values:
            values[kind] = (i, value)
    return values


def labels_anywhere(lines: list[Line], header: Header) -> None:
    """Date and place from ``Dato:``/``Sted:`` lines further down (Odsherred prints them in the decision)."""
    values = _labelled([line for line in lines if line.text])
    if header.date is None and "date" in values and (found := find_date(values["date"][1])):
        header.date = found[0]
        header.warnings.append(f"mødedatoen er læst længere nede i dokumentet: {values['date'][1]!r}")
    if header.location is None and "location" in values:
        header.location = values["location"][1]
        header.warnings.append(f"mødestedet er læst længere nede i dokumentet: {values['location'][1]!r}")


def read_header(lines: list[Line]) -> Header:
    header = Header()
    content = [line for line in lines if line.text]
    values = _labelled(content)
    date_match = None
    date_index = None
    if "date" in values:
        if found := find_date(values["date"][1]):
            header.date, date_match = found
            date_index = values["date"][0]
            header.start_time = find_time(values["date"][1], date_match)
    if header.start_time is None and "time" in values:
        value = values["time"][1]
        clock = find_time(value) or (
            datetime.time(int(m["h"]), int(m["m"]))
            if (m := CLOCK.search(value)) and int(m["h"]) < 24
            else None
        )
        header.start_time = clock
    if "body" in values:
        header.body = values["body"][1]
    elif "meeting" in values and BODY_WORD.search(values["meeting"][1]):
        header.body = values["meeting"][1]
    if "location" in values:
        header.location = values["location"][1]

    for i, line in enumerate(content[:12]):
        text = line.text
        if re.search(r"\bdagsorden\b", text, re.IGNORECASE) and not re.search(r"godkendelse", text, re.I):
            header.says_dagsorden = True
        if re.search(r"\b(?:referat|beslutningsprotokol|beslutninger fra)\b", text, re.IGNORECASE):
            header.says_referat = True
        if LABEL.match(text):
            continue
        if header.body is None:
            for pattern in TITLES:
                if (match := pattern.search(text)) and BODY_WORD.search(match["body"]):
                    header.body = _body_from_title(match["body"])
                    header.warnings.append(f"organet er læst af titellinjen: {text[:80]!r}")
                    break
        if header.date is None and (found := find_date(text)) and not text.lower().startswith("publiceret"):
            header.date, date_match = found
            date_index = i
            header.start_time = find_time(text, date_match)
            header.warnings.append(f"mødedatoen er læst af linjen {text[:80]!r}")
            if header.location is None and (where := LOCATION_IN_SENTENCE.search(text)):
                header.location = where["location"].strip()
    if header.date is None and "published" in values and (found := find_date(values["published"][1])):
        header.date = found[0]
        header.warnings.append("mødedatoen er publiceringsdatoen")
    if date_index is not None:
        if header.start_time is None:  # "Kl. 10:30" on the line after the date (Syddjurs, Frederikssund)
            for line in content[date_index + 1 : date_index + 3]:
                # (a short line: Viborg's note "Temamøde … kl. 12.15-12.30" is no start time)
                if len(line.text) <= 60 and (time := find_time(line.text)):
                    header.start_time = time
                    break
        _near_date(header, content, date_index, "date" in values)
    if "participants" in values:
        header.participants = _names(content, values["participants"][0])
    return header


def _body_from_title(text: str) -> str:
    text = text.strip(" .,-–")
    if re.search(r"(?:udvalgets|rådets|byrådets|bestyrelsens|udvalgs|råds)$", text, re.IGNORECASE):
        text = text[:-1]  # "Byrådets møde" -> Byrådet, "Kultur- og fritidsudvalgs møde" -> … udvalg
    elif text.endswith("sundheds"):
        text = text[:-1]
    return text


def _near_date(header: Header, content: list[Line], index: int, labelled: bool) -> None:
    """The body on the line before an unlabelled date, the place on the line after it."""
    if header.body is None:
        for line in reversed(content[max(0, index - 3) : index]):
            text = line.text
            if (
                BODY_WORD.search(text)
                and len(text) < 90
                and ":" not in text
                and not DOCUMENT_WORDS.match(text)
            ):
                header.body = canonical_body(text) if text.islower() else text
                header.warnings.append(f"organet er gættet ud fra linjen før datoen: {text!r}")
                break
    if header.location is not None or labelled:
        return
    following = content[index + 1 : index + 3]
    if following and CLOCK.search(following[0].text) and len(following[0].text) < 20:
        following = following[1:]  # "Kl. 10:30" on its own line (Syddjurs) before the place
    if not following:
        return
    text = following[0].text
    if LABEL.match(text) or section_label(text) or DOCUMENT_WORDS.match(text) or text.endswith(":"):
        return
    if re.match(r"^\d{1,3}[.\s]", text) or find_date(text) and "kl" not in text.lower() or len(text) > 120:
        return
    if NOT_A_PLACE.search(text):
        return
    text = re.sub(r"[ \t]+kl\.?[ \t]*\d{1,2}[.:]\d{2}.*$", "", text)
    text = re.sub(r"^[^-–]{0,40}møde[ \t]+[-–][ \t]+", "", text)  # "Ekstraordinært møde - Mødelokale F7"
    if text:
        header.location = text
        header.warnings.append(f"mødestedet er gættet ud fra linjen efter datoen: {text!r}")


def _names(content: list[Line], index: int) -> tuple[str, ...]:
    """Participants: the label's value split at commas, or one name a line below the label."""
    first = LABEL.match(content[index].text)
    rest = (first["rest"] or "").strip() if first else ""
    if rest:
        return tuple(n.strip() for n in re.split(r",\s*|\s+og\s+", rest.rstrip(".")) if n.strip())
    names = []
    for line in content[index + 1 : index + 40]:
        if LABEL.match(line.text) or section_label(line.text) or len(line.text) > 60 or ":" in line.text:
            break
        names.append(line.text)
    return tuple(names)
