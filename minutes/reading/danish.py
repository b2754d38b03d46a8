"""What the readers know of Danish: month names, dates, times, case numbers, decisions, bodies.

One fact lives here once: the month table (Danish, with the English names some
CMS templates print), the date and time forms the documents use, the one
case-number pattern, and the decision words. No locale: month names come from
the table, so a server's locale never changes what a date means.
"""

import datetime
import re

MONTH_NAMES = (
    ("januar", "jan", "january"),
    ("februar", "feb", "february"),
    ("marts", "mar", "march"),
    ("april", "apr"),
    ("maj", "may"),
    ("juni", "jun", "june"),
    ("juli", "jul", "july"),
    ("august", "aug"),
    ("september", "sep", "sept"),
    ("oktober", "okt", "october", "oct"),
    ("november", "nov"),
    ("december", "dec"),
)
MONTHS = {name: number for number, names in enumerate(MONTH_NAMES, start=1) for name in names}
MONTH = "(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b"

# Every date form the documents print, bounded so that no input backtracks far:
# 04-06-2020, 08.05.2018, 2020-06-04, 11. jun 2019, 1. oktober 2025, 27 august, 2019 (Faxe),
# Maj 8, 2018 (Roskilde's Drupal).
DATE = re.compile(
    r"(?<![\d.])(?:(?P<d1>\d{1,2})[-./](?P<m1>\d{1,2})[-./](?P<y1>\d{4})"
    r"|(?P<y2>\d{4})-(?P<m2>\d{2})-(?P<d2>\d{2})"
    rf"|(?P<d3>\d{{1,2}})\.?[ \t]{{0,3}}(?P<m3>{MONTH})\.?,?[ \t]{{1,3}}(?P<y3>\d{{4}})"
    rf"|(?P<m4>{MONTH})\.?[ \t]{{1,3}}(?P<d4>\d{{1,2}}),?[ \t]{{1,3}}(?P<y4>\d{{4}}))(?!\d)",
    re.IGNORECASE,
)
# "kl. 16.30", "Kl. 10:30", "kl 9"; a time right after a date ("24-06-2014 10:00:00", "2018 - 08:00");
# "Mødetidspunkt: 9:30-11:00".
TIME_AFTER_KL = re.compile(r"\bkl\.?[ \t]{0,3}(?P<h>\d{1,2})(?:[.:](?P<m>\d{2}))?(?!\d)", re.IGNORECASE)
TIME_AFTER_DATE = re.compile(r"[ \t,]{0,3}(?:-[ \t]{0,3})?(?P<h>\d{1,2})[:.](?P<m>\d{2})(?::\d{2})?(?!\d)")
CLOCK = re.compile(r"(?<![\d.])(?P<h>\d{1,2}):(?P<m>\d{2})(?!\d)")

# The one case-number pattern: 24-003210, 21-046857K, 326-2020-15086, EMN-2025-003383, 2014-000766
# (Middelfart); KLE-based 85.02.02-G01-5-17 (Mariagerfjord's SBSYS), 00.01.00P35-0104 (Bornholm),
# 00.00.00-P19-560-06 (Herning); 18.00Ø00 - 2014/06569 (Gribskov); 14/40, 20/33839 (Acadre).
CASE_NUMBER = (
    r"(?:[A-ZÆØÅ]{1,5}-)?\d{2,4}-\d{3,7}(?:-\d{1,7})?[A-ZÆØÅ]?"
    r"|\d{2}\.\d{2}\.\d{2}-?[A-ZÆØÅ]\d{2}(?:-\d{1,6}){1,3}"
    r"|(?:\d{2}\.\d{2}[.A-ZÆØÅ]\d{2}[ \t]-[ \t])?\d{4}/\d{3,6}"
    r"|\d{2}/\d{1,6}"
)
# A case number after its label: "Sagsnr.: 14/8300", "Sagsid.: 20/33839", "Sagsnummer: 19/2484",
# "Sag 306-2014-5450" (Odsherred), "Sagsnr. 299834" (Roskilde: a bare number after the label).
# Not "Sag nr. 11": that is Rødovre's item number.
LABELLED_CASE = re.compile(
    r"\b(?:Sagsnr|Sagsnummer|Sagsid|Sags-?nr)\.?[ \t]{0,3}:?[ \t]{0,3}"
    rf"(?P<case>{CASE_NUMBER}|\d{{4,8}}\b)"
    rf"|\bSag[ \t]{{1,3}}(?P<case2>{CASE_NUMBER})"
)
CASE_ALONE = re.compile(rf"^(?:{CASE_NUMBER})$")

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
WHITESPACE = re.compile(r"\s+")


def classify_decision(text: str | None) -> str | None:
    """The decision type of a decision text; None for no decision."""
    if not text:
        return None
    match = DECISION_START.match(text.strip())
    if not match:
        return "other"
    return next(kind for kind, _ in DECISION_PATTERNS if match.group(kind))


def date_of(match: re.Match) -> datetime.date | None:
    """The date a ``DATE`` match names; None where it names no real day (31 February)."""
    for n in "1234":
        if match[f"y{n}"]:
            day, month, year = match[f"d{n}"], match[f"m{n}"], int(match[f"y{n}"])
            month = int(month) if month.isdecimal() else MONTHS[month.lower()]
            try:
                return datetime.date(year, month, int(day))
            except ValueError:
                return None
    return None


def find_date(text: str) -> tuple[datetime.date, re.Match] | None:
    """The first real date in a text, and its match."""
    for match in DATE.finditer(text):
        if date := date_of(match):
            return date, match
    return None


def find_time(text: str, after_date: re.Match | None = None) -> datetime.time | None:
    """A meeting's start time: "kl. 16.30", or a clock time right after the date."""
    candidates = []
    if after_date is not None:
        candidates.append(TIME_AFTER_DATE.match(text, after_date.end()))
    candidates.append(TIME_AFTER_KL.search(text))
    for match in candidates:
        if match:
            try:
                return datetime.time(int(match["h"]), int(match["m"] or 0))
            except ValueError:
                continue
    return None


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
