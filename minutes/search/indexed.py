"""A search answered by the search index (engine.py): the page's hits in order, the exact total and the
exact facets, with the same meaning as the PostgreSQL path (query.search, filters.ItemFilter,
facets.facet_counts): the same parsed query with its compounds and case numbers, the same filters, each
facet counted with every filter but its own.

``current_searcher`` decides whether the index may answer at all: only when it is this database's
index and no change waits for it (a few waiting changes are applied first), so it never answers from
an index that disagrees with the database; otherwise search/page.py asks PostgreSQL.
"""

import operator
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy
import tantivy
from django.conf import settings
from django.db import connection

from minutes.search import engine, indexing, query
from minutes.search.meaning import Meaning

# Each facet's field in the index, and how its values read as the filter's canonical values.
FACET_FIELDS = {
    "aar": "year",
    "udvalg": "body",
    "deltager": "people_set",
    "beslutning": "decision_type",
    "behandles_af": "treated_set",
    "sagstype": "case_type",
    "status": "closed",
}
FACET_SIZE = 12
# Terms each segment reports per facet: far above the number of bodies, sets of people or case types
# of an archive, so every value and its count is exact, not a merge of each segment's top few.
SEGMENT_SIZE = 1_000_000
SORTS = {  # chosen sort -> (fast field, order); relevance is the score with the recency prior
    "nyeste": ("newest", tantivy.Order.Desc),
    "aeldste": ("oldest", tantivy.Order.Asc),
}


def current_searcher() -> tantivy.Searcher | None:
    """A searcher of the index when it agrees with the database, else None (ask PostgreSQL)."""
    if not settings.SEARCH_INDEX:
        return None
    opened = engine.open_current()
    if opened is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT identity::text FROM minutes_searchindexstate ORDER BY id LIMIT 1),"
            " (SELECT count(*) FROM (SELECT 1 FROM minutes_searchchange LIMIT %s) AS w)",
            [indexing.INLINE_LIMIT + 1],
        )
        identity, waiting = cursor.fetchone()
    if identity != opened.identity:
        return None
    if waiting:
        if waiting > indexing.INLINE_LIMIT:
            return None
        drained = indexing.drain(indexing.INLINE_LIMIT, opened=opened)
        if not drained or drained < waiting:
            return None
    # Another process's commit reaches this reader here at once, not after tantivy's reload delay.
    opened.index.reload()
    return opened.index.searcher()


@dataclass
class Found:
    total: int
    ids: list[int]  # the page's items, in order


def filter_parts(filterset, rows) -> dict[str, engine.Filter]:
    """{parameter: index filter} of the filter set's valid filters in use (an invalid one is left out)."""
    parts = {}
    for name, value in filterset.form.cleaned_data.items():
        if value in (None, "", []) or name == "q" or name in filterset.errors:
            continue
        if name in ("fra", "til"):
            parts[name] = engine.Filter(name, value)
        elif name == "aar":
            parts[name] = engine.Filter("year", value)
        elif name in ("udvalg", "behandles_af"):
            field = "body" if name == "udvalg" else "treated"
            parts[name] = engine.Filter(field, rows.bodies.get(value, 0))
        elif name == "deltager":
            parts[name] = engine.Filter("people", rows.people.get(value, []))
        elif name == "sagsnr":
            parts[name] = engine.Filter("case_key", query.case_key(value))
        elif name == "beslutning":
            parts[name] = engine.Filter("decision_type", value)
        elif name == "sagstype":
            parts[name] = engine.Filter("case_type_key", value)
        elif name == "status":
            parts[name] = engine.Filter("closed", int(value == "lukkede"))
    return parts


def searched(
    text: "str | Meaning", known: dict, *, ranked: bool = True, searcher=None
) -> tantivy.Query | None:
    """The text part (None: no text query; the empty query when only stop words were typed). ``text``
    is the query as typed, or a reading of it (search/meaning.py)."""
    reading = text if isinstance(text, Meaning) else None
    text = reading.text if reading else text
    if not text:
        return None
    if reading:
        found = engine.text_query(
            text,
            known,
            ranked=ranked,
            secondary=reading.secondary,
            relaxed=reading.relaxed,
            searcher=searcher,
        )
    else:
        found = engine.text_query(text, known, ranked=ranked)
    keys = query.case_keys_in(text)
    if keys:  # "flådestyring 23-012486": the case's items are hits too
        cases = engine.case_query(keys)
        found = (
            cases
            if found is None
            else tantivy.Query.boolean_query([(tantivy.Occur.Should, found), (tantivy.Occur.Should, cases)])
        )
    return found if found is not None else tantivy.Query.empty_query()


