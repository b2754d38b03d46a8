"""The importer, import_minutes and reparse_minutes against a real PostgreSQL."""

import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.postgres.search import SearchQuery
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F

from minutes import generator, importer
from minutes.models import AgendaItem, Attendance, Body, Case, Meeting, OtherDecision, Person

SAMPLES = importer.SAMPLE_DIR
FLAADE = SAMPLES / "000_fca47c908a356a01.txt"  # Direktionen 2024-04-02, 10 items
OLD = SAMPLES / "004_2ffb149da372fc3d.txt"  # Direktionen 2019-01-28, old layout


def run_import(*paths, dry_run=False):
    """call_command import_minutes; returns (exit code, stdout, stderr)."""
    import io

    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("import_minutes", *map(str, paths), dry_run=dry_run, stdout=out, stderr=err)
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


def table_counts():
    return {model.__name__: model.objects.count() for model in (Meeting, AgendaItem, Case, Person, Body)}


@pytest.mark.django_db
def test_import_bytes_stores_the_whole_referat():
    outcome = importer.import_bytes(FLAADE.read_bytes(), FLAADE.name)

    assert outcome.status == importer.CREATED
    meeting = Meeting.objects.get(pk=outcome.meeting_id)
    assert (meeting.body.name, str(meeting.date), str(meeting.start_time)) == (
        "Direktionen",
        "2024-04-02",
        "12:30:00",
    )
    assert meeting.location == "Direktionens kontor"
    assert meeting.source_name == FLAADE.name
    assert len(meeting.source_sha256) == 64
    assert "Flådestyring" in meeting.raw_text
    names = [a.person.name for a in Attendance.objects.filter(meeting=meeting).select_related("person")]
    assert names == [
        "Michael Gravesen",
        "Jan Lysgaard Thomsen",
        "Michel van der Linden",
        "Søren Ole Sørensen",
    ]
    assert meeting.items.count() == 10
    item = meeting.items.get(number=4)
    assert item.case.number == "24-003210"
    assert item.decision == "Anbefales." and item.decision_type == "recommended"
    assert [t.body.name for t in item.treatments.select_related("body")] == [
        "Direktionen",
        "Unge- og Beskæftigelsesudvalget",
        "Økonomiudvalget",
    ]
    assert [a.title for a in item.attachments.all()] == ["Kontrolgruppens årsskriv 2023"]
    closed = meeting.items.get(number=3)
    assert closed.closed and closed.case.number == "23-011260" and closed.decision == ""


@pytest.mark.django_db
def test_import_bytes_links_items_of_one_case_across_meetings():
    for path in SAMPLES.glob("*.txt"):
        importer.import_bytes(path.read_bytes(), path.name)

    case = Case.objects.get(number="21-102762")
    history = case.items.select_related("meeting").order_by("meeting__date")
    assert [str(i.meeting.date) for i in history] == ["2024-04-02", "2024-06-24", "2024-10-07"]
    assert Case.objects.get(number="23-012486").items.count() == 2  # two items of the same meeting


@pytest.mark.django_db
def test_import_bytes_keeps_other_bodies_decisions():
    importer.import_bytes(OLD.read_bytes(), OLD.name)

    decision = OtherDecision.objects.select_related("body", "item").get()
    assert decision.item.number == 2
    assert decision.body.name == "Økonomiudvalget"
    assert str(decision.date) == "2019-01-30"
    assert decision.text.startswith("Godkendt.")
    assert Body.objects.get(name="Økonomiudvalget").slug == "oekonomiudvalget"


@pytest.mark.django_db
def test_search_vector_is_stored_with_danish_stems_and_weights():
    importer.import_bytes(FLAADE.read_bytes(), FLAADE.name)

    hits = AgendaItem.objects.filter(search_vector=SearchQuery("flådestyringen", config="danish"))
    assert list(hits.values_list("number", flat=True)) == [5]  # stemmed: flådestyring
    title_item = AgendaItem.objects.get(number=5)
    assert "'flådestyring':1A" in title_item.search_vector  # title words carry weight A
    rank = "SELECT ts_rank(search_vector, to_tsquery('danish', %s)) FROM minutes_agendaitem WHERE id = %s"
    with connection.cursor() as cursor:
        cursor.execute(rank, ["godkendt", title_item.pk])  # in the decision
        (rank_decision,) = cursor.fetchone()
        cursor.execute(rank, ["faseskift", title_item.pk])  # in the title
        (rank_title,) = cursor.fetchone()
    assert rank_title > rank_decision > 0


