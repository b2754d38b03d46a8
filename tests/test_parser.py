"""Tests for minutes.reading.firstagenda (the seeds' layout): the whole family, not just the five seeds.

Each small referat in tests/fixtures/ shows variations real files have (another body, other
case-number shapes, wrapped headings, PDF page furniture, mojibake, debris). The five seed
referater are the bundled samples (minutes/sample_minutes/); their hand-checked expectations
are copied to tests/fixtures/expected/, so the suite does not depend on ../shared. Tests
assert what a reader of the archive would see.
"""

import datetime
import functools
import json
import re
import unicodedata
from pathlib import Path

import pytest

from minutes.reading import ParseError, decode, meeting_to_dict
from minutes.reading.firstagenda import parse, parse_bytes

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = Path(__file__).parent.parent / "minutes" / "sample_minutes"
SEEDS = sorted(p.name for p in SAMPLES.glob("*.txt"))
OEKONOMI = "oekonomiudvalget_2022_plain.txt"
KB = "kommunalbestyrelsen_2023_markdown.txt"
PAGES = "direktionen_2025_pdf_pages.txt"
MOJIBAKE = "direktionen_2020_mojibake.txt"
ALL_FIXTURES = [OEKONOMI, KB, PAGES, MOJIBAKE] + [f"seeds/{name}" for name in SEEDS]


@functools.cache
def load(name):
    return parse_bytes(path_of(name).read_bytes())


def text_of(name):
    return path_of(name).read_text(encoding="utf-8")


def path_of(name):
    """A fixture's path; "seeds/NAME" names a bundled sample referat."""
    return SAMPLES / name.removeprefix("seeds/") if name.startswith("seeds/") else FIXTURES / name


def item(meeting, number):
    (found,) = [i for i in meeting.items if i.number == number]
    return found


def paragraphs(text):
    return [p.strip() for p in re.split(r"\n[ \t]*\n", text or "") if p.strip()]


