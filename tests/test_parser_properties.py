"""Property tests for minutes.reading (the FirstAgenda reader and the detecting readers), with Hypothesis.

Two properties, each tried on many drawn inputs:

* Any text or bytes, however damaged, gives a ``Meeting`` or a ``ParseError`` whose
  line lies in the decoded text and whose reason is not empty; never another
  exception. Inputs: random text, random bytes in mixed encodings, and the seed
  referater and fixtures mutated line by line.
* A meeting drawn at random, rendered by minutes/generator.py in a seed format,
  parses back to the same structure.

How many examples each test draws comes from the Hypothesis profile registered in
tests/conftest.py: "ci" by default, ``HYPOTHESIS_PROFILE=long`` for a long run.
"""

import datetime
from pathlib import Path

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from minutes import generator
from minutes.reading import Item, OtherDecision, ParseError, decode, meeting_to_dict
from minutes.reading.firstagenda import parse, parse_bytes

SAMPLES = Path(__file__).parent.parent / "minutes" / "sample_minutes"
FIXTURES = Path(__file__).parent / "fixtures"
REFERATER = [
    p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt")) + sorted(FIXTURES.glob("*.txt"))
]


def line_count(text: str) -> int:
    """Lines as the parser numbers them (and an editor shows them): CRLF and CR count as LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1


def raw_line_count(data: bytes) -> int:
    """Lines of a file that decoding may refuse (a NUL byte is reported on its line, a binary on line 1)."""
    try:
        return line_count(decode(data))
    except ParseError:
        is_utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
        return line_count(data.decode("utf-16", errors="replace") if is_utf16 else data.decode("latin-1"))


def assert_good_error(error: ParseError, lines: int) -> None:
    # type() rather than isinstance(): True is an int too, and no line number
    assert type(error.line) is int and 1 <= error.line <= lines, (error.line, lines)
    assert isinstance(error.reason, str) and error.reason.strip()


def assert_parses_or_fails_cleanly(text: str) -> None:
    lines = line_count(text)
    try:
        meeting = parse(text)
    except ParseError as error:
        assert_good_error(error, lines)
    else:
        assert all(1 <= item.line <= lines for item in meeting.items)


def assert_parses_bytes_or_fails_cleanly(data: bytes) -> None:
    try:
        meeting = parse_bytes(data)
    except ParseError as error:
        assert_good_error(error, raw_line_count(data))
    else:
        lines = line_count(decode(data))
        assert all(1 <= item.line <= lines for item in meeting.items)


# --- 1. Any input: a Meeting or a clean ParseError -----------------------------------------------------

LINE_BREAKS = [
    "\n",
    "\r\n",
    "\r",
    "\n\n",
    "\n\r",
    "\x0b",
    "\f",
    "\x1c",
    "\x1d",
    "\x1e",
    "\x85",
    "\u2028",
    "\u2029",
]
# Pieces of the referat format and of its damage, so that random text reaches past the title line.
FRAGMENTS = [
    "REFERAT ",
    "Referat fra mødet i ",
    "Direktionen",
    "Økonomiudvalget",
    "Teknik- og Miljøudvalget",
    " d. ",
    " den ",
    "02-04-2024",
    "31-02-2024",
    "0-0-0000",
    "2024-13-01",
    "5. oktober 2020",
    "5. oktobr 2020",
    "Mødedato ",
    "Dato: ",
    "Mødested ",
    "Mødedeltagere ",
    "Afbud: ",
    " kl. ",
    "kl.",
    "12:30",
    "25:99",
    "9",
    "Indholdsfortegnelse",
    "Dagsorden:",
    ".....\t3",
    "\t12",
    "Punkt ",
    "Pkt. ",
    "1",
    "2",
    "999",
    "٣",
    ": ",
    " - ",
    "Lukket: ",
    "Lukket punkt",
    "Åbent",
    "24-003210",
    "21-046857K",
    "326-2020-15086",
    "EMN-2025-003383",
    "Sagsnr.: ",
    "J.nr.: 00.01.10",
    "Dokumentnr.: ",
    "Beslutning",
    "Beslutninger:",
    "Sagsfremstilling",
    "Resume og sagens baggrund",
    "Indstilling",
    "Behandling",
    "Bilag",
    "Sagstype",
    "Økonomiske konsekvenser",
    "Direktionens møde den 5. oktober 2020:",
    "Beslutning i Økonomiudvalget den 14. marts 2022",
    "Beslutning i Økonomiudvalget den 31. februar 2022",
    "Godkendt.",
    "Anbefales.",
    "-",
    "1. ",
    "o ",
    "# ",
    "## ",
    "**",
    "*",
    "_",
    "\\_",
    "<i>",
    "</i>",
    "> ",
    "|",
    "\t",
    "  ",
    "\xa0",
    "\f",
    "Side 2 af 9",
    "\x00",
    "\ufeff",
    "Ã¸",
    "Ã,",
    "MÃ,dedato",
    "Ã?",
    "Ã\ufffd",
    "Â\xa0",
    "â€“",
    "År ",
    "Å",
    "æøå",
    "ÆØÅ",
    "Budgetopfølg-",
    "ning",
]
fragments = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.sampled_from(LINE_BREAKS), st.text(max_size=6)), max_size=60
).map("".join)
# The start of a good referat: random text after it reaches the items.
GOOD_HEAD = "REFERAT Direktionen d. 02-04-2024\n\nMødedato Tirsdag d. 02. april 2024 kl. 12:30\n\n"
any_text = st.one_of(
    st.text(),
    st.text(alphabet=st.one_of(st.characters(), st.sampled_from("æøåÆØÅé#*_<>\\|\t\n\r\f\x00\x85\u2028"))),
    fragments,
    fragments.map(lambda text: GOOD_HEAD + text),
    st.tuples(fragments, st.sampled_from(REFERATER)).map(lambda t: t[0] + t[1]),
)


@given(any_text)
def test_parse_any_text_gives_meeting_or_parse_error(text):
    assert_parses_or_fails_cleanly(text)


def _mojibake(text: str) -> str:
    """UTF-8 read as Windows-1252: "Mødedato" -> "MÃ¸dedato"."""
    return text.encode("utf-8").decode("cp1252", errors="replace")


text_piece = st.one_of(fragments, st.text(max_size=12))
byte_segment = st.one_of(
    st.binary(max_size=12),
    text_piece.map(lambda s: s.encode("utf-8")),
    text_piece.map(lambda s: s.encode("cp1252", errors="replace")),
    text_piece.map(lambda s: s.encode("latin-1", errors="replace")),
    text_piece.map(lambda s: _mojibake(s).encode("utf-8")),
    text_piece.map(lambda s: _mojibake(s).encode("cp1252", errors="replace")),
    st.sampled_from(
        [b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\r\n", b"\r", b"\n", b"\x00", b"%PDF", b"PK\x03\x04"]
    ),
)
mixed_bytes = st.one_of(
    st.binary(),
    st.lists(byte_segment, max_size=30).map(b"".join),
    st.tuples(st.lists(byte_segment, max_size=10).map(b"".join), st.sampled_from(REFERATER)).map(
        lambda t: t[0] + t[1].encode("utf-8")
    ),
)


@given(mixed_bytes)
def test_parse_bytes_any_bytes_gives_meeting_or_parse_error(data):
    assert_parses_bytes_or_fails_cleanly(data)


# Mutations of the seed referater and fixtures. Each draws its positions from the current lines, so
# Hypothesis shrinks a failure to fewer mutations at earlier lines, and to the smallest referat.
MUTATIONS = ["drop", "duplicate", "swap", "truncate", "cut_line", "split_line", "insert", "mojibake", "lossy"]


@st.composite
def damaged_lines(draw) -> list[str]:
    lines = draw(st.sampled_from(REFERATER)).split("\n")
    for _ in range(draw(st.integers(1, 8))):
        if not lines:
            break
        kind = draw(st.sampled_from(MUTATIONS))
        i = draw(st.integers(0, len(lines) - 1))
        line = lines[i]
        pos = draw(st.integers(0, len(line)))
        if kind == "drop":
            del lines[i : i + draw(st.integers(1, 20))]
        elif kind == "duplicate":
            lines[i:i] = lines[i : i + draw(st.integers(1, 20))]
        elif kind == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "truncate":  # the file stops in the middle of a line
            lines[i:] = [line[:pos]]
        elif kind == "cut_line":
            lines[i] = line[:pos]
        elif kind == "split_line":
            lines[i : i + 1] = [line[:pos], line[pos:]]
        elif kind == "insert":
            lines[i] = line[:pos] + draw(st.one_of(st.text(min_size=1, max_size=4), fragments)) + line[pos:]
        elif kind == "mojibake":
            lines[i] = _mojibake(line)
        elif kind == "lossy":  # the second byte of æ/ø/å lost in a later conversion (2020 seed)
            lines[i] = line.replace("ø", "Ã,").replace("æ", "Ã?").replace("å", "Ã\ufffd")
    return lines


@given(damaged_lines(), st.sampled_from(["\n", "\r\n", "\r"]))
def test_parse_damaged_referat_gives_meeting_or_parse_error(lines, newline):
    assert_parses_or_fails_cleanly(newline.join(lines))


ENCODINGS = ["utf-8", "cp1252", "latin-1", "utf-8-sig", "mojibake"]


def _encode(line: str, encoding: str) -> bytes:
    if encoding == "mojibake":
        return _mojibake(line).encode("utf-8")
    return line.encode(encoding, errors="replace")


@st.composite
def damaged_bytes(draw) -> bytes:
    """A damaged referat in one encoding, with some lines in others and some other line endings."""
    lines = draw(damaged_lines())
    encoding = draw(st.sampled_from(ENCODINGS))
    newline = draw(st.sampled_from([b"\n", b"\r\n", b"\r"]))
    other_encodings = {}
    for _ in range(draw(st.integers(0, 6))):
        other_encodings[draw(st.integers(0, max(0, len(lines) - 1)))] = draw(st.sampled_from(ENCODINGS))
    other_endings = {}
    for _ in range(draw(st.integers(0, 3))):
        other_endings[draw(st.integers(0, max(0, len(lines) - 1)))] = draw(
            st.sampled_from([b"\n", b"\r\n", b"\r"])
        )
    data = [
        _encode(line, other_encodings.get(i, encoding)) + other_endings.get(i, newline)
        for i, line in enumerate(lines)
    ]
    return b"".join(data)


@given(damaged_bytes())
def test_parse_bytes_damaged_referat_gives_meeting_or_parse_error(data):
    assert_parses_bytes_or_fails_cleanly(data)


# --- 2. Round trip: parse(render(meeting)) gives the meeting back ------------------------------------


def assert_same_structure(parsed, drawn: generator.GeneratedMeeting) -> None:
    got, want = meeting_to_dict(parsed), meeting_to_dict(drawn.as_parsed())
    got_items, want_items = got.pop("items"), want.pop("items")
    assert got == want
    assert [item["number"] for item in got_items] == [item["number"] for item in want_items]
    for got_item, want_item in zip(got_items, want_items, strict=True):  # the diff shows one item
        assert got_item == want_item
    assert parsed.contents == drawn.contents


@given(st.integers(0, 2**32 - 1))
def test_parse_round_trips_generated_meeting_of_any_seed(seed):
    (meeting,) = generator.generate_meetings(1, seed=seed)
    text = generator.render(meeting)
    note(text)
    assert_same_structure(parse(text), meeting)


# Words: Danish letters, drawn freely or from a few words of the seeds. Words that are part of the format
# when they start a line (labels, "Punkt", "Lukket", …) or start a decision are left out: a line made of
# them means something else, in any referat.
LETTERS = "abcdefghijklmnopqrstuvwxyzæøåéü"
STRUCTURE_WORDS = {
    "punkt", "pkt", "lukket", "åbent", "sagsnr", "referat", "beslutning", "beslutninger", "afgørelse",
    "sagsfremstilling", "resume", "resumé", "sagens", "indstilling", "indstillinger", "indstillingen",
    "forvaltningens", "behandling", "økonomiske", "økonomi", "bilag", "sagstype", "side", "møde", "mødet",
    "indhold", "indholdsfortegnelse", "dagsorden", "år", "å", "af", "fra", "og", "o",
    "mødedato", "dato", "mødetidspunkt", "tidspunkt", "mødested", "sted", "mødelokale", "mødedeltagere",
    "deltagere", "stede", "afbud", "fraværende", "fravær",
}  # fmt: skip
DECISION_STEMS = (
    "ingen", "ikke", "afvis", "afslå", "forkast", "taget", "tages", "toget", "godkend", "anbefal",
    "indstilles", "drøft", "udsat", "udsæt", "aflys",
)  # fmt: skip
VOCABULARY = (
    "budget kommunen borgerne projektet analysen opfølgning strategi skolen vejplan kontrolgruppen "
    "medarbejdere udgifter området planen aftalen rammen puljen tilskud erhverv klima kultur trivsel"
).split()


def _plain_word(word: str) -> bool:
    word = word.lower()
    return word not in STRUCTURE_WORDS and not word.startswith(DECISION_STEMS)


word = st.one_of(st.sampled_from(VOCABULARY), st.text(alphabet=LETTERS, min_size=1, max_size=10)).filter(
    _plain_word
)
figure = st.one_of(  # numbers as the seeds write them: years, amounts, dates
    st.integers(0, 9999).map(str),
    st.integers(1, 999).map(lambda n: f"{n:,} kr.".replace(",", ".")),
    st.integers(1, 999).map(lambda n: f"{n / 10:.1f} mio. kr.".replace(".", ",", 1)),
    st.dates().map(lambda d: f"{d.day}. {generator.MONTHS[d.month - 1]} {d.year}"),
)
inner_word = st.one_of(word, word, word, figure, word.map(lambda w: w + ","), word.map(lambda w: f"({w})"))


def _capitalised(words: list[str]) -> str:
    return " ".join([words[0][0].upper() + words[0][1:], *words[1:]])


# A phrase starts with a word and never with a number: "12" alone on a line is a page number.
phrase = st.builds(lambda first, rest: _capitalised([first, *rest]), word, st.lists(inner_word, max_size=8))
sentence = st.builds(
    lambda text, end: text + end, phrase, st.sampled_from([".", ".", ".", "!", "?", ":", ""])
)
list_entries = st.lists(
    st.builds(lambda w, ws: " ".join([w, *ws]), word, st.lists(inner_word, max_size=5)),
    min_size=1,
    max_size=4,
)
# A list keeps its lines: "- …" bullets, or "1. at …" clauses as in the seeds' recommendations.
list_lines = st.one_of(
    list_entries.map(lambda entries: ["- " + entry for entry in entries]),
    list_entries.map(lambda entries: [f"{k}. at {entry}" for k, entry in enumerate(entries, 1)]),
)
paragraph = st.one_of(
    st.lists(sentence, min_size=1, max_size=3).map(" ".join),
    st.lists(sentence, min_size=2, max_size=3).map("\n".join),  # lines that start upper case stay lines
    st.builds(lambda lead, items: lead + ":\n" + "\n".join(items), phrase, list_lines),
)
section_text = st.lists(paragraph, min_size=1, max_size=3).map("\n\n".join)
optional_text = st.one_of(st.none(), section_text)

# (decision type, how a decision of that type may start)
DECISION_STARTS = [
    ("approved", "Godkendt."),
    ("approved", "Indstillingen godkendt."),
    ("approved", "Direktionen godkendte indstillingen."),
    ("recommended", "Anbefales."),
    ("recommended", "Udvalget anbefaler indstillingen."),
    ("discussed", "Drøftet."),
    ("discussed", "Drøftelse."),
    ("noted", "Taget til efterretning."),
    ("noted", "Orienteringen taget til efterretning."),
    ("rejected", "Ikke godkendt."),
    ("rejected", "Afvist."),
    ("rejected", "Anbefales ikke."),
    ("postponed", "Udsat."),
    ("postponed", "Sagen udsættes."),
    ("no_remarks", "Ingen bemærkninger."),
]


@st.composite
def decision(draw) -> tuple[str | None, str | None]:
    """(decision text, decision type) or (None, None)."""
    if draw(st.integers(0, 5)) == 0:
        return None, None
    if draw(st.booleans()):
        return draw(section_text), "other"
    kind, start = draw(st.sampled_from(DECISION_STARTS))
    rest = draw(st.one_of(st.just(""), st.lists(sentence, min_size=1, max_size=2).map(" ".join)))
    return (f"{start} {rest}" if rest else start), kind


SUFFIXES = ["udvalget", "rådet", "direktionen", "bestyrelsen", "gruppen", "ledelsen", "forummet", "panelet"]
# Names start with A-Z or Æ, Ø, Å, as the parser expects of a body in "Økonomiudvalgets møde den …".
stem = word.filter(lambda w: w[0] not in "éü").map(lambda w: w[0].upper() + w[1:])
body = st.one_of(
    st.sampled_from([name for name, _ in generator.BODIES]),
    st.builds(lambda s, suffix: s + suffix, stem, st.sampled_from(SUFFIXES)),
    st.builds(lambda a, b, suffix: f"{a}- og {b}{suffix}", stem, word, st.sampled_from(SUFFIXES)),
)
# A weekday (render() names it); a weekend day moves back to the Friday. 1 January 1990 was a Monday.
weekday = st.dates(datetime.date(1990, 1, 1), datetime.date(2099, 12, 31)).map(
    lambda d: d - datetime.timedelta(days=max(0, d.weekday() - 4))
)
start_time = st.one_of(st.none(), st.times().map(lambda t: t.replace(second=0, microsecond=0)))
name = st.builds(
    lambda first, middle, last: " ".join([first, *middle, last]),
    st.one_of(st.sampled_from(generator.FIRST_NAMES), stem),
    st.lists(
        st.one_of(st.sampled_from(generator.MIDDLE_NAMES), st.sampled_from(["van der", "de"])), max_size=2
    ),
    st.one_of(st.sampled_from(generator.LAST_NAMES), stem, st.builds(lambda a, b: f"{a}-{b}", stem, stem)),
)
location = st.one_of(st.sampled_from(generator.LOCATIONS), phrase)
# The case number shapes of the seeds, in either layout: 24-003210, 21-046857K, 326-2020-15086, …
case_number = st.one_of(
    st.builds(
        lambda y, n, k: f"{y:02d}-{n:06d}{k}",
        st.integers(0, 99),
        st.integers(0, 999999),
        st.sampled_from(["", "K"]),
    ),
    st.builds(lambda y, n: f"326-{y}-{n}", st.integers(1990, 2099), st.integers(1, 99999)),
    st.builds(lambda y, n: f"EMN-{y}-{n:06d}", st.integers(1990, 2099), st.integers(0, 999999)),
    st.builds(lambda y, n: f"{y}-{n:06d}", st.integers(1990, 2099), st.integers(0, 999999)),
)
journal_number = st.builds(
    lambda a, b, c, d: f"{a:02d}.{b:02d}{c}{d}",
    st.integers(0, 99),
    st.integers(0, 99),
    st.one_of(st.just(""), st.integers(0, 99).map(lambda n: f".{n:02d}")),
    st.one_of(
        st.just(""), st.builds(lambda x, n: f"-{x}{n:02d}", st.sampled_from("APÆ"), st.integers(0, 99))
    ),
)
document_number = st.builds(lambda y, n: f"326-{y}-{n}", st.integers(1990, 2099), st.integers(1000, 329999))
# A title never ends in a full stop: the table of contents could not tell it from its leader dots.
title = st.builds(
    lambda text, tail: (text + tail).rstrip("."), phrase, st.sampled_from(["", " - finansiering", " 2024"])
)


@st.composite
def item(draw, number: int, meeting_body: str, date: datetime.date, old: bool) -> Item:
    item_title = draw(title)
    closed = draw(st.integers(0, 4)) == 0
    if old and closed and draw(st.booleans()):
        return Item(number, item_title, True)  # the old layout shows only the heading of most closed items
    case = draw(case_number) if old else draw(st.one_of(st.none(), case_number))
    meta = {"journal_number": draw(journal_number), "document_number": draw(document_number)} if old else {}
    decision_text, decision_type = draw(decision())
    other_decisions = ()
    if old:
        other_bodies = draw(st.lists(body.filter(lambda b: b != meeting_body), max_size=2, unique=True))
        other_decisions = tuple(
            OtherDecision(
                b, draw(st.dates(datetime.date(1990, 1, 1), datetime.date(2099, 12, 31))), draw(section_text)
            )
            for b in other_bodies
        )
    # Attachments, each once whatever its case; sometimes named like the item.
    attachments = draw(st.lists(st.one_of(title, st.just(item_title)), max_size=3, unique_by=str.lower))
    return Item(
        number,
        item_title,
        closed,
        case,
        **meta,
        case_type=draw(st.one_of(st.none(), title)) if old else None,  # "Orientering." or "Orientering"
        decision=decision_text,
        decision_type=decision_type,
        other_decisions=other_decisions,
        treated_by=tuple(draw(st.lists(body, max_size=3, unique=True))),
        attachments=tuple(attachments),
        summary=draw(optional_text),
        recommendation=draw(optional_text),
        presentation=draw(optional_text),
        economic_consequences=draw(optional_text),
    )


@st.composite
def meeting(draw) -> generator.GeneratedMeeting:
    """A meeting drawn field by field, in a layout and format of the seeds."""
    meeting_body = draw(body)
    date = draw(weekday)
    old = draw(st.booleans())
    numbers = draw(st.lists(st.integers(1, 999), min_size=1, max_size=6, unique=True))
    items = tuple(draw(item(n, meeting_body, date, old)) for n in numbers)
    return generator.GeneratedMeeting(
        body=meeting_body,
        date=date,
        start_time=draw(start_time),
        location=draw(location),
        participants=tuple(draw(st.lists(name, max_size=8))),
        items=items,
        # the table of contents as a reader sees it, long titles cut off as the generator does
        contents=tuple(generator._contents_entry(i)[0] for i in items),
        old_layout=old,
        markdown=draw(st.booleans()),
        style=draw(st.integers(0, 2**32 - 1)),  # headings, wraps and spellings render() picks
    )


@given(meeting(), st.sampled_from([None, "utf-8-sig", "cp1252"]), st.sampled_from(["\n", "\r\n", "\r"]))
def test_parse_round_trips_drawn_meeting(drawn, encoding, newline):
    text = generator.render(drawn).replace("\n", newline)
    note(text)  # shown with a failing example
    # None: the text itself; otherwise the bytes of a file (every letter drawn is in Windows-1252)
    parsed = parse(text) if encoding is None else parse_bytes(text.encode(encoding))
    assert_same_structure(parsed, drawn)


# --- Regressions: the smallest examples the properties found ------------------------------------------

HEAD = (
    "REFERAT Direktionen d. 03-01-2000\n\nMødedato Mandag d. 03. januar 2000\n\n"
    "Mødested Direktionens kontor\n\n"
)
OLD_ITEM = (
    "Punkt 1: Budget\n\nSagsfremstilling\n\n1. Budget\n\nÅbent\n\n"
    "Sagsnr.: 00-000000\n\nJ.nr.: 00.00\n\nDokumentnr.: 326-1990-1000\n\n"
)


@pytest.mark.parametrize(
    "text, field",
    [
        (HEAD + OLD_ITEM + "Økonomiske konsekvenser\n\nBudget.\n", "economic_consequences"),
        (HEAD + "Punkt 1: Budget\n\n24-003210\n\nBeslutning\n\nBudget.\n", "decision"),
        (HEAD + "Punkt 1: Budget\n\nSagsfremstilling\n\nSagsfremstilling\n\nBudget.\n", "presentation"),
    ],
    ids=["old layout, after Sagsnr.", "new layout, decision", "new layout, no case number"],
)
def test_parse_keeps_text_that_repeats_the_item_title(text, field):
    # Once dropped as the old layout's repeated title, which only follows the "1. Budget" line.
    (item,) = parse(text).items
    assert getattr(item, field) == "Budget."


def test_parse_keeps_summary_that_starts_like_the_item_title():
    meeting = parse_bytes((SAMPLES / "004_2ffb149da372fc3d.txt").read_bytes())
    (item,) = [item for item in meeting.items if item.number == 5]
    assert item.title == "Valg af emner til drøftelse med borgmesteren"
    assert item.summary == "Valg af emner til drøftelse med borgmesteren på næste Direktionsmøde."


def test_parse_drops_the_old_layouts_repeated_title():
    # "#### 6. År Budgetopfølgning …" and then "År Budgetopfølgning …" under Punkt 6 (003 seed)
    meeting = parse_bytes((SAMPLES / "003_4d962a962ee56aa9.txt").read_bytes())
    (item,) = [item for item in meeting.items if item.number == 6]
    assert item.title == "Budgetopfølgning pr. 31. august 2020 - Økonomiudvalgets eget område"
    texts = [item.summary, item.presentation, item.decision]
    assert all(text and not text.startswith("Budgetopfølgning pr. 31. august 2020") for text in texts)


# --- 3. Every reader: any text, HTML or XML gives a Meeting or a clean ParseError, within a second ----------
#
# The same property for the detecting entry points (minutes.reading.read_text / read_bytes), on inputs
# that reach each reader: the layout fixtures damaged line by line (the general and docplayer readers),
# drawn HTML pages and drawn Acadre-like XML. A deadline of one second per input catches catastrophic
# regex backtracking; every pattern in minutes/reading is bounded.

from hypothesis import settings  # noqa: E402

from minutes import reading  # noqa: E402

LAYOUT_FILES = sorted((FIXTURES / "layouts").iterdir())
LAYOUT_TEXTS = [p.read_text(encoding="utf-8") for p in LAYOUT_FILES]
READING_FRAGMENTS = [
    "12. Godkendelse af dagsorden",
    "Pkt. 66 ",
    "Nr.60 - ",
    "38Godkendelse",
    "Sag nr. 11",
    "Beslutning",
    "Beslutning i Økonomiudvalget den 04-06-2020",
    "Integrationsudvalgets møde den 12. december 2011:",
    "Klima- og Miljøudvalget, 08-05-2018, pkt. 66",
    "Sagsnr.: 14/8300",
    "85.02.02-G01-5-17",
    "Åbent punkt",
    "(Lukket)",
    "UDVALG",
    "STARTTIDSPUNKT",
    "04-06-2020 09:00:00",
    "Tirsdag, Maj 8, 2018 - 08:00",
    "Udskriv",
    "Indholdsfortegnelse",
    "Transkript",
    "Starte visningen fra side:",
    "Dato: ",
    "Mødested: ",
    "kl. 16.30",
    "1. at ",
    "•  ",
    "\u00a0",
    "Til toppen",
    "Referat",
    "Dagsorden",
    "176. Budget174. Godkendelse",
]
reading_fragments = st.lists(
    st.one_of(st.sampled_from(READING_FRAGMENTS), st.sampled_from(LINE_BREAKS), st.text(max_size=8)),
    max_size=80,
).map("".join)


@st.composite
def damaged_layout(draw) -> str:
    lines = draw(st.sampled_from(LAYOUT_TEXTS)).split("\n")
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        kind = draw(st.sampled_from(["drop", "duplicate", "insert", "truncate"]))
        if kind == "drop":
            del lines[i : i + draw(st.integers(1, 10))]
        elif kind == "duplicate":
            lines[i:i] = lines[i : i + draw(st.integers(1, 10))]
        elif kind == "insert":
            lines.insert(i, draw(st.one_of(reading_fragments, st.text(max_size=20))))
        elif lines:
            lines[i:] = [lines[i][: draw(st.integers(0, len(lines[i])))]]
    return "\n".join(lines)


TAGS = [
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "td",
    "tr",
    "table",
    "li",
    "ul",
    "script",
    "style",
    "nav",
    "span",
    "b",
    "br",
]


@st.composite
def html_page(draw) -> str:
    parts = ["<!DOCTYPE html><html><body>"]
    for _ in range(draw(st.integers(0, 40))):
        tag = draw(st.sampled_from(TAGS))
        attributes = draw(
            st.sampled_from(["", ' class="punktrow"', ' class="cookie-banner"', ' role="button"'])
        )
        closing = draw(st.sampled_from([f"</{tag}>", "", "</div>"]))
        parts.append(
            f"<{tag}{attributes}>{draw(st.one_of(reading_fragments, st.text(max_size=10)))}{closing}"
        )
    return "".join(parts)


XML_FIELDS = ["name", "caseno", "accessname", "date", "location", "bulletname", "bulletcontent"]


@st.composite
def acadre_xml(draw) -> str:
    def fields() -> str:
        chosen = draw(st.lists(st.sampled_from(XML_FIELDS), max_size=4))
        values = [draw(st.one_of(reading_fragments, st.text(max_size=10))) for _ in chosen]
        escaped = [v.replace("&", "&amp;").replace("<", "&lt;") for v in values]
        return (
            "<fields>"
            + "".join(f'<field name="{n}">{v}</field>' for n, v in zip(chosen, escaped, strict=True))
            + "</fields>"
        )

    tables = "".join(
        f'<table name="{draw(st.sampled_from(["agenda", "committee", "meeting", "agendaitem", "bullet"]))}">'
        f"{fields()}</table>"
        for _ in range(draw(st.integers(0, 6)))
    )
    start = draw(st.sampled_from(["", "<agendaData><startAgendaItemNo>715</startAgendaItemNo></agendaData>"]))
    cut = draw(st.integers(0, 3))
    text = f'<?xml version="1.0"?>\n<root>{tables}{start}</root>\n'
    return text if cut else text[: draw(st.integers(0, len(text)))]


def assert_reads_or_fails_cleanly(text: str) -> None:
    lines = line_count(text)
    try:
        meeting = reading.read_text(text)
    except ParseError as error:
        assert_good_error(error, lines)
    else:
        assert all(1 <= item.line <= lines for item in meeting.items)
        assert meeting.kind in ("referat", "dagsorden") and meeting.layout


@settings(deadline=1000)
@given(st.one_of(any_text, damaged_layout(), reading_fragments, html_page(), acadre_xml()))
def test_read_text_any_input_gives_meeting_or_parse_error(text):
    assert_reads_or_fails_cleanly(text)


@settings(deadline=1000)
@given(st.one_of(mixed_bytes, damaged_layout().map(lambda t: t.encode("utf-8")), html_page().map(str.encode)))
def test_read_bytes_any_input_gives_meeting_or_parse_error(data):
    try:
        meeting = reading.read_bytes(data)
    except ParseError as error:
        assert_good_error(error, raw_line_count(data))
    else:
        assert all(1 <= item.line <= line_count(decode(data)) for item in meeting.items)


@pytest.mark.parametrize("path", LAYOUT_FILES, ids=[p.name for p in LAYOUT_FILES])
def test_read_every_layout_fixture_finds_items(path):
    meeting = reading.read_bytes(path.read_bytes())
    assert meeting.items and all(item.number > 0 for item in meeting.items)