@pytest.mark.django_db
def test_import_unchanged_file_changes_nothing():
    first = importer.import_bytes(FLAADE.read_bytes(), FLAADE.name)
    item_ids = set(AgendaItem.objects.values_list("pk", flat=True))
    updated_at = Meeting.objects.get().updated_at

    again = importer.import_bytes(FLAADE.read_bytes(), "renamed.txt")

    assert again.status == importer.UNCHANGED and again.meeting_id == first.meeting_id
    assert set(AgendaItem.objects.values_list("pk", flat=True)) == item_ids
    assert Meeting.objects.get().updated_at == updated_at


@pytest.mark.django_db
def test_import_changed_file_replaces_the_meeting_content():
    first = importer.import_bytes(FLAADE.read_bytes(), FLAADE.name)
    changed = FLAADE.read_text().replace("Godkendt med de faldne bemærkninger.", "Ikke godkendt.")

    outcome = importer.import_bytes(changed.encode(), FLAADE.name)

    assert outcome.status == importer.UPDATED and outcome.meeting_id == first.meeting_id
    assert Meeting.objects.count() == 1 and AgendaItem.objects.count() == 10
    item = AgendaItem.objects.get(number=5)
    assert item.decision.startswith("Ikke godkendt.") and item.decision_type == "rejected"


@pytest.mark.django_db
def test_replaced_meeting_keeps_the_ids_of_its_items_by_number():
    importer.import_bytes(FLAADE.read_bytes(), FLAADE.name)
    ids = dict(AgendaItem.objects.values_list("number", "pk"))
    changed = FLAADE.read_text().replace("Godkendt med de faldne bemærkninger.", "Ikke godkendt.")

    importer.import_bytes(changed.encode(), FLAADE.name)

    assert dict(AgendaItem.objects.values_list("number", "pk")) == ids
    assert AgendaItem.objects.get(pk=ids[5]).decision.startswith("Ikke godkendt.")
    new = importer.import_bytes(OLD.read_bytes(), OLD.name)  # the id sequence is untouched
    assert min(Meeting.objects.get(pk=new.meeting_id).items.values_list("pk", flat=True)) > max(ids.values())


@pytest.mark.django_db
def test_import_minutes_reports_created_updated_unchanged_failed(tmp_path):
    good = tmp_path / "a.txt"
    good.write_bytes(FLAADE.read_bytes())
    bad = tmp_path / "b.txt"
    bad.write_text("REFERAT Direktionen d. 31-02-2024\n\nPunkt 1: Eventuelt\n")

    code, out, err = run_import(tmp_path)

    assert code == 1
    assert out.strip() == "Importeret: 1 oprettet, 0 opdateret, 0 uændret, 1 fejlede"
    assert f"{bad}:1: datoen '31-02-2024' findes ikke" in err
    assert Meeting.objects.count() == 1

    code, out, err = run_import(good)
    assert (code, out.strip()) == (0, "Importeret: 0 oprettet, 0 opdateret, 1 uændret, 0 fejlede")


@pytest.mark.django_db
def test_import_minutes_takes_globs_and_skips_other_suffixes(tmp_path):
    (tmp_path / "2024").mkdir()
    for path in SAMPLES.glob("00[012]*.txt"):
        (tmp_path / "2024" / path.name).write_bytes(path.read_bytes())
    (tmp_path / "2024" / "notes.pdf").write_bytes(b"%PDF-1.7")

    code, out, _ = run_import(str(tmp_path / "**" / "*.txt"))

    assert code == 0 and "3 oprettet" in out
    assert Meeting.objects.count() == 3


