"""The archive as JSON, read-only, under /api/ (django-ninja: the OpenAPI schema is generated from it).

Search takes exactly the parameters of the search page (``/soeg/?q=budget&udvalg=direktionen``)
and runs the same code (filters.run_search), so both list the same items in the same order;
``antal`` (at most MAX_PER_PAGE) sets the page size. Every object carries its stable id, the
URL of its public page and, where there is one, the URL of its own API object.

Bad parameters get a 400 with each field and the reason, unknown objects a 404, both as JSON.
"""

import datetime
import re
from typing import Annotated, Literal

from django.core.paginator import EmptyPage, Paginator
from django.db.models import Count, Max, Min
from django.http import Http404, QueryDict
from django.shortcuts import render
from django.urls import reverse
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import HttpError, ValidationError
from ninja.renderers import JSONRenderer
from pydantic import BeforeValidator

from minutes import versions
from minutes.bad_requests import CONTROL_RANGES, api_error
from minutes.models import AgendaItem, Attendance, Body, Case, DecisionType, Meeting, Person
from minutes.search.filters import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_CASE_NUMBER_LENGTH,
    MAX_CASE_TYPE_LENGTH,
    MAX_SLUG_LENGTH,
    OPEN_OR_CLOSED,
    SORTS,
    read_filters,
)
from minutes.search.page import RESULTS_PER_PAGE, search_page, search_problems, unknown_problem

DEFAULT_PER_PAGE = RESULTS_PER_PAGE  # the search page's own page size
MAX_PER_PAGE = 100


class Utf8JSON(JSONRenderer):
    """JSON with Danish letters as they are ("Økonomiudvalget", not "\\u00d8konomiudvalget"); UTF-8."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=Utf8JSON(),
    title="Referatarkivet API",
    version="1",
    description=(
        "Læseadgang som JSON til Kalundborg Kommunes referater: søgning med søgesidens parametre, møder, "
        "dagsordenspunkter, sager med deres forløb, personer og udvalg. Hvert objekt har et fast `id`, "
        "adressen på sin offentlige side (`url`) og, hvor der er en, sin adresse i API'et (`api_url`). "
        f"Lister deles i sider med `side` (fra 1) og `antal` (sidestørrelse, højst {MAX_PER_PAGE}). Fejl er "
        "JSON: 400 nævner hver forkert parameter og hvorfor, 404 et ukendt objekt."
    ),
    urls_namespace="api",
)


# --- errors -------------------------------------------------------------------------------------


class FieldError(Schema):
    field: str = Field(description="parameteren, fx `fra`")
    reason: str


class Error(Schema):
    detail: str
    errors: list[FieldError] = []


ERRORS = {400: Error, 404: Error}


class BadParameters(Exception):
    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors


def _bad(request, errors: list[tuple[str, str]]):
    return api.create_response(request, api_error(errors), status=400)


@api.exception_handler(ValidationError)
def validation_failed(request, exc):
    errors = []
    for error in exc.errors:
        # ("query", "params", "beslutning", 0): the parameter is the last name (a list's index follows it)
        names = [part for part in error.get("loc", ()) if isinstance(part, str)]
        errors.append((names[-1] if names else "?", error.get("msg", "invalid")))
    return _bad(request, errors)


@api.exception_handler(BadParameters)
def bad_parameters(request, exc):
    return _bad(request, exc.errors)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Not found", "errors": []}, status=404)


@api.exception_handler(HttpError)
def http_error(request, exc):
    return api.create_response(request, {"detail": str(exc), "errors": []}, status=exc.status_code)


# --- shared shapes ------------------------------------------------------------------------------

Page = Annotated[int, Field(ge=1, le=1_000_000, description="sidenummer, fra 1")]
Id = Annotated[
    int, Field(ge=1, le=2**63 - 1, description="objektets id, som i sidens adresse")
]  # the tables' bigint ids
PerPage = Annotated[int, Field(ge=1, le=MAX_PER_PAGE, description=f"sidestørrelse, højst {MAX_PER_PAGE}")]
# No control characters (PostgreSQL text cannot hold NUL, XML none of them), as on every URL of the site
NO_CONTROL = f"^[^{CONTROL_RANGES}]*$"
Slug = Annotated[
    str,
    Field(
        max_length=MAX_SLUG_LENGTH,
        pattern=r"^[-a-zA-Z0-9_]+$",
        description="kortnavnet, som i sidens adresse",
    ),
]
# A body or a person as people type them (search.filters.read_filters reads them): names, any case.
HumanValue = Annotated[str, Field(max_length=MAX_SLUG_LENGTH, pattern=NO_CONTROL)]
CaseNumber = Annotated[
    str, Field(max_length=MAX_CASE_NUMBER_LENGTH, pattern=NO_CONTROL, description="sagsnummer, fx 24-003210")
]
Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]


def _iso_date(value):
    """Dates only as YYYY-MM-DD: pydantic on its own also reads "0" as 1970-01-01."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


