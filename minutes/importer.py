"""The only code that writes parsed minutes to the database.

``import_minutes`` (the command) and the admin upload both come through here.
Invariants:
* one transaction per referat: a failure leaves nothing half-written;
* one meeting per (body, date, start time): a transaction-scoped advisory lock on
  that key serialises two imports of the same meeting, so two imports of one
  file at the same moment end with one meeting and no error;
* an unchanged file (same sha256) changes nothing; a changed file for the same
  meeting replaces the meeting's content atomically, keeping the meeting's id;
* in a batch, the last file of a meeting wins, with parallel jobs too (batch id and
  position stamped on the meeting).
"""

import functools
import glob
import hashlib
import itertools
import json
import multiprocessing
import pathlib
import uuid
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing import util

from django.db import IntegrityError, OperationalError, connection, connections, transaction
from django.utils import timezone
from django.utils.text import slugify

from minutes import page_cache, reading, search, versions
from minutes.models import (
    AgendaItem,
    Attachment,
    Attendance,
    Body,
    Case,
    Meeting,
    MeetingVersion,
    OtherDecision,
    Person,
    SourceFile,
    Treatment,
)
from minutes.reading import repair

SAMPLE_DIR = pathlib.Path(__file__).resolve().parent / "sample_minutes"
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
SUPERSEDED = "superseded"  # a later file of the same import run has the meeting
DEADLOCK = "40P01"  # SQLSTATE deadlock_detected
DEADLOCK_RETRIES = 3


class ImportFailure(Exception):
    """A file that cannot be imported; str() is ``file:line: reason``."""

    def __init__(self, source_name: str, line: int, reason: str):
        super().__init__(f"{source_name}:{line}: {reason}")
        self.source_name = source_name
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class Outcome:
    status: str  # CREATED, UPDATED, UNCHANGED or SUPERSEDED
    meeting_id: int | None  # None for a dry run of a new meeting
    items: int
    meeting_key: str = ""  # body, date and start time: what makes a meeting the same meeting


@dataclass(frozen=True)
class FileResult:
    path: str
    outcome: Outcome | None
    error: str | None  # "file:line: reason" when the file could not be imported


@functools.cache
def archive_vocabulary() -> Counter:
    """Words of the bundled sample referater; the parser uses them to repair mojibake."""
    return repair.vocabulary_from_files(sorted(SAMPLE_DIR.glob("*.txt")))


def read(data: bytes, source_name: str) -> tuple[str, reading.Meeting]:
    """Decode and parse; raises ImportFailure naming the file and line."""
    try:
        text = reading.decode(data)
        return text, reading.require_complete(reading.read_text(text, archive_vocabulary()))
    except reading.ParseError as error:
        raise ImportFailure(source_name, error.line, error.reason) from None


def import_bytes(
    data: bytes,
    source_name: str,
    *,
    dry_run: bool = False,
    batch: str = "",
    position: int = 0,
    source_file: SourceFile | None = None,
    user=None,
) -> Outcome:
    """Parse and store one referat. ``source_file`` and ``user``: the upload it came from, and who."""
    text, meeting = read(data, source_name)
    sha256 = hashlib.sha256(data).hexdigest()
    return store(
        meeting,
        raw_text=text,
        source_name=source_name,
        sha256=sha256,
        dry_run=dry_run,
        batch=batch,
        position=position,
        source_file=source_file,
        user=user,
    )


def reparse(meeting: Meeting) -> Outcome:
    """Parse a stored meeting's raw text again and replace its content if it changed."""
    try:
        parsed = reading.require_complete(reading.read_text(meeting.raw_text, archive_vocabulary()))
    except reading.ParseError as error:
        raise ImportFailure(meeting.source_name, error.line, error.reason) from None
    try:
        return store(
            parsed,
            raw_text=meeting.raw_text,
            source_name=meeting.source_name,
            sha256=meeting.source_sha256,
            replace=meeting,
        )
    except IntegrityError:
        reason = f"fortolket på ny er det {parsed.body}s møde {parsed.date}, som arkivet allerede har"
        raise ImportFailure(meeting.source_name, 1, reason) from None


