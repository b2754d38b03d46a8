"""Writing the search index (engine.py) from the database: the one path by which changes reach it.

Every change of an item (and of what its document holds: treatments, attendance, its meeting's time,
its case's number) adds a row to ``minutes_searchchange`` through database triggers, in the change's
own transaction (migration 0010). ``drain`` applies waiting rows to the index and deletes them only in
the same database transaction that follows the index's commit: killed before the index commits, the
rows are still there; killed after it, they are applied again (writing a document is idempotent).

Who drains: ``manage.py search_indexer`` (started by ``serve`` beside gunicorn; polls every second),
every import run at its end (importer.finish_run), and a search that finds a few rows waiting
(engine.usable). One drains at a time (an advisory lock). ``rebuild`` builds a new index from a
consistent snapshot while search goes on with the old one, applies what changed meanwhile and swaps.
"""

import contextlib
import datetime
import shutil
import uuid
from dataclasses import dataclass

import tantivy
from django.db import connection, transaction

from minutes.models import SearchIndexState
from minutes.search import engine

DRAIN_LOCK = 7_104_201  # pg advisory lock keys of this archive's index
REBUILD_LOCK = 7_104_202
BATCH = 5_000  # changes applied in one index commit
INLINE_LIMIT = 10_000  # a search applies at most this many waiting changes itself; more, it asks PostgreSQL
WRITER_HEAP = 64_000_000
REBUILD_HEAP = 600_000_000  # split between the rebuild's indexing threads
FETCH = 2_000

DOCUMENT_SQL = """
SELECT i.id, i.title, i.decision, i.summary, i.recommendation, i.presentation, i.economic_consequences,
       i.case_type, i.meeting_date, i.meeting_body_id, i.decision_type, i.closed, i.number, m.start_time,
       c.key,
       ARRAY(SELECT a.person_id FROM minutes_attendance a WHERE a.meeting_id = i.meeting_id),
       ARRAY(SELECT t.body_id FROM minutes_treatment t WHERE t.item_id = i.id)
FROM minutes_agendaitem i
JOIN minutes_meeting m ON m.id = i.meeting_id
LEFT JOIN minutes_case c ON c.id = i.case_id
"""


class IndexBusy(Exception):
    """Another process rebuilds the index."""


def document(row) -> tantivy.Document:
    """The index's document of an item (a DOCUMENT_SQL row)."""
    (pk, title, decision, summary, recommendation, presentation, economic, case_type, day, body,
     decision_type, closed, number, start_time, key, people, treated) = row  # fmt: skip
    newest, oldest = engine.sort_keys(day, start_time, number)
    doc = tantivy.Document()
    doc.add_unsigned("id", pk)
    if title:
        doc.add_text("title", title)
    if decision:
        doc.add_text("decision", decision)
    everything = "\n".join(
        text for text in (title, decision, summary, recommendation, presentation, economic, case_type) if text
    )
    if everything:
        doc.add_text("text", everything)
    if key:
        doc.add_text("case_key", key)
    doc.add_integer("day", day.toordinal())
    doc.add_unsigned("year", day.year)
    doc.add_unsigned("body", body)
    for value in treated:
        doc.add_unsigned("treated", value)
    for value in people:
        doc.add_unsigned("people", value)
    doc.add_text("treated_set", engine.id_set(treated) if treated else engine.MISSING)
    doc.add_text("people_set", engine.id_set(people) if people else engine.MISSING)
    doc.add_text("decision_type", decision_type or engine.MISSING)
    doc.add_text("case_type", case_type or engine.MISSING)
    if case_type:
        doc.add_text("case_type_key", case_type.lower())
    doc.add_unsigned("closed", int(closed))
    doc.add_integer("newest", newest)
    doc.add_integer("oldest", oldest)
    doc.add_float("prior", engine.prior(day))
    return doc


def archive_identity() -> str:
    """This database's identity (made by migration 0010; made again if a test emptied the table)."""
    state = SearchIndexState.objects.order_by("pk").first()
    if state is None:
        state, _ = SearchIndexState.objects.get_or_create(pk=1, defaults={"identity": uuid.uuid4()})
    return str(state.identity)


def _apply(index: tantivy.Index, item_ids: list[int]) -> None:
    """Write these items' documents as the database has them now (removed if they are gone)."""
    ids = sorted(set(item_ids))
    with _writer(index, WRITER_HEAP, 1) as writer:
        writer.delete_documents_by_query(tantivy.Query.term_set_query(engine.SCHEMA, "id", ids))
        with connection.cursor() as cursor:
            cursor.execute(DOCUMENT_SQL + " WHERE i.id = ANY(%s)", [ids])
            for row in cursor.fetchall():
                writer.add_document(document(row))
    index.reload()


@contextlib.contextmanager
def _writer(index: tantivy.Index, heap: int, threads: int):
    """An index writer whose additions are committed at the end of the block, or rolled back."""
    writer = index.writer(heap, threads)
    try:
        yield writer
        writer.commit()
    except BaseException:
        writer.rollback()
        raise
    finally:
        writer.wait_merging_threads()


