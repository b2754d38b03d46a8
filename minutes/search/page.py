"""search_page(params): the one entry point of search. The search page, its CSV, its Atom feed and the
API call it (or item_query, its sibling for the lists that need every matching item), and get back
plain dataclasses: the hits of one page with their snippets, the facets, the chips of the filters in
use, notices about values the archive doesn't know, and suggestions. Links are query strings of the
canonical parameters (slugs), so a page built from ``udvalg=Direktionen`` links as ``udvalg=direktionen``.

What runs underneath (PostgreSQL full text, sampled facet counts, a ranked window for very many hits)
is this package's business: a faster engine can replace it here without the callers changing.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlencode

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection, transaction
from django.urls import reverse

from minutes.bad_requests import Problem, form_problems
from minutes.models import AgendaItem, Case, DecisionType, Person
from minutes.search import facets, indexed, meaning, query, snippets, terms
from minutes.search.filters import (
    OPEN_OR_CLOSED,
    SORT_ORDER,
    ItemFilter,
    Reading,
    chosen_sort,
    find_people,
    nearest_case_type,
    read_filters,
)
from minutes.search.hits import HIT_DEFERRED, hit_items
from minutes.search.meaning import Meaning, Step

RESULTS_PER_PAGE = 20
VERBATIM = "ordret"  # ordret=1: the words as typed, nothing added, corrected or relaxed (search/meaning.py)
# A search with very many hits (its count is an estimate, see facets.facet_counts) lists the newest
# (or, sorted oldest first, the oldest) RESULT_WINDOW hits, the most relevant first: ranking 400,000
# hits would take seconds. Filters narrow it down to an exact, fully ranked list.
RESULT_WINDOW = 500

FACET_LABELS = {
    "aar": "År",
    "udvalg": "Udvalg",
    "deltager": "Mødedeltager",
    "beslutning": "Beslutning",
    "behandles_af": "Behandles af",
    "sagstype": "Sagstype",
    "status": "Åbne/lukkede",
}
FILTER_WORDS = {"udvalg": "udvalget", "behandles_af": "udvalget", "deltager": "mødedeltageren"}


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    query: str  # the search's query string with this option chosen (or, when chosen, without it)
    chosen: bool


@dataclass(frozen=True)
class Facet:
    name: str  # the parameter it sets
    label: str
    estimated: bool
    options: list[FacetOption]


@dataclass(frozen=True)
class Chip:
    """A filter in use: what it reads as, and the query string without it."""

    label: str
    query: str


@dataclass(frozen=True)
class Link:
    text: str
    url: str


@dataclass(frozen=True)
class Notice:
    """Something the page says about the request: a value it couldn't use, and what to try instead."""

    text: str
    links: list[Link] = field(default_factory=list)


@dataclass(frozen=True)
class Suggestion:
    """Something near a query that found nothing: a word to search, or a person's or body's page."""

    text: str
    kind: str  # "word", "person" or "body"
    url: str
    hits: int | None = None  # items a word finds; None for a page
    approximate: bool = False


@dataclass(frozen=True)
class Hit:
    item: AgendaItem  # with meeting, body and case read
    snippet: str = ""  # marked with snippets.MARK_START/END; the template filter ``highlight`` shows it


@dataclass
class SearchPage:
    q: str
    sort: str
    total: int
    approximate: bool
    window: int | None  # with very many hits only this many are listed (ranked); None when all are
    hits: list[Hit]
    number: int  # the page shown
    pages: int
    count: int  # items that can be paged through (the window, or the total)
    per_page: int
    facets: list[Facet]
    chips: list[Chip]
    notices: list[Notice]
    suggestions: list[Suggestion]
    people: list[Person]  # people the query names: their pages list their meetings
    invalid: list[tuple[str, list[str]]]  # (filter label, reasons) of filters left out
    problems: list[Problem]  # the same and the unknown values, for callers that refuse them
    query: str  # the canonical query string, without the page number
    case: Case | None = None  # the query is this case's number: callers send a person to its page
    applied: list[Step] = field(default_factory=list)  # what search did beyond the typed words
    searched: str = ""  # the query as searched, when a step changed it
    prepared: object = None  # what search_page's ``meanwhile`` made of the hits

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def has_next(self):
        return self.number < self.pages


