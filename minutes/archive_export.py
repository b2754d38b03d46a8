"""The whole archive as JSON Lines and back: a backup any tool can read, and a way to move an archive.

Each line is one meeting in the shape of PARSE_OUTPUT.md (exactly what ``versions.snapshot`` gives, hand
corrections included), so the file reads like the parser's output, plus what the parser cannot give and a
restore needs: ids and public URLs (to match the file against links elsewhere), where the referat came
from, its table of contents and parse warnings, and its source text, so that a restored archive can be
re-parsed when the parser improves.

Export streams: meetings are read in pages by keyset (never OFFSET, never every id in memory), each page
with a fixed number of queries, so memory and the cost per meeting stay flat whatever the archive's size.

Import goes through ``importer.store``, the one code path that writes parsed minutes, so bodies, people,
cases and treatments are created exactly as for a referat file, one transaction per line.
"""

import datetime
import hashlib
import json
import logging
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from django.db import DataError, IntegrityError, transaction
from django.db.models import F, Q, TimeField, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from minutes import importer, reading, versions
from minutes.models import (
    DecisionType,
    Meeting,
)

logger = logging.getLogger(__name__)

BATCH = 500  # meetings per page: six queries each, a few MB of rows with source texts
# A meeting without a start time sorts after the day's timed ones, as NULLS LAST would; no referat
# gives a time to the microsecond, so no real meeting shares this key.
NO_TIME = datetime.time.max
FAILED = "failed"
# Line breaks to str.splitlines() that json.dumps leaves raw with ensure_ascii=False: escaped, so that
# a reader splitting the file any way it likes still gets one meeting per line.
_SPLITTERS = ("\u0085", "\u2028", "\u2029")


# --- export -------------------------------------------------------------------------------------------


def export_lines(
    meetings=None, *, include_text: bool = True, base_url: str = "", batch_size: int = BATCH
) -> Iterator[str]:
    """One JSON line (ending in a newline) per meeting, by date, body name, start time and id.

    ``meetings`` narrows the export to a Meeting queryset (default: the whole archive). ``base_url``
    (``https://referater.example.dk``) makes the URLs absolute; without it they are paths.
    """
    queryset = (Meeting.objects.all() if meetings is None else meetings).select_related("body")
    if not include_text:
        queryset = queryset.defer("raw_text")
    queryset = queryset.annotate(
        export_body=F("body__name"),
        export_time=Coalesce("start_time", Value(NO_TIME, output_field=TimeField())),
    ).order_by("date", "export_body", "export_time", "pk")
    meeting_url = _url_maker("minutes:meeting_detail", base_url)
    item_url = _url_maker("minutes:item_detail", base_url)
    page = queryset
    while True:
        rows = list(page[:batch_size])
        if not rows:
            return
        for data in _page(rows, include_text, meeting_url, item_url):
            yield _escape_splitters(json.dumps(data, ensure_ascii=False)) + "\n"
        if len(rows) < batch_size:
            return
        last = rows[-1]
        page = queryset.filter(_after(last.date, last.export_body, last.export_time, last.pk))


def _escape_splitters(line: str) -> str:
    # str.replace, not str.translate: translate is a hundred times slower on long texts.
    for char in _SPLITTERS:
        if char in line:
            line = line.replace(char, f"\\u{ord(char):04x}")
    return line


def _after(date, body: str, time, pk: int) -> Q:
    """Rows after this key in export order (a row comparison the ORM can say)."""
    return (
        Q(date__gt=date)
        | Q(date=date, export_body__gt=body)
        | Q(date=date, export_body=body, export_time__gt=time)
        | Q(date=date, export_body=body, export_time=time, pk__gt=pk)
    )


def _url_maker(name: str, base_url: str) -> Callable[[int], str]:
    """A function from pk to URL: one reverse() per export, not one per item (a million items)."""
    marker = 987654321
    head, tail = reverse(name, args=[marker]).split(str(marker))
    prefix = base_url.rstrip("/") + head
    return lambda pk: f"{prefix}{pk}{tail}"