def strings(value):
    """Every string a reader can see in meeting_to_dict output."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


def heading_lines(text):
    """1-based line numbers (counted by "\\n", as an editor shows them) of the `Punkt N:` headings."""
    return [n for n, line in enumerate(text.split("\n"), 1) if re.match(r"[#* \f]*Punkt \d+:", line)]


# A minimal referat in the current plain format, for tests that vary one thing at a time.
def referat(
    *items, title="REFERAT Direktionen d. 02-04-2024", date_line="Tirsdag d. 02. april 2024 kl. 12:30"
):
    head = f"\n\n{title}\n\nMødedato {date_line}\n\nMødested Direktionens kontor\n\n"
    return head + "Mødedeltagere Michael Gravesen, Jan Lysgaard Thomsen\n\n" + "".join(items)


def punkt(number, title, decision="Godkendt.", case_number="24-003210"):
    parts = [f"Punkt {number}: {title}"]
    if case_number:
        parts.append(case_number)
    if decision is not None:
        parts += ["Beslutning", decision]
    parts += ["Sagsfremstilling", "Resume og sagens baggrund", "Sagen forelægges til beslutning."]
    parts += ["Behandling", "Direktionen."]
    return "\n\n".join(parts) + "\n\n"


# --- Meeting header: other bodies, wrapped participants, repaired labels ---------------------------


@pytest.mark.parametrize(
    "name, body, date, start, location, participants",
    [
        (
            OEKONOMI,
            "Økonomiudvalget",
            datetime.date(2022, 3, 14),
            datetime.time(16, 0),
            "Byrådssalen, Rådhuset, Holbækvej 141 B, Kalundborg",
            ("Martin Damm", "Jørgen Christensen", "Lene Kjær Olsen", "Anne Marie Bøgh", "Per Ove Mikkelsen"),
        ),
        (
            KB,
            "Kommunalbestyrelsen",
            datetime.date(2023, 3, 29),
            datetime.time(18, 0),
            "Byrådssalen, Rådhuset",
            ("Martin Damm", "Jørgen Christensen", "Lene Kjær Olsen", "Per Ove Mikkelsen"),
        ),
        (
            PAGES,
            "Direktionen",
            datetime.date(2025, 2, 3),
            datetime.time(12, 0),
            "Direktionens kontor",
            ("Jan Lysgaard Thomsen", "Michael Gravesen", "Søren Ole Sørensen"),
        ),
        (
            MOJIBAKE,
            "Direktionen",
            datetime.date(2020, 11, 2),
            datetime.time(11, 30),
            "Holbækvej 141 B, Kalundborg",
            ("Jan Lysgaard Thomsen", "Michael Gravesen", "Søren Ole Sørensen"),
        ),
    ],
)
def test_parse_meeting_header(name, body, date, start, location, participants):
    meeting = load(name)
    assert (meeting.body, meeting.date, meeting.start_time) == (body, date, start)
    assert meeting.location == location
    assert meeting.participants == participants


@pytest.mark.parametrize(
    "date_line, start",
    [
        ("Tirsdag d. 02. april 2024 kl. 12:30", "12:30"),
        ("Tirsdag d. 02. april 2024 kl. 8:00", "08:00"),
        ("Tirsdag d. 02. april 2024 kl. 16.00", "16:00"),
        ("Tirsdag d. 02. april 2024", None),
    ],
)
def test_meeting_to_dict_start_time(date_line, start):
    meeting = parse(referat(punkt(1, "Eventuelt"), date_line=date_line))
    assert meeting_to_dict(meeting)["start_time"] == start


# --- Item titles: from the heading (never the TOC), wrapped headings joined, Lukket: removed -------


@pytest.mark.parametrize(
    "name, titles",
    [
        (
            OEKONOMI,
            [
                (1, "Budgetopfølgning pr. 28. februar 2022 - Økonomiudvalgets eget område", False),
                (2, "IT-kompetenceudvikling", False),
                (3, "Salg af areal ved Kalundborg Havn", True),
                (4, "Eventuelt", False),
            ],
        ),
        (
            KB,
            [
                (1, "Samlet budgetopfølgning pr. 28. februar 2023", False),
                (2, "Køb af Hyldens Kvarter nr. 9", True),
                (3, "Status på kanalstrategi samt etablering af kontaktcenter i Kalundborg Kommune", False),
                (4, "Eventuelt", False),
            ],
        ),
        (
            PAGES,
            [
                (1, "Drøftelse af emner med borgmesteren", False),
                (2, "Samlet budgetopfølgning pr. 31. december 2024 - foreløbigt regnskabsresultat", False),
                (3, "Køb af Hyldens Kvarter nr. 11", True),
                (4, "Eventuelt", False),
            ],
        ),
        (
            MOJIBAKE,
            [
                (1, "Drøftelse af emner med borgmesteren", False),
                (2, "Budgetopfølgning pr. 30. september 2020 - Økonomiudvalgets eget område", False),
                (3, "Eventuelt", False),
            ],
        ),
    ],
)
def test_parse_item_titles(name, titles):
    assert [(i.number, i.title, i.closed) for i in load(name).items] == titles


@pytest.mark.parametrize(
    "heading, title",
    [
        ("Samlet budgetopfølg-\nning pr. 31. august 2024", "Samlet budgetopfølgning pr. 31. august 2024"),
        (
            "Flådestyring af Kalundborg Kommunes bilflåde -\nfaseskift til beslutningsfase",
            "Flådestyring af Kalundborg Kommunes bilflåde - faseskift til beslutningsfase",
        ),
        (
            "Orientering fra Økonomiudvalgsmødet og koordinering af sager til\npolitisk behandling",
            "Orientering fra Økonomiudvalgsmødet og koordinering af sager til politisk behandling",
        ),
        ("Strategi for overgang til 0-emissionsdrift", "Strategi for overgang til 0-emissionsdrift"),
        ("Strategi for overgang til 0-\nemissionsdrift", "Strategi for overgang til 0-emissionsdrift"),
        ("IT-kompetenceudvikling", "IT-kompetenceudvikling"),
        ("Orientering om IT-\nkompetenceudvikling", "Orientering om IT-kompetenceudvikling"),
        ("Høring af Unge-\nog Beskæftigelsesudvalget", "Høring af Unge- og Beskæftigelsesudvalget"),
        ("HR ON Staff (onboardingsystem) - finansiering", "HR ON Staff (onboardingsystem) - finansiering"),
    ],
)
def test_parse_joins_wrapped_heading(heading, title):
    (only,) = parse(referat(punkt(1, heading))).items
    assert only.title == title


def test_parse_joins_wrapped_closed_heading():
    heading = "Lukket: Vejledning om Kommunalbestyrelsesmedlemmers\nhåndtering af følsomme oplysninger"
    (only,) = parse(referat(punkt(1, heading, decision=None, case_number=None))).items
    assert only.title == "Vejledning om Kommunalbestyrelsesmedlemmers håndtering af følsomme oplysninger"
    assert only.closed


@pytest.mark.parametrize("name", [OEKONOMI, KB, PAGES, MOJIBAKE, "seeds/001_0b994db04fc5dfb3.txt"])
def test_parse_item_line_is_heading_line(name):
    # Lines as an editor counts them: a form feed (direktionen_2025_pdf_pages.txt) is not a line break.
    assert [i.line for i in load(name).items] == heading_lines(text_of(name))


# --- Case numbers and the older Sagsnr./J.nr./Dokumentnr./Sagstype block ---------------------------


@pytest.mark.parametrize(
    "name, number, case_number, journal_number, document_number, case_type",
    [
        (OEKONOMI, 1, "326-2022-2756", "00.32.00", "326-2022-81244", "Orientering"),
        (
            OEKONOMI,
            2,
            "326-2020-15086",
            "85.02.00",
            "326-2022-75536",
            "Præsentation for, og drøftelse i, økonomiudvalget",
        ),
        (OEKONOMI, 3, "326-2021-40117", "02.34.02", "326-2022-70455", None),
        (OEKONOMI, 4, "326-2021-1200", "00.01.10", "326-2022-1103", None),
        (KB, 1, "2023-004512", None, None, None),
        (KB, 2, "22-002268", None, None, None),
        (KB, 3, "21-046857K", None, None, None),
        (KB, 4, None, None, None, None),
        (PAGES, 1, "21-102762", None, None, None),
        (PAGES, 2, "EMN-2025-003383", None, None, None),
        (MOJIBAKE, 2, "326-2020-2756", "00.32.00", "326-2020-310112", "Orientering"),
    ],
)
def test_parse_case_numbers(name, number, case_number, journal_number, document_number, case_type):
    found = item(load(name), number)
    assert (found.case_number, found.journal_number, found.document_number, found.case_type) == (
        case_number,
        journal_number,
        document_number,
        case_type,
    )


# --- Decisions: the body's own, other bodies', classification --------------------------------------
# Closed items (OEKONOMI 3, KB 2, PAGES 3) keep their case number and decision like open ones.


@pytest.mark.parametrize(
    "name, number, decision, decision_type, other_decisions",
    [
        (
            OEKONOMI,
            1,
            "Taget til efterretning.",
            "noted",
            [("Direktionen", datetime.date(2022, 3, 7), "Anbefales.")],
        ),
        (OEKONOMI, 2, "Udsat.", "postponed", [("Direktionen", datetime.date(2022, 2, 28), "Drøftet.")]),
        (OEKONOMI, 3, "Godkendt.", "approved", []),
        (OEKONOMI, 4, None, None, []),
        (KB, 1, "Godkendt, idet A og Ø stemte imod.", "approved", []),
        (KB, 2, "Godkendt.", "approved", []),
        (KB, 3, "Taget til efterretning.", "noted", []),
        (KB, 4, "Ingen bemærkninger.", "no_remarks", []),
        (PAGES, 1, "Drøftet.", "discussed", []),
        (PAGES, 2, "Anbefales.", "recommended", []),
        (PAGES, 3, "Godkendt.", "approved", []),
        (PAGES, 4, "Ingen bemærkninger.", "no_remarks", []),
        (MOJIBAKE, 1, "Drøftet.", "discussed", []),
        (MOJIBAKE, 2, "Anbefales.", "recommended", []),
        (MOJIBAKE, 3, "Ingen bemærkninger.", "no_remarks", []),
    ],
)
def test_parse_decisions(name, number, decision, decision_type, other_decisions):
    found = item(load(name), number)
    assert (found.decision, found.decision_type) == (decision, decision_type)
    assert [(o.body, o.date, o.text) for o in found.other_decisions] == other_decisions


@pytest.mark.parametrize(
    "decision, expected, decision_type",
    [
        ("Godkendt.", "Godkendt.", "approved"),
        ("Godkendt med de faldne bemærkninger.", "Godkendt med de faldne bemærkninger.", "approved"),
        ("Anbefales.", "Anbefales.", "recommended"),
        ("Anbefales godkendt.", "Anbefales godkendt.", "recommended"),
        ("Drøftet.", "Drøftet.", "discussed"),
        ("Drøftelse.", "Drøftelse.", "discussed"),
        ("Taget til efterretning.", "Taget til efterretning.", "noted"),
        ("Ikke godkendt.", "Ikke godkendt.", "rejected"),
        ("Afvist.", "Afvist.", "rejected"),
        ("Udsat.", "Udsat.", "postponed"),
        ("Aflyst.", "Aflyst.", "postponed"),
        ("Ingen bemærkninger.", "Ingen bemærkninger.", "no_remarks"),
        (
            "Arbejdsgruppen arbejder videre med et oplæg til en handleplan.",
            "Arbejdsgruppen arbejder videre med et oplæg til en handleplan.",
            "other",
        ),
        ("-", None, None),
        ("", None, None),
    ],
)
def test_parse_classifies_decision(decision, expected, decision_type):
    (only,) = parse(referat(punkt(1, "Nye rammer for Effektiviseringspuljen", decision=decision))).items
    assert (only.decision, only.decision_type) == (expected, decision_type)


# --- Sections: Resume alone, Beslutninger, sub-headings, attachments, treated_by --------------------


def test_parse_old_plain_item_sections():
    found = item(load(OEKONOMI), 1)
    assert found.summary == (
        "Økonomistaben fremlægger budgetopfølgning pr. 28. februar 2022. "
        "Dispositionsregnskaberne viser et samlet forventet mindreforbrug på 12,3 mio. kr."
    )
    assert found.recommendation == "Direktøren indstiller, at orienteringen tages til efterretning."
    assert paragraphs(found.presentation) == [
        "Baggrunden for budgetopfølgningen er partnerskabsholdernes dispositionsregnskaber.",
        "Serviceudgifter",
        "I forhold til de oprindeligt budgetterede serviceudgifter forventes et mindreforbrug "
        "på 8,1 mio. kr.",
    ]
    assert found.economic_consequences == "Ingen."
    assert found.treated_by == ("Direktionen", "Økonomiudvalget")
    assert found.attachments == ("Månedsrapport pr. 28. februar 2022 - Økonomiudvalgets eget område",)


def test_parse_markdown_item_sections():
    found = item(load(KB), 1)
    assert found.summary == (
        "Økonomistaben fremlægger budgetopfølgning pr. 28. februar 2023. Budgetopfølgningen viser "
        "et samlet mindreforbrug på 31,2 mio. kr. i forhold til korrigeret budget."
    )
    assert found.recommendation == "Direktøren indstiller, at budgetopfølgningen godkendes."
    assert paragraphs(found.presentation) == [
        "Baggrunden for budgetopfølgningen er partnerskabsholdernes økonomitjek.",
        "Serviceudgifter",
        "I forhold til de oprindeligt budgetterede serviceudgifter forventes et mindreforbrug "
        "på 4,2 mio. kr.",
    ]
    assert found.economic_consequences == "Drift 2023: mindreforbrug på 31,2 mio. kr."
    assert found.treated_by == ("Direktionen", "Økonomiudvalget", "Kommunalbestyrelsen")
    assert found.attachments == ("Samleark 2023 pr. 28.02.2023",)


def test_parse_resume_heading_alone_is_summary():
    found = item(load(KB), 3)
    assert found.summary == (
        "Styregruppen for kanalstrategi og kontaktcenter orienterer om status på arbejdet "
        "med kanalstrategien og det nye kontaktcenter."
    )
    assert found.presentation is None
    assert found.treated_by == ("Direktionen", "Kommunalbestyrelsen")
    assert found.attachments == ("Udkast kanalstrategi_2023", "Kontaktcenter - beskrivelse version4")


# --- PDF converter debris: form feeds, "Side N af M", running headers, lone page numbers -----------


def test_parse_drops_page_furniture_between_paragraphs():
    meeting = load(PAGES)
    assert paragraphs(item(meeting, 1).summary) == [
        "Der afholdes månedligt drøftelse med borgmesteren om aktuelle emner. "
        "Følgende emne ønskes drøftet med borgmesteren:",
        "Status på budgetprocessen",
    ]
    assert item(meeting, 1).economic_consequences == "Ingen."
    second = item(meeting, 2)
    assert paragraphs(second.presentation)[:2] == [
        "Baggrunden for budgetopfølgningen er partnerskabsholdernes økonomitjek.",
        "For serviceudgifterne forventes et mindreforbrug på 12,4 mio. kr.",
    ]
    assert "Netto\t113,8\t345,2\t115,6" in second.presentation.split("\n")
    assert second.economic_consequences == "Drift 2024: mindreforbrug på 41,0 mio. kr."
    assert second.attachments == ("Samleark 2024 pr. 31.12.2024",)
    assert second.treated_by == ("Direktionen", "Økonomiudvalget")


def test_parse_drops_lone_page_number_and_header():
    found = item(load(OEKONOMI), 2)
    assert paragraphs(found.presentation) == [
        "Der opleves bredt blandt medarbejderne et efterslæb ift. centrale systemer.",
        "Brugerundersøgelsen peger på, at brugerne foretrækker personlig oplæring.",
    ]


@pytest.mark.parametrize("name", [PAGES, OEKONOMI])
def test_meeting_to_dict_has_no_page_furniture(name):
    for value in strings(meeting_to_dict(load(name))):
        assert "\f" not in value
        assert not re.search(r"Side \d+ af \d+|Direktionen 03-02-2025|Økonomiudvalget 14-03-2022", value)
        assert value.strip() not in {"4", "6"}


# --- Repairs: mojibake and debris -------------------------------------------------------------------


def test_parse_repairs_mojibake_in_text():
    meeting = load(MOJIBAKE)
    first = item(meeting, 1)
    assert paragraphs(first.summary)[0] == (
        "Der afholdes månedlig drøftelse med borgmesteren om aktuelle emner. "
        "Følgende emne ønskes drøftet på mødet:"
    )
    assert "Dagtilbud til børn i landdistrikterne." in paragraphs(first.summary)[1]
    assert first.recommendation == "Sekretariatschefen indstiller, at emnet drøftes på næste møde."
    assert first.economic_consequences == "Ingen."
    second = item(meeting, 2)
    assert second.summary == (
        "Økonomistaben fremlægger budgetopfølgning pr. 30. september 2020. Der forventes et merforbrug "
        "på børne- og familieområdet, mens de øvrige områder forventes at være i balance."
    )
    assert second.treated_by == ("Direktionen", "Økonomiudvalget")


def test_meeting_to_dict_has_no_mojibake_left():
    data = meeting_to_dict(load(MOJIBAKE))
    for value in strings(data):
        assert "Ã" not in value


def test_parse_drops_debris():
    found = item(load(OEKONOMI), 1)
    assert (found.case_number, found.journal_number) == ("326-2022-2756", "00.32.00")
    for value in strings(meeting_to_dict(load(OEKONOMI))):
        assert not re.search(r"(^|\s)Å(r)?(\s|$)", value), value


# --- The same referat in every encoding and form parses the same ------------------------------------


def _variants(text):
    return {
        "utf-8": text.encode("utf-8"),
        "utf-8 with BOM": b"\xef\xbb\xbf" + text.encode("utf-8"),
        "windows-1252": text.encode("cp1252"),
        "crlf": text.replace("\n", "\r\n").encode("utf-8"),
        "windows-1252 crlf": text.replace("\n", "\r\n").encode("cp1252"),
        "nfd": unicodedata.normalize("NFD", text).encode("utf-8"),
        "bom crlf nfd": b"\xef\xbb\xbf"
        + unicodedata.normalize("NFD", text.replace("\n", "\r\n")).encode("utf-8"),
    }


@pytest.mark.parametrize("variant", list(_variants("")))
@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_parse_bytes_same_in_every_encoding(name, variant):
    data = _variants(text_of(name))[variant]
    meeting = parse_bytes(data)
    assert meeting_to_dict(meeting) == meeting_to_dict(load(name))
    assert [i.line for i in meeting.items] == [i.line for i in load(name).items]


@pytest.mark.parametrize(
    "name", [OEKONOMI, KB, PAGES, "seeds/000_fca47c908a356a01.txt", "seeds/001_0b994db04fc5dfb3.txt"]
)
def test_parse_bytes_repairs_utf8_read_as_windows_1252(name):
    # The whole file went through one wrong decode: "Mødedato" became "MÃ¸dedato".
    damaged = text_of(name).encode("utf-8").decode("cp1252")
    assert "Ã¸" in damaged
    assert meeting_to_dict(parse_bytes(damaged.encode("utf-8"))) == meeting_to_dict(load(name))


def _strip_markdown(text):
    text = re.sub(r"(?m)^#+ ", "", text)
    return text.replace("**", "").replace("\\_", "_").replace("<i>", "").replace("</i>", "")


@pytest.mark.parametrize(
    "name", [KB, MOJIBAKE, "seeds/000_fca47c908a356a01.txt", "seeds/003_4d962a962ee56aa9.txt"]
)
def test_parse_same_without_markdown_marks(name):
    plain = _strip_markdown(text_of(name))
    assert "**" not in plain
    assert meeting_to_dict(parse(plain)) == meeting_to_dict(load(name))


@pytest.mark.parametrize(
    "data, text",
    [
        ("Mødested Holbækvej".encode(), "Mødested Holbækvej"),
        (b"\xef\xbb\xbf" + "Mødested".encode(), "Mødested"),
        ("Mødested Rådhuset".encode("cp1252"), "Mødested Rådhuset"),
        (b"Punkt 1\r\nBeslutning\r\n", "Punkt 1\nBeslutning\n"),
        (unicodedata.normalize("NFD", "Rådhuset, Hvidovrevej").encode(), "Rådhuset, Hvidovrevej"),
    ],
)
def test_decode(data, text):
    assert decode(data) == text


# --- The JSON face ----------------------------------------------------------------------------------

MEETING_KEYS = {"body", "date", "start_time", "location", "participants", "items"}
ITEM_KEYS = {
    "number",
    "title",
    "closed",
    "case_number",
    "journal_number",
    "document_number",
    "case_type",
    "decision",
    "decision_type",
    "other_decisions",
    "treated_by",
    "attachments",
    "summary",
    "recommendation",
    "presentation",
    "economic_consequences",
}


def test_meeting_to_dict_shape():
    data = meeting_to_dict(load(OEKONOMI))
    assert set(data) == MEETING_KEYS
    assert all(set(i) == ITEM_KEYS for i in data["items"])
    assert (data["date"], data["start_time"]) == ("2022-03-14", "16:00")
    assert data["items"][0]["other_decisions"] == [
        {"body": "Direktionen", "date": "2022-03-07", "text": "Anbefales."}
    ]
    assert data["items"][0]["treated_by"] == ["Direktionen", "Økonomiudvalget"]
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data


# --- Bad input: ParseError with a line a person can look at and a reason ----------------------------


def _parse_error(call, data):
    with pytest.raises(ParseError) as caught:
        call(data)
    assert isinstance(caught.value.reason, str) and caught.value.reason.strip()
    return caught.value.line


GOOD = referat(punkt(1, "Drøftelse af emner med borgmesteren"), punkt(2, "Eventuelt"))


@pytest.mark.parametrize(
    "text, lines",
    [
        ("", {1}),
        ("\n  \n\t\n", {1, 2, 3, 4}),
        (GOOD.replace("REFERAT Direktionen d. 02-04-2024", ""), {1, 2, 3, 4, 5}),
        (GOOD.replace("REFERAT ", "DAGSORDEN "), {1, 2, 3}),
        (referat(punkt(1, "Eventuelt"), title="REFERAT Direktionen", date_line="kl. 12:30"), {3, 5}),
        (
            referat(
                punkt(1, "Eventuelt"),
                title="REFERAT Direktionen d. 31-02-2024",
                date_line="Lørdag d. 31. februar 2024 kl. 12:30",
            ),
            {3, 5},
        ),
        ("\n\nREFERAT Direktionen d. 02-04-2024\n", {3, 4}),
        (GOOD.split("Mødested")[0] + "Mødested Direktionens ko", {3, 4, 5, 6, 7}),
        (
            GOOD.split("Punkt 1")[0] + "Indholdsfortegnelse\n\nDrøftelse af emner med borgmesteren.....\t3\n",
            set(range(3, 15)),
        ),
    ],
    ids=[
        "empty",
        "whitespace",
        "no title",
        "dagsorden",
        "no date",
        "31 February",
        "title only",
        "cut in header",
        "cut after contents",
    ],
)
def test_parse_rejects_bad_text(text, lines):
    assert _parse_error(parse, text) in lines


def test_parse_rejects_duplicate_item_number():
    text = referat(punkt(1, "Eventuelt"), punkt(2, "Status på frivilligstrategi"), punkt(2, "Eventuelt"))
    second = [n for n, line in enumerate(text.split("\n"), 1) if line.startswith("Punkt 2:")][1]
    assert _parse_error(parse, text) == second


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\n"
        b"stream\nx\x9c\x00\x01\xff\nendstream\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x02\x80\x00\x00\x01\xe0\x08\x06\x00\x00\x00",
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\x8d\x81\x90\x9d[Content_Types].xml",
        b"\x00\x00\x00\x00" * 64,
    ],
    ids=["pdf", "png", "docx", "zeros"],
)
def test_parse_bytes_rejects_binary(data):
    assert _parse_error(parse_bytes, data) == 1


# --- The five seeds: key fields straight from the hand-checked expectations -------------------------


def _norm(value):
    # As tools/score_parse.py compares: NFC, no "|" marks, folded whitespace, no trailing full stop.
    if not isinstance(value, str):
        return value
    return " ".join(unicodedata.normalize("NFC", value).replace("|", " ").split()).rstrip(".")


def _matches(expected, actual):
    if isinstance(expected, dict) and "any_of" in expected:
        return any(_matches(e, actual) for e in expected["any_of"])
    return _norm(expected) == _norm(actual)


@pytest.mark.parametrize("seed", SEEDS)
def test_parse_seed_matches_expected(seed):
    expected_file = FIXTURES / "expected" / seed.replace(".txt", ".json")
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    got = meeting_to_dict(load(f"seeds/{seed}"))
    for key in ("body", "date", "start_time", "location", "participants"):
        assert got[key] == expected[key], key
    assert [i["number"] for i in got["items"]] == [i["number"] for i in expected["items"]]
    for want, actual in zip(expected["items"], got["items"], strict=True):
        for key in ("title", "closed", "case_number", "decision", "decision_type"):
            if key in want:
                assert _matches(want[key], actual[key]), (want["number"], key, actual[key])


def test_parse_drops_converter_pipes_around_title_words():
    meeting = load("seeds/004_2ffb149da372fc3d.txt")
    assert item(meeting, 4).title == (
        "Ansøgning til Effektiviseringspuljen om støtte til projekt Virtuelle Opfølgningsmøder"
    )