def search(
    searcher,
    text: "str | Meaning",
    parts: dict,
    sort: str,
    offset: int,
    limit: int,
    known: dict,
    total: int | None = None,
) -> Found:
    """The hits of one page in the chosen order; counted unless ``total`` is known (from the facets)."""
    textual = searched(text, known, searcher=searcher)
    everything = narrowed(textual, parts.values())
    count = total is None
    if sort in SORTS:
        field, order = SORTS[sort]
        result = searcher.search(
            everything, limit, count=count, order_by_field=field, order=order, offset=offset
        )
    else:
        # A relaxed reading ranks by the clauses matched (engine.COORDINATION_SCORE): no prior on that.
        prior = None if isinstance(text, Meaning) and text.relaxed else "prior"
        result = searcher.search(everything, limit, count=count, offset=offset, weight_by_field=prior)
    return Found(result.count if count else total, engine.ids_of(searcher, result.hits))


def narrowed(textual: tantivy.Query | None, filters) -> tantivy.Query:
    """The text query (if any) and these filters, all required."""
    return engine.combined(([textual] if textual is not None else []) + [f.query() for f in filters])


def all_ids(searcher, text: "str | Meaning", parts: dict, sort: str, known: dict) -> list[int]:
    """Every hit's id in the chosen order (the CSV of a search)."""
    total = search(searcher, text, parts, sort, 0, 1, known).total
    return search(searcher, text, parts, sort, 0, total, known, total).ids if total else []


GROUP = "filtre:"  # the key prefix of a facet group counted under a filter aggregation


def facet_plan(text: "str | Meaning", parts: dict, known: dict) -> tuple[tantivy.Query, dict]:
    """The one aggregation that counts every facet: each facet with the query and every filter but its
    own. The text is matched once; the facets that share a set of other filters are counted under a
    filter aggregation of that set (one per chosen filter, and one for all of them)."""
    textual = searched(text, known, ranked=False)
    groups: dict[tuple, list[str]] = {}
    for name in FACET_FIELDS:
        groups.setdefault(tuple(sorted(key for key in parts if key != name)), []).append(name)
    aggregations: dict = {}
    for others, names in groups.items():
        terms = {
            name: {
                "terms": {
                    "field": FACET_FIELDS[name],
                    "size": SEGMENT_SIZE,  # all: ties at the cut are decided by name below
                    "segment_size": SEGMENT_SIZE,
                }
            }
            for name in names
        }
        if others:
            condition = " AND ".join(f"({parts[key].text()})" for key in others)
            aggregations[GROUP + ",".join(others)] = {"filter": condition, "aggs": terms}
        else:
            aggregations.update(terms)
    return (textual if textual is not None else tantivy.Query.all_query()), aggregations


def start_facets(searcher, text: "str | Meaning", parts: dict, known: dict) -> Future:
    """Each facet's values and exact counts, with the query and every filter but the facet's own: the
    aggregation, started on another thread: tantivy releases the GIL while it counts,
    so the page's hits are searched and read meanwhile on the other core. counted_facets finishes it
    (on the request's thread: it reads the database)."""
    scope, aggregations = facet_plan(text, parts, known)
    return _executor().submit(_counted_raw, searcher, scope, aggregations)


_pool: tuple[int, ThreadPoolExecutor] | None = None


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None or _pool[0] != os.getpid():  # a forked worker starts its own threads
        _pool = (os.getpid(), ThreadPoolExecutor(max_workers=2, thread_name_prefix="facets"))
    return _pool[1]


@dataclass
class Counted:
    facets: dict[str, list[tuple[str, int]]]  # each facet's canonical values and counts, in order
    names: dict[str, dict[str, str]]  # "bodies" (all) and "people" (those shown): slug -> name


def _counted_raw(searcher, scope, aggregations) -> dict[str, list[tuple[object, int]]]:
    """The aggregation's buckets as each facet's (value, count) that can be shown, the sets of ids
    added up per id: on the facets' thread, so this runs while the request's thread waits for
    PostgreSQL or for tantivy (which release the GIL)."""
    answer = searcher.aggregate(scope, aggregations)
    for key in [key for key in answer if key.startswith(GROUP)]:
        answer.update({name: counted for name, counted in answer.pop(key).items() if name in FACET_FIELDS})
    raw: dict[str, list[tuple[object, int]]] = {
        name: [(b["key"], b["doc_count"]) for b in answer[name]["buckets"] if b["key"] != engine.MISSING]
        for name in FACET_FIELDS
        if name not in SET_FACETS
    }
    with _sets_lock:  # a search may count the facets of several readings at once (search/meaning.py)
        for name in SET_FACETS:
            raw[name] = _SETS[name].members(answer[name]["buckets"], FACET_SIZE)
    for name, buckets in raw.items():
        raw[name] = _top(buckets, name)
    return raw


def counted_facets(pending: Future) -> Counted:
    """The facets start_facets counts, with their canonical values and names (read on the request's
    thread: it uses the request's database connection)."""
    return _canonical(pending.result())


SET_FACETS = ("deltager", "behandles_af")  # their values are sets of ids ("3,17,42")


