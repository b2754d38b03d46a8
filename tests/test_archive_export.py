"""export_archive / import_archive (minutes/archive_export.py): the archive as JSON Lines and back."""

import datetime
import inspect
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from minutes import archive_export, importer, search, versions
from minutes.models import (
    AgendaItem,
    Attendance,
    Body,
    Case,
    Meeting,
    MeetingVersion,
    OtherDecision,
    Person,
    Term,
    Treatment,
)


def export(**options) -> str:
    return "".join(archive_export.export_lines(**options))


def parsed_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def stripped(text: str) -> list[dict]:
    return [archive_export.strip_ids(line) for line in parsed_lines(text)]


def flush_archive() -> None:
    """An empty archive: every table the importer writes, in an order the PROTECTed keys allow."""
    Meeting.objects.all().delete()  # items, attendances, treatments, attachments, versions with them
    Case.objects.all().delete()
    Person.objects.all().delete()
    Body.objects.all().delete()
    Term.objects.all().delete()
    assert not AgendaItem.objects.exists() and not Treatment.objects.exists()


def archive_state() -> dict:
    """Every meeting as shown, with its provenance, by what identifies a meeting (ids change)."""
    state = {}
    for meeting in Meeting.objects.select_related("body"):
        key = (meeting.body.name, meeting.date, meeting.start_time)
        state[key] = {
            "snapshot": versions.snapshot(meeting),
            "source": (
                meeting.source_name,
                meeting.source_sha256,
                meeting.imported_at,
                meeting.hand_edited_at,
            ),
            "contents": meeting.contents,
            "warnings": meeting.parse_warnings,
            "raw_text": meeting.raw_text,
            "parse_digest": meeting.parse_digest,
        }
    return state


def related_counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Meeting, AgendaItem, Attendance, Treatment, OtherDecision, Case, Person, Body)
    }


def export_order():
    """Meeting ids by date, body name, start time (none last) and id, as the database sorts them."""
    order = ("date", "body__name", F("start_time").asc(nulls_last=True), "pk")
    return Meeting.objects.order_by(*order).values_list("pk", flat=True)


def budget_titles() -> list[str]:
    return sorted(search.search(AgendaItem.objects.all(), "budget").values_list("title", flat=True))


def import_text(text: str, name: str = "export.jsonl"):
    errors = []
    counts = archive_export.import_lines(
        io.StringIO(text), name=name, on_error=lambda f: errors.append(str(f))
    )
    return counts, errors


def assert_round_trip() -> None:
    first = export()
    before, counts_before, titles = archive_state(), related_counts(), budget_titles()
    assert titles
    flush_archive()
    assert not Meeting.objects.exists()

    counts, errors = import_text(first)

    assert errors == []
    assert counts == {importer.CREATED: len(before)}
    second = export()
    assert stripped(second) == stripped(first)
    assert first != second  # new ids: the comparison above did strip something
    assert archive_state() == before
    assert related_counts() == counts_before
    assert budget_titles() == titles


def test_every_line_is_the_snapshot_plus_ids_urls_and_provenance(archive):
    lines = parsed_lines(export())

    assert len(lines) == Meeting.objects.count() == 5
    for line in lines:
        meeting = Meeting.objects.get(pk=line["id"])
        shape = {key: line[key] for key in ("body", "date", "start_time", "location", "participants")}
        shape["items"] = [{k: v for k, v in item.items() if k not in ("id", "url")} for item in line["items"]]
        assert shape == versions.snapshot(meeting)
        assert json.dumps(shape) == json.dumps(versions.snapshot(meeting))  # the keys in the same order
        assert line["url"] == reverse("minutes:meeting_detail", args=[meeting.pk])
        items = list(meeting.items.order_by("number"))
        assert [item["id"] for item in line["items"]] == [item.pk for item in items]
        assert [item["url"] for item in line["items"]] == [f"/punkt/{item.pk}/" for item in items]
        assert line["source"] == {
            "name": meeting.source_name,
            "sha256": meeting.source_sha256,
            "imported_at": meeting.imported_at.isoformat(),
            "hand_edited_at": None,
            "parse_digest": meeting.parse_digest,
        }
        assert line["contents"] == meeting.contents and line["contents"]
        assert line["warnings"] == meeting.parse_warnings
        assert line["raw_text"] == meeting.raw_text
        datetime.date.fromisoformat(line["date"])
    assert [line["id"] for line in lines] == list(export_order())


def test_danish_letters_are_written_as_they_are(archive):
    text = export()
    assert "ø" in text and "\\u00f8" not in text


def test_base_url_makes_urls_absolute_and_the_text_can_be_left_out(archive):
    line = parsed_lines(export(base_url="https://referater.example.dk/", include_text=False))[0]

    assert line["url"] == f"https://referater.example.dk/moede/{line['id']}/"
    assert line["items"][0]["url"] == f"https://referater.example.dk/punkt/{line['items'][0]['id']}/"
    assert "raw_text" not in line