@pytest.mark.django_db
def test_import_minutes_dry_run_writes_nothing(tmp_path):
    code, out, _ = run_import(FLAADE, OLD, dry_run=True)

    assert code == 0
    assert out.strip() == "Ville importere: 2 oprettet, 0 opdateret, 0 uændret, 0 fejlede"
    assert table_counts() == {"Meeting": 0, "AgendaItem": 0, "Case": 0, "Person": 0, "Body": 0}


BAD_INPUT = {
    "empty.txt": (b"", ":1: filen er tom"),
    "blank.txt": (b"\n\n  \n", "filen er tom"),
    "report.txt": (
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        ":1: PDF'en kan ikke læses",
    ),
    "image.txt": (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        ":1: filen er et billede (PNG) – OCR først, eller upload teksten",
    ),
    "letter.txt": (
        "Kære borger\n\nTak for din henvendelse.\n".encode(),
        ":3: fandt ingen dagsordenspunkter",
    ),
    "nodate.txt": (b"REFERAT Direktionen\n\nPunkt 1: Eventuelt\n", ":1: mangler mødedatoen"),
    "feb31.txt": (
        b"REFERAT Direktionen d. 31-02-2024\n\nPunkt 1: Eventuelt\n",
        ":1: datoen '31-02-2024' findes ikke",
    ),
    "twice.txt": (
        b"REFERAT Direktionen d. 02-04-2024\n\nPunkt 1: Eventuelt\n\nPunkt 1: Eventuelt igen\n",
        ":5: punkt 1 står to gange (også i linje 3)",
    ),
    "truncated.txt": (
        FLAADE.read_bytes().split(b"## **Punkt 3")[0],
        "indholdsfortegnelsen nævner 10 punkter, men filen har kun 2",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", BAD_INPUT)
def test_import_minutes_rejects_bad_input_and_writes_nothing(tmp_path, name):
    data, message = BAD_INPUT[name]
    path = tmp_path / name
    path.write_bytes(data)

    code, out, err = run_import(path)

    assert code == 1
    assert err.startswith(f"{path}:") and message in err
    assert "Traceback" not in err
    assert "1 fejlede" in out
    assert table_counts() == {"Meeting": 0, "AgendaItem": 0, "Case": 0, "Person": 0, "Body": 0}


@pytest.mark.django_db
def test_import_minutes_names_a_missing_file(tmp_path):
    code, _, err = run_import(tmp_path / "nope.txt")
    assert code == 1 and err.strip() == f"{tmp_path / 'nope.txt'}: filen findes ikke"


def import_at_once(*paths):
    """Import the files in parallel threads released together; returns (statuses, errors)."""
    barrier = threading.Barrier(len(paths))
    outcomes, errors = [], []

    def run(path):
        try:
            barrier.wait()
            outcomes.append(importer.import_bytes(path.read_bytes(), path.name).status)
        except Exception as error:  # noqa: BLE001 - collected and asserted by the caller
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(path,)) for path in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes), errors


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_file_at_once_give_one_meeting():
    outcomes, errors = import_at_once(FLAADE, FLAADE)

    assert errors == []
    assert outcomes == [importer.CREATED, importer.UNCHANGED]
    assert Meeting.objects.count() == 1 and AgendaItem.objects.count() == 10


@pytest.mark.django_db(transaction=True)
def test_imports_sharing_bodies_people_and_cases_at_once_do_not_deadlock():
    # The 2024 referater share participants, bodies (in different orders) and case numbers.
    paths = sorted(SAMPLES.glob("00[012]*.txt"))
    for _ in range(3):
        Meeting.objects.all().delete()
        outcomes, errors = import_at_once(*paths)
        assert errors == []
        assert outcomes == [importer.CREATED] * 3
    assert Person.objects.count() == 4 and Meeting.objects.count() == 3


