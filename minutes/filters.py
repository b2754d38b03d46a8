"""The one FilterSet of the search page; the text query is just another filter that calls search.py.

GET parameters are Danish, as they appear in shareable URLs: ``/soeg/?q=budget&udvalg=direktionen``.
An invalid value (a date like 2024-13-45) makes that one filter invalid: django-filter leaves it
out of ``cleaned_data``, so it is ignored and reported, and the other filters still apply.
"""

import datetime
from dataclasses import dataclass, field

import django_filters
from django import forms
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.http import QueryDict
from django.utils.functional import cached_property

from minutes import search
from minutes.models import AgendaItem, Case, DecisionType

SORTS = {"relevans": "Relevans", "nyeste": "Nyeste først", "aeldste": "Ældste først"}
# The orders of SORTS; by the item's copy of its meeting's date, so sorting needs no join.
SORT_ORDER = {
    "relevans": ("-rank", "-meeting_date", "-meeting__start_time", "number"),
    "nyeste": ("-meeting_date", "-meeting__start_time", "number"),
    "aeldste": ("meeting_date", "meeting__start_time", "number"),
}


def chosen_sort(params, q: str) -> str:
    """The sort a search asked for (``sortering``); relevance with a text query, else newest first."""
    sort = params.get("sortering")
    if sort not in SORT_ORDER or (sort == "relevans" and not q):
        sort = "relevans" if q else "nyeste"
    return sort


OPEN_OR_CLOSED = (("aabne", "Åbne punkter"), ("lukkede", "Lukkede punkter"))
# The longest values the filters read (the API's schema has the same limits): a slug or a case type is
# far shorter, and a longer value is reported, not searched for.
MAX_SLUG_LENGTH = 200
MAX_CASE_NUMBER_LENGTH = 40
MAX_CASE_TYPE_LENGTH = 200
# Years a date can have (datetime.MINYEAR..MAXYEAR): another year is an invalid filter, not an error.
FIRST_YEAR, LAST_YEAR = datetime.MINYEAR, datetime.MAXYEAR


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField  # a year is whole: "2024.5" is invalid, as "-5" and "99999" are


class ItemFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label="Søg")
    fra = django_filters.DateFilter(
        field_name="meeting_date",
        lookup_expr="gte",
        label="Fra dato",
        widget=forms.DateInput({"type": "date"}),
    )
    til = django_filters.DateFilter(
        field_name="meeting_date",
        lookup_expr="lte",
        label="Til dato",
        widget=forms.DateInput({"type": "date"}),
    )
    aar = YearFilter(field_name="meeting_date__year", label="År", min_value=FIRST_YEAR, max_value=LAST_YEAR)
    udvalg = django_filters.CharFilter(
        field_name="meeting_body__slug", label="Udvalg", max_length=MAX_SLUG_LENGTH
    )
    sagsnr = django_filters.CharFilter(
        method="filter_case", label="Sagsnr.", max_length=MAX_CASE_NUMBER_LENGTH
    )
    deltager = django_filters.CharFilter(
        field_name="meeting__participants__slug", label="Mødedeltager", max_length=MAX_SLUG_LENGTH
    )
    beslutning = django_filters.MultipleChoiceFilter(
        field_name="decision_type", choices=DecisionType.choices, label="Beslutning", distinct=False
    )
    sagstype = django_filters.CharFilter(
        field_name="case_type", label="Sagstype", max_length=MAX_CASE_TYPE_LENGTH
    )
    behandles_af = django_filters.CharFilter(
        field_name="treated_by__slug", label="Behandles af", max_length=MAX_SLUG_LENGTH
    )
    status = django_filters.ChoiceFilter(method="filter_status", choices=OPEN_OR_CLOSED, label="Åbne/lukkede")

    class Meta:
        model = AgendaItem
        fields = []

    def __init__(self, *args, known_queries: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.known_queries = {} if known_queries is None else known_queries

    def filter_text(self, queryset, name, value):
        return search.search(queryset, value, self.known_queries)

    def filter_case(self, queryset, name, value):
        return queryset.filter(case__key=search.case_key(value))

    def filter_status(self, queryset, name, value):
        return queryset.filter(closed=value == "lukkede")


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


def count_items(text: str) -> tuple[int, bool]:
    """(number of items a text query finds, whether it is an estimate): exact below EXACT_BELOW."""
    data = QueryDict(mutable=True)
    data["q"] = text
    total, approximate, _ = _grouped(_filtering(data, {}), None, [])
    return total, approximate


def is_frequent(text: str, known_queries=None) -> bool:
    """Whether a text query finds a large share of the archive (FREQUENT_SHARE or more).

    Counted in the smallest sample, through its own small GIN index: a millisecond or two.
    """
    text = search.clean_query(text)
    if not text:
        return True
    sample = SAMPLES[0][0]
    sampled = AgendaItem.objects.filter(sample)
    hits = search.search(sampled, text, known_queries).count()
    return hits >= FREQUENT_SHARE * sampled.count() > 0


def _filtering(data, known_queries):
    """The filters of ``data`` as a function of the items they narrow."""
    return lambda items: ItemFilter(data, queryset=items, known_queries=known_queries).qs.order_by()


def facet_counts(data, queryset, known_queries=None, limit: int = 12) -> Counts:
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
        own, joined = others.copy(), others.copy()
        for key in others:
            (own if key in JOINED_FILTERS else joined).pop(key)
        total, approximate, rows = _grouped(
            _filtering(own, known_queries),
            _filtering(joined, known_queries) if joined else None,
            [n for n in names if n],
        )
        if None in names:
            counts.total, counts.approximate = total, approximate
        for name in filter(None, names):
            options = rows.get(name, {}).items()
            if name == "aar":  # every year, newest first
                counts.facets[name] = sorted(options, reverse=True)
            else:
                counts.facets[name] = sorted(options, key=lambda option: (-option[1], option[0]))[:limit]
            if approximate:
                counts.estimated.add(name)
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


# A search with very many hits (its count is an estimate, see facet_counts) lists the newest (or,
# sorted oldest first, the oldest) RESULT_WINDOW hits, the most relevant first: ranking 400,000
# hits would take seconds. Filters narrow it down to an exact, fully ranked list.
RESULT_WINDOW = 500


class CountedPaginator(Paginator):
    """A paginator told its count (facet_counts has counted), so it does not count again."""

    def __init__(self, object_list, per_page, count):
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self):
        return self.known_count