IsoDate = Annotated[datetime.date, BeforeValidator(_iso_date)]
DecisionTypeName = Literal[tuple(DecisionType.values)]


class BodyRef(Schema):
    slug: str
    name: str
    url: str
    api_url: str


class MeetingRef(Schema):
    id: int
    url: str
    api_url: str
    body: BodyRef
    date: datetime.date
    start_time: str | None = Field(description="TT:MM")


class OtherDecisionOut(Schema):
    body: str
    date: datetime.date | None
    text: str


class ItemOut(Schema):
    """An agenda item in the shape of the parsed referat (PARSE_OUTPUT.md), with ids and URLs."""

    id: int
    url: str
    api_url: str
    number: int
    title: str
    closed: bool
    case_number: str | None
    case_url: str | None
    journal_number: str | None
    document_number: str | None
    case_type: str | None
    decision: str | None
    decision_type: DecisionTypeName | None
    decision_label: str | None = Field(description="beslutningstypen på dansk, som siderne viser den")
    other_decisions: list[OtherDecisionOut]
    treated_by: list[str]
    attachments: list[str]
    summary: str | None
    recommendation: str | None
    presentation: str | None
    economic_consequences: str | None


class ItemWithMeeting(ItemOut):
    meeting: MeetingRef


class Links(Schema):
    count: int
    page: int
    pages: int
    per_page: int
    next: str | None
    previous: str | None


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path)


def _body_ref(request, slug: str, name: str) -> dict:
    return {
        "slug": slug,
        "name": name,
        "url": _absolute(request, reverse("minutes:body_detail", args=[slug])),
        "api_url": _absolute(request, reverse("api:body", args=[slug])),
    }


def _meeting_ref(request, meeting: Meeting) -> dict:
    return {
        "id": meeting.pk,
        "url": _absolute(request, reverse("minutes:meeting_detail", args=[meeting.pk])),
        "api_url": _absolute(request, reverse("api:meeting", args=[meeting.pk])),
        "body": _body_ref(request, meeting.body.slug, meeting.body.name),
        "date": meeting.date,
        "start_time": meeting.start_time.strftime("%H:%M") if meeting.start_time else None,
    }


def _item(request, pk: int, item: dict) -> dict:
    case = item["case_number"]
    return {
        "id": pk,
        "url": _absolute(request, reverse("minutes:item_detail", args=[pk])),
        "api_url": _absolute(request, reverse("api:item", args=[pk])),
        **item,
        "case_url": _absolute(request, reverse("minutes:case_detail", args=[case])) if case else None,
        "decision_label": DecisionType(item["decision_type"]).label if item["decision_type"] else None,
    }


def _paginate(request, objects, page: int, per_page: int):
    """(one page of ``objects``, its Links); a page past the last is a 404 (the first always exists)."""
    paginator = Paginator(objects, per_page)
    try:
        rows = paginator.page(page)
    except EmptyPage:
        raise Http404(f"Page {page} does not exist: there are {paginator.num_pages}") from None

    links = {
        "count": paginator.count,
        "page": rows.number,
        "pages": paginator.num_pages,
        "per_page": per_page,
        "next": _page_url(request, rows.number + 1, paginator.num_pages),
        "previous": _page_url(request, rows.number - 1, paginator.num_pages),
    }
    return rows, links


def _page_url(request, number: int, pages: int) -> str | None:
    """This request's URL for another page, None past either end."""
    if not 1 <= number <= pages:
        return None
    params = request.GET.copy()
    params["side"] = str(number)
    return _absolute(request, f"{request.path}?{params.urlencode()}")


# --- search ----------------------------------------------------------------------------------------