def _page(rows: list[Meeting], include_text: bool, meeting_url, item_url) -> Iterator[dict]:
    """The lines of one page of meetings, read in five more queries whatever the page's size."""
    ids = [meeting.pk for meeting in rows]
    participants = versions.read_participants(ids)
    items = versions.read_items(ids)
    for meeting in rows:
        data = {
            "id": meeting.pk,
            "url": meeting_url(meeting.pk),
            **versions.meeting_head(meeting),
            "participants": participants[meeting.pk],
            "items": [{"id": pk, "url": item_url(pk), **item} for pk, item in items[meeting.pk]],
            "source": {
                "name": meeting.source_name,
                "sha256": meeting.source_sha256,
                "imported_at": meeting.imported_at.isoformat(),
                # reparse_minutes leaves hand-corrected meetings alone: a restore must keep the mark.
                "hand_edited_at": meeting.hand_edited_at.isoformat() if meeting.hand_edited_at else None,
                # What the parser read from raw_text, which a hand correction does not change: with it
                # a re-parse of the restored meeting knows, as before, whether the parser now reads more.
                "parse_digest": meeting.parse_digest,
            },
            "contents": meeting.contents,
            "warnings": meeting.parse_warnings,
        }
        if include_text:
            data["raw_text"] = meeting.raw_text
        yield data


def strip_ids(data: dict) -> dict:
    """A line without the ids and URLs of this database: what two archives with the same content share."""
    data = {key: value for key, value in data.items() if key not in ("id", "url")}
    data["items"] = [{k: v for k, v in item.items() if k not in ("id", "url")} for item in data["items"]]
    return data


# --- import -------------------------------------------------------------------------------------------


class BadLine(Exception):
    """What is wrong with a line's content, in Danish, without its place (import_lines adds that)."""


def import_lines(
    lines: Iterable[str | bytes],
    *,
    name: str = "-",
    on_error: Callable[[importer.ImportFailure], None] | None = None,
) -> Counter:
    """Store the meetings of an export, one transaction per line; counts by importer status and ``failed``.

    A bad line writes nothing and is handed to ``on_error`` as an ImportFailure, whose str() is
    ``name:line: reason`` (logged when no ``on_error`` is given); the lines after it go on. A meeting
    that is already in the archive with the same source and content is left alone, and one with other
    content is replaced as a new referat would replace it (its old version kept). Lines exported
    without their source text are stored with an empty one: such a meeting cannot be re-parsed.
    """
    counts = Counter()
    batch = uuid.uuid4().hex
    for number, line in enumerate(lines, start=1):
        try:
            status = _import_line(line, number, name, batch)
        except importer.ImportFailure as failure:
            counts[FAILED] += 1
            if on_error:
                on_error(failure)
            else:
                logger.warning("%s", failure)
            continue
        if status:
            counts[status] += 1
    importer.finish_run()  # also when all was unchanged: a killed earlier run may have left work
    return counts