@dataclass
class Results:
    """One page of a search, as the search page, its JSON twin (api.py) and nothing else compute it."""

    q: str
    filterset: ItemFilter
    sort: str
    counts: Counts
    paginator: CountedPaginator
    items: object  # the ordered queryset the pages are cut from
    known: dict  # the query's compound expansion, asked for once (search.expanded_query)

    @property
    def window(self) -> int | None:
        """How many hits are listed when there are too many to rank them all; None when all are."""
        return RESULT_WINDOW if self.counts.approximate else None

    def page(self, number):
        """The page ``number`` (a valid one: Paginator.validate_number first), its rows read."""
        page = self.paginator.page(number)
        with transaction.atomic():
            if self.counts.approximate and is_frequent(self.q, self.known):
                # Its GIN posting lists hold hundreds of thousands of items, and reading them costs
                # more than walking the date (or body and date) index until the window is full.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL enable_bitmapscan = off")
            page.object_list = list(page.object_list)
        return page


def case_searched(params) -> Case | None:
    """The case whose number a search's query is ("24-3210" finds 24-003210), if the archive has it."""
    key = search.case_query(search.clean_query(params.get("q", "")))
    return Case.objects.filter(key=key).first() if key else None


def searched_text(filterset: ItemFilter) -> str:
    """The text query the filter set applies (cleaned): none when ``q`` is invalid and so ignored.

    The relevance sort needs the rank that only an applied text query gives.
    """
    if "q" in filterset.errors:
        return ""
    return search.clean_query(filterset.form.cleaned_data.get("q") or "")


def run_search(params, per_page: int) -> Results:
    """The items of a search URL's parameters (``q``, the filters, ``sortering``), counted and ordered."""
    known: dict = {}
    filterset = ItemFilter(params, queryset=AgendaItem.objects.all(), known_queries=known)
    q = searched_text(filterset)
    sort = chosen_sort(params, q)
    counts = facet_counts(params, AgendaItem.objects.all(), known)
    items, shown = filterset.qs, counts.total
    if counts.approximate:
        oldest_first = sort == "aeldste"
        if filterset.form.cleaned_data.get("aar") is None:  # a chosen year is its own cut
            items = items.filter(date_cutoff(counts.facets["aar"], 2 * RESULT_WINDOW, oldest_first))
        by_date = ("meeting_date", "id") if oldest_first else ("-meeting_date", "-id")
        window = items.order_by(*by_date).values("pk")[:RESULT_WINDOW]
        items = search.ranked(AgendaItem.objects.filter(pk__in=window), q, known)
        shown = RESULT_WINDOW  # estimated counts are far above it (EXACT_BELOW)
    items = items.select_related("meeting__body", "case").order_by(*SORT_ORDER[sort])
    paginator = CountedPaginator(items, per_page, shown)
    return Results(q, filterset, sort, counts, paginator, items, known)
