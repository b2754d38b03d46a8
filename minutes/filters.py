"""The one FilterSet of the search page; the text query is just another filter that calls search.py.

GET parameters are Danish, as they appear in shareable URLs: ``/soeg/?q=budget&udvalg=direktionen``.
An invalid value (a date like 2024-13-45) makes that one filter invalid: django-filter leaves it
out of ``cleaned_data``, so it is ignored and reported, and the other filters still apply.
"""

import django_filters
from django import forms
from django.db.models import Count, F, Q
from django.db.models.functions import ExtractYear

from minutes import search
from minutes.models import AgendaItem, DecisionType

SORTS = {"relevans": "Relevans", "nyeste": "Nyeste først", "aeldste": "Ældste først"}
OPEN_OR_CLOSED = (("aabne", "Åbne punkter"), ("lukkede", "Lukkede punkter"))


class ItemFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label="Søg")
    fra = django_filters.DateFilter(
        field_name="meeting__date",
        lookup_expr="gte",
        label="Fra dato",
        widget=forms.DateInput({"type": "date"}),
    )
    til = django_filters.DateFilter(
        field_name="meeting__date",
        lookup_expr="lte",
        label="Til dato",
        widget=forms.DateInput({"type": "date"}),
    )
    aar = django_filters.NumberFilter(field_name="meeting__date__year", label="År")
    udvalg = django_filters.CharFilter(field_name="meeting__body__slug", label="Udvalg")
    sagsnr = django_filters.CharFilter(method="filter_case", label="Sagsnr.")
    deltager = django_filters.CharFilter(field_name="meeting__participants__slug", label="Mødedeltager")
    beslutning = django_filters.MultipleChoiceFilter(
        field_name="decision_type", choices=DecisionType.choices, label="Beslutning"
    )
    sagstype = django_filters.CharFilter(field_name="case_type", label="Sagstype")
    behandles_af = django_filters.CharFilter(field_name="treated_by__slug", label="Behandles af")
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


FACETS = {
    "aar": ExtractYear("meeting__date"),
    "udvalg": F("meeting__body__slug"),
    "beslutning": F("decision_type"),
    "behandles_af": F("treated_by__slug"),
    "sagstype": F("case_type"),
}


def facet_counts(data, queryset, known_queries=None, limit: int = 12) -> dict[str, list[tuple[str, int]]]:
    """For each facet, its values with the number of items each would give.

    A facet's counts apply the query and every other filter but its own, so a user sees
    what choosing another value would give (several decision types can be combined).
    """
    counts = {}
    for name, expression in FACETS.items():
        items = ItemFilter(_without(data, name), queryset=queryset, known_queries=known_queries).qs
        items = items.annotate(value=expression).exclude(value__isnull=True)
        if isinstance(expression, F):
            items = items.exclude(value="")
        rows = items.values("value").annotate(n=Count("pk")).order_by("-n", "value")[:limit]
        counts[name] = [(row["value"], row["n"]) for row in rows]
    items = ItemFilter(_without(data, "status"), queryset=queryset, known_queries=known_queries).qs
    totals = items.aggregate(
        aabne=Count("pk", filter=Q(closed=False)), lukkede=Count("pk", filter=Q(closed=True))
    )
    counts["status"] = [(key, totals[key]) for key, _ in OPEN_OR_CLOSED]
    return counts


def _without(data, name: str):
    others = data.copy()
    others.pop(name, None)
    return others