class CountedPaginator(Paginator):
    """A paginator told its count (the facets have counted), so it does not count again."""

    def __init__(self, object_list, per_page, count):
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self):
        return self.known_count


@dataclass
class ItemQuery:
    """Every item a search's parameters give, in its order: for the CSV and the feed."""

    q: str
    sort: str
    items: object  # queryset
    problems: list[Problem]
    reading: Reading
    # Ranked by the search index: every hit's id in the page's order (the queryset's order is
    # PostgreSQL's rank, used while the index can't answer). None when the queryset's order is the page's.
    ranked_ids: list[int] | None = None

    def rows(self, *fields, chunk: int = 2000):
        """The items' ``fields`` (the first must be "pk") as tuples, in the page's order, read in chunks."""
        if self.ranked_ids is None:
            yield from self.items.values_list(*fields).iterator(chunk_size=chunk)
            return
        for start in range(0, len(self.ranked_ids), chunk):
            ids = self.ranked_ids[start : start + chunk]
            found = {row[0]: row for row in AgendaItem.objects.filter(pk__in=ids).values_list(*fields)}
            yield from (found[pk] for pk in ids if pk in found)


def search_problems(params) -> list[Problem]:
    """What is wrong with a search's parameters (the form and the names), without searching."""
    reading = read_filters(params)
    filterset = ItemFilter(reading.params, queryset=AgendaItem.objects.all(), rows=reading.rows)
    return form_problems(filterset.form) + [unknown_problem(u) for u in reading.unknown]


def item_query(params, within=None, known: dict | None = None) -> ItemQuery:
    """The items of a search URL's parameters, ordered as the page orders them, without counting.

    ``within``: a queryset of items to search among (the e-mail alerts' new items), searched in
    PostgreSQL with the same filter set; the search index ranks only the whole archive. ``known``:
    the query words' compounds already looked up (query.expanded_query), shared by many searches.
    The query is read as the page reads it (search/meaning.py), from counts over the whole archive.
    """
    reading = read_filters(params)
    items = AgendaItem.objects.all() if within is None else within
    filterset = ItemFilter(reading.params, queryset=items, rows=reading.rows, known_queries=known)
    q = _searched_text(filterset)
    sort = chosen_sort(reading.params, q)
    problems = form_problems(filterset.form) + [unknown_problem(u) for u in reading.unknown]
    searcher = indexed.current_searcher()
    searched = None
    if q and not problems:  # the page's reading of the query (search/meaning.py), from capped counts

        def items_of(searched: Meaning, among=items):
            if searched.postgres_text == q and among is items:
                return filterset
            rewritten = _with_text(reading.params, searched.postgres_text)
            return ItemFilter(rewritten, queryset=among, rows=reading.rows, known_queries=known)

        def count(searched: Meaning) -> int:
            if searcher is not None:
                parts = indexed.filter_parts(filterset, reading.rows)
                return indexed.search(searcher, searched, parts, sort, 0, 1, {}).total
            whole = items_of(searched, AgendaItem.objects.all())
            return whole.qs.values("pk")[: meaning.FEW_HITS].count()

        searched, _ = meaning.chosen(
            meaning.first(q, verbatim=bool(reading.params.get(VERBATIM))), count, lambda total: total
        )
        filterset = items_of(searched)
    found = ItemQuery(q, sort, filterset.qs.order_by(*SORT_ORDER[sort]), problems, reading)
    # The date orders are the same in PostgreSQL and the index; relevance is the index's when it answers.
    if within is None and sort == "relevans" and not problems and searcher is not None:
        found.ranked_ids = indexed.all_ids(
            searcher, searched or q, indexed.filter_parts(filterset, reading.rows), sort, {}
        )
    return found


def search_description(params) -> tuple[str, list[str]]:
    """What a search follows, in Danish as its page says it: the heading's query (or "" for every item)
    and the labels of its filter chips ("Udvalg: Økonomiudvalget"), without searching.

    Only valid filters with values the archive knows are named: they are the ones the search applies.
    """
    reading = read_filters(params)
    filterset = ItemFilter(reading.params, queryset=AgendaItem.objects.none(), rows=reading.rows)
    labels = _option_labels(reading, facets.Counts(0, False))
    return _searched_text(filterset), [chip.label for chip in _chips(reading.params, filterset, labels)]