class SearchParams(Schema):
    """Søgesidens parametre; se /soeg/. Udvalg og personer skrives som på siderne."""

    q: str = Field(
        "",
        max_length=2000,
        pattern=NO_CONTROL,
        description='de søgte ord; `or`, `-ord` og "sætninger" som på søgesiden',
    )
    ordret: bool = Field(
        False,
        description="søg kun efter ordene, som de er skrevet: ingen delte sammensætninger, synonymer, "
        "rettede stavefejl eller punkter med kun nogle af ordene (se `applied`)",
    )
    fra: IsoDate | None = Field(None, description="møder på eller efter denne dato (ÅÅÅÅ-MM-DD)")
    til: IsoDate | None = Field(None, description="møder på eller før denne dato (ÅÅÅÅ-MM-DD)")
    aar: Year | None = Field(None, description="møder i dette år")
    udvalg: HumanValue | None = Field(
        None,
        description="udvalget, der holdt mødet: navnet som vist, i vilkårlig stil, eller kortnavnet",
    )
    sagsnr: CaseNumber | None = Field(
        None, description="sagsnummer, fx 24-003210, som det indsættes (24–003210, 24003210)"
    )
    deltager: HumanValue | None = Field(
        None, description="en mødedeltager: fuldt navn, efternavn (fx Gravesen) eller kortnavn"
    )
    beslutning: list[DecisionTypeName] = Field([], description="beslutningstyper; flere kan kombineres")
    sagstype: str | None = Field(
        None,
        max_length=MAX_CASE_TYPE_LENGTH,
        pattern=NO_CONTROL,
        description="sagstype (ældre referater), i vilkårlig stil",
    )
    behandles_af: HumanValue | None = Field(
        None, description="et udvalg, der behandler punktet: navn eller kortnavn"
    )
    status: Literal[tuple(value for value, _ in OPEN_OR_CLOSED)] | None = Field(
        None, description="åbne eller lukkede punkter"
    )
    sortering: Literal[tuple(SORTS)] | None = Field(
        None, description="relevans (standard med ord), nyeste eller ældste først"
    )
    side: Page = 1
    antal: PerPage = DEFAULT_PER_PAGE


class FacetOption(Schema):
    value: str
    label: str
    count: int


class Facet(Schema):
    name: str = Field(description="parameteren, som denne afgrænsning sætter")
    label: str
    estimated: bool
    options: list[FacetOption]


class CaseRef(Schema):
    number: str
    url: str
    api_url: str


class Applied(Schema):
    kind: str = Field(
        description="`split` (et ord delt i to, arkivet kender), `synonyms` (ord med samme betydning "
        "søgt med, rangeret under de skrevne), `corrected` (stavefejl rettet, da intet blev fundet) eller "
        "`relaxed` (punkter med kun nogle af ordene, dem med alle først)"
    )
    word: str = Field(description="det skrevne ord, det gælder (tomt for `relaxed`)")
    words: list[str] = Field(description="hvad det blev til: delene, ordene med samme betydning, rettelsen")
    all_words: int = Field(description="for `relaxed`: antal punkter med alle ordene (de står først)")


class SearchOut(Links):
    q: str
    sort: str
    total: int = Field(description="antal fund; et skøn når `approximate`")
    approximate: bool
    window: int | None = Field(
        description="ved meget mange fund vises kun så mange af de nyeste (eller ældste), rangordnet"
    )
    html_url: str
    csv_url: str
    atom_url: str
    case: CaseRef | None = Field(description="sagen, hvis nummer `q` er (søgesiden åbner den)")
    suggestions: list[str] = Field(description="andre ord, personer eller udvalg, når intet blev fundet")
    notices: list[str] = Field(description="hvad søgningen sagde om parametrene, fx en side, der ikke findes")
    applied: list[Applied] = Field(
        description="hvad søgningen gjorde ud over de skrevne ord (`ordret` slår det fra)"
    )
    searched: str = Field(description="søgningen, som den blev udført, når `applied` har ændret den")
    facets: list[Facet]
    results: list[ItemWithMeeting]


def _search_params(params: SearchParams) -> QueryDict:
    """The validated parameters as the search page's GET parameters (dates in ISO form)."""
    data = QueryDict(mutable=True)
    for name, value in params.dict().items():
        if name in ("side", "antal") or value in (None, "", []) or value is False:
            continue
        if value is True:
            value = "1"
        values = value if isinstance(value, list) else [value]
        data.setlist(name, [v.isoformat() if isinstance(v, datetime.date) else str(v) for v in values])
    return data


def _case_ref(request, case: Case) -> dict:
    return {
        "number": case.number,
        "url": _absolute(request, reverse("minutes:case_detail", args=[case.number])),
        "api_url": _absolute(request, reverse("api:case", args=[case.number])),
    }