@pytest.mark.django_db
def test_reparse_minutes_restores_what_the_parser_reads():
    importer.import_bytes(FLAADE.read_bytes(), FLAADE.name)
    Meeting.objects.update(parse_digest="from an older parser")
    AgendaItem.objects.filter(number=5).update(title="Forkert titel")
    import io

    out = io.StringIO()
    call_command("reparse_minutes", stdout=out)

    assert out.getvalue().strip() == "Genfortolket: 1 ændret, 0 uændret, 0 fejlede"
    assert AgendaItem.objects.get(number=5).title.startswith("Flådestyring af Kalundborg Kommunes bilflåde")
    out = io.StringIO()
    call_command("reparse_minutes", stdout=out)
    assert out.getvalue().strip() == "Genfortolket: 0 ændret, 1 uændret, 0 fejlede"


@pytest.mark.django_db
def test_database_rejects_unknown_decision_type_and_second_meeting():
    importer.import_bytes(FLAADE.read_bytes(), FLAADE.name)
    item = AgendaItem.objects.get(number=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        AgendaItem.objects.filter(pk=item.pk).update(decision_type="maybe")
    meeting = Meeting.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(
            body=meeting.body,
            date=meeting.date,
            start_time=meeting.start_time,
            source_name="x",
            source_sha256="0" * 64,
            raw_text="",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        AgendaItem.objects.create(
            meeting=meeting, meeting_date=meeting.date, meeting_body=meeting.body, number=5, title="Dublet"
        )


def test_sample_minutes_are_bundled():
    assert sorted(p.name for p in Path(SAMPLES).glob("*.txt")) == [
        "000_fca47c908a356a01.txt",
        "001_0b994db04fc5dfb3.txt",
        "002_004e617651070638.txt",
        "003_4d962a962ee56aa9.txt",
        "004_2ffb149da372fc3d.txt",
    ]


@pytest.mark.django_db(transaction=True)
def test_import_minutes_with_two_jobs_lets_the_last_file_of_a_meeting_win(tmp_path):
    for path in SAMPLES.glob("*.txt"):
        (tmp_path / f"a_{path.name}").write_bytes(path.read_bytes())
    later = FLAADE.read_text().replace("Godkendt med de faldne bemærkninger.", "Udsat.")
    (tmp_path / "b_flaade_rettet.txt").write_text(later)
    (tmp_path / "c_broken.txt").write_text("REFERAT Direktionen\n")

    code, out, err = run_import(tmp_path, "--jobs", "2")

    assert code == 1
    assert out.strip() == "Importeret: 5 oprettet, 1 opdateret, 0 uændret, 1 fejlede"
    assert "c_broken.txt:1: mangler mødedatoen" in err
    assert Meeting.objects.count() == 5 and AgendaItem.objects.count() == 58
    item = AgendaItem.objects.get(meeting__date="2024-04-02", number=5)
    assert item.decision.startswith("Udsat.") and item.decision_type == "postponed"
    assert Meeting.objects.get(date="2024-04-02").source_name.endswith("b_flaade_rettet.txt")


@pytest.mark.django_db
def test_reparse_minutes_reports_a_meeting_that_now_collides_with_another():
    importer.import_bytes(FLAADE.read_bytes(), FLAADE.name)
    importer.import_bytes(OLD.read_bytes(), OLD.name)
    old = Meeting.objects.get(date="2019-01-28")
    # As if the stored text had been read wrongly before: it really is the 2024 meeting.
    Meeting.objects.filter(pk=old.pk).update(raw_text=FLAADE.read_text(), parse_digest="")
    import io

    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("reparse_minutes", stdout=io.StringIO(), stderr=err)

    assert f"{OLD.name}:1: fortolket på ny er det Direktionens møde 2024-04-02" in err.getvalue()
    assert Meeting.objects.get(pk=old.pk).items.count() == 8  # left as it was


def test_decision_types_of_parser_and_database_agree():
    from minutes import reading
    from minutes.models import DecisionType

    assert list(DecisionType.values) == list(reading.DECISION_TYPES)


@pytest.mark.django_db
def test_an_earlier_file_of_the_same_run_does_not_overwrite_a_later_one():
    # With parallel jobs the later file of a meeting may be written first (positions 9, then 5).
    later = FLAADE.read_text().replace("Godkendt med de faldne bemærkninger.", "Udsat.")
    batch = "0123456789abcdef0123456789abcdef"
    first = importer.import_bytes(later.encode(), "later.txt", batch=batch, position=9)
    second = importer.import_bytes(FLAADE.read_bytes(), "earlier.txt", batch=batch, position=5)

    assert (first.status, second.status) == (importer.CREATED, importer.SUPERSEDED)
    assert Meeting.objects.get().source_name == "later.txt"
    # A new run may replace it as usual.
    assert importer.import_bytes(FLAADE.read_bytes(), "again.txt").status == importer.UPDATED


def test_items_carry_their_meetings_date_and_body(db, tmp_path):
    for path in sorted(Path(SAMPLES).glob("*.txt")):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    list(importer.import_files(sorted(tmp_path.glob("*.txt")), jobs=1))
    items = AgendaItem.objects.all()
    assert items.count() > 30
    assert not items.exclude(meeting_date=F("meeting__date")).exists()
    assert not items.exclude(meeting_body=F("meeting__body")).exists()
    with connection.cursor() as cursor:  # the import analysed the small tables for the planner
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'minutes_body'")
        assert cursor.fetchone()[0] == Body.objects.count()


def test_reparse_leaves_hand_corrected_meetings_alone_unless_asked(db):
    for path in sorted(Path(SAMPLES).glob("*.txt"))[:2]:
        importer.import_bytes(path.read_bytes(), path.name)
    corrected, other = Meeting.objects.order_by("pk")
    item = corrected.items.order_by("number").first()
    AgendaItem.objects.filter(pk=item.pk).update(title="Rettet i hånden")
    Meeting.objects.filter(pk=corrected.pk).update(
        hand_edited_at="2026-11-01T10:00:00Z", parse_digest="forældet"
    )
    Meeting.objects.filter(pk=other.pk).update(parse_digest="forældet")
    out = io.StringIO()
    call_command("reparse_minutes", stdout=out)
    assert "Springer 1 møder over" in out.getvalue()
    assert AgendaItem.objects.get(pk=item.pk).title == "Rettet i hånden"
    call_command("reparse_minutes", "--ogsaa-rettede", stdout=io.StringIO())
    corrected.refresh_from_db()
    assert corrected.items.get(number=item.number).title != "Rettet i hånden"
    version = corrected.versions.get()  # the correction is kept, not lost
    assert "Rettet i hånden" in [i["title"] for i in version.content["items"]] and version.hand_edited_at


def test_import_killed_halfway_then_run_again_ends_complete(tmp_path, transactional_db):
    """SIGKILL to a parallel import of 1,000 files halfway through, then the same command again: every
    meeting once and whole, and the words of all of them recorded for compound-word search."""
    items_per_file = {str(path): n for path, n in generator.write_minutes(1000, tmp_path, seed=11)}
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{quote(db['HOST'], safe='')}:{db['PORT']}/{db['NAME']}",
    }
    command = [sys.executable, "manage.py", "import_minutes", str(tmp_path), "--jobs", "2"]
    root = Path(__file__).resolve().parent.parent
    run = subprocess.Popen(
        command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )  # its own process group: the workers die with it
    deadline = time.monotonic() + 300
    while Meeting.objects.count() < 500:
        assert run.poll() is None, f"the import ended before it was killed: {run.communicate()}"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    assert run.returncode == -signal.SIGKILL
    # A COMMIT the killed workers had already sent is still carried out by their server processes:
    # count the meetings once those have ended.
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            )
            if cursor.fetchone()[0] == 0:
                break
        assert time.monotonic() < deadline
        time.sleep(0.02)

    def stored():
        return dict(Meeting.objects.annotate(n=Count("items")).values_list("source_name", "n"))

    after_kill = stored()
    assert 500 <= len(after_kill) < 1000
    assert all(items_per_file[name] == n for name, n in after_kill.items())  # no meeting half-written

    again = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert (
        f"{1000 - len(after_kill)} oprettet, 0 opdateret, {len(after_kill)} uændret, 0 fejlede"
        in again.stdout
    )
    assert stored() == items_per_file
    assert Meeting.objects.values("body", "date", "start_time").distinct().count() == 1000
    assert AgendaItem.objects.count() == sum(items_per_file.values())
    assert not Meeting.objects.filter(terms_pending=True).exists()
    with connection.cursor() as cursor:  # the killed run's meetings' words too
        cursor.execute(
            "SELECT count(*) FROM ts_stat('SELECT search_vector FROM minutes_agendaitem') s"
            " WHERE length(s.word) <= 200 AND NOT EXISTS (SELECT FROM minutes_term t WHERE t.lexeme = s.word)"
        )
        assert cursor.fetchone()[0] == 0


