"""Pages for browsing the archive: front page, search, years, meetings, items, cases, people and bodies.

Thin: each view reads its request, asks one function (search.page.search_page, or the models'
QuerySet methods) and renders. Every list that can grow with the archive is paginated or capped, and
every query is bounded by an index (meeting date, the (body, date, start time) unique key, the
foreign keys), so the pages stay fast with 100,000 meetings and 1,000,000 items. Lists are newest
first everywhere.
"""

import datetime
import re

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, Prefetch
from django.db.models.functions import ExtractYear, Left
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe

from minutes import versions
from minutes.bad_requests import form_problems, refuse
from minutes.models import AgendaItem, Body, Case, Meeting, OtherDecision, Person, Treatment
from minutes.search.filters import FIRST_YEAR, LAST_YEAR, SORTS, TYPED_FILTERS
from minutes.search.hits import case_items
from minutes.search.page import search_page as run_search_page

MEETINGS_PER_PAGE = 50
ITEMS_PER_PAGE = 50
NEWEST_MEETINGS = 10
TREATED_ITEMS_ON_BODY_PAGE = 20


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
    return render(
        request, "minutes/home.html", {"totals": totals, "newest": Meeting.objects.with_item_counts(newest)}
    )


def _partial(name: str, context: dict) -> str:
    """A Jinja2 partial (archive_site/jinja2.py) for a Django template: Jinja2 has escaped every value
    as it rendered (autoescape), so its HTML goes in as it is."""
    return mark_safe(render_to_string(name, context, using="jinja2"))  # noqa: S308 (escaped by Jinja2)


def _rendered_hits(hits) -> str:
    return _partial("minutes/_hits.html", {"hits": hits})


def search_page(request):
    # The hits are rendered while the search index counts the facets on another thread.
    result = run_search_page(request.GET, stop_at_case=True, meanwhile=_rendered_hits)
    if result.case:  # its page lists every meeting the case came up at
        return redirect(result.case)
    # The search's own parameters (slugs for names, unknown values left out) are the base of its
    # links ({% querystring canonical side=2 %}): request.GET would repeat what was typed.
    canonical = QueryDict(result.query)
    context = {
        "result": result,
        "canonical": canonical,
        "sorts": SORTS,
        # As pairs: in a template, canonical.lists would be the parameter "lists" when there is one.
        "params": [(name, value) for name, values in canonical.lists() for value in values],
        "filter_fields": [(name, label, request.GET.get(name, "")) for name, label in TYPED_FILTERS.items()],
        "facets": _partial("minutes/_facets.html", {"facets": result.facets}),
    }
    return render(request, "minutes/search_results.html", context)


def search_tips(request):
    return render(request, "minutes/search_tips.html")


def year_list(request):
    years = (
        Meeting.objects.annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(meetings=Count("pk"))
        .order_by("-year")
    )
    return render(request, "minutes/year_list.html", {"years": years})


def year_detail(request, year):
    """A year's meetings, newest first; ``?udvalg=<slug>`` narrows them to one body."""
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        raise Http404("Året findes ikke")
    # date__year becomes a BETWEEN on the date, which the meeting date index serves.
    meetings = Meeting.objects.filter(date__year=year)
    bodies = list(
        Body.objects.filter(meetings__date__year=year).annotate(n=Count("meetings")).order_by("name")
    )
    if not bodies:
        raise Http404("Arkivet har ingen møder fra det år")
    bodies = [(body, body.n) for body in bodies]
    body = next((b for b, _ in bodies if b.slug == request.GET.get("udvalg")), None)
    unknown_body = request.GET.get("udvalg") if request.GET.get("udvalg") and body is None else ""
    if body:
        meetings = meetings.filter(body=body)
    page = page_of(request, meetings.select_related("body").newest_first(), MEETINGS_PER_PAGE)
    context = {
        "year": year,
        "page": page,
        "meetings": Meeting.objects.with_item_counts(page),
        "bodies": bodies,
        "body": body,
        "unknown_body": unknown_body,
    }
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
    meeting = get_object_or_404(Meeting.objects.select_related("body", "source_file"), pk=pk)
    attendances = meeting.attendances.select_related("person")
    items = _excerpts(item_sections(meeting.items.order_by("number")))
    context = {
        "meeting": meeting,
        "attendances": attendances,
        "items": items,
        "previous": Meeting.objects.neighbour(meeting, earlier=True),
        "next": Meeting.objects.neighbour(meeting, earlier=False),
        "source": source_download(meeting),
        "corrections": corrections(meeting),
    }
    return render(request, "minutes/meeting_detail.html", context)


# Names the archive gave files itself (the upload's stored copies, "000_fca47c908a356a01.txt"): never a
# label a reader should see.
INTERNAL_NAME = re.compile(r"^\d+_[0-9a-f]{12,}\.\w+$")


def source_download(meeting) -> dict:
    """The original referat as published: the uploaded file when the archive keeps it, else the text
    it was read from. ``name`` is the municipality's own file name, never an internal one."""
    if meeting.source_file_id:
        name = meeting.source_file.original_name
        return {
            "name": name,
            "kind": meeting.source_file.get_kind_display(),
            "size": meeting.source_file.size,
        }
    name = meeting.source_name.replace("\\", "/").rsplit("/", 1)[-1]
    if INTERNAL_NAME.match(name) or not name:
        name = f"referat-{meeting.body.slug}-{meeting.date.isoformat()}.txt"
    elif not name.lower().endswith(".txt"):
        name = name.rsplit(".", 1)[0] + ".txt"
    return {"name": name, "kind": "Tekst", "size": None}