@api.get(
    "/search",
    response={200: SearchOut, **ERRORS},
    url_name="search",
    summary="Søg i punkterne",
    tags=["search"],
)
def search_items(request, params: Query[SearchParams]):
    """Søg i dagsordenspunkterne som søgesiden: samme parametre, samme punkter, samme rækkefølge. Et udvalg
    eller en person, arkivet ikke kender, giver 400 med det nærmeste, arkivet har."""
    data = _search_params(params)
    problems = search_problems(data)  # the form and the names alone, no search yet
    if problems:
        raise BadParameters([(problem.field, problem.english) for problem in problems])
    result = search_page(data, params.antal, page=params.side)
    if params.side > result.pages:
        raise Http404(f"Page {params.side} does not exist: there are {result.pages}")
    items = versions.read_items_by_id([hit.item.pk for hit in result.hits])
    query = result.query
    suffix = f"?{query}" if query else ""
    return {
        "q": result.q,
        "sort": result.sort,
        "total": result.total,
        "approximate": result.approximate,
        "window": result.window,
        "count": result.count,
        "page": result.number,
        "pages": result.pages,
        "per_page": params.antal,
        "next": _page_url(request, result.number + 1, result.pages),
        "previous": _page_url(request, result.number - 1, result.pages),
        "html_url": _absolute(request, reverse("minutes:search") + suffix),
        "csv_url": _absolute(request, reverse("minutes:search_csv") + suffix),
        "atom_url": _absolute(request, reverse("minutes:search_feed") + suffix),
        "case": _case_ref(request, result.case) if result.case else None,
        "suggestions": [suggestion.text for suggestion in result.suggestions],
        "notices": [notice.text for notice in result.notices],
        "applied": [
            {"kind": step.kind, "word": step.word, "words": list(step.words), "all_words": step.count}
            for step in result.applied
        ],
        "searched": result.searched if result.applied else result.q,
        "facets": [
            {
                "name": facet.name,
                "label": facet.label,
                "estimated": facet.estimated,
                "options": [
                    {"value": option.value, "label": option.label, "count": option.count}
                    for option in facet.options
                ],
            }
            for facet in result.facets
        ],
        "results": [
            {
                **_item(request, hit.item.pk, items[hit.item.pk][1]),
                "meeting": _meeting_ref(request, hit.item.meeting),
            }
            for hit in result.hits
        ],
    }


# --- meetings and items ---------------------------------------------------------------------------


class MeetingSummary(MeetingRef):
    location: str | None
    item_count: int


class MeetingList(Links):
    results: list[MeetingSummary]


class Participant(Schema):
    name: str
    slug: str
    url: str
    api_url: str


class Source(Schema):
    name: str = Field(description="filen, referatet blev læst fra")
    imported_at: datetime.datetime
    replaced_at: datetime.datetime | None = Field(
        description="hvornår en rettet udgave af referatet afløste den"
    )


class MeetingOut(MeetingRef):
    location: str | None
    participants: list[Participant]
    items: list[ItemOut]
    source: Source
    previous: MeetingRef | None = Field(description="udvalgets møde før dette")
    next: MeetingRef | None = Field(description="udvalgets møde efter dette")


@api.get(
    "/meetings",
    response={200: MeetingList, **ERRORS},
    url_name="meetings",
    summary="Møder",
    tags=["meetings"],
)
def list_meetings(
    request,
    aar: Annotated[Year | None, Field(description="møder i dette år")] = None,
    udvalg: Annotated[
        HumanValue | None,
        Field(description="udvalget: navnet som vist, i vilkårlig stil, eller kortnavnet, fx Direktionen"),
    ] = None,
    deltager: Annotated[
        HumanValue | None,
        Field(description="en mødedeltager: fuldt navn, efternavn (fx Gravesen) eller kortnavn"),
    ] = None,
    side: Page = 1,
    antal: PerPage = 50,
):
    """Møder, nyeste først; efter år, udvalg og deltager. Et udvalg eller en person, arkivet ikke kender,
    giver 400 med det nærmeste, arkivet har."""
    # The names read as on the search page (search.filters.read_filters), so "Direktionen" and
    # "Gravesen" find what the page finds, and an unknown one is refused the way /api/search refuses it.
    typed = QueryDict(mutable=True)
    typed.update({name: value for name, value in (("udvalg", udvalg), ("deltager", deltager)) if value})
    reading = read_filters(typed)
    if reading.unknown:
        raise BadParameters(
            [(problem.field, problem.english) for problem in map(unknown_problem, reading.unknown)]
        )
    meetings = Meeting.objects.select_related("body")
    if aar:
        meetings = meetings.filter(date__year=aar)
    if reading.rows.bodies:
        meetings = meetings.filter(body_id__in=reading.rows.bodies.values())
    if reading.rows.people:
        # A surname can name several people: their meetings, each once.
        people = [pk for pks in reading.rows.people.values() for pk in pks]
        meetings = meetings.filter(
            pk__in=Attendance.objects.filter(person_id__in=people).values("meeting_id")
        )
    rows, links = _paginate(request, meetings.order_by("-date", "-start_time", "-pk"), side, antal)
    rows = Meeting.objects.with_item_counts(rows)
    results = [
        {**_meeting_ref(request, m), "location": m.location or None, "item_count": m.item_count} for m in rows
    ]
    return {**links, "results": results}


