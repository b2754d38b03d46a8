"""The items of a page of hits, read in one statement that is written once per process.

The index gives a page's item ids; the page shows each with its meeting, the meeting's body and the
item's case. The ORM's ``select_related(...).in_bulk(ids)`` compiled the same 38-column join anew for
every page (1.8 ms of Python before PostgreSQL saw it, 6-9 ms with the rows' conversion, on a page of
~50 ms). Here the SQL is built once from the models' own fields and the rows become model instances
through ``Model.from_db``, Django's documented way of loading a row, with the related objects set as
select_related sets them. The fields left out are the ones a hit does not show (HIT_DEFERRED): reading
one later loads it, as a deferred field does.
"""

from functools import cache

from django.db import connection

from minutes.models import AgendaItem, Body, Case, Meeting

# What a hit shows is its title, decision, number, meeting and case; the long texts (the snippet is
# computed apart), the stored vector and the meeting's whole referat are not read for it.
HIT_DEFERRED = (
    "summary",
    "recommendation",
    "presentation",
    "economic_consequences",
    "search_vector",
    "meeting__raw_text",
    "meeting__contents",
    "meeting__parse_warnings",
)


class _Part:
    """One model's columns in the statement: its fields, their columns and any converters."""

    def __init__(self, model, alias: str, left_out: set[str]):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if f.name not in left_out]
        self.names = [f.attname for f in self.fields]
        self.columns = [f'{alias}."{f.column}"' for f in self.fields]
        self.converters = [
            (position, f.get_db_converters(connection) + connection.ops.get_db_converters(f.get_col(alias)))
            for position, f in enumerate(self.fields)
        ]
        self.converters = [(position, found) for position, found in self.converters if found]

    def load(self, values: list):
        for position, converters in self.converters:
            for convert in converters:
                values[position] = convert(values[position], self.fields[position], connection)
        return self.model.from_db(connection.alias, self.names, values)


@cache
def _statement() -> tuple[str, list[_Part]]:
    meeting_deferred = {name.split("__", 1)[1] for name in HIT_DEFERRED if name.startswith("meeting__")}
    parts = [
        _Part(AgendaItem, "i", {name for name in HIT_DEFERRED if "__" not in name}),
        _Part(Meeting, "m", meeting_deferred),
        _Part(Body, "b", set()),
        _Part(Case, "c", set()),
    ]
    tables = [part.model._meta.db_table for part in parts]
    sql = (
        f"SELECT {', '.join(column for part in parts for column in part.columns)}"
        f' FROM "{tables[0]}" i JOIN "{tables[1]}" m ON m.id = i.meeting_id'
        f' JOIN "{tables[2]}" b ON b.id = m.body_id LEFT JOIN "{tables[3]}" c ON c.id = i.case_id'
        " WHERE i.id = ANY(%s)"
    )
    return sql, parts


def hit_items(ids: list[int]) -> list[AgendaItem]:
    """The items of these ids that exist, in the order of ``ids``, each with its meeting (and the
    meeting's body) and its case loaded, as ``select_related("meeting__body", "case")`` loads them."""
    if not ids:
        return []
    sql, (items, meetings, bodies, cases) = _statement()
    ends = [len(items.fields)]
    for part in (meetings, bodies, cases):
        ends.append(ends[-1] + len(part.fields))
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(ids)])
        rows = cursor.fetchall()
    by_id = {}
    for row in rows:
        row = list(row)
        item = items.load(row[: ends[0]])
        meeting = meetings.load(row[ends[0] : ends[1]])
        meeting.body = bodies.load(row[ends[1] : ends[2]])
        item.meeting = meeting
        item.case = cases.load(row[ends[2] : ends[3]]) if item.case_id is not None else None
        by_id[item.pk] = item
    return [by_id[pk] for pk in ids if pk in by_id]