def case_searched(params) -> Case | None:
    """The case whose number a search's query is ("Sag 24–003210" finds 24-003210), if the archive has it."""
    keys = query.case_query_keys(params.get("q", ""))
    if not keys:
        return None
    found = {case.key: case for case in Case.objects.filter(key__in=keys)}
    return next((found[key] for key in keys if key in found), None)


def search_page(
    params,
    per_page: int = RESULTS_PER_PAGE,
    *,
    page: int | None = None,
    stop_at_case: bool = False,
    meanwhile: Callable[[list[Hit]], object] | None = None,
) -> SearchPage:
    """One page of a search: ``params`` as the URL gives them (``q``, filters, ``sortering``, ``side``).

    ``page`` overrides ``side`` (the API reads and checks its own). With ``stop_at_case``, a query that
    is a case number of the archive returns at once with only ``case`` set (the page redirects to it).
    ``meanwhile(hits)`` is called with the page's hits before the facets are waited for (the index counts
    them on another thread): the results page renders its hits then; its answer is ``prepared``.
    """
    case = case_searched(params)
    if case and stop_at_case:
        return SearchPage(
            q=query.clean_query(params.get("q", "")),
            sort="",
            total=0,
            approximate=False,
            window=None,
            hits=[],
            number=1,
            pages=1,
            count=0,
            per_page=per_page,
            facets=[],
            chips=[],
            notices=[],
            suggestions=[],
            people=[],
            invalid=[],
            problems=[],
            query="",
            case=case,
        )
    reading = read_filters(params)
    data = reading.params
    known: dict = {}
    filterset = ItemFilter(data, queryset=AgendaItem.objects.all(), known_queries=known, rows=reading.rows)
    q = _searched_text(filterset)
    sort = chosen_sort(data, q)
    invalid = [(filterset.form.fields[name].label, errors) for name, errors in filterset.errors.items()]
    problems = form_problems(filterset.form) + [unknown_problem(u) for u in reading.unknown]
    notices = [_unknown_notice(u, data) for u in reading.unknown]
    # Only valid filters take part: an invalid one is reported, not applied.
    valid = data.copy()
    for name in filterset.errors:
        valid.pop(name, None)
    searcher = indexed.current_searcher()
    requested = params.get("side") if page is None else page

    def run(searched: Meaning | None):
        if searcher is not None:
            return _from_index(searcher, filterset, searched or q, sort, reading, per_page, requested, known)
        text = searched.postgres_text if searched else q
        if text == q:
            return _from_postgres(filterset, valid, q, sort, reading, per_page, requested, known)
        rewritten = _with_text(valid, text)
        items = ItemFilter(
            rewritten, queryset=AgendaItem.objects.all(), known_queries=known, rows=reading.rows
        )
        return _from_postgres(items, rewritten, text, sort, reading, per_page, requested, known)

    if q:
        searched, (counts, paginator, number, page_notice, shown_items) = meaning.chosen(
            meaning.first(q, verbatim=bool(data.get(VERBATIM))), run, lambda answer: answer[0].total
        )
        notices.extend(_meaning_notices(searched, data))
    else:
        searched = None
        counts, paginator, number, page_notice, shown_items = run(None)
    if page_notice:
        notices.append(page_notice)
    marked = snippets.highlight(shown_items, searched.postgres_text if searched else q, known)
    hits = [Hit(item, marked.get(item.pk, "")) for item in shown_items]
    prepared = meanwhile(hits) if meanwhile else None
    # What needs no facet comes first: the index may still be counting them on the other thread.
    people = _people_named(q) if q else []
    suggestions = _suggestions(q, data, reading) if q and not counts.total and not case else []

    labels = _option_labels(reading, counts)
    if "sagstype" in valid and not counts.total and (nearest := nearest_case_type(valid["sagstype"])):
        notices.append(_nearest_case_type(valid, nearest))
    return SearchPage(
        q=q,
        sort=sort,
        total=counts.total,
        approximate=counts.approximate,
        window=RESULT_WINDOW if counts.approximate else None,
        hits=hits,
        number=number,
        pages=paginator.num_pages,
        count=paginator.count,
        per_page=per_page,
        facets=_facets(data, counts, labels),
        chips=_chips(data, filterset, labels),
        notices=notices,
        suggestions=suggestions,
        people=people,
        invalid=invalid,
        problems=problems,
        query=querystring(data, side=None),
        case=case,
        applied=list(searched.applied) if searched else [],
        searched=searched.text if searched else "",
        prepared=prepared,
    )


