"""Pages for browsing the archive: front page, years, meetings, items, cases, people and bodies.

Every list that can grow with the archive is paginated or capped, and every query is bounded
by an index (meeting date, the (body, date, start time) unique key, the foreign keys), so the
pages stay fast with 100,000 meetings and 1,000,000 items. Full-text search lives in search.py.
"""

import datetime

from django import forms
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, F, Max, Min, Prefetch, Q
from django.db.models.functions import ExtractYear, Left
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from minutes import search
from minutes.bad_requests import form_problems, refuse
from minutes.filters import (
    FIRST_YEAR,
    LAST_YEAR,
    OPEN_OR_CLOSED,
    SORTS,
    case_searched,
    count_items,
    run_search,
)
from minutes.models import (
    AgendaItem,
    Attendance,
    Body,
    Case,
    DecisionType,
    Meeting,
    OtherDecision,
    Person,
    Treatment,
)

MEETINGS_PER_PAGE = 50
ITEMS_PER_PAGE = 50
NEWEST_MEETINGS = 10
TREATED_ITEMS_ON_BODY_PAGE = 20


def with_item_counts(meetings):
    """Set ``item_count`` on a page of meetings (a list or a Page) with one grouped query.

    Counted for the shown rows only, through the item table's meeting index: an annotation
    (a join with GROUP BY, or a correlated subquery) would also be computed for every row an
    OFFSET skips, which makes page 500 of a body's meetings slow.
    """
    meetings = list(meetings)
    counts = dict(
        AgendaItem.objects.filter(meeting__in=[meeting.pk for meeting in meetings])
        .values_list("meeting")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for meeting in meetings:
        meeting.item_count = counts.get(meeting.pk, 0)
    return meetings


def page_of(request, objects, per_page):
    return Paginator(objects, per_page).get_page(request.GET.get("side"))


def item_sections(items):
    """What the item sections (_item_sections.html) touch, in one query per relation."""
    return items.select_related("case").prefetch_related(
        "attachments",
        Prefetch("treatments", queryset=Treatment.objects.select_related("body")),
        Prefetch("other_decisions", queryset=OtherDecision.objects.select_related("body")),
    )


def home(request):
    # Counting 1,000,000 items is a scan of 100-300 ms; in production the page cache (page_cache.py)
    # keeps the rendered page until the archive changes. Nothing else here reads more than the
    # newest meetings.
    totals = Meeting.objects.aggregate(meetings=Count("pk"), first=Min("date"), last=Max("date"))
    totals["items"] = AgendaItem.objects.count()
    newest = Meeting.objects.select_related("body").order_by("-date", "-start_time")[:NEWEST_MEETINGS]
    newest = with_item_counts(newest)
    return render(request, "minutes/home.html", {"totals": totals, "newest": newest})


RESULTS_PER_PAGE = 20


def search_page(request):
    if case := case_searched(request.GET):  # its page lists every meeting the case came up at
        return redirect("minutes:case_detail", number=case.number)
    results = run_search(request.GET, RESULTS_PER_PAGE)
    q, counts, known = results.q, results.counts, results.known
    filterset = results.filterset
    try:
        number = results.paginator.validate_number(request.GET.get("side"))
    except PageNotAnInteger:  # as Paginator.get_page: the first page, or the last for a number past it
        number = 1
    except EmptyPage:
        number = results.paginator.num_pages
    page = results.page(number)
    snippets = search.highlight(page.object_list, q, known)
    for item in page.object_list:
        item.snippet = snippets.get(item.pk)
    suggestions = []
    if q and not counts.total:
        for word in search.suggestions(q):
            hits, approximate = count_items(word)
            suggestions.append((word, hits, approximate, querystring(request.GET, q=word, side=None)))
    labels = option_labels(
        counts.facets.get("deltager", []) + [(v, 0) for v in request.GET.getlist("deltager")]
    )
    context = {
        "q": q,
        "filterset": filterset,
        "page": page,
        "total": counts.total,
        "approximate": counts.approximate,
        "window": results.window,
        "sort": results.sort,
        "sorts": SORTS,
        "facets": facet_links(request.GET, counts, labels),
        "chips": active_filters(request.GET, filterset, labels),
        "invalid": [(filterset.form.fields[name].label, errors) for name, errors in filterset.errors.items()],
        "suggestions": suggestions,
        "page_query": querystring(request.GET, side=None),
        # As pairs: in a template, request.GET.lists would be the parameter "lists" when there is one.
        "params": [(name, value) for name, values in request.GET.lists() for value in values],
    }
    return render(request, "minutes/search_results.html", context)


def querystring(params, **changes) -> str:
    """The GET parameters with some changed (None removes one), as a URL query string."""
    data = params.copy()
    for name, value in changes.items():
        data.pop(name, None)
        if value is not None:
            data.setlist(name, value if isinstance(value, list) else [value])
    return data.urlencode()


FACET_LABELS = {
    "aar": "År",
    "udvalg": "Udvalg",
    "deltager": "Mødedeltager",
    "beslutning": "Beslutning",
    "behandles_af": "Behandles af",
    "sagstype": "Sagstype",
    "status": "Åbne/lukkede",
}


def option_labels(people=()) -> dict[str, dict[str, str]]:
    """How filter values read to a person: slugs as names, decision types in Danish.

    ``people``: the (slug, count) options of the participant facet; only their names are read.
    """
    bodies = dict(Body.objects.values_list("slug", "name"))
    return {
        "deltager": dict(
            Person.objects.filter(slug__in=[slug for slug, _ in people]).values_list("slug", "name")
        ),
        "udvalg": bodies,
        "behandles_af": bodies,
        "beslutning": dict(DecisionType.choices),
        "status": dict(OPEN_OR_CLOSED),
    }


def facet_links(params, counts, labels):
    """Each facet as (heading, estimated, options); an option is (label, count, toggling URL, chosen)."""
    facets = []
    for name, options in counts.facets.items():
        chosen_values = params.getlist(name)
        links = []
        for value, count in options:
            value = str(value)
            chosen = value in chosen_values
            if name == "beslutning":  # several decision types combine
                new = [v for v in chosen_values if v != value] if chosen else [*chosen_values, value]
            else:
                new = None if chosen else value
            label = labels.get(name, {}).get(value, value)
            links.append((label, count, querystring(params, **{name: new or None, "side": None}), chosen))
        if links:
            facets.append((FACET_LABELS[name], name in counts.estimated, links))
    return facets


def active_filters(params, filterset, labels):
    """Chips for the filters in use: (text, URL without it). Invalid values are reported instead."""
    chips = []
    errors = filterset.errors
    for name, field in filterset.form.fields.items():
        if name == "q" or name in errors:
            continue
        values = [v for v in params.getlist(name) if v]
        for value in values:
            remaining = [v for v in values if v != value] or None
            text = f"{field.label}: {labels.get(name, {}).get(value, value)}"
            chips.append((text, querystring(params, **{name: remaining, "side": None})))
    return chips


def year_list(request):
    years = (
        Meeting.objects.annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(meetings=Count("pk"))
        .order_by("-year")
    )
    return render(request, "minutes/year_list.html", {"years": years})


def year_detail(request, year):
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        raise Http404("Året findes ikke")
    # date__year becomes a BETWEEN on the date, which the meeting date index serves.
    meetings = Meeting.objects.filter(date__year=year).select_related("body").order_by("date", "start_time")
    page = page_of(request, meetings, MEETINGS_PER_PAGE)
    if not page.object_list:
        raise Http404("Arkivet har ingen møder fra det år")
    context = {"year": year, "page": page, "meetings": with_item_counts(page)}
    return render(request, "minutes/year_detail.html", context)


# The meeting page shows at most this much of each text of an item; the item's own page shows it all.
# A referat may hold items of up to 400,000 characters (importer.MAX_ITEM_CHARACTERS): cut in the
# database, such a meeting's page stays as small and fast as any other.
MEETING_SECTION_CHARS = 6_000
SECTION_FIELDS = ("decision", "summary", "recommendation", "presentation", "economic_consequences")


def _excerpts(items):
    """Items whose texts are read cut to MEETING_SECTION_CHARS; ``item.cut`` says if any was."""
    excerpts = {f"{name}_excerpt": Left(name, MEETING_SECTION_CHARS + 1) for name in SECTION_FIELDS}
    rows = list(items.defer(*SECTION_FIELDS).annotate(**excerpts))
    for item in rows:
        item.cut = False
        for name in SECTION_FIELDS:
            text = getattr(item, f"{name}_excerpt")
            if len(text) > MEETING_SECTION_CHARS:
                item.cut = True
                text = text[:MEETING_SECTION_CHARS].rsplit(" ", 1)[0] + " …"
            setattr(item, name, text)
    return rows


def meeting_detail(request, pk):
    meeting = get_object_or_404(Meeting.objects.select_related("body"), pk=pk)
    attendances = meeting.attendances.select_related("person")
    items = _excerpts(item_sections(meeting.items.order_by("number")))
    context = {
        "meeting": meeting,
        "attendances": attendances,
        "items": items,
        "previous": neighbour(meeting, earlier=True),
        "next": neighbour(meeting, earlier=False),
    }
    return render(request, "minutes/meeting_detail.html", context)


def neighbour(meeting, *, earlier):
    """The body's meeting just before or after this one, ordered by date then start time.

    A meeting without a start time comes before the day's timed meetings. The lookup uses
    the (body, date, start time) unique index.
    """
    date, time = meeting.date, meeting.start_time
    if earlier:
        condition = Q(date__lt=date)
        if time is not None:
            condition |= Q(date=date, start_time__lt=time) | Q(date=date, start_time=None)
        bound = Q(date__lte=date)
        order = ["-date", F("start_time").desc(nulls_last=True)]
    else:
        condition = Q(date__gt=date)
        if time is None:
            condition |= Q(date=date, start_time__isnull=False)
        else:
            condition |= Q(date=date, start_time__gt=time)
        bound = Q(date__gte=date)
        order = ["date", F("start_time").asc(nulls_first=True)]
    # The plain date bound is what gives the index scan a range to start from.
    candidates = Meeting.objects.filter(condition, bound, body_id=meeting.body_id)
    return candidates.order_by(*order).only("pk", "date", "start_time").first()


def item_detail(request, pk):
    items = item_sections(AgendaItem.objects.select_related("meeting__body"))
    item = get_object_or_404(items, pk=pk)
    return render(request, "minutes/item_detail.html", {"item": item, "meeting": item.meeting})


def find_case(number: str) -> Case | None:
    """The case with this number as written or typed another way ("24-3210" finds 24-003210)."""
    return (
        Case.objects.filter(number=number).first() or Case.objects.filter(key=search.case_key(number)).first()
    )


def case_detail(request, number):
    case = find_case(number)
    if case is None:
        raise Http404("Ingen sag med det nummer")
    if case.number != number:  # typed another way: send the reader to the number as written
        return redirect("minutes:case_detail", number=case.number)
    items = (
        case.items.select_related("meeting__body")
        .prefetch_related(Prefetch("other_decisions", queryset=OtherDecision.objects.select_related("body")))
        .order_by("meeting__date", "meeting__start_time", "number")
    )
    page = page_of(request, items, ITEMS_PER_PAGE)
    return render(request, "minutes/case_detail.html", {"case": case, "page": page})


class YearForm(forms.Form):
    aar = forms.IntegerField(label="År", required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR)


def person_detail(request, slug):
    person = get_object_or_404(Person, slug=slug)
    form = YearForm(request.GET)
    if not form.is_valid():
        return refuse(request, form_problems(form))
    per_year = meetings_per_year(person)
    meetings = Meeting.objects.filter(attendances__person=person).select_related("body")
    year = form.cleaned_data["aar"]
    year = year if year in per_year else None  # a year without meetings shows them all
    if year:  # "every meeting she attended in 2024"
        meetings = meetings.filter(date__year=year)
    page = page_of(request, meetings.order_by("-date", "-start_time"), MEETINGS_PER_PAGE)
    groups = {}
    for meeting in page:
        groups.setdefault(meeting.date.year, []).append(meeting)
    context = {
        "person": person,
        "years": sorted(per_year.items(), reverse=True),
        "total": sum(per_year.values()),
        "year": year,
        "keep": f"aar={year}&" if year else "",  # the pages of one year stay in that year
        "groups": [(year, per_year.get(year, 0), rows) for year, rows in groups.items()],
        "page": page,
    }
    return render(request, "minutes/person_detail.html", context)


def meetings_per_year(person) -> dict[int, int]:
    """How many meetings a person attended in each year."""
    return dict(
        Attendance.objects.filter(person=person)
        .values(year=ExtractYear("meeting__date"))
        .annotate(n=Count("pk"))
        .values_list("year", "n")
        .order_by()
    )


def with_meeting_spans(bodies):
    """Bodies with ``meeting_count`` and the dates of their ``first`` and ``last`` meeting, by name."""
    return bodies.annotate(
        meeting_count=Count("meetings"), first=Min("meetings__date"), last=Max("meetings__date")
    ).order_by("name")


def body_list(request):
    bodies = with_meeting_spans(Body.objects.all())
    return render(request, "minutes/body_list.html", {"bodies": bodies})


def treated_items(body):
    """The items a body treats (its Behandling lines), newest meeting first."""
    return (
        Treatment.objects.filter(body=body)
        .select_related("item__meeting__body")
        .order_by("-item__meeting__date", "-item__meeting__start_time", "item__number")
    )


def body_detail(request, slug):
    body = get_object_or_404(Body, slug=slug)
    meetings = body.meetings.select_related("body").order_by("-date", "-start_time")
    page = page_of(request, meetings, MEETINGS_PER_PAGE)
    # Capped: the full, paginated list is on body_items.
    treatments = list(treated_items(body)[: TREATED_ITEMS_ON_BODY_PAGE + 1])
    context = {
        "body": body,
        "page": page,
        "meetings": with_item_counts(page),
        "treatments": treatments[:TREATED_ITEMS_ON_BODY_PAGE],
        "more_treatments": len(treatments) > TREATED_ITEMS_ON_BODY_PAGE,
    }
    return render(request, "minutes/body_detail.html", context)


def body_items(request, slug):
    body = get_object_or_404(Body, slug=slug)
    # The page count is a COUNT over the treatment table's body index, no join.
    page = page_of(request, treated_items(body), ITEMS_PER_PAGE)
    return render(request, "minutes/body_items.html", {"body": body, "page": page})