SUFFIXES = (".txt", ".md")


def minutes_files(patterns: list[str]):
    """Yield (path, problem) for each file named by the patterns, in a stable order."""
    for pattern in patterns:
        if glob.has_magic(pattern):
            matches = sorted(glob.glob(pattern, recursive=True))
            if not matches:
                yield pathlib.Path(pattern), "ingen filer matcher mønsteret"
            for match in matches:
                path = pathlib.Path(match)
                if path.is_dir():
                    yield from _folder(path)
                elif path.suffix.lower() in SUFFIXES:
                    yield path, None
            continue
        path = pathlib.Path(pattern)
        if path.is_dir():
            yield from _folder(path)
        elif path.exists():
            yield path, None
        else:
            yield path, "filen findes ikke"


def _folder(folder: pathlib.Path):
    """The minutes files below a folder, in name order, one folder listing in memory at a time."""
    entries = sorted(folder.iterdir())
    for path in entries:
        if path.is_dir():
            yield from _folder(path)
        elif path.is_file() and path.suffix.lower() in SUFFIXES:
            yield path, None


def import_files(paths: Iterable, *, jobs: int = 1, dry_run: bool = False) -> Iterator[FileResult]:
    """Import files in order, one result each; ``jobs`` > 1 imports in that many processes.

    Memory stays flat for any number of files: paths are taken from the iterable as the
    workers need them, each file is read when its turn comes, and nothing is kept per file.
    Every meeting written is stamped with this run's batch id and the file's position, so
    that with several jobs the file that comes last in ``paths`` still wins (``_store``).
    """
    batch = uuid.uuid4().hex
    yield from _import_all(paths, jobs, dry_run, batch)
    if not dry_run:
        finish_run()


def finish_run() -> None:
    """After an import run (files, or an archive export read back): what is done once per run."""
    # Compound-word search learns the new words once per run, not once per referat; also those of
    # a run that was killed before it got here.
    search.record_pending_terms()
    # Autovacuum analyses a table after 50 changed rows: never, for the 14 bodies. Without
    # statistics the planner guesses 1,000 bodies and a body's items as few (filters.py).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE minutes_body, minutes_person")
    page_cache.clear()  # the pages of the archive as it was


IN_FLIGHT = 4  # chunks of files handed to each worker ahead of time
CHUNK = 8


def _import_all(paths: Iterable, jobs: int, dry_run: bool, batch: str) -> Iterator[FileResult]:
    numbered = ((position, str(path)) for position, path in enumerate(paths))
    if jobs <= 1 or dry_run:
        yield from (_import_path(path, dry_run, batch, position) for position, path in numbered)
        return
    connections.close_all()  # forked workers must not share this process's database socket
    with multiprocessing.get_context("fork").Pool(jobs, _start_worker) as pool:
        pending: deque = deque()
        for chunk in iter(lambda: list(itertools.islice(numbered, CHUNK)), []):
            pending.append(pool.apply_async(_import_chunk, (chunk, batch)))
            if len(pending) >= IN_FLIGHT * jobs:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


def _start_worker() -> None:
    util.Finalize(None, connections.close_all, exitpriority=10)


def _import_chunk(chunk: list[tuple[int, str]], batch: str) -> list[FileResult]:
    return [_import_path(path, False, batch, position) for position, path in chunk]


def _import_path(path: str, dry_run: bool = False, batch: str = "", position: int = 0) -> FileResult:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        outcome = import_bytes(data, path, dry_run=dry_run, batch=batch, position=position)
        return FileResult(path, outcome, None)
    except ImportFailure as failure:
        return FileResult(path, None, str(failure))
    except OSError as error:
        return FileResult(path, None, f"{path}:1: kan ikke læse filen: {error.strerror or error}")