# --- what hostile and careless files do to a batch (issue 12) -----------------------------------------


def huge_item_referat(words: int, seed: int = 1) -> bytes:
    """A sample referat whose first item's text runs on with ``words`` distinct made-up words."""
    import random

    rng = random.Random(seed)
    letters = "abcdefghijklmnoprstuvyæøå"
    filler = " ".join("".join(rng.choice(letters) for _ in range(rng.randint(6, 11))) for _ in range(words))
    head, tail = FLAADE.read_text(encoding="utf-8").split("## **Punkt 2", 1)
    return (head + filler + "\n\n## **Punkt 2" + tail).encode()


@pytest.mark.django_db(transaction=True)
def test_an_item_too_large_for_the_search_index_is_refused_and_the_batch_goes_on(tmp_path):
    files = []
    for i, sample in enumerate(sorted(SAMPLES.glob("*.txt"))[1:]):
        files.append(tmp_path / f"{i}_god.txt")
        files[-1].write_bytes(sample.read_bytes())
    huge = tmp_path / "2_stor.txt"
    huge.write_bytes(huge_item_referat(60_000))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import_minutes", str(tmp_path), "--jobs", "2", stdout=out, stderr=err)
    assert err.getvalue().startswith(f"{huge}:1: punkt 1 er for langt til søgeindekset (")
    assert "Traceback" not in err.getvalue()
    assert out.getvalue().strip() == "Importeret: 4 oprettet, 0 opdateret, 0 uændret, 1 fejlede"
    assert Meeting.objects.count() == 4 and not Meeting.objects.filter(date="2024-04-02").exists()


