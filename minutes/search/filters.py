"""The search's filter set, and how the values people type become the archive's rows.

GET parameters are Danish, as they appear in shareable URLs: ``/soeg/?q=budget&udvalg=direktionen``.
People type what the pages show: ``udvalg=Direktionen`` (any case), ``deltager=Gravesen`` or ``Michael
Gravesen``, ``sagstype=BYRÅDSSAG``. ``read_filters`` turns each into the archive's rows (a body's id,
the ids of the people a name or surname fits) and the canonical value of links (the slug); a value
the archive doesn't know is left out and reported with the nearest it has, never searched into a
silent zero. An invalid value (a date like 2024-13-45) makes that one filter invalid: django-filter
leaves it out of ``cleaned_data``, so it is ignored and reported, and the other filters still apply.
"""

import datetime
from dataclasses import dataclass, field

import django_filters
from django import forms
from django.db import connection
from django.db.models import Q
from django.http import QueryDict

from minutes.models import AgendaItem, Attendance, Body, DecisionType, Person
from minutes.search import query
from minutes.slugs import slug_for

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
    udvalg = django_filters.CharFilter(method="filter_body", label="Udvalg", max_length=MAX_SLUG_LENGTH)
    sagsnr = django_filters.CharFilter(
        method="filter_case", label="Sagsnr.", max_length=MAX_CASE_NUMBER_LENGTH
    )
    deltager = django_filters.CharFilter(
        method="filter_person", label="Mødedeltager", max_length=MAX_SLUG_LENGTH
    )
    beslutning = django_filters.MultipleChoiceFilter(
        field_name="decision_type", choices=DecisionType.choices, label="Beslutning", distinct=False
    )
    sagstype = django_filters.CharFilter(
        field_name="case_type", lookup_expr="iexact", label="Sagstype", max_length=MAX_CASE_TYPE_LENGTH
    )
    behandles_af = django_filters.CharFilter(
        method="filter_treated_by", label="Behandles af", max_length=MAX_SLUG_LENGTH
    )
    status = django_filters.ChoiceFilter(method="filter_status", choices=OPEN_OR_CLOSED, label="Åbne/lukkede")

    class Meta:
        model = AgendaItem
        fields = []

    def __init__(self, *args, known_queries: dict | None = None, rows: "Rows | None" = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.known_queries = {} if known_queries is None else known_queries
        self.rows = rows if rows is not None else Rows()

    def filter_text(self, queryset, name, value):
        return query.search(queryset, value, self.known_queries)

    def filter_case(self, queryset, name, value):
        return queryset.filter(case__key=query.case_key(value))

    # The item's own copy of its meeting's body: the (body, date) index serves it, no join.
    def filter_body(self, queryset, name, value):
        return queryset.filter(meeting_body_id=self._body_id(value))

    def filter_treated_by(self, queryset, name, value):
        return queryset.filter(treatments__body_id=self._body_id(value))

    def filter_person(self, queryset, name, value):
        if value not in self.rows.people:  # a filter set used on its own (the admin, a test)
            self.rows.people[value] = [person.pk for person in find_people(value)]
        attended = Attendance.objects.filter(person_id__in=self.rows.people[value] or [0])
        return queryset.filter(meeting_id__in=attended.values("meeting_id"))

    def _body_id(self, value) -> int:
        if value not in self.rows.bodies:  # a filter set used on its own (the admin, a test)
            body = find_body(value)
            self.rows.bodies[value] = body.pk if body else 0
        return self.rows.bodies[value]

    def filter_status(self, queryset, name, value):
        return queryset.filter(closed=value == "lukkede")


# The filters a person types into the search page's form (the others are chosen from the facets).
TYPED_FILTERS = {
    "fra": "Fra dato",
    "til": "Til dato",
    "aar": "År",
    "udvalg": "Udvalg",
    "sagsnr": "Sagsnr.",
    "deltager": "Mødedeltager",
    "sagstype": "Sagstype",
    "behandles_af": "Behandles af",
}


@dataclass
class Rows:
    """The archive's rows for the typed values of one request: {canonical value: id(s)}."""

    bodies: dict[str, int] = field(default_factory=dict)
    people: dict[str, list[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Unknown:
    """A typed filter value the archive has no row for, and the nearest value it has (or none)."""

    name: str  # the parameter
    value: str
    nearest: str = ""  # canonical value (slug)
    nearest_label: str = ""


@dataclass
class Reading:
    """What read_filters made of a request's parameters."""

    params: QueryDict  # canonical: slugs for bodies and people; unknown values left out
    rows: Rows
    unknown: list[Unknown]
    labels: dict[str, dict[str, str]]  # {parameter: {canonical value: what a person reads}}


BODY_FILTERS = ("udvalg", "behandles_af")


def read_filters(params) -> Reading:
    """The parameters with bodies and people as the archive knows them (see the module docstring)."""
    data = params.copy()
    rows, unknown = Rows(), []
    labels: dict[str, dict[str, str]] = {"udvalg": {}, "behandles_af": {}, "deltager": {}}
    for name in BODY_FILTERS:
        canonical = []
        for value in _short_values(params, name):
            body = find_body(value)
            if body is None:
                nearest = nearest_body(value)
                unknown.append(Unknown(name, value, *(nearest and (nearest.slug, nearest.name) or ())))
                continue
            rows.bodies[body.slug] = body.pk
            labels[name][body.slug] = body.name
            canonical.append(body.slug)
        _set(data, name, canonical)
    canonical = []
    for value in _short_values(params, "deltager"):
        people = find_people(value)
        if not people:
            nearest = nearest_person(value)
            unknown.append(Unknown("deltager", value, *(nearest and (nearest.slug, nearest.name) or ())))
            continue
        key = people[0].slug if len(people) == 1 else value
        rows.people[key] = [person.pk for person in people]
        labels["deltager"][key] = " eller ".join(person.name for person in people)
        canonical.append(key)
    _set(data, "deltager", canonical)
    return Reading(data, rows, unknown, labels)


def _short_values(params, name) -> list[str]:
    # A value over the field's limit stays as typed: the form reports it, nothing is looked up.
    return [v.strip() for v in params.getlist(name) if v.strip() and len(v) <= MAX_SLUG_LENGTH]


def _set(data, name, canonical):
    too_long = [v for v in data.getlist(name) if len(v) > MAX_SLUG_LENGTH]
    if name in data:
        data.setlist(name, canonical + too_long)
        if not data.getlist(name):
            del data[name]


def find_body(value: str) -> Body | None:
    """The body a typed value names: its slug, its name in any case, or its name slugified."""
    value = value.strip()
    return (
        Body.objects.filter(Q(slug=value) | Q(name__iexact=value) | Q(slug=slug_for(value)))
        .order_by("pk")
        .first()
    )


def find_people(value: str) -> list[Person]:
    """The people a typed value names: a slug, a full name in any case, or a surname ("Gravesen").

    One query: the exact matches win; a surname gives everyone who has it.
    """
    value = " ".join(value.split())
    exact = Q(slug=value) | Q(name__iexact=value) | Q(slug=slug_for(value))
    people = list(Person.objects.filter(exact | Q(name__iendswith=" " + value)).order_by("name")[:20])
    named = [
        person
        for person in people
        if person.slug in (value, slug_for(value)) or person.name.lower() == value.lower()
    ]
    return named[:1] or people


def nearest_body(value: str) -> Body | None:
    bodies = Body.objects.raw(
        "SELECT id, slug, name FROM minutes_body"
        " ORDER BY similarity(lower(name), lower(%s)) DESC, name LIMIT 1",
        [value],
    )
    return next(iter(bodies), None)


def nearest_person(value: str) -> Person | None:
    people = list(
        Person.objects.raw(
            "SELECT id, slug, name FROM minutes_person WHERE lower(name) %% lower(%s)"
            " OR split_part(lower(name), ' ', -1) %% lower(%s)"
            " ORDER BY greatest(similarity(lower(name), lower(%s)),"
            " similarity(split_part(lower(name), ' ', -1), lower(%s))) DESC, name LIMIT 1",
            [value] * 4,
        )
    )
    return people[0] if people else None


def nearest_case_type(value: str) -> str:
    """The archive's case type nearest to a typed one that gives no items ("" when there is none)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT case_type FROM (SELECT DISTINCT case_type FROM minutes_agendaitem WHERE case_type <> '')"
            " AS t ORDER BY similarity(lower(case_type), lower(%s)) DESC, case_type LIMIT 1",
            [value],
        )
        row = cursor.fetchone()
    return row[0] if row else ""
