"""The items of a page of hits, and of a case's page, read in one statement written once per process.

The index gives a page's item ids; the page shows each with its meeting, the meeting's body and the
item's case. The ORM's ``select_related(...).in_bulk(ids)`` compiled the same 38-column join anew for
every page (1.8 ms of Python before PostgreSQL saw it, 6-9 ms with the rows' conversion, on a page of
~50 ms). Here the SQL is built once from the models' own fields and the rows become model instances
through ``Model.from_db``, Django's documented way of loading a row, with the related objects set as
select_related sets them. The fields left out are the ones a hit does not show (HIT_DEFERRED): reading
one later loads it, as a deferred field does. A case's page (every meeting a case came up at) shows
its items the same way, with the decisions other bodies made on each.
"""

from functools import cache

from django.db import connection

from minutes.models import AgendaItem, Body, Case, Meeting, OtherDecision

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


def _select(parts: list[_Part]) -> str:
    return f"SELECT {', '.join(column for part in parts for column in part.columns)}"


def _loaded(parts: list[_Part], sql: str, params: list) -> list[list]:
    """Each row of the statement as one model instance per part, in the parts' order."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = []
    for row in rows:
        instances, start = [], 0
        for part in parts:
            end = start + len(part.fields)
            instances.append(part.load(list(row[start:end])))
            start = end
        found.append(instances)
    return found


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
        f'{_select(parts)} FROM "{tables[0]}" i JOIN "{tables[1]}" m ON m.id = i.meeting_id'
        f' JOIN "{tables[2]}" b ON b.id = m.body_id LEFT JOIN "{tables[3]}" c ON c.id = i.case_id'
    )
    return sql, parts


def _items(condition: str, params: list) -> list[AgendaItem]:
    """The items the statement finds with ``condition`` (and what follows it: an order, a limit), each
    with its meeting (and the meeting's body) and its case loaded, as ``select_related("meeting__body",
    "case")`` loads them."""
    sql, parts = _statement()
    found = []
    for item, meeting, body, case in _loaded(parts, f"{sql} WHERE {condition}", params):
        meeting.body = body
        item.meeting = meeting
        item.case = case if item.case_id is not None else None
        found.append(item)
    return found


def hit_items(ids: list[int]) -> list[AgendaItem]:
    """The items of these ids that exist, in the order of ``ids`` (see _items for what is loaded)."""
    if not ids:
        return []
    by_id = {item.pk: item for item in _items("i.id = ANY(%s)", [list(ids)])}
    return [by_id[pk] for pk in ids if pk in by_id]


def case_items(case_id: int, offset: int, limit: int) -> list[AgendaItem]:
    """A window of a case's items, newest meeting first (then the later start time, the item's number
    and its id), with the decisions other bodies made on each as ``item.elsewhere``."""
    found = _items(
        "i.case_id = %s ORDER BY i.meeting_date DESC, m.start_time DESC, i.number, i.id LIMIT %s OFFSET %s",
        [case_id, limit, offset],
    )
    _add_decisions_elsewhere(found)
    return found


@cache
def _elsewhere_statement() -> tuple[str, list[_Part]]:
    parts = [_Part(OtherDecision, "o", set()), _Part(Body, "b", set())]
    tables = [part.model._meta.db_table for part in parts]
    sql = (
        f'{_select(parts)} FROM "{tables[0]}" o JOIN "{tables[1]}" b ON b.id = o.body_id'
        " WHERE o.item_id = ANY(%s) ORDER BY o.item_id, o.position, o.id"
    )
    return sql, parts


def _add_decisions_elsewhere(items: list[AgendaItem]) -> None:
    """``item.elsewhere``: the item's OtherDecision rows with their bodies, in their order."""
    by_id = {item.pk: item for item in items}
    for item in items:
        item.elsewhere = []
    if not items:
        return
    sql, parts = _elsewhere_statement()
    for decision, body in _loaded(parts, sql, [list(by_id)]):
        decision.body = body
        by_id[decision.item_id].elsewhere.append(decision)