@pytest.mark.django_db
def test_the_databases_own_limit_is_a_clear_failure_too(monkeypatch):
    """Past the importer's own check (raised here), PostgreSQL's 1 MB tsvector limit is an
    ImportFailure naming the file, with nothing written."""
    monkeypatch.setattr(importer, "MAX_ITEM_CHARACTERS", 10**9)
    with pytest.raises(importer.ImportFailure) as refused:
        importer.import_bytes(huge_item_referat(150_000), "stor.txt")
    assert str(refused.value).startswith("stor.txt:1: databasen afviste mødet: string is too long for")
    assert table_counts() == {"Meeting": 0, "AgendaItem": 0, "Case": 0, "Person": 0, "Body": 0}


@pytest.mark.django_db
def test_import_minutes_has_the_uploads_size_limit_and_an_option_to_raise_it(tmp_path, settings):
    settings.UPLOAD_MAX_BYTES = 10_000
    path = tmp_path / "referat.txt"
    path.write_bytes(FLAADE.read_bytes())  # about 30 KB
    code, out, err = run_import(path)
    assert code == 1
    assert err.startswith(f"{path}:1: filen er for stor (")
    assert "hæv grænsen med --max-mb" in err and Meeting.objects.count() == 0
    out, err = io.StringIO(), io.StringIO()
    call_command("import_minutes", str(path), "--max-mb", "1", stdout=out, stderr=err)
    assert out.getvalue().strip() == "Importeret: 1 oprettet, 0 opdateret, 0 uændret, 0 fejlede"


@pytest.mark.django_db
def test_import_minutes_reads_utf16_with_a_bom_as_the_upload_does(tmp_path):
    path = tmp_path / "utf16.txt"
    path.write_bytes(FLAADE.read_text(encoding="utf-8").encode("utf-16"))
    code, out, err = run_import(path)
    assert (code, err) == (0, "")
    assert Meeting.objects.get().items.count() == 10