def meeting_source(request, pk):
    """The original referat of a meeting, downloaded under the name the municipality gave it."""
    meeting = get_object_or_404(Meeting.objects.select_related("body", "source_file"), pk=pk)
    name = source_download(meeting)["name"]
    if meeting.source_file_id:
        try:
            handle = meeting.source_file.file.open("rb")
        except FileNotFoundError:
            handle = None
        if handle is not None:
            kind = "application/pdf" if meeting.source_file.kind == "pdf" else "text/plain; charset=utf-8"
            return FileResponse(handle, as_attachment=True, filename=name, content_type=kind)
        name = name.rsplit(".", 1)[0] + ".txt"
    response = HttpResponse(meeting.raw_text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = _attachment(name)
    return response


def _attachment(name: str) -> str:
    return content_disposition_header(as_attachment=True, filename=name)


def corrections(meeting) -> list[dict]:
    """The meeting's earlier versions, newest first, each with what the next version changed."""
    earlier = list(meeting.versions.order_by("-replaced_at"))
    if not earlier:
        return []
    newer = versions.snapshot(meeting)
    found = []
    for version in earlier:
        found.append(
            {"version": version, "changes": versions.describe(versions.diff(version.content, newer))}
        )
        newer = version.content
    return found


def item_detail(request, pk):
    items = item_sections(AgendaItem.objects.select_related("meeting__body"))
    item = get_object_or_404(items, pk=pk)
    return render(request, "minutes/item_detail.html", {"item": item, "meeting": item.meeting})


class _CaseItems:
    """A case's items for its page's Paginator: counted, and a page of them read in one statement with
    their meetings and the other bodies' decisions (search/hits.py; the ORM's select_related and
    prefetch compiled two joins for every page, a third of its time). Only what the page shows is
    read: not the long texts, nor each meeting's whole referat."""

    def __init__(self, case: Case):
        self.case = case

    def count(self) -> int:
        return AgendaItem.objects.filter(case=self.case).count()

    def __getitem__(self, window: slice) -> list[AgendaItem]:
        return case_items(self.case.pk, window.start, window.stop - window.start)


def case_detail(request, number):
    case = Case.objects.find(number)
    if case is None:
        raise Http404("Ingen sag med det nummer")
    if case.number != number:  # typed another way: send the reader to the number as written
        return redirect(case)
    page = page_of(request, _CaseItems(case), ITEMS_PER_PAGE)
    return render(request, "minutes/case_detail.html", {"case": case, "page": page})


class YearForm(forms.Form):
    aar = forms.IntegerField(label="År", required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR)


def person_detail(request, slug):
    person = get_object_or_404(Person, slug=slug)
    form = YearForm(request.GET)
    if not form.is_valid():
        return refuse(request, form_problems(form))
    attended = Meeting.objects.filter(attendances__person=person)
    per_year = attended.per_year()
    meetings = attended.select_related("body")
    year = form.cleaned_data["aar"]
    year = year if year in per_year else None  # a year without meetings shows them all
    if year:  # "every meeting she attended in 2024"
        meetings = meetings.filter(date__year=year)
    page = page_of(request, meetings.newest_first(), MEETINGS_PER_PAGE)
    groups = {}
    for meeting in page:
        groups.setdefault(meeting.date.year, []).append(meeting)
    context = {
        "person": person,
        "years": sorted(per_year.items(), reverse=True),
        "total": sum(per_year.values()),
        "year": year,
        "groups": [(year, per_year.get(year, 0), rows) for year, rows in groups.items()],
        "page": page,
    }
    return render(request, "minutes/person_detail.html", context)


def body_list(request):
    return render(request, "minutes/body_list.html", {"bodies": Body.objects.with_meeting_spans()})


def treated_items(body):
    """The items a body treats (its Behandling lines), newest meeting first."""
    return (
        Treatment.objects.filter(body=body)
        .select_related("item__meeting__body")
        .order_by("-item__meeting__date", "-item__meeting__start_time", "item__number")
    )


def body_detail(request, slug):
    body = get_object_or_404(Body, slug=slug)
    meetings = body.meetings.select_related("body").newest_first()
    page = page_of(request, meetings, MEETINGS_PER_PAGE)
    # Capped: the full, paginated list is on body_items.
    treatments = list(treated_items(body)[: TREATED_ITEMS_ON_BODY_PAGE + 1])
    context = {
        "body": body,
        "page": page,
        "meetings": Meeting.objects.with_item_counts(page),
        "years": sorted(body.meetings.per_year().items(), reverse=True),
        "treatments": treatments[:TREATED_ITEMS_ON_BODY_PAGE],
        "more_treatments": len(treatments) > TREATED_ITEMS_ON_BODY_PAGE,
    }
    return render(request, "minutes/body_detail.html", context)


def body_items(request, slug):
    body = get_object_or_404(Body, slug=slug)
    # The page count is a COUNT over the treatment table's body index, no join.
    page = page_of(request, treated_items(body), ITEMS_PER_PAGE)
    return render(request, "minutes/body_items.html", {"body": body, "page": page})


def feed_stylesheet(request):
    """The XSLT that shows an Atom feed opened in a browser as a Danish page (same origin, for the CSP)."""
    return render(request, "minutes/feed.xsl", content_type="text/xsl; charset=utf-8")