@api.get(
    "/meetings/{meeting_id}",
    response={200: MeetingOut, **ERRORS},
    url_name="meeting",
    summary="Ét møde",
    tags=["meetings"],
)
def get_meeting(request, meeting_id: Id):
    """Ét møde med deltagere og alle punkter i rækkefølge."""
    meeting = Meeting.objects.select_related("body").filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404(f"No meeting with id {meeting_id}")
    people = Attendance.objects.filter(meeting=meeting).select_related("person").order_by("position")
    neighbours = {
        side: Meeting.objects.neighbour(meeting, earlier=side == "previous") for side in ("previous", "next")
    }
    for other in filter(None, neighbours.values()):
        other.body = meeting.body
    return {
        **_meeting_ref(request, meeting),
        "location": meeting.location or None,
        "participants": [_person_ref(request, attendance.person) for attendance in people],
        "items": [_item(request, pk, item) for pk, item in versions.read_items([meeting.pk])[meeting.pk]],
        "source": {
            "name": meeting.source_name,
            "imported_at": meeting.imported_at,
            "replaced_at": meeting.replaced_at,
        },
        **{side: _meeting_ref(request, other) if other else None for side, other in neighbours.items()},
    }


@api.get(
    "/items/{item_id}",
    response={200: ItemWithMeeting, **ERRORS},
    url_name="item",
    summary="Ét punkt",
    tags=["meetings"],
)
def get_item(request, item_id: Id):
    """Ét dagsordenspunkt med dets møde."""
    found = versions.read_items_by_id([item_id])
    if item_id not in found:
        raise Http404(f"No item with id {item_id}")
    meeting_id, item = found[item_id]
    meeting = Meeting.objects.select_related("body").get(pk=meeting_id)
    return {**_item(request, item_id, item), "meeting": _meeting_ref(request, meeting)}


# --- cases -----------------------------------------------------------------------------------------


class CaseSummary(CaseRef):
    items: int = Field(description="hvor mange dagsordenspunkter sagen har været")
    first: datetime.date | None
    last: datetime.date | None


class CaseList(Links):
    results: list[CaseSummary]


class CaseOut(CaseRef):
    timeline: list[ItemWithMeeting] = Field(description="hvert punkt, sagen har været, ældste først")


@api.get("/cases", response={200: CaseList, **ERRORS}, url_name="cases", summary="Sager", tags=["cases"])
def list_cases(request, side: Page = 1, antal: PerPage = 50):
    """Alle sagsnumre i orden, med hvor ofte og hvornår sagen var på et møde."""
    rows, links = _paginate(request, Case.objects.order_by("number"), side, antal)
    spans = {
        row["case"]: row
        for row in AgendaItem.objects.filter(case__in=[case.pk for case in rows])
        .values("case")
        .annotate(n=Count("pk"), first=Min("meeting_date"), last=Max("meeting_date"))
        .order_by()
    }
    empty = {"n": 0, "first": None, "last": None}
    results = []
    for case in rows:
        span = spans.get(case.pk, empty)
        results.append(
            {**_case_ref(request, case), "items": span["n"], "first": span["first"], "last": span["last"]}
        )
    return {**links, "results": results}


@api.get(
    "/cases/{number}",
    response={200: CaseOut, **ERRORS},
    url_name="case",
    summary="Én sag med forløb",
    tags=["cases"],
)
def get_case(request, number: CaseNumber):
    """En sag og hvert møde, den var på, med beslutningerne; "24-3210" finder 24-003210."""
    case = Case.objects.find(number)
    if case is None:
        raise Http404(f"No case numbered {number}")
    rows = list(
        case.items.select_related("meeting__body").order_by("meeting_date", "meeting__start_time", "number")
    )
    items = versions.read_items_by_id([row.pk for row in rows])
    return {
        **_case_ref(request, case),
        "timeline": [
            {**_item(request, row.pk, items[row.pk][1]), "meeting": _meeting_ref(request, row.meeting)}
            for row in rows
        ],
    }


