"""Archives imported once per test run and copied into each test that asks for one.

Importing the 120 generated meetings takes seconds, and the five samples half a second, for each test
that uses them. ``Snapshot(build).apply()`` writes the rows ``build`` (an import) writes, in the test's
own transaction, rolled back at the end of the test as before. The first time, from a given state of
the tables the build writes, it runs the real build in a savepoint, keeps the rows it added and rolls
it back; after that, from the same state (compared by content, ids included), it copies those rows in
with COPY: the same meetings, items, ids, words and change queue as the import leaves, in a fraction of
the time. The database triggers fire on the COPY as on the import's inserts, and the change queue is
then made exactly what the import left: the test's first search applies the changes to its own empty
search index, as before.

A build that changes or deletes rows that were there before it is run for real every time. Builds may
read only tables they write (the importer does: bodies, people, cases, meetings, items, words), since
only those tables' state is compared.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction

QUEUE = "minutes_searchchange"  # filled by triggers (migration 0010)
APP_TABLES = "minutes_"


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _columns(cursor, table: str) -> str:
    """The table's stored columns (generated ones are computed again on the way in)."""
    cursor.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0"
        " AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
        [_quote(table)],
    )
    return ", ".join(_quote(name) for (name,) in cursor.fetchall())


def _digests(cursor, columns: dict[str, str]) -> dict[str, str]:
    """Each table's content, ids included, as one hash."""
    parts = [
        f"SELECT %s, md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), ''))"
        f" FROM (SELECT ROW({cols}) AS r FROM {_quote(table)}) t"
        for table, cols in columns.items()
    ]
    cursor.execute(" UNION ALL ".join(parts), list(columns))
    return dict(cursor.fetchall())


def _copy_out(cursor, query: str) -> bytes:
    with cursor.cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT binary)") as copy:
        return b"".join(bytes(block) for block in copy)


def _copy_in(cursor, table: str, columns: str, data: bytes) -> None:
    with cursor.cursor.copy(f"COPY {_quote(table)} ({columns}) FROM STDIN (FORMAT binary)") as copy:
        copy.write(data)


@dataclass
class Delta:
    """What a build added, from one state of the tables it writes."""

    columns: dict[str, str]  # every table the build wrote (and the queue) -> its stored columns
    before: dict[str, str]  # their digests before the build
    after: dict[str, str]  # and after it
    added: dict[str, bytes]  # table -> the rows the build added (COPY binary)
    sequences: list[tuple[str, str, str]]  # (table, column, sequence) of their serial columns

    def applies(self, cursor) -> bool:
        return _digests(cursor, self.columns) == self.before

    def restore(self, cursor) -> None:
        with transaction.atomic():  # one transaction in a transactional test too (its foreign keys)
            self._restore(cursor)

    def _restore(self, cursor) -> None:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {QUEUE}")
        (queued,) = cursor.fetchone()
        # Django's foreign keys are checked when the transaction commits: any order will do.
        for table, data in self.added.items():
            if table != QUEUE:
                _copy_in(cursor, table, self.columns[table], data)
        # The triggers queued the copied rows again: the queue is made what the build left.
        cursor.execute(f"DELETE FROM {QUEUE} WHERE id > %s", [queued])
        if QUEUE in self.added:
            _copy_in(cursor, QUEUE, self.columns[QUEUE], self.added[QUEUE])
        for table, column, sequence in self.sequences:  # rows the test adds get new ids
            cursor.execute(
                f"SELECT setval(%s, GREATEST((SELECT max({_quote(column)}) FROM {_quote(table)}),"
                f" (SELECT last_value FROM {sequence})))",
                [sequence],
            )


class Snapshot:
    def __init__(self, build: Callable[[], None]):
        self.build = build
        self.deltas: list[Delta] = []
        self.unkept = 0  # builds that changed rows already there, run for real

    def apply(self) -> None:
        """Write the rows ``build`` writes, in the current transaction."""
        with connection.cursor() as cursor:
            for delta in self.deltas:
                if delta.applies(cursor):
                    delta.restore(cursor)
                    return
            delta = self._take(cursor)
        if delta is None:
            self.unkept += 1
            self.build()
            return
        with connection.cursor() as cursor:
            delta.restore(cursor)
            # The copy is what the build left, row for row (ids included), or it is not used at all.
            if _digests(cursor, delta.columns) != delta.after:
                raise AssertionError("the copied rows differ from the rows the build wrote")
        self.deltas.append(delta)

    def _take(self, cursor) -> Delta | None:
        """Run the build in a savepoint, keep what it added, roll it back."""
        tables = [t for t in connection.introspection.table_names() if t.startswith(APP_TABLES)]
        columns = {table: _columns(cursor, table) for table in tables}
        with transaction.atomic():
            before = _digests(cursor, columns)
            kept = []  # a copy of each table that has rows, to tell the build's rows from them
            for number, table in enumerate(tables):
                cursor.execute(f"SELECT EXISTS (SELECT FROM {_quote(table)})")
                if cursor.fetchone()[0]:
                    cursor.execute(
                        f"CREATE TEMP TABLE snapshot_before_{number} AS"
                        f" SELECT {columns[table]} FROM {_quote(table)}"
                    )
                    kept.append(table)
            self.build()
            after = _digests(cursor, columns)
            written = [t for t in tables if after[t] != before[t]]
            added = {}
            for table in written:
                if table in kept:
                    copy = f"snapshot_before_{tables.index(table)}"
                    cursor.execute(
                        f"SELECT EXISTS (SELECT * FROM {copy} EXCEPT ALL"
                        f" SELECT {columns[table]} FROM {_quote(table)})"
                    )
                    if cursor.fetchone()[0]:  # rows changed or deleted: not a matter of copying rows in
                        transaction.set_rollback(True)
                        return None
                    rows = f"SELECT {columns[table]} FROM {_quote(table)} EXCEPT ALL SELECT * FROM {copy}"
                else:
                    rows = f"SELECT {columns[table]} FROM {_quote(table)}"
                added[table] = _copy_out(cursor, rows)
            cursor.execute(
                "SELECT c.relname, a.attname, pg_get_serial_sequence(quote_ident(c.relname), a.attname)"
                " FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid"
                " WHERE c.relname = ANY(%s) AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped"
                " AND pg_get_serial_sequence(quote_ident(c.relname), a.attname) IS NOT NULL",
                [written],
            )
            sequences = cursor.fetchall()
            transaction.set_rollback(True)
        watched = sorted({*written, QUEUE})
        return Delta(
            columns={t: columns[t] for t in watched},
            before={t: before[t] for t in watched},
            after={t: after[t] for t in watched},
            added=added,
            sequences=sequences,
        )
