"""Facets: how many items each filter value would give, counted exactly or estimated from a sample.

A facet's counts apply the query and every other filter but its own, so a person sees what choosing
another value would give. Facets come back in one fixed order (FACET_SQL), whatever was chosen, so
a group never jumps on the page after a choice.
"""

import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.http import QueryDict

from minutes.models import AgendaItem
from minutes.search import query
from minutes.search.filters import ItemFilter, Rows

# How each facet groups the items of a search (the hits, as a CTE with the columns below).
FACET_SQL = {
    "aar": "SELECT 'aar', extract(year FROM h.meeting_date)::int::text, count(*) FROM hits h GROUP BY 2",
    "udvalg": "SELECT 'udvalg', b.slug, count(*) FROM hits h JOIN minutes_body b ON b.id = h.meeting_body_id"
    " GROUP BY 2",
    # LATERAL ... OFFSET 0: an index probe per hit's meeting, never a scan of every attendance
    "deltager": "SELECT 'deltager', p.slug, count(*) FROM hits h, LATERAL (SELECT a.person_id"
    " FROM minutes_attendance a WHERE a.meeting_id = h.meeting_id OFFSET 0) a"
    " JOIN minutes_person p ON p.id = a.person_id GROUP BY 2",
    "beslutning": "SELECT 'beslutning', h.decision_type, count(*) FROM hits h WHERE h.decision_type <> ''"
    " GROUP BY 2",
    "behandles_af": "SELECT 'behandles_af', b.slug, count(*) FROM hits h"
    " JOIN minutes_treatment t ON t.item_id = h.id JOIN minutes_body b ON b.id = t.body_id GROUP BY 2",
    "sagstype": "SELECT 'sagstype', h.case_type, count(*) FROM hits h WHERE h.case_type <> '' GROUP BY 2",
    "status": "SELECT 'status', CASE WHEN h.closed THEN 'lukkede' ELSE 'aabne' END, count(*)"
    " FROM hits h GROUP BY 2",
}
TOTAL_SQL = "SELECT '', '', count(*) FROM hits"

# Searches estimated to give fewer items than EXACT_BELOW are counted exactly; larger ones are
# estimated from the smallest fixed sample of the items (AgendaItem.sample, each with its partial
# GIN index) that holds at least MIN_SAMPLED of their hits. Exact counts of 400,000 hits (and
# their facets) cost a second or more; 500 sampled hits give the total within about 5 %.
EXACT_BELOW = 5_000
MIN_SAMPLED = 200
FREQUENT_SHARE = 0.05  # a text query in 5 % of the items or more is frequent (views.search_page)
# Filters through another table, with many rows per item; see _grouped.
JOINED_FILTERS = ("deltager", "behandles_af")
SAMPLES = ((Q(sample=0), 1000), (Q(sample__lt=10), 100), (Q(sample__lt=100), 10))  # (items, scale)


@dataclass
class Counts:
    """How many items a search gives, and each facet's options with their counts."""

    total: int
    approximate: bool
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    estimated: set[str] = field(default_factory=set)  # facets whose counts are estimates


def count_items(text: str, params=None, rows: Rows | None = None) -> tuple[int, bool]:
    """(number of items a text query finds, with the filters of ``params`` if given, whether it is an
    estimate): exact below EXACT_BELOW."""
    data = params.copy() if params is not None else QueryDict(mutable=True)
    data["q"] = text
    own, joined = _split(data)
    total, approximate, _ = _grouped(
        _filtering(own, {}, rows), _filtering(joined, {}, rows) if joined else None, []
    )
    return total, approximate


def is_frequent(text: str, known_queries=None) -> bool:
    """Whether a text query finds a large share of the archive (FREQUENT_SHARE or more).

    Counted in the smallest sample, through its own small GIN index: a millisecond or two.
    """
    text = query.clean_query(text)
    if not text:
        return True
    sample = SAMPLES[0][0]
    sampled = AgendaItem.objects.filter(sample)
    hits = query.search(sampled, text, known_queries).count()
    return hits >= FREQUENT_SHARE * sampled.count() > 0


def _filtering(data, known_queries, rows=None):
    """The filters of ``data`` as a function of the items they narrow."""
    return lambda items: ItemFilter(
        data, queryset=items, known_queries=known_queries, rows=rows
    ).qs.order_by()


def _split(data):
    """(the filters on the item's own columns, the filters through other tables)."""
    own, joined = data.copy(), data.copy()
    for key in data:
        (own if key in JOINED_FILTERS else joined).pop(key)
    return own, joined