def _import_line(line: str | bytes, number: int, name: str, batch: str) -> str | None:
    """Store one line; its importer status, or None for a blank line. Raises ImportFailure."""
    try:
        if isinstance(line, bytes):
            line = line.decode("utf-8")
        line = line.removeprefix("\ufeff").strip()
        if not line:
            return None
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise BadLine(f"ugyldig JSON ({error.msg}, tegn {error.pos + 1})") from None
        parsed, stored = _meeting_from(data, f"{name}:{number}")
    except UnicodeDecodeError:
        raise importer.ImportFailure(name, number, "linjen er ikke gyldig UTF-8") from None
    except BadLine as error:
        raise importer.ImportFailure(name, number, str(error)) from None
    try:
        with transaction.atomic():
            if _already_stored(parsed, stored["sha256"]):
                return importer.UNCHANGED
            importer.check_size(parsed, stored["name"])
            source = importer.Source(
                name=stored["name"],
                raw_text=stored["raw_text"],
                sha256=stored["sha256"],
                batch=batch,
                position=number,
                imported_at=stored["imported_at"],
                hand_edited_at=stored["hand_edited_at"],
                parse_digest=stored["parse_digest"] or "",
            )
            outcome = importer.store(parsed, source)
    except importer.ImportFailure as failure:  # named by the archive's line, not the referat's
        raise importer.ImportFailure(name, number, failure.reason) from None
    except (DataError, IntegrityError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise importer.ImportFailure(name, number, f"databasen afviste mødet: {reason}") from None
    return outcome.status


def _already_stored(parsed: reading.Meeting, sha256: str) -> bool:
    """Whether the archive shows this meeting already, from the same source.

    Storing it again would only add a version: the importer compares parse fingerprints, and a
    hand-corrected meeting's content never matches its own.
    """
    existing = (
        Meeting.objects.filter(body__name=parsed.body, date=parsed.date, start_time=parsed.start_time)
        .select_related("body")
        .first()
    )
    return bool(
        existing
        and existing.source_sha256 == sha256
        and versions.snapshot(existing) == reading.meeting_to_dict(parsed)
    )


def _meeting_from(data, place: str) -> tuple[reading.Meeting, dict]:
    """The parsed meeting a line describes and its provenance; raises BadLine."""
    if not isinstance(data, dict):
        raise BadLine("linjen er ikke et JSON-objekt")
    items_data = _value(data, "items", list, "en liste")
    items = [_item_from(item, i) for i, item in enumerate(items_data, start=1)]
    numbers = Counter(item.number for item in items)
    duplicates = sorted(number for number, count in numbers.items() if count > 1)
    if duplicates:
        raise BadLine(f"punkt {duplicates[0]} findes flere gange")
    meeting = reading.Meeting(
        body=_name(data, "body"),
        date=_date(data, "date"),
        start_time=_time(data, "start_time"),
        location=_value(data, "location", str, "tekst", required=False),
        participants=tuple(_names(data, "participants")),
        items=tuple(items),
        contents=tuple(_texts(data, "contents")),
        warnings=tuple(_texts(data, "warnings")),
    )
    source = _value(data, "source", dict, "et objekt", required=False) or {}
    raw_text = _value(data, "raw_text", str, "tekst", required=False) or ""
    stored = {
        "raw_text": raw_text,
        "name": _value(source, "name", str, "tekst", required=False, where="source: ") or place,
        # Without the file's own fingerprint, the text's: the same text still counts as the same source.
        "sha256": _value(source, "sha256", str, "tekst", required=False, where="source: ")
        or hashlib.sha256(raw_text.encode()).hexdigest(),
        "imported_at": _moment(source, "imported_at"),
        "hand_edited_at": _moment(source, "hand_edited_at"),
        "parse_digest": _value(source, "parse_digest", str, "tekst", required=False, where="source: "),
    }
    if stored["parse_digest"] and not re.fullmatch(r"[0-9a-f]{64}", stored["parse_digest"]):
        raise BadLine("source: «parse_digest» skal være 64 hexcifre (sha256)")
    return meeting, stored


def _item_from(data, position: int) -> reading.Item:
    if not isinstance(data, dict):
        raise BadLine(f"punkt nr. {position} i listen er ikke et JSON-objekt")
    number = _value(data, "number", int, "et heltal", where=f"punkt nr. {position} i listen: ")
    where = f"punkt {number}: "
    if not 0 <= number <= 32767:
        raise BadLine(f"{where}«number» skal være mellem 0 og 32767")

    def text(key):
        return _value(data, key, str, "tekst", required=False, where=where)

    decision, decision_type = text("decision"), text("decision_type")
    if decision_type is not None and decision_type not in DecisionType.values:
        raise BadLine(f"{where}«decision_type» {decision_type!r} er ikke en kendt beslutningstype")
    if decision_type and not decision:
        raise BadLine(f"{where}«decision_type» uden «decision»")
    return reading.Item(
        number=number,
        title=_value(data, "title", str, "tekst", where=where),
        closed=_value(data, "closed", bool, "true eller false", where=where),
        case_number=text("case_number"),
        journal_number=text("journal_number"),
        document_number=text("document_number"),
        case_type=text("case_type"),
        decision=decision,
        decision_type=decision_type,
        other_decisions=tuple(_other_decisions(data, where)),
        treated_by=tuple(_names(data, "treated_by", where)),
        attachments=tuple(_texts(data, "attachments", where)),
        summary=text("summary"),
        recommendation=text("recommendation"),
        presentation=text("presentation"),
        economic_consequences=text("economic_consequences"),
    )


def _other_decisions(data: dict, where: str) -> Iterator[reading.OtherDecision]:
    for i, decision in enumerate(
        _value(data, "other_decisions", list, "en liste", required=False, where=where) or [], start=1
    ):
        here = f"{where}andet udvalgs beslutning nr. {i}: "
        if not isinstance(decision, dict):
            raise BadLine(f"{here}ikke et JSON-objekt")
        yield reading.OtherDecision(
            body=_name(decision, "body", here),
            date=_date(decision, "date", here, required=False),
            text=_value(decision, "text", str, "tekst", where=here),
        )


_MISSING = object()


def _value(data: dict, key: str, kind: type, kind_name: str, *, required: bool = True, where: str = ""):
    """``data[key]`` checked to be of ``kind``; null or absent is None unless ``required``."""
    value = data.get(key, _MISSING)
    if value is _MISSING or value is None:
        if required:
            raise BadLine(f"{where}mangler «{key}»" if value is _MISSING else f"{where}«{key}» er null")
        return None
    # JSON true is a Python int too: a number must not be a bool.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise BadLine(f"{where}«{key}» skal være {kind_name}, ikke {_json_kind(value)}")
    return value


def _json_kind(value) -> str:
    kinds = {
        bool: "true/false",
        int: "et tal",
        float: "et tal",
        str: "tekst",
        list: "en liste",
        dict: "et objekt",
    }
    return kinds.get(type(value), "null")


def _name(data: dict, key: str, where: str = "") -> str:
    value = _value(data, key, str, "tekst", where=where)
    if not value.strip():
        raise BadLine(f"{where}«{key}» er tom")
    return value


def _texts(data: dict, key: str, where: str = "") -> list[str]:
    values = _value(data, key, list, "en liste", required=False, where=where) or []
    if not all(isinstance(value, str) for value in values):
        raise BadLine(f"{where}«{key}» skal være en liste af tekster")
    return values


def _names(data: dict, key: str, where: str = "") -> list[str]:
    values = _texts(data, key, where)
    if not all(value.strip() for value in values):
        raise BadLine(f"{where}«{key}» har et tomt navn")
    return values


def _date(data: dict, key: str, where: str = "", *, required: bool = True) -> datetime.date | None:
    value = _value(data, key, str, "en dato (ÅÅÅÅ-MM-DD)", required=required, where=where)
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise BadLine(f"{where}«{key}» er ikke en dato (ÅÅÅÅ-MM-DD): {value!r}") from None


def _time(data: dict, key: str) -> datetime.time | None:
    value = _value(data, key, str, "et klokkeslæt (TT:MM)", required=False)
    if value is None:
        return None
    try:
        return datetime.time.fromisoformat(value)
    except ValueError:
        raise BadLine(f"«{key}» er ikke et klokkeslæt (TT:MM): {value!r}") from None


def _moment(source: dict, key: str) -> datetime.datetime | None:
    value = _value(source, key, str, "et tidspunkt (ISO 8601)", required=False, where="source: ")
    if value is None:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise BadLine(f"source: «{key}» er ikke et tidspunkt (ISO 8601): {value!r}") from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