class SetCounts:
    """Counts of sets of ids ("3,17,42": 120 hits) as counts of each id (every hit has each id once).

    The sets of a facet (a few thousand in an archive) are kept as one flat array of their members'
    positions and one of the set each belongs to, extended when a search meets a set not seen before;
    a search's counts are then one weighted bincount over them (0.3 ms for 3,722 sets of people, where
    joining the sets anew each time took 7 ms). A set's members are its text, which never changes.
    """

    def __init__(self):
        self.row: dict[str, int] = {}  # set -> its row
        self.sets: list[numpy.ndarray] = []  # row -> the set's member ids
        self.ids = numpy.zeros(0, dtype=numpy.int64)  # member position -> member id
        self.positions = numpy.zeros(0, dtype=numpy.int64)  # flat: every set's members' positions
        self.owners = numpy.zeros(0, dtype=numpy.int64)  # flat: the row each belongs to

    def members(self, buckets, shown: int) -> list[tuple[int, int]]:
        """Each member id's count, for the members that can be among the ``shown`` most counted (those
        counted at least as often as the one in that place: _top orders its equals); MISSING (items
        without a set) counts for none. In C loops: a search brings back every set (3,722)."""
        if not buckets:
            return []
        keys = list(map(_KEY, buckets))
        if missing := set(keys).difference(self.row):
            if len(self.sets) + len(missing) > MAX_KEPT_SETS:  # bounded: begin again with these sets
                self.__init__()
                missing = set(keys)
            self._add(sorted(missing))
        rows = numpy.fromiter(map(self.row.__getitem__, keys), dtype=numpy.int64, count=len(keys))
        counts = numpy.fromiter(map(_COUNT, buckets), dtype=numpy.int64, count=len(keys))
        weights = numpy.zeros(len(self.sets), dtype=numpy.int64)
        weights[rows] = counts
        totals = numpy.bincount(self.positions, weights=weights[self.owners], minlength=len(self.ids))
        found = numpy.flatnonzero(totals)
        if len(found) > shown:
            least = numpy.partition(totals[found], len(found) - shown)[len(found) - shown]
            found = found[totals[found] >= least]
        return list(zip(self.ids[found].tolist(), totals[found].astype(numpy.int64).tolist(), strict=True))

    def _add(self, keys) -> None:
        """Take in new sets: rebuilt from all of them (a few milliseconds, only when sets are new)."""
        for key in dict.fromkeys(keys):
            self.row[key] = len(self.sets)
            members = [] if key == engine.MISSING else [int(m) for m in key.split(",") if m]
            self.sets.append(numpy.array(members, dtype=numpy.int64))
        members = numpy.concatenate(self.sets)
        self.ids, self.positions = numpy.unique(members, return_inverse=True)
        self.owners = numpy.repeat(numpy.arange(len(self.sets)), [len(ids) for ids in self.sets])


MAX_KEPT_SETS = 200_000
_KEY, _COUNT = operator.itemgetter("key"), operator.itemgetter("doc_count")
_SETS = {name: SetCounts() for name in SET_FACETS}
_sets_lock = threading.Lock()


def _top(buckets, name):
    """The buckets that can be among a facet's FACET_SIZE shown: those counted at least as often as the
    last one shown (its equals are then ordered by their value, as PostgreSQL's facets are)."""
    if name == "aar" or len(buckets) <= FACET_SIZE:
        return buckets
    buckets.sort(key=lambda bucket: -bucket[1])
    least = buckets[FACET_SIZE - 1][1]
    return [bucket for bucket in buckets if bucket[1] >= least]


def _canonical(raw) -> Counted:
    """Facet values as the filters' canonical values (slugs, "aabne"/"lukkede"), in the page's order,
    with the names the page shows for them (one round trip: every body, and the people counted)."""
    people_ids = {int(v) for v, _ in raw.get("deltager", [])}
    bodies, people = {}, {}  # id -> (slug, name)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT true, id, slug, name FROM minutes_body"
            " UNION ALL SELECT false, id, slug, name FROM minutes_person WHERE id = ANY(%s)",
            [list(people_ids)],
        )
        for is_body, pk, slug, name in cursor.fetchall():
            (bodies if is_body else people)[pk] = (slug, name)
    result = {}
    for name in FACET_FIELDS:
        options = []
        for value, count in raw.get(name, []):
            if name in ("udvalg", "behandles_af"):
                value = bodies.get(int(value), (None,))[0]
            elif name == "deltager":
                value = people.get(int(value), (None,))[0]
            elif name == "status":
                value = "lukkede" if int(value) else "aabne"
            elif name == "aar":
                value = str(int(value))
            if value not in (None, "") and count:
                options.append((str(value), count))
        if name == "aar":
            options.sort(reverse=True)
        else:
            options = sorted(options, key=lambda option: (-option[1], option[0]))[:FACET_SIZE]
        result[name] = options
    shown = {slug for slug, _ in result["deltager"]}
    return Counted(
        result,
        {
            "bodies": dict(bodies.values()),
            "people": {slug: name for slug, name in people.values() if slug in shown},
        },
    )