@pytest.mark.django_db
def test_a_nul_byte_is_reported_on_its_own_line(tmp_path):
    lines = FLAADE.read_bytes().split(b"\n")
    lines[30] = lines[30] + b"\x00"
    path = tmp_path / "nul.txt"
    path.write_bytes(b"\n".join(lines))
    code, _, err = run_import(path)
    assert code == 1
    assert err.startswith(f"{path}:31: filen er ikke tekst (den indeholder NUL-bytes)")


# --- what a document doesn't say, the person supplies; items, dagsordener, cut-off files (issue 13) -------

LAYOUTS = Path(__file__).parent / "fixtures" / "layouts"


def item_page(number_title: str, decision: str, date: str = "08.05.2018", time: str = "17:30") -> bytes:
    """A single agenda item page as Copenhagen publishes them (tests/fixtures/layouts/item_page.txt)."""
    text = (LAYOUTS / "item_page.txt").read_text(encoding="utf-8")
    text = text.replace("Forslag om nye cykelstier", number_title)
    text = text.replace("Indstillingen blev godkendt uden afstemning.", decision)
    return text.replace("08.05.2018, kl. 17:30", f"{date}, kl. {time}").encode()


@pytest.mark.django_db
def test_a_document_without_its_body_is_refused_naming_the_option_then_taken_with_it(tmp_path):
    path = tmp_path / "punkt.txt"
    path.write_bytes(item_page("Forslag om nye cykelstier", "Godkendt."))
    code, _, err = run_import(path)
    assert code == 1
    assert err.startswith(f"{path}:1: dokumentet nævner ikke, hvilket udvalg der holdt mødet")
    assert "--udvalg" in err and Meeting.objects.count() == 0

    out = io.StringIO()
    call_command("import_minutes", str(path), "--udvalg", "Teknik- og Miljøudvalget", stdout=out)
    meeting = Meeting.objects.get()
    assert (meeting.body.name, str(meeting.date)) == ("Teknik- og Miljøudvalget", "2018-05-08")
    assert meeting.partial and meeting.kind == "referat"


@pytest.mark.django_db
def test_the_date_supplied_wins_with_a_warning_and_a_bad_date_is_a_clear_error(tmp_path):
    path = tmp_path / "dagsorden.txt"
    path.write_bytes((LAYOUTS / "dagsorden.txt").read_bytes())
    with pytest.raises(CommandError, match="er ikke en dato på formen ÅÅÅÅ-MM-DD"):
        call_command("import_minutes", str(path), "--dato", "8. maj", stdout=io.StringIO())
    call_command("import_minutes", str(path), "--dato", "2018-05-09", stdout=io.StringIO())
    meeting = Meeting.objects.get()
    assert str(meeting.date) == "2018-05-09"
    assert any("den angivne 2018-05-09 er brugt" in warning for warning in meeting.parse_warnings)


@pytest.mark.django_db
def test_single_item_pages_build_their_meeting_and_replace_only_their_item():
    body = "Teknik- og Miljøudvalget"
    first = importer.import_bytes(item_page("Forslag om nye cykelstier", "Godkendt."), "a.txt", body=body)
    assert first.status == importer.CREATED
    meeting = Meeting.objects.get()
    assert meeting.partial and meeting.items.count() == 1

    # Another meeting's full referat the same day at another time is another meeting.
    text = (LAYOUTS / "dagsorden.txt").read_text(encoding="utf-8").replace("Børne- og Skoleudvalget", body)
    importer.import_bytes(text.encode(), "dagsorden.txt")
    assert Meeting.objects.count() == 2

    # The same page corrected: its item is replaced (same id), nothing else changes.
    item = meeting.items.get()
    again = importer.import_bytes(item_page("Forslag om nye cykelstier", "Udsat."), "a2.txt", body=body)
    assert again.status == importer.UPDATED and again.meeting_id == meeting.pk
    item.refresh_from_db()
    assert item.decision == "Udsat." and item.decision_type == "postponed"
    assert meeting.versions.count() == 1  # the version it replaced is kept
    # The same page once more changes nothing.
    third = importer.import_bytes(item_page("Forslag om nye cykelstier", "Udsat."), "a3.txt", body=body)
    assert third.status == importer.UNCHANGED