def test_round_trip_of_the_sample_referater(archive):
    assert budget_titles()  # the word the round trip searches for is in the samples
    assert_round_trip()


def test_round_trip_of_120_generated_meetings(generated_archive):
    assert Meeting.objects.count() == 120
    assert Meeting.objects.filter(start_time=None).exists()
    assert_round_trip()


def test_hand_corrections_and_their_mark_survive_the_round_trip(archive):
    meeting = Meeting.objects.order_by("pk").first()
    item = meeting.items.order_by("number").first()
    item.title = "Rettet i hånden"
    item.save()
    edited_at = timezone.now() - datetime.timedelta(days=3)
    Meeting.objects.filter(pk=meeting.pk).update(hand_edited_at=edited_at)
    first = export()
    assert_round_trip()

    restored = Meeting.objects.get(source_sha256=meeting.source_sha256)
    assert restored.hand_edited_at == edited_at
    assert restored.items.order_by("number").first().title == "Rettet i hånden"
    # Reading the same file again into the archive that has it changes nothing, no version is added.
    counts, errors = import_text(first)
    assert (counts, errors) == ({importer.UNCHANGED: 5}, [])
    assert not MeetingVersion.objects.exists()


def test_importing_into_the_archive_it_came_from_changes_nothing(archive):
    text = export()
    updated = dict(Meeting.objects.values_list("pk", "updated_at"))

    counts, errors = import_text(text)

    assert (counts, errors) == ({importer.UNCHANGED: 5}, [])
    assert dict(Meeting.objects.values_list("pk", "updated_at")) == updated
    assert export() == text


def test_a_changed_meeting_is_replaced_and_its_old_version_kept(archive):
    lines = parsed_lines(export())
    lines[0]["items"][0]["decision"] = "Godkendt med ændringer."
    lines[0]["items"][0]["decision_type"] = "approved"
    meeting_id = lines[0]["id"]

    counts, errors = import_text(json.dumps(lines[0], ensure_ascii=False) + "\n")

    assert (counts, errors) == ({importer.UPDATED: 1}, [])
    meeting = Meeting.objects.get(pk=meeting_id)  # replaced in place: same id
    assert versions.snapshot(meeting)["items"][0]["decision"] == "Godkendt med ændringer."
    assert meeting.versions.count() == 1


def test_export_is_a_generator_reading_a_page_at_a_time(generated_archive, django_assert_max_num_queries):
    lines = archive_export.export_lines(batch_size=50)
    assert inspect.isgenerator(lines)
    with django_assert_max_num_queries(6):  # nothing read before the first line is asked for
        first = next(lines)
    with django_assert_max_num_queries(6 * 2):  # the two more pages (50 and 20 meetings)
        rest = list(lines)
    assert len(rest) == 119
    assert json.loads(first)["id"] != json.loads(rest[0])["id"]