def _rebuilding() -> bool:
    """Whether a rebuild runs (it holds REBUILD_LOCK for its whole run; a crashed one lets go)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock_shared(%s)", [REBUILD_LOCK])
        return not cursor.fetchone()[0]


def drain(limit: int = BATCH, *, wait: bool = False, opened: "engine.Opened | None" = None) -> int | None:
    """Apply up to ``limit`` waiting changes to the current index and remove them from the queue.

    Returns how many were removed; None when there is no usable index or another process is draining
    (unless ``wait``). While a rebuild runs, changes are applied but stay queued for the new index,
    and 0 is returned.
    """
    opened = opened or engine.open_current()
    if opened is None:
        return None
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT pg_{'' if wait else 'try_'}advisory_xact_lock(%s)::text, "
                "(SELECT identity::text FROM minutes_searchindexstate ORDER BY id LIMIT 1)",
                [DRAIN_LOCK],
            )
            locked, identity = cursor.fetchone()
            if locked == "false" or identity != opened.identity:
                return None
            cursor.execute("SELECT id, item_id FROM minutes_searchchange ORDER BY id LIMIT %s", [limit])
            rows = cursor.fetchall()
        if not rows:
            return 0
        _apply(opened.index, [item_id for _, item_id in rows])
        if _rebuilding():
            return 0
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM minutes_searchchange WHERE id = ANY(%s)", [[pk for pk, _ in rows]])
    return len(rows)


def drain_all(*, wait: bool = True, at_most: int | None = None) -> int:
    """Drain until nothing waits, or ``at_most`` changes are applied."""
    total = 0
    while (at_most is None or total < at_most) and (n := drain(wait=wait)):
        total += n
    return total


AFTER_IMPORT_LIMIT = 50_000  # changes an import run applies itself before it returns


def drain_after_import() -> None:
    """Apply an import run's changes (at most AFTER_IMPORT_LIMIT; more are search_indexer's work, or a
    rebuild's). Another process draining meanwhile is fine: it applies them."""
    drain_all(wait=False, at_most=AFTER_IMPORT_LIMIT)


def waiting() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM minutes_searchchange")
        return cursor.fetchone()[0]


@dataclass
class Status:
    """How the index stands against the database (the health check and the commands say it)."""

    enabled: bool
    path: str | None
    documents: int | None
    waiting: int
    same_archive: bool

    @property
    def usable(self) -> bool:
        return self.enabled and self.path is not None and self.same_archive


def status() -> Status:
    from django.conf import settings

    opened = engine.open_current() if settings.SEARCH_INDEX else None
    count = waiting()
    documents = None
    if opened is not None:
        opened.index.reload()
        documents = opened.index.searcher().num_docs
    return Status(
        enabled=settings.SEARCH_INDEX,
        path=str(opened.path) if opened else None,
        documents=documents,
        waiting=count,
        same_archive=opened is not None and opened.identity == archive_identity(),
    )


def rebuild(progress=None, threads: int = 2) -> tuple[str, int]:
    """A new index of every item, swapped in when complete; search goes on with the old one meanwhile.

    ``progress(done, total)`` is called as items are written. Returns (path, documents).
    """
    root = engine.root()
    root.mkdir(parents=True, exist_ok=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [REBUILD_LOCK])
        if not cursor.fetchone()[0]:
            raise IndexBusy("Søgeindekset bygges allerede af en anden proces.")
    try:
        identity = archive_identity()
        path = root / f"build-{datetime.datetime.now():%Y%m%d-%H%M%S-%f}"
        index = engine.create(path, identity)
        try:
            return _build(index, path, progress, threads)
        except BaseException:
            if engine.current_path() != path:  # never a half-built folder left behind
                shutil.rmtree(path, ignore_errors=True)
            raise
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [REBUILD_LOCK])


def _build(index: tantivy.Index, path, progress, threads: int) -> tuple[str, int]:
    """rebuild's work under its lock: the snapshot's documents, what changed meanwhile, the swap."""
    written = 0
    with _writer(index, REBUILD_HEAP, threads) as writer:
        with transaction.atomic():
            with connection.cursor() as cursor:
                # One consistent snapshot: what committed later is in the queue, applied below.
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SELECT count(*) FROM minutes_agendaitem")
                total = cursor.fetchone()[0]
            if progress:
                progress(0, total)
            with connection.connection.cursor(name="search_rebuild") as rows:
                rows.itersize = FETCH
                rows.execute(DOCUMENT_SQL)
                for row in rows:
                    writer.add_document(document(row))
                    written += 1
                    if progress and written % FETCH == 0:
                        progress(written, total)
    if progress:
        progress(written, total)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [DRAIN_LOCK])
            cursor.execute("SELECT id, item_id FROM minutes_searchchange ORDER BY id")
            changes = cursor.fetchall()
        if changes:
            _apply(index, [item_id for _, item_id in changes])
        old = engine.current_path()
        engine.make_current(path)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM minutes_searchchange WHERE id = ANY(%s)", [[pk for pk, _ in changes]])
    index.reload()
    _remove_old_builds(keep={path, old})
    return str(path), index.searcher().num_docs


def _remove_old_builds(keep) -> None:
    """Builds older than the one just replaced (processes may still read that one for a moment)."""
    for folder in engine.root().glob("build-*"):
        if folder not in keep:
            shutil.rmtree(folder, ignore_errors=True)


def create_empty() -> str:
    """A new, empty index made current: right for an archive without items (the queue fills it)."""
    engine.root().mkdir(parents=True, exist_ok=True)
    path = engine.root() / f"build-{datetime.datetime.now():%Y%m%d-%H%M%S-%f}"
    engine.create(path, archive_identity())
    engine.make_current(path)
    return str(path)
