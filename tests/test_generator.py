"""Tests for minutes.generator and the commands that use it (generate_minutes, benchmark_import).

The main test is a round trip: a few hundred generated referater, in every format the
generator writes, must parse to exactly the structure they were generated from. The
generator's formats are those of the seeds, so a failure here is a parser bug or a
generator bug, never a tolerance to loosen.
"""

import itertools
import re
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from minutes import generator, reading
from minutes.models import AgendaItem, Meeting


def first_difference(got, want, path="meeting"):
    """A readable path to the first difference between two JSON-like values, or None."""
    if isinstance(want, dict) and isinstance(got, dict):
        for key in want:
            if (found := first_difference(got.get(key), want[key], f"{path}.{key}")) is not None:
                return found
        return None
    if isinstance(want, list) and isinstance(got, list) and len(got) == len(want):
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            if (found := first_difference(g, w, f"{path}[{i}]")) is not None:
                return found
        return None
    return None if got == want else f"{path}: parsed {got!r}, generated {want!r}"


@pytest.fixture(scope="module")
def sample():
    """300 meetings of seed 0 and 100 of seed 1, with their rendered text."""
    meetings = itertools.chain(
        generator.generate_meetings(300, seed=0), generator.generate_meetings(100, seed=1)
    )
    return [(meeting, generator.render(meeting)) for meeting in meetings]


def test_generator_round_trips_through_the_parser(sample):
    failures = []
    for meeting, text in sample:
        parsed = reading.read_text(text)
        difference = first_difference(
            reading.meeting_to_dict(parsed), reading.meeting_to_dict(meeting.as_parsed())
        )
        if difference is None and parsed.contents != meeting.contents:
            difference = f"contents: parsed {parsed.contents!r}, generated {meeting.contents!r}"
        if difference:
            failures.append(f"{meeting.file_name}: {difference}")
    assert failures == []


def test_generator_covers_the_seed_formats_and_every_decision_type(sample):
    meetings = [meeting for meeting, _ in sample]
    items = [item for meeting in meetings for item in meeting.items]
    formats = Counter((meeting.old_layout, meeting.markdown) for meeting in meetings)
    assert set(formats) == {(True, True), (True, False), (False, True), (False, False)}
    assert {item.decision_type for item in items} == set(reading.DECISION_TYPES) | {None}
    assert 9 <= len(items) / len(meetings) <= 11
    assert any(item.closed for item in items)
    assert any(item.attachments for item in items)
    assert any(item.other_decisions for item in items)
    assert all(meeting.participants for meeting in meetings if not meeting.old_layout)
    assert len({meeting.body for meeting in meetings}) == len(generator.BODIES)
    assert {meeting.date.year for meeting in meetings} == set(range(2007, 2027))
    sizes = [len(text) for _, text in sample]
    assert 5_000 < sum(sizes) / len(sizes) < 20_000  # the seeds are 7-18 kB


def test_generator_writes_every_case_number_shape_and_cases_recur(sample):
    numbers = [item.case_number for meeting, _ in sample for item in meeting.items if item.case_number]
    shapes = {
        "24-003210": r"\d{2}-\d{6}",
        "21-046857K": r"\d{2}-\d{6}K",
        "326-2020-15086": r"326-\d{4}-\d+",
        "EMN-2025-003383": r"EMN-\d{4}-\d{6}",
    }
    for example, shape in shapes.items():
        assert any(re.fullmatch(shape, number) for number in numbers), example
    meetings_per_case = Counter(
        number
        for meeting, _ in sample
        for number in {item.case_number for item in meeting.items if item.case_number}
    )
    recurring = [number for number, count in meetings_per_case.items() if count > 1]
    assert len(recurring) > 0.1 * len(meetings_per_case)


def test_generator_keys_never_collide_for_100000_meetings():
    keys = list(generator.meeting_keys(100_000, seed=5))
    assert len(set(keys)) == 100_000
    assert {date.year for _, date, _ in keys} == set(range(2007, 2027))
    assert all(date.weekday() < 5 for _, date, _ in keys)


def test_generator_is_deterministic_and_lazy():
    first = list(generator.generate(5, seed=3))
    assert first == list(generator.generate(5, seed=3))
    assert first != list(generator.generate(5, seed=4))
    assert len({name for name, _ in first}) == 5
    assert next(generator.generate(1_000_000, seed=3))  # lazy: the first file comes at once
    with pytest.raises(ValueError):
        next(generator.generate(generator.SLOTS + 1))


def test_generate_minutes_writes_files_in_year_folders(tmp_path):
    call_command("generate_minutes", "12", str(tmp_path), "--seed", "2")
    files = sorted(tmp_path.rglob("*.txt"))
    assert len(files) == 12
    assert all(path.parent.name == path.name[:4] and path.parent.parent == tmp_path for path in files)
    expected = dict(generator.generate(12, seed=2))
    assert {path.name: path.read_text(encoding="utf-8") for path in files} == expected


@pytest.mark.django_db(transaction=True)
def test_benchmark_import_imports_through_the_importer_and_prints_figures(capsys):
    call_command("benchmark_import", "6", "--seed", "9", "--jobs", "1")
    out = capsys.readouterr().out
    generated = list(generator.generate_meetings(6, seed=9))
    assert Meeting.objects.count() == 6
    assert AgendaItem.objects.count() == sum(len(meeting.items) for meeting in generated)
    for label in ("referater", "punkter", "sekunder", "referater/s", "punkter/s", "hukommelse"):
        assert label in out


@pytest.mark.django_db(transaction=True)
def test_benchmark_import_with_two_jobs_imports_every_file(capsys):
    call_command("benchmark_import", "20", "--seed", "4", "--jobs", "2")
    generated = list(generator.generate_meetings(20, seed=4))
    assert Meeting.objects.count() == 20
    assert AgendaItem.objects.count() == sum(len(meeting.items) for meeting in generated)
    assert "20 oprettet" in capsys.readouterr().out
    assert Meeting.objects.filter(items__isnull=True).count() == 0


@pytest.mark.django_db(transaction=True)
def test_benchmark_import_refuses_an_archive_that_has_meetings():
    call_command("benchmark_import", "2", "--seed", "1", "--jobs", "1")
    with pytest.raises(CommandError, match="--allow-existing"):
        call_command("benchmark_import", "2", "--seed", "2")