def _from_postgres(filterset, valid, q, sort, reading, per_page, requested, known):
    """The page's counts and items from PostgreSQL alone: exact below facets.EXACT_BELOW hits,
    estimated above, the most relevant of the newest RESULT_WINDOW hits listed."""
    counts = facets.facet_counts(valid, known_queries=known, rows=reading.rows)

    items, shown = filterset.qs, counts.total
    if counts.approximate:
        oldest_first = sort == "aeldste"
        if filterset.form.cleaned_data.get("aar") is None:  # a chosen year is its own cut
            items = items.filter(facets.date_cutoff(counts.facets["aar"], 2 * RESULT_WINDOW, oldest_first))
        by_date = ("meeting_date", "id") if oldest_first else ("-meeting_date", "-id")
        window = items.order_by(*by_date).values("pk")[:RESULT_WINDOW]
        items = query.ranked(AgendaItem.objects.filter(pk__in=window), q, known)
        shown = RESULT_WINDOW  # estimated counts are far above it (EXACT_BELOW)
    items = items.select_related("meeting__body", "case").defer(*HIT_DEFERRED).order_by(*SORT_ORDER[sort])
    paginator = CountedPaginator(items, per_page, shown)
    number, page_notice = _page_number(paginator, requested)
    rows = paginator.page(number)
    with transaction.atomic():
        if counts.approximate and facets.is_frequent(q, known):
            # Its GIN posting lists hold hundreds of thousands of items, and reading them costs more
            # than walking the date (or body and date) index until the window is full.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_bitmapscan = off")
        shown_items = list(rows.object_list)
    return counts, paginator, number, page_notice, shown_items


def _from_index(searcher, filterset, q, sort, reading, per_page, requested, known):
    """The page's counts and items from the search index: every count exact, every hit ranked."""
    parts = indexed.filter_parts(filterset, reading.rows)
    # The facets are counted on the other core while the hits of the asked page are searched (counted
    # with them) and read; a page past the last is searched again once the total says which is last.
    pending = indexed.start_facets(searcher, q, parts, known)
    guess = int(requested) if str(requested or "").isdigit() and int(requested) > 0 else 1
    found = indexed.search(searcher, q, parts, sort, (guess - 1) * per_page, per_page, known)
    paginator = CountedPaginator(AgendaItem.objects.none(), per_page, found.total)
    number, page_notice = _page_number(paginator, requested)
    if number != guess:
        found = indexed.search(
            searcher, q, parts, sort, (number - 1) * per_page, per_page, known, found.total
        )
    shown_items = hit_items(found.ids)
    return PendingCounts(found.total, pending), paginator, number, page_notice, shown_items


class PendingCounts:
    """facets.Counts of the index, whose facets are still being counted on the other thread: the
    snippets are read meanwhile, and the facets are waited for when first asked for."""

    approximate = False
    estimated: set[str] = frozenset()

    def __init__(self, total: int, pending):
        self.total, self._pending = total, pending

    @cached_property
    def counted(self) -> indexed.Counted:
        return indexed.counted_facets(self._pending)

    @property
    def facets(self) -> dict[str, list[tuple[str, int]]]:
        return self.counted.facets

    @property
    def names(self) -> dict[str, dict[str, str]]:
        """The names of the bodies and of the people in the facets, read with the facets' values."""
        return self.counted.names


def _searched_text(filterset: ItemFilter) -> str:
    """The text query the filter set applies (cleaned): none when ``q`` is invalid and so ignored."""
    if "q" in filterset.errors:
        return ""
    return query.clean_query(filterset.form.cleaned_data.get("q") or "")