def test_the_whole_export_in_one_page_is_six_queries(generated_archive, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        assert len(list(archive_export.export_lines())) == 120


def test_pages_join_up_in_order_whatever_their_size(generated_archive):
    # A meeting without a start time comes after the timed meetings of its day (NULLS LAST).
    assert Meeting.objects.filter(start_time=None).count() > 1
    whole = export()
    assert [line["id"] for line in parsed_lines(whole)] == list(export_order())
    for size in (1, 7, 119, 120):
        assert export(batch_size=size) == whole


def test_the_lines_equal_snapshot_for_generated_meetings(generated_archive):
    for line in stripped(export(batch_size=37)):
        meeting = Meeting.objects.get(
            body__name=line["body"], date=line["date"], start_time=line["start_time"]
        )
        shape = {key: line[key] for key in versions.snapshot(meeting)}
        assert json.dumps(shape) == json.dumps(versions.snapshot(meeting))


def test_export_of_some_meetings(archive):
    meetings = Meeting.objects.filter(date__year=2024)
    lines = parsed_lines(export(meetings=meetings))
    assert sorted(line["id"] for line in lines) == sorted(meetings.values_list("pk", flat=True))
    assert 0 < len(lines) < 5


def test_bad_lines_are_named_by_number_and_written_not_at_all(archive):
    good = parsed_lines(export())
    flush_archive()
    missing_date = {key: value for key, value in good[1].items() if key != "date"}
    missing_date["body"] = "Et udvalg kun i den dårlige linje"
    bad_decision = json.loads(json.dumps(good[2]))
    bad_decision["items"][0]["decision_type"] = "vedtaget"
    too_long = json.loads(json.dumps(good[3]))
    too_long["location"] = "x" * 400
    too_long["participants"] = ["En person kun i den dårlige linje"]
    rows = [good[0], "{ikke json", missing_date, "", bad_decision, too_long, good[4]]
    text = "".join(
        (row if isinstance(row, str) else json.dumps(row, ensure_ascii=False)) + "\n" for row in rows
    )

    counts, errors = import_text(text)

    assert counts == {importer.CREATED: 2, archive_export.FAILED: 4}
    assert errors[0].startswith("export.jsonl:2: ugyldig JSON")
    assert errors[1] == "export.jsonl:3: mangler «date»"
    assert errors[2] == "export.jsonl:5: punkt 1: «decision_type» 'vedtaget' er ikke en kendt beslutningstype"
    assert errors[3].startswith("export.jsonl:6: databasen afviste mødet: value too long")
    assert len(errors) == 4
    assert sorted(Meeting.objects.values_list("source_sha256", flat=True)) == sorted(
        [good[0]["source"]["sha256"], good[4]["source"]["sha256"]]
    )
    assert not Body.objects.filter(name="Et udvalg kun i den dårlige linje").exists()
    assert not Person.objects.filter(name="En person kun i den dårlige linje").exists()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda line: [line], "linjen er ikke et JSON-objekt"),
        (lambda line: {**line, "date": "2024-13-01"}, "«date» er ikke en dato (ÅÅÅÅ-MM-DD): '2024-13-01'"),
        (lambda line: {**line, "start_time": "kl. 9"}, "«start_time» er ikke et klokkeslæt (TT:MM): 'kl. 9'"),
        (lambda line: {**line, "body": " "}, "«body» er tom"),
        (lambda line: {**line, "items": "ingen"}, "«items» skal være en liste, ikke tekst"),
        (lambda line: {**line, "items": [line["items"][0]] * 2}, "punkt 1 findes flere gange"),
        (
            lambda line: {**line, "items": [{"number": True}]},
            "punkt nr. 1 i listen: «number» skal være et heltal",
        ),
        (lambda line: {**line, "items": [{**line["items"][0], "closed": None}]}, "punkt 1: «closed» er null"),
        (
            lambda line: {**line, "source": {"imported_at": "i går"}},
            "source: «imported_at» er ikke et tidspunkt",
        ),
    ],
)
def test_what_a_bad_line_is_told(archive, change, reason):
    line = change(parsed_lines(export())[0])
    counts, errors = import_text(json.dumps(line) + "\n", name="arkiv.jsonl")
    assert counts == {archive_export.FAILED: 1}
    assert errors[0].startswith(f"arkiv.jsonl:1: {reason}")


def test_a_line_that_is_not_utf8_fails_alone(archive):
    lines = [b"\xff\xfe{}\n", export().splitlines(keepends=True)[0].encode()]
    errors = []
    counts = archive_export.import_lines(lines, name="x.jsonl", on_error=lambda f: errors.append(str(f)))
    assert errors == ["x.jsonl:1: linjen er ikke gyldig UTF-8"]
    assert counts == {archive_export.FAILED: 1, importer.UNCHANGED: 1}


def run(command, *args, **options):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command(command, *args, stdout=out, stderr=err, **options)
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


def test_the_commands_round_trip_through_a_file(archive, tmp_path):
    path = tmp_path / "arkiv.jsonl"
    before = archive_state()

    code, out, err = run("export_archive", str(path), "--base-url", "https://referater.example.dk")

    assert (code, out, err) == (0, f"Eksporteret: 5 møder til {path}\n", "")
    assert not (tmp_path / "arkiv.jsonl.tmp").exists()
    lines = parsed_lines(path.read_text(encoding="utf-8"))
    assert lines[0]["url"].startswith("https://referater.example.dk/moede/")
    flush_archive()

    code, out, err = run("import_archive", str(path))

    assert (code, out, err) == (0, "Indlæst: 5 oprettet, 0 opdateret, 0 uændret, 0 fejlede\n", "")
    assert archive_state() == before


def test_export_to_stdout_and_without_text(archive):
    code, out, err = run("export_archive", "-", "--uden-tekst")
    assert code == 0 and err == "Eksporteret: 5 møder\n"
    lines = parsed_lines(out)
    assert len(lines) == 5 and all("raw_text" not in line for line in lines)
    assert run("export_archive")[1] == export()


def test_import_command_fails_with_the_line_named(archive, tmp_path):
    path = tmp_path / "arkiv.jsonl"
    path.write_text(export() + "ikke json\n", encoding="utf-8")

    code, out, err = run("import_archive", str(path))

    assert code == 1
    assert out == "Indlæst: 0 oprettet, 0 opdateret, 5 uændret, 1 fejlede\n"
    assert err.startswith(f"{path}:6: ugyldig JSON")


def test_commands_refuse_what_they_cannot_use(tmp_path):
    with pytest.raises(CommandError, match="filen findes ikke|kan ikke læse filen"):
        call_command("import_archive", str(tmp_path / "findes-ikke.jsonl"))
    with pytest.raises(CommandError, match="--base-url skal begynde med http"):
        call_command("export_archive", "--base-url", "referater.example.dk")
