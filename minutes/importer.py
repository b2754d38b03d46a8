"""The only code that writes parsed minutes to the database.

Every writer comes through here: ``import_minutes``, the admin upload, ``import_archive`` and
``reparse_minutes``. One way in (``read``: a file's bytes to a parsed meeting, the same checks for
all), one write (``store``: the parsed meeting and a ``Source`` describing where it came from,
provenance in the same transaction) and one finishing step (``finish_run``).
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

import dataclasses
import datetime
import functools
import glob
import hashlib
import itertools
import json
import multiprocessing
import os
import pathlib
import uuid
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing import util

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import (
    DataError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.utils import timezone

from minutes import page_cache, reading, search, sources, versions
from minutes.models import (
    AgendaItem,
    Attachment,
    Attendance,
    Body,
    Case,
    Meeting,
    MeetingKind,
    MeetingVersion,
    OtherDecision,
    Person,
    Publication,
    SourceFile,
    Treatment,
)
from minutes.reading import repair
from minutes.reading.danish import canonical_body
from minutes.reading.shape import item_to_dict
from minutes.search import indexing
from minutes.slugs import slug_for

REFERAT, DAGSORDEN = MeetingKind.REFERAT, MeetingKind.DAGSORDEN
SAMPLE_DIR = pathlib.Path(__file__).resolve().parent / "sample_minutes"
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
SUPERSEDED = "superseded"  # a later file of the same import run has the meeting
DEADLOCK = "40P01"  # SQLSTATE deadlock_detected
PROGRAM_LIMIT = "54"  # SQLSTATE class program_limit_exceeded (a tsvector over 1 MB: 54000)
DEADLOCK_RETRIES = 3


class ImportFailure(Exception):
    """A file that cannot be imported; str() is ``file:line: reason``.

    ``missing`` is "body", "date" or "as_is" where a person can mend it by supplying that, and
    ``found`` what the reader did find of the body and the date (ISO), to offer in a form.
    """

    def __init__(
        self, source_name: str, line: int, reason: str, missing: str = "", found: dict | None = None
    ):
        super().__init__(f"{source_name}:{line}: {reason}")
        self.source_name = source_name
        self.line = line
        self.reason = reason
        self.missing = missing
        self.found = found or {}


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


# PostgreSQL refuses a tsvector over 1 MB; an item's words are counted into one. 400,000 characters is
# about 200 printed pages, far beyond any real item, and stays under that limit even for text of
# only distinct words (about 14 bytes of tsvector per 9 characters).
MAX_ITEM_CHARACTERS = 400_000
# The readers take 20-80 µs a line: 100,000 lines (a PDF of 2,000 pages) read in a few seconds, well
# inside a web worker's 30 s, where a 20 MB file of short numbered lines would take half a minute.
MAX_LINES = 100_000
ITEM_TEXT_FIELDS = ("title", "decision", "summary", "recommendation", "presentation", "economic_consequences")


@dataclass(frozen=True)
class Reading:
    """A file read: the text the parser read, what it read, and what the file was."""

    text: str  # decoded, kept as the meeting's raw text
    meeting: reading.Meeting
    sha256: str  # of the text bytes the parser read (for a PDF, of its text layer)
    kind: str  # "text" or "pdf"


def read(
    data: bytes,
    source_name: str,
    *,
    max_bytes: int | None = None,
    body: str | None = None,
    date: datetime.date | None = None,
    as_is: bool = False,
) -> Reading:
    """The one way from a file's bytes to a parsed meeting, for every writer and the preview.

    ``body`` and ``date`` are what a person supplies where the document is silent (``import_minutes
    --udvalg/--dato``, the upload's fields); ``as_is`` takes a cut-off document as far as it goes.
    Raises ImportFailure naming the file and line (``.missing`` names what a person may supply).
    ``max_bytes`` defaults to UPLOAD_MAX_BYTES.
    """
    limit = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    try:
        text_bytes, kind = sources.referat_bytes(data, source_name, max_bytes=limit)
        text = reading.decode(text_bytes)
        if (lines := text.count("\n") + 1) > MAX_LINES:
            count, limit = (f"{n:,}".replace(",", ".") for n in (lines, MAX_LINES))
            reason = f"filen har for mange linjer til et referat ({count}; højst {limit})"
            raise ImportFailure(source_name, MAX_LINES + 1, reason)
        meeting = reading.read_text(text, archive_vocabulary())
    except sources.SourceError as error:
        raise ImportFailure(source_name, error.line, error.reason) from None
    except reading.ParseError as error:
        raise ImportFailure(source_name, error.line, error.reason) from None
    meeting = _supplied(meeting, source_name, body, date)
    if meeting.missing_items and not as_is:
        reason = (
            "dokumentet er afkortet; det mangler punkterne " + "; ".join(meeting.missing_items)
            + " – importér det, som det er, med --som-det-er (uploaden: «Offentliggør det afkortede»)"
        )
        found = {"body": meeting.body, "date": meeting.date.isoformat()}
        raise ImportFailure(source_name, 1, reason, missing="as_is", found=found)
    check_size(meeting, source_name)
    return Reading(text, meeting, hashlib.sha256(text_bytes).hexdigest(), kind)


def _supplied(
    meeting: reading.Meeting, source_name: str, body: str | None, date: datetime.date | None
) -> reading.Meeting:
    """The meeting with what the person supplied where the document is silent (or says otherwise)."""
    changes, warnings = {}, list(meeting.warnings)
    if body and body.strip():
        # A body the archive knows, however it is typed ("direktionen"); else its canonical form.
        typed = canonical_body(body.strip())
        body = Body.objects.filter(name__iexact=typed).values_list("name", flat=True).first() or typed
        if meeting.body and meeting.body != body:
            warnings.append(f"Dokumentet nævner udvalget «{meeting.body}»; det angivne «{body}» er brugt.")
        changes["body"] = body
    if date:
        if meeting.date and meeting.date != date:
            warnings.append(f"Dokumentet nævner mødedatoen {meeting.date}; den angivne {date} er brugt.")
        changes["date"] = date
    meeting = dataclasses.replace(meeting, **changes, warnings=tuple(warnings)) if changes else meeting
    found = {"body": meeting.body, "date": meeting.date.isoformat() if meeting.date else None}
    if not meeting.body:
        reason = (
            "dokumentet nævner ikke, hvilket udvalg der holdt mødet – "
            "angiv det med --udvalg (uploaden: feltet «Udvalg»)"
        )
        raise ImportFailure(source_name, 1, reason, missing="body", found=found)
    if not meeting.date:
        reason = "dokumentet nævner ikke mødedatoen – angiv den med --dato ÅÅÅÅ-MM-DD (uploaden: «Mødedato»)"
        raise ImportFailure(source_name, 1, reason, missing="date", found=found)
    return meeting


def check_size(meeting: reading.Meeting, source_name: str) -> None:
    """Refuse an item too large for the search index before anything is written."""
    for item in meeting.items:
        size = sum(len(getattr(item, name) or "") for name in ITEM_TEXT_FIELDS)
        if size > MAX_ITEM_CHARACTERS:
            count, limit = (f"{n:,}".replace(",", ".") for n in (size, MAX_ITEM_CHARACTERS))
            reason = f"punkt {item.number} er for langt til søgeindekset ({count} tegn; højst {limit})"
            raise ImportFailure(source_name, 1, reason + " – er filen beskadiget eller flere filer i én?")


@dataclass(frozen=True)
class Source:
    """Where a referat came from, as the archive keeps it (the meeting's provenance)."""

    name: str  # the file name or path as given
    raw_text: str  # the text the parser read
    sha256: str  # of that text's bytes
    kind: str = "text"  # "text" or "pdf": what the kept file is
    data: bytes | None = None  # the file as uploaded, to keep (a SourceFile) with the meeting
    file: SourceFile | None = None  # a file kept already (re-parsing keeps the meeting's own)
    user: object = None  # who uploaded it
    batch: str = ""  # the import run, and the file's position in it (the last file of a meeting wins)
    position: int = 0
    # An archive read back (import_archive) gives each meeting its own history back: when it was first
    # imported, when it was corrected by hand, and the fingerprint of what the parser read then.
    imported_at: datetime.datetime | None = None
    hand_edited_at: datetime.datetime | None = None
    parse_digest: str = ""


def import_bytes(
    data: bytes,
    source_name: str,
    *,
    dry_run: bool = False,
    batch: str = "",
    position: int = 0,
    keep_file: bool = False,
    user=None,
    max_bytes: int | None = None,
    body: str | None = None,
    date: datetime.date | None = None,
    as_is: bool = False,
) -> Outcome:
    """Read and store one referat; ``keep_file``: keep the file as uploaded with the meeting."""
    result = read(data, source_name, max_bytes=max_bytes, body=body, date=date, as_is=as_is)
    source = Source(
        name=source_name,
        raw_text=result.text,
        sha256=result.sha256,
        kind=result.kind,
        data=data if keep_file else None,
        user=user,
        batch=batch,
        position=position,
    )
    return store(result.meeting, source, dry_run=dry_run)


def reparse(meeting: Meeting) -> Outcome:
    """Parse a stored meeting's raw text again and replace its content if it changed."""
    try:
        parsed = reading.read_text(meeting.raw_text, archive_vocabulary())
    except reading.ParseError as error:
        raise ImportFailure(meeting.source_name, error.line, error.reason) from None
    # What the person supplied when it was imported still holds where the document is silent.
    body, date = parsed.body or meeting.body.name, parsed.date or meeting.date
    parsed = dataclasses.replace(parsed, body=body, date=date)
    if parsed.missing_items and not meeting.partial:
        reason = "dokumentet er afkortet; det mangler punkterne " + "; ".join(parsed.missing_items)
        raise ImportFailure(meeting.source_name, 1, reason)
    check_size(parsed, meeting.source_name)
    source = Source(
        name=meeting.source_name,
        raw_text=meeting.raw_text,
        sha256=meeting.source_sha256,
        file=meeting.source_file,
    )
    try:
        return store(parsed, source, replace=meeting)
    except IntegrityError:
        reason = f"fortolket på ny er det {parsed.body}s møde {parsed.date}, som arkivet allerede har"
        raise ImportFailure(meeting.source_name, 1, reason) from None


SUFFIXES = (".txt", ".md", ".pdf", ".html", ".htm", ".xml")


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


def import_files(
    paths: Iterable,
    *,
    jobs: int = 1,
    dry_run: bool = False,
    max_bytes: int | None = None,
    supplied: dict | None = None,
) -> Iterator[FileResult]:
    """Import files in order, one result each; ``jobs`` > 1 imports in that many processes.

    Memory stays flat for any number of files: paths are taken from the iterable as the
    workers need them, each file is read when its turn comes, and nothing is kept per file.
    Every meeting written is stamped with this run's batch id and the file's position, so
    that with several jobs the file that comes last in ``paths`` still wins (``_store``).
    """
    batch = uuid.uuid4().hex
    yield from _import_all(paths, jobs, dry_run, batch, {"max_bytes": max_bytes, **(supplied or {})})
    if not dry_run:
        finish_run()


def finish_run() -> None:
    """The one finishing step of every write: the command, the upload, the archive import, re-parsing
    and the admin's corrections all end with it, once per run."""
    # Compound-word search learns the new words once per run, not once per referat; also those of
    # a run that was killed before it got here.
    search.record_pending_terms()
    # Autovacuum analyses a table after 50 changed rows: never, for the 14 bodies. Without
    # statistics the planner guesses 1,000 bodies and a body's items as few (filters.py).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE minutes_body, minutes_person")
    # The search index takes the run's changes once they are committed (search_indexer, if it runs,
    # would within a second or two); a very large run is left to search_indexer or a rebuild.
    transaction.on_commit(indexing.drain_after_import)
    page_cache.clear()  # the pages of the archive as it was


IN_FLIGHT = 4  # chunks of files handed to each worker ahead of time
CHUNK = 8


def _import_all(paths: Iterable, jobs: int, dry_run: bool, batch: str, options: dict) -> Iterator[FileResult]:
    """``options``: the file size limit and what the person supplied (``import_bytes``' keywords)."""
    numbered = ((position, str(path)) for position, path in enumerate(paths))
    if jobs <= 1 or dry_run:
        yield from (_import_path(path, dry_run, batch, position, options) for position, path in numbered)
        return
    connections.close_all()  # forked workers must not share this process's database socket
    with multiprocessing.get_context("fork").Pool(jobs, _start_worker) as pool:
        pending: deque = deque()
        for chunk in iter(lambda: list(itertools.islice(numbered, CHUNK)), []):
            pending.append(pool.apply_async(_import_chunk, (chunk, batch, options)))
            if len(pending) >= IN_FLIGHT * jobs:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


def _start_worker() -> None:
    util.Finalize(None, connections.close_all, exitpriority=10)


def _import_chunk(chunk: list[tuple[int, str]], batch: str, options: dict) -> list[FileResult]:
    return [_import_path(path, False, batch, position, options) for position, path in chunk]


def _import_path(
    path: str, dry_run: bool = False, batch: str = "", position: int = 0, options: dict | None = None
) -> FileResult:
    options = {**(options or {})}
    max_bytes = options.pop("max_bytes", None)
    limit = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:  # refused unread
                reason = sources.too_large(size, limit) + " – hæv grænsen med --max-mb, hvis filen er rigtig"
                raise ImportFailure(path, 1, reason)
            data = handle.read()
        outcome = import_bytes(
            data, path, dry_run=dry_run, batch=batch, position=position, max_bytes=limit, **options
        )
        return FileResult(path, outcome, None)
    except ImportFailure as failure:
        return FileResult(path, None, str(failure))
    except OSError as error:
        return FileResult(path, None, f"{path}:1: kan ikke læse filen: {error.strerror or error}")
    except (OperationalError, InterfaceError):
        raise  # the database is gone: every later file would fail the same way
    except Exception as error:  # noqa: BLE001 - one file's surprise must not stop the batch
        reason = f"uventet fejl under importen ({type(error).__name__}: {error})"
        return FileResult(path, None, f"{path}:1: {reason}")


def store(
    parsed: reading.Meeting, source: Source, *, dry_run: bool = False, replace: Meeting | None = None
) -> Outcome:
    """Write one parsed referat and its provenance in one transaction; the only code that does.

    Retried if the database picks it to break a deadlock. ``replace`` (re-parsing) names the
    meeting to overwrite even when its sha256 is unchanged; otherwise the meeting is found by
    (body, date, start time). A referat the database refuses (a limit, a value out of range) is
    an ImportFailure naming the file, with nothing written.
    """
    for attempt in range(DEADLOCK_RETRIES + 1):
        try:
            return _store(parsed, source, dry_run, replace)
        except OperationalError as error:
            sqlstate = getattr(error.__cause__, "sqlstate", None) or ""
            if sqlstate == DEADLOCK and attempt < DEADLOCK_RETRIES:
                continue
            if sqlstate.startswith(PROGRAM_LIMIT):
                raise ImportFailure(source.name, 1, _refused(error)) from None
            raise
        except DataError as error:
            raise ImportFailure(source.name, 1, _refused(error)) from None
    raise AssertionError("unreachable")


def _refused(error: Exception) -> str:
    first = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return f"databasen afviste mødet: {first}"


def _store(parsed: reading.Meeting, source: Source, dry_run: bool, replace: Meeting | None) -> Outcome:
    key = f"{parsed.body} {parsed.date} {parsed.start_time}"
    kept = None  # the path of a file written to storage, removed again if the transaction fails
    try:
        with transaction.atomic():
            _lock(parsed)
            # Every body the referat names, in one sorted insert: concurrent imports then take the
            # unique-index locks in the same order and cannot deadlock.
            bodies = _named(Body, _body_names(parsed))
            body = bodies[parsed.body]
            existing, parsed = (replace, parsed) if replace else find_meeting(parsed, body=body, lock=True)
            batch, position = source.batch, source.position
            if existing and batch and existing.import_batch == batch and existing.import_position > position:
                # A later file of the same run, written first by a parallel job, has this meeting.
                return Outcome(SUPERSEDED, existing.pk, len(parsed.items), key)
            digest = parse_digest(parsed)
            if existing and is_unchanged(existing, parsed, source.sha256):
                return Outcome(UNCHANGED, existing.pk, len(parsed.items), key)
            if existing and parsed.kind == DAGSORDEN and existing.kind == REFERAT and not replace:
                reason = "arkivet har allerede mødets referat; en dagsorden erstatter ikke et referat"
                raise ImportFailure(source.name, 1, reason)
            if dry_run:
                transaction.set_rollback(True)
                status = UPDATED if existing else CREATED
                return Outcome(status, existing.pk if existing else None, len(parsed.items), key)
            if existing:  # the version being replaced stays in the archive as it was shown (hand edits too)
                _keep_version(existing, source.user)
            source_file = source.file
            if source.data is not None:
                source_file = _keep_file(source)
                kept = source_file.file.name
            merge = bool(existing and parsed.single_item and not replace)
            new_participants = not merge or bool(parsed.participants)
            meeting = existing or Meeting()
            meeting.body = body
            meeting.date = parsed.date
            if merge:  # one item page into its meeting: what the page does not say stays as it was
                meeting.start_time = meeting.start_time or parsed.start_time
                meeting.location = meeting.location or parsed.location or ""
                meeting.parse_warnings = list(dict.fromkeys([*meeting.parse_warnings, *parsed.warnings]))
                if parsed.kind == REFERAT:
                    meeting.kind = REFERAT
            else:
                meeting.start_time = parsed.start_time
                meeting.location = parsed.location or ""
                meeting.contents = list(parsed.contents)
                meeting.parse_warnings = list(parsed.warnings)
                meeting.kind = parsed.kind
                # A page of one item, or a cut-off document published as it was, is part of a meeting.
                meeting.partial = parsed.single_item or bool(parsed.missing_items)
            meeting.source_name = source.name
            meeting.source_sha256 = source.sha256
            meeting.raw_text = source.raw_text
            meeting.parse_digest = source.parse_digest or digest
            meeting.import_batch = batch
            meeting.import_position = position
            meeting.terms_pending = True
            item_ids, decisions = {}, {}
            meeting.hand_edited_at = source.hand_edited_at
            if existing:
                meeting.replaced_at = timezone.now()
                # An item keeps its id, and so its public URL, when a corrected referat replaces its meeting.
                items = existing.items.all()
                if merge:
                    items = items.filter(number__in=[item.number for item in parsed.items])
                rows = items.values_list("number", "pk", "decision", "decision_type")
                item_ids = {number: pk for number, pk, *_ in rows}
                decisions = {pk: (decision, kind) for _, pk, decision, kind in rows}
                items.delete()
                if new_participants:
                    existing.attendances.all().delete()
            meeting.source_file = source_file
            meeting.save()
            if source.imported_at and not existing:  # (auto_now_add set it to now on the insert)
                Meeting.objects.filter(pk=meeting.pk).update(imported_at=source.imported_at)
            _write_children(meeting, parsed, bodies, item_ids, decisions, attendances=new_participants)
    except BaseException:
        if kept:
            default_storage.delete(kept)
        raise
    return Outcome(UPDATED if existing else CREATED, meeting.pk, len(parsed.items), key)


def find_meeting(
    parsed: reading.Meeting, *, body: Body | None = None, lock: bool = False
) -> tuple[Meeting | None, reading.Meeting]:
    """The archive's meeting that ``parsed`` is a version of (or, for an item page, part of), and
    ``parsed`` with an item page's items numbered as that meeting numbers them."""
    meetings = Meeting.objects.filter(date=parsed.date)
    meetings = meetings.filter(body=body) if body else meetings.filter(body__name=parsed.body)
    if lock:
        meetings = meetings.select_for_update()
    found = meetings.filter(start_time=parsed.start_time).first()
    if found is None and parsed.single_item and parsed.start_time is None:
        # An item page often leaves out the time: it belongs to the body's one meeting that day.
        day = list(meetings[:2])
        found = day[0] if len(day) == 1 else None
    if found and parsed.single_item:
        parsed = _numbered_as_in(found, parsed)
    return found, parsed


def _numbered_as_in(meeting: Meeting, parsed: reading.Meeting) -> reading.Meeting:
    """An item page's items numbered as the meeting's items of the same title: many sites print the
    number only in the page's address, and the reader then numbers the page's one item 1."""
    numbers = {title.casefold(): n for n, title in meeting.items.values_list("number", "title")}
    items = tuple(
        dataclasses.replace(item, number=numbers.get(item.title.casefold(), item.number))
        for item in parsed.items
    )
    return dataclasses.replace(parsed, items=items)


def is_unchanged(existing: Meeting, parsed: reading.Meeting, sha256: str) -> bool:
    """Whether writing ``parsed`` (read from text with this sha256) would change nothing."""
    if (existing.source_sha256, existing.parse_digest) == (sha256, parse_digest(parsed)):
        return True
    if parsed.single_item and existing.partial:  # an item page read before, of a meeting built from pages
        stored = {item["number"]: item for item in versions.snapshot(existing)["items"]}
        return all(stored.get(item.number) == item_to_dict(item) for item in parsed.items)
    return False


def _keep_file(source: Source) -> SourceFile:
    """The uploaded file, kept as it came, with who uploaded it (inside the meeting's transaction)."""
    kept = SourceFile(
        original_name=source.name,
        kind=source.kind,
        size=len(source.data),
        sha256=hashlib.sha256(source.data).hexdigest(),
        uploaded_by=source.user,
    )
    kept.file.save(source.name, ContentFile(source.data), save=False)
    kept.save()
    return kept


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
    # The body's day, not the exact meeting: an item page without a time joins a meeting that has one.
    key = f"meeting|{parsed.body}|{parsed.date}".encode()
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
    meeting: Meeting,
    parsed: reading.Meeting,
    bodies: dict[str, Body],
    item_ids: dict[int, int],
    decisions: dict[int, tuple[str, str]],
    *,
    attendances: bool = True,
) -> None:
    """Participants, items and their parts; ``item_ids``: the ids of the replaced items, by number;
    ``decisions``: their (decision, decision type), by id.

    The items that are new, or whose decision changed, are recorded as published (the e-mail alerts'
    news) in the same transaction: a re-parse that changes nothing a reader was told is not news."""
    if attendances:
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
    treatments, attachments, other_decisions = [], [], []
    for row, item in zip(items, parsed.items, strict=True):
        for i, name in enumerate(dict.fromkeys(item.treated_by)):
            treatments.append(Treatment(item=row, body=bodies[name], position=i))
        for i, title in enumerate(item.attachments):
            attachments.append(Attachment(item=row, title=title, position=i))
        for i, decision in enumerate(item.other_decisions):
            other_decisions.append(
                OtherDecision(
                    item=row, body=bodies[decision.body], date=decision.date, text=decision.text, position=i
                )
            )
    Treatment.objects.bulk_create(treatments)
    Attachment.objects.bulk_create(attachments)
    OtherDecision.objects.bulk_create(other_decisions)
    Publication.objects.record(
        [row.pk for row in items if decisions.get(row.pk) != (row.decision, row.decision_type)]
    )


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