def _page_number(paginator, side) -> tuple[int, Notice | None]:
    """The page to show, and a notice when the asked one doesn't exist (never silently page 1)."""
    if side in (None, ""):
        return 1, None
    try:
        return paginator.validate_number(side), None
    except PageNotAnInteger:
        return 1, Notice(f"«{side}» er ikke et sidenummer; her er side 1.")
    except EmptyPage:
        last = paginator.num_pages
        return last, Notice(
            f"Side {side} findes ikke: søgningen har {last} {'side' if last == 1 else 'sider'}. "
            f"Her er den sidste."
        )


def querystring(params, **changes) -> str:
    """The GET parameters with some changed (None removes one; a changed one goes last), as a URL query
    string, as QueryDict.urlencode writes it. Without copying the QueryDict (a deep copy): a results
    page makes one for each of its ~80 facet options."""
    pairs = [(name, value) for name, values in params.lists() if name not in changes for value in values]
    for name, value in changes.items():
        if value is not None:
            pairs.extend((name, each) for each in (value if isinstance(value, list) else [value]))
    return urlencode(pairs)


def unknown_problem(unknown) -> Problem:
    """An unknown value as the reason a caller that refuses it (the API, the CSV, the feed) gives."""
    nearest = f" Nærmeste: {unknown.nearest_label}." if unknown.nearest else ""
    english = f" Nearest: {unknown.nearest_label} ({unknown.nearest})." if unknown.nearest else ""
    return Problem(
        unknown.name,
        f"Parameteren «{unknown.name}»",
        f"arkivet kender ikke «{unknown.value}».{nearest}",
        f"unknown value {unknown.value!r}.{english}",
    )


def _unknown_notice(unknown, data) -> Notice:
    what = FILTER_WORDS.get(unknown.name, unknown.name)
    text = f"Arkivet kender ikke {what} «{unknown.value}», så det filter er ikke brugt."
    links = []
    if unknown.nearest:
        chosen = [*data.getlist(unknown.name), unknown.nearest]
        url = reverse("minutes:search") + "?" + querystring(data, **{unknown.name: chosen, "side": None})
        links.append(Link(f"Mente du {unknown.nearest_label}?", url))
    return Notice(text, links)


def _nearest_case_type(data, nearest) -> Notice:
    url = reverse("minutes:search") + "?" + querystring(data, sagstype=nearest, side=None)
    return Notice(f"Ingen punkter har sagstypen «{data['sagstype']}».", [Link(f"Mente du {nearest}?", url)])


def _meaning_notices(searched: Meaning, data) -> list[Notice]:
    """What the page says about the steps search took beyond the typed words, with a way back."""
    notices = []
    verbatim = Link(
        "Søg kun efter det, du skrev",
        reverse("minutes:search") + "?" + querystring(data, **{VERBATIM: "1", "side": None}),
    )
    corrected = [step for step in searched.applied if step.kind == "corrected"]
    if corrected:
        shown = searched.typed
        for step in corrected:
            shown = _replace_word(shown, step.word, step.words[0])
        notices.append(
            Notice(
                f"Viser resultater for «{shown}».",
                [Link(f"Søg i stedet efter «{searched.typed}»", verbatim.url)],
            )
        )
    for step in searched.applied:
        if step.kind == "split":
            notices.append(
                Notice(
                    f"«{step.word}» står ikke i arkivet; søgte efter «{' '.join(step.words)}».", [verbatim]
                )
            )
        elif step.kind == "synonyms":
            others = ", ".join(f"«{word}»" for word in step.words[:MAX_SHOWN_SYNONYMS])
            more = " m.fl" if len(step.words) > MAX_SHOWN_SYNONYMS else ""
            notices.append(
                Notice(
                    f"Søgte også efter ord med samme betydning som «{step.word}»: {others}{more}.", [verbatim]
                )
            )
    relaxed = next((step for step in searched.applied if step.kind == "relaxed"), None)
    if relaxed and relaxed.count:
        all_words = "ét punkt" if relaxed.count == 1 else f"{relaxed.count} punkter"
        notices.append(
            Notice(
                f"Kun {all_words} indeholder alle ordene; derefter vises punkter med de fleste af dem.",
                [verbatim],
            )
        )
    elif relaxed:
        notices.append(
            Notice("Ingen punkter indeholder alle ordene; viser punkter med de fleste af dem.", [verbatim])
        )
    return notices