@pytest.mark.django_db
def test_an_item_page_without_a_time_joins_the_bodys_meeting_that_day():
    body = "Børne- og Skoleudvalget"
    importer.import_bytes((LAYOUTS / "dagsorden.txt").read_bytes(), "dagsorden.txt")
    meeting = Meeting.objects.get()
    page = item_page("Skoledistrikter", "Sendes i høring.").replace(b", kl. 17:30", b"")
    outcome = importer.import_bytes(page, "punkt.txt", body=body.lower())  # a known body, however typed
    assert outcome.meeting_id == meeting.pk and Meeting.objects.count() == 1
    meeting.refresh_from_db()
    # The page prints no number: its item is the meeting's item of the same title.
    assert dict(meeting.items.values_list("number", "decision")) == {1: "", 2: "Sendes i høring."}
    assert meeting.kind == "referat"  # an item with a decision makes it a referat


@pytest.mark.django_db
def test_a_dagsorden_is_kept_as_one_and_its_referat_replaces_it_not_the_other_way(tmp_path):
    dagsorden = (LAYOUTS / "dagsorden.txt").read_text(encoding="utf-8")
    importer.import_bytes(dagsorden.encode(), "dagsorden.txt")
    meeting = Meeting.objects.get()
    assert meeting.kind == "dagsorden" and not meeting.items.exclude(decision="").exists()

    referat = dagsorden.replace("Åben dagsorden til", "Referat fra").replace(
        "Forvaltningen indstiller, at forslaget sendes i høring.",
        "Forvaltningen indstiller, at forslaget sendes i høring.\n\nBeslutning\nGodkendt.",
    )
    outcome = importer.import_bytes(referat.encode(), "referat.txt")
    meeting.refresh_from_db()
    assert (outcome.meeting_id, meeting.kind) == (meeting.pk, "referat")
    assert meeting.items.get(number=2).decision == "Godkendt."

    with pytest.raises(importer.ImportFailure, match="en dagsorden erstatter ikke et referat"):
        importer.import_bytes(dagsorden.encode(), "dagsorden-igen.txt")
    meeting.refresh_from_db()
    assert meeting.kind == "referat"


@pytest.mark.django_db
def test_a_cut_off_document_is_refused_unless_taken_as_it_is(tmp_path):
    path = tmp_path / "afkortet.txt"
    path.write_bytes((LAYOUTS / "cut_off.txt").read_bytes())
    code, _, err = run_import(path)
    assert code == 1
    assert "dokumentet er afkortet; det mangler punkterne 3. Budget 2020; 4. Eventuelt" in err
    assert "--som-det-er" in err and Meeting.objects.count() == 0
    call_command("import_minutes", str(path), "--som-det-er", stdout=io.StringIO())
    meeting = Meeting.objects.get()
    assert meeting.partial and meeting.items.count() == 2


@pytest.mark.django_db
def test_import_minutes_reads_html_xml_and_pdf_files(tmp_path):
    for name in ("cms_page.html", "acadre.xml"):
        (tmp_path / name).write_bytes((LAYOUTS / name).read_bytes())
    code, out, err = run_import(tmp_path)
    assert (code, err) == (0, "")
    assert "2 oprettet" in out
    assert set(Meeting.objects.values_list("body__name", flat=True)) == {
        "Teknisk Udvalg",
        "Social- og Sundhedsudvalget",
    }


@pytest.mark.django_db
def test_a_file_of_too_many_lines_is_refused_on_the_first_line_past_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "MAX_LINES", 1000)
    path = tmp_path / "lang.txt"
    path.write_text("REFERAT Direktionen d. 02-04-2024\n" + "".join(f"{i}. Punkt\n" for i in range(2000)))
    code, _, err = run_import(path)
    assert code == 1
    assert err.startswith(f"{path}:1001: filen har for mange linjer til et referat (2.002; højst 1.000)")