def store(
    parsed: reading.Meeting,
    *,
    raw_text: str,
    source_name: str,
    sha256: str,
    dry_run: bool = False,
    replace: Meeting | None = None,
    batch: str = "",
    position: int = 0,
    source_file: SourceFile | None = None,
    user=None,
) -> Outcome:
    """Write one parsed referat in one transaction, retried if the database picks it to break a deadlock.

    ``replace`` (re-parsing) names the meeting to overwrite even when its sha256
    is unchanged; otherwise the meeting is found by (body, date, start time).
    """
    for attempt in range(DEADLOCK_RETRIES + 1):
        try:
            return _store(
                parsed, raw_text, source_name, sha256, dry_run, replace, batch, position, source_file, user
            )
        except OperationalError as error:
            if getattr(error.__cause__, "sqlstate", None) != DEADLOCK or attempt == DEADLOCK_RETRIES:
                raise
    raise AssertionError("unreachable")


def _store(
    parsed, raw_text, source_name, sha256, dry_run, replace, batch, position, source_file, user
) -> Outcome:
    key = f"{parsed.body} {parsed.date} {parsed.start_time}"
    with transaction.atomic():
        _lock(parsed)
        # Every body the referat names, in one sorted insert: concurrent imports then take the
        # unique-index locks in the same order and cannot deadlock.
        bodies = _named(Body, _body_names(parsed))
        body = bodies[parsed.body]
        existing = replace or (
            Meeting.objects.select_for_update()
            .filter(body=body, date=parsed.date, start_time=parsed.start_time)
            .first()
        )
        if existing and batch and existing.import_batch == batch and existing.import_position > position:
            # A later file of the same run, written first by a parallel job, has this meeting.
            return Outcome(SUPERSEDED, existing.pk, len(parsed.items), key)
        digest = parse_digest(parsed)
        if existing and (existing.source_sha256, existing.parse_digest) == (sha256, digest):
            return Outcome(UNCHANGED, existing.pk, len(parsed.items), key)
        if dry_run:
            transaction.set_rollback(True)
            status = UPDATED if existing else CREATED
            return Outcome(status, existing.pk if existing else None, len(parsed.items), key)
        if existing:  # the version being replaced stays in the archive as it was shown (hand corrections too)
            _keep_version(existing, user)
        meeting = existing or Meeting()
        meeting.body = body
        meeting.date = parsed.date
        meeting.start_time = parsed.start_time
        meeting.location = parsed.location or ""
        meeting.contents = list(parsed.contents)
        meeting.parse_warnings = list(parsed.warnings)
        meeting.source_name = source_name
        meeting.source_sha256 = sha256
        meeting.raw_text = raw_text
        meeting.parse_digest = digest
        meeting.import_batch = batch
        meeting.import_position = position
        meeting.terms_pending = True
        item_ids = {}
        if existing:
            meeting.replaced_at = timezone.now()
            meeting.hand_edited_at = None
            # An item keeps its id, and so its public URL, when a corrected referat replaces its meeting.
            item_ids = dict(existing.items.values_list("number", "pk"))
            existing.items.all().delete()
            existing.attendances.all().delete()
        meeting.source_file = source_file
        meeting.save()
        _write_children(meeting, parsed, bodies, item_ids)
    return Outcome(UPDATED if existing else CREATED, meeting.pk, len(parsed.items), key)


def _keep_version(meeting: Meeting, user) -> None:
    MeetingVersion.objects.create(
        meeting=meeting,
        content=versions.snapshot(meeting),
        raw_text=meeting.raw_text,
        source_name=meeting.source_name,
        source_sha256=meeting.source_sha256,
        source_file=meeting.source_file,
        imported_at=meeting.replaced_at or meeting.imported_at,
        hand_edited_at=meeting.hand_edited_at,
        replaced_at=timezone.now(),
        replaced_by=user,
    )


def parse_digest(parsed: reading.Meeting) -> str:
    """Fingerprint of what the parser read, to tell whether re-parsing changed anything."""
    data = json.dumps(reading.meeting_to_dict(parsed), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(data.encode()).hexdigest()


def _lock(parsed: reading.Meeting) -> None:
    key = f"meeting|{parsed.body}|{parsed.date}|{parsed.start_time}".encode()
    lock_id = int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])