def facet_counts(
    data, queryset=None, known_queries=None, limit: int = 12, rows: Rows | None = None
) -> Counts:
    """For each facet, its values with the number of items each would give, and the total.

    A facet's counts apply the query and every other filter but its own, so a user sees
    what choosing another value would give (several decision types can be combined).
    Facets that share the same other filters are counted in one query.
    """
    groups: dict[str, tuple[dict, list[str]]] = {}
    for name in [None, *FACET_SQL]:
        others = _without(data, name) if name in data else data
        key = others.urlencode()
        groups.setdefault(key, (others, []))[1].append(name)
    counts = Counts(total=0, approximate=False)
    for others, names in groups.values():
        own, joined = _split(others)
        total, approximate, grouped = _grouped(
            _filtering(own, known_queries, rows),
            _filtering(joined, known_queries, rows) if joined else None,
            [n for n in names if n],
        )
        if None in names:
            counts.total, counts.approximate = total, approximate
        for name in filter(None, names):
            options = grouped.get(name, {}).items()
            if name == "aar":  # every year, newest first
                counts.facets[name] = sorted(options, reverse=True)
            else:
                counts.facets[name] = sorted(options, key=lambda option: (-option[1], option[0]))[:limit]
            if approximate:
                counts.estimated.add(name)
    counts.facets = {name: counts.facets[name] for name in FACET_SQL if name in counts.facets}
    return counts


def _grouped(select, narrow, names) -> tuple[int, bool, dict[str, dict[str, int]]]:
    """Total and per-facet counts of a search: estimated from a sample when there are many hits.

    ``select`` applies the text query and the filters on the item's own columns to a queryset of
    items, ``narrow`` (or None) the filters through other tables. In a sample, ``select`` runs
    first and on its own (through the sample's GIN index), and ``narrow`` applies to its hits:
    left to itself, the planner may start from a join (every item Kommunalbestyrelsen treats)
    and test each of its rows against the text.
    """
    for sample, scale in SAMPLES:
        items = select(AgendaItem.objects.filter(sample))
        if narrow:
            items = narrow(AgendaItem.objects.filter(pk__in=_fenced(items)))
        total, rows = _group_query(items, names)
        if total >= MIN_SAMPLED or (scale == SAMPLES[-1][1] and total * scale >= EXACT_BELOW):
            return _scaled(total, rows, scale)
        if total * scale < EXACT_BELOW / 2:
            break  # few: count them all
    items = select(AgendaItem.objects.all())
    total, rows = _group_query(narrow(items) if narrow else items, names)
    return total, False, rows


def _fenced(items) -> RawSQL:
    """These items' ids as a subquery the planner runs on its own (OFFSET 0 keeps it whole)."""
    sql, params = items.values("id").query.sql_with_params()
    return RawSQL(f"SELECT id FROM ({sql} OFFSET 0) AS fenced", params)


def _scaled(total, rows, scale):
    options = {
        name: {value: _estimate(n * scale) for value, n in counts.items()} for name, counts in rows.items()
    }
    return _estimate(total * scale), True, options


def _group_query(items, names) -> tuple[int, dict[str, dict[str, int]]]:
    hits, params = items.values(
        "id", "meeting_id", "meeting_date", "meeting_body_id", "decision_type", "case_type", "closed"
    ).query.sql_with_params()
    parts = [FACET_SQL[name] for name in names] + [TOTAL_SQL]
    sql = f"WITH hits AS MATERIALIZED ({hits}) " + " UNION ALL ".join(parts)
    rows: dict[str, dict[str, int]] = {}
    total = 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for name, value, n in cursor.fetchall():
            if name:
                rows.setdefault(name, {})[value] = n
            else:
                total = n
    return total, rows


def _estimate(n: int) -> int:
    """A scaled sample count, rounded to two significant digits (39,417 -> 39,000)."""
    return round(n, 2 - len(str(n))) if n >= 100 else n


def date_cutoff(years: list[tuple[str, int]], wanted: int, oldest_first: bool) -> Q:
    """A date condition that keeps about ``wanted`` hits, the newest (or oldest) ones.

    ``years``: the hits per year (the year facet, perhaps estimated). Without a condition,
    taking the newest hits of a search with 400,000 of them means finding all of them first.
    """
    seen = 0
    for year, n in sorted(((int(y), n) for y, n in years), reverse=not oldest_first):
        seen += n
        if seen >= wanted:
            if oldest_first:
                return Q(meeting_date__lte=datetime.date(year, 12, 31))
            return Q(meeting_date__gte=datetime.date(year, 1, 1))
    return Q()


def _without(data, name: str):
    others = data.copy()
    others.pop(name, None)
    return others