# --- people and bodies ----------------------------------------------------------------------------


def _person_ref(request, person: Person) -> dict:
    return {
        "name": person.name,
        "slug": person.slug,
        "url": _absolute(request, reverse("minutes:person_detail", args=[person.slug])),
        "api_url": _absolute(request, reverse("api:person", args=[person.slug])),
    }


class PersonList(Links):
    results: list[Participant]


class YearCount(Schema):
    year: int
    meetings: int


class PersonOut(Participant):
    meetings: int
    years: list[YearCount] = Field(description="møder pr. år, nyeste først")
    meetings_api_url: str = Field(description="møderne, gennem /api/meetings?deltager=")


@api.get(
    "/people",
    response={200: PersonList, **ERRORS},
    url_name="people",
    summary="Personer",
    tags=["people and bodies"],
)
def list_people(request, side: Page = 1, antal: PerPage = 50):
    """Alle, der er nævnt som mødedeltagere, efter navn."""
    rows, links = _paginate(request, Person.objects.order_by("name", "pk"), side, antal)
    return {**links, "results": [_person_ref(request, person) for person in rows]}


@api.get(
    "/people/{slug}",
    response={200: PersonOut, **ERRORS},
    url_name="person",
    summary="Én person",
    tags=["people and bodies"],
)
def get_person(request, slug: Slug):
    """En mødedeltager og møderne pr. år."""
    person = Person.objects.filter(slug=slug).first()
    if person is None:
        raise Http404(f"No person {slug}")
    per_year = Meeting.objects.filter(attendances__person=person).per_year()
    years = [{"year": year, "meetings": per_year[year]} for year in sorted(per_year, reverse=True)]
    meetings_url = reverse("api:meetings") + f"?deltager={person.slug}"
    return {
        **_person_ref(request, person),
        "meetings": sum(row["meetings"] for row in years),
        "years": years,
        "meetings_api_url": _absolute(request, meetings_url),
    }


class BodyOut(BodyRef):
    meetings: int
    first: datetime.date | None
    last: datetime.date | None
    meetings_api_url: str


def _bodies(request, bodies) -> list[dict]:
    return [
        {
            **_body_ref(request, body.slug, body.name),
            "meetings": body.meeting_count,
            "first": body.first,
            "last": body.last,
            "meetings_api_url": _absolute(request, reverse("api:meetings") + f"?udvalg={body.slug}"),
        }
        for body in bodies.with_meeting_spans()
    ]


@api.get(
    "/bodies",
    response={200: list[BodyOut], 400: Error},
    url_name="bodies",
    summary="Udvalg",
    tags=["people and bodies"],
)
def list_bodies(request):
    """Alle udvalg og organer med antal møder og første og sidste mødedato."""
    return _bodies(request, Body.objects.all())


@api.get(
    "/bodies/{slug}",
    response={200: BodyOut, **ERRORS},
    url_name="body",
    summary="Ét udvalg",
    tags=["people and bodies"],
)
def get_body(request, slug: Slug):
    """Ét udvalg."""
    found = _bodies(request, Body.objects.filter(slug=slug))
    if not found:
        raise Http404(f"No body {slug}")
    return found[0]


# --- outside the schema: the overview page and a JSON 404 for unknown API paths ---------------------


def overview(request):
    """/api/: what the API offers, read from its own OpenAPI schema, as a page that needs no JavaScript."""
    schema = api.get_openapi_schema(path_prefix=reverse("api:api-root"))
    operations = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            parameters = [
                {
                    "name": parameter["name"],
                    "where": "sti" if parameter["in"] == "path" else "forespørgsel",
                    "required": parameter.get("required", False),
                    "description": parameter.get("description")
                    or parameter.get("schema", {}).get("description", ""),
                }
                for parameter in operation.get("parameters", [])
            ]
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": parameters,
                }
            )
    context = {"info": schema["info"], "operations": operations, "max_per_page": MAX_PER_PAGE}
    return render(request, "minutes/api_overview.html", context)


def unknown_path(request, rest=""):
    return api.create_response(request, {"detail": f"No API path {request.path}", "errors": []}, status=404)