def _body_names(parsed: reading.Meeting) -> list[str]:
    names = [parsed.body]
    for item in parsed.items:
        names += item.treated_by
        names += [decision.body for decision in item.other_decisions]
    return names


def _write_children(
    meeting: Meeting, parsed: reading.Meeting, bodies: dict[str, Body], item_ids: dict[int, int]
) -> None:
    """Participants, items and their parts; ``item_ids``: the ids of the replaced items, by number."""
    people = _named(Person, list(parsed.participants))
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, person=people[name], position=i)
        for i, name in enumerate(dict.fromkeys(parsed.participants))
    )
    cases = _cases([item.case_number for item in parsed.items if item.case_number])

    items = AgendaItem.objects.bulk_create(
        AgendaItem(
            pk=item_ids.pop(item.number, None),  # pop: a number that appears twice gets a new id
            meeting=meeting,
            meeting_date=meeting.date,
            meeting_body_id=meeting.body_id,
            number=item.number,
            title=item.title,
            closed=item.closed,
            case=cases.get(item.case_number),
            journal_number=item.journal_number or "",
            document_number=item.document_number or "",
            case_type=item.case_type or "",
            decision=item.decision or "",
            decision_type=item.decision_type or "",
            summary=item.summary or "",
            recommendation=item.recommendation or "",
            presentation=item.presentation or "",
            economic_consequences=item.economic_consequences or "",
        )
        for item in parsed.items
    )
    treatments, attachments, decisions = [], [], []
    for row, item in zip(items, parsed.items, strict=True):
        for i, name in enumerate(dict.fromkeys(item.treated_by)):
            treatments.append(Treatment(item=row, body=bodies[name], position=i))
        for i, title in enumerate(item.attachments):
            attachments.append(Attachment(item=row, title=title, position=i))
        for i, decision in enumerate(item.other_decisions):
            decisions.append(
                OtherDecision(
                    item=row, body=bodies[decision.body], date=decision.date, text=decision.text, position=i
                )
            )
    Treatment.objects.bulk_create(treatments)
    Attachment.objects.bulk_create(attachments)
    OtherDecision.objects.bulk_create(decisions)


def slug_for(name: str) -> str:
    """A URL slug that keeps Danish letters readable: Økonomiudvalget -> oekonomiudvalget."""
    table = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})
    return slugify(name.translate(table))[:190] or "x"


def _named(model, names: list[str]) -> dict:
    """Rows of a model with unique ``name`` and ``slug``, created when missing (race-safe)."""
    wanted = sorted(set(names))
    if not wanted:
        return {}
    found = {row.name: row for row in model.objects.filter(name__in=wanted)}
    missing = [name for name in wanted if name not in found]
    if missing:
        model.objects.bulk_create([model(name=n, slug=slug_for(n)) for n in missing], ignore_conflicts=True)
        found.update((row.name, row) for row in model.objects.filter(name__in=missing))
        for name in [n for n in missing if n not in found]:
            # Another name already has this slug ("Søren" / "Soeren"): make it unique.
            suffix = hashlib.sha1(name.encode()).hexdigest()[:6]
            model.objects.bulk_create(
                [model(name=name, slug=f"{slug_for(name)}-{suffix}")], ignore_conflicts=True
            )
            found[name] = model.objects.get(name=name)
    return found


def _cases(numbers: list[str]) -> dict[str, Case]:
    wanted = sorted(set(numbers))
    found = {case.number: case for case in Case.objects.filter(number__in=wanted)} if wanted else {}
    missing = [n for n in wanted if n not in found]
    if missing:
        Case.objects.bulk_create(
            [Case(number=n, key=search.case_key(n)) for n in missing], ignore_conflicts=True
        )
        found.update((case.number, case) for case in Case.objects.filter(number__in=missing))
    return found