MAX_SHOWN_SYNONYMS = 6


def _replace_word(text: str, word: str, replacement: str) -> str:
    return re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", replacement, text, flags=re.IGNORECASE)


def _with_text(data, text: str):
    rewritten = data.copy()
    rewritten["q"] = text
    return rewritten


def _option_labels(reading: Reading, counts) -> dict[str, dict[str, str]]:
    """How filter values read to a person: slugs as names, decision types in Danish."""
    names = getattr(counts, "names", None)  # the index's facets come with them
    if names is not None:
        people, bodies = names["people"], names["bodies"]
    else:
        shown = {slug for slug, _ in counts.facets.get("deltager", [])} - set(reading.labels["deltager"])
        people, bodies = {}, {}
        with connection.cursor() as cursor:  # one round trip for both
            cursor.execute(
                "SELECT true, slug, name FROM minutes_body"
                " UNION ALL SELECT false, slug, name FROM minutes_person WHERE slug = ANY(%s)",
                [sorted(shown)],
            )
            for is_body, slug, name in cursor.fetchall():
                (bodies if is_body else people)[slug] = name
    return {
        "deltager": {**people, **reading.labels["deltager"]},
        "udvalg": bodies,
        "behandles_af": bodies,
        "beslutning": dict(DecisionType.choices),
        "status": dict(OPEN_OR_CLOSED),
    }


def _facets(data, counts, labels) -> list[Facet]:
    result = []
    for name, options in counts.facets.items():
        chosen_values = data.getlist(name)
        links = []
        for value, count in options:
            value = str(value)
            chosen = value in chosen_values
            if name == "beslutning":  # several decision types combine
                new = [v for v in chosen_values if v != value] if chosen else [*chosen_values, value]
            else:
                new = None if chosen else value
            label = labels.get(name, {}).get(value, value)
            query = querystring(data, **{name: new or None, "side": None})
            links.append(FacetOption(value, label, count, query, chosen))
        if links:
            result.append(Facet(name, FACET_LABELS[name], name in counts.estimated, links))
    return result


def _chips(data, filterset, labels) -> list[Chip]:
    """Chips for the filters in use. Invalid values are reported instead."""
    chips = []
    for name, form_field in filterset.form.fields.items():
        if name == "q" or name in filterset.errors:
            continue
        values = [v for v in data.getlist(name) if v]
        for value in values:
            remaining = [v for v in values if v != value] or None
            text = f"{form_field.label}: {labels.get(name, {}).get(value, value)}"
            chips.append(Chip(text, querystring(data, **{name: remaining, "side": None})))
    return chips


def _suggestions(q, data, reading) -> list[Suggestion]:
    """What to try when a query found nothing: words with what they'd find, people and bodies as pages."""
    found = []
    for nearest in terms.suggestions(q):
        if nearest.kind == "person":
            found.append(
                Suggestion(nearest.text, "person", reverse("minutes:person_detail", args=[nearest.slug]))
            )
        elif nearest.kind == "body":
            found.append(
                Suggestion(nearest.text, "body", reverse("minutes:body_detail", args=[nearest.slug]))
            )
        else:
            hits, approximate = facets.count_items(nearest.text, _without_text(data), reading.rows)
            url = reverse("minutes:search") + "?" + querystring(data, q=nearest.text, side=None)
            found.append(Suggestion(nearest.text, "word", url, hits, approximate))
    return found


def _without_text(data):
    others = data.copy()
    others.pop("q", None)
    others.pop("side", None)
    others.pop("sortering", None)
    return others


def _people_named(q: str) -> list[Person]:
    """People whose name or surname is the query ("Gravesen", "michael gravesen"): participants are not
    in the items' text, so their pages (every meeting they attended) are what such a search wants."""
    text = " ".join(q.split())
    if len(text) < 3 or len(text) > 200 or any(ch in text for ch in '"-'):
        return []
    return find_people(text)[:5]
