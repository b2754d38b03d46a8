"""What a person can follow (an Atom feed, an e-mail alert): a search, a case, a body or a person.

One place says, in Danish, what is followed (the way the page's heading and chips say it) and which
items it gives, so that the feed's title, the subscription's text and the mail all say the same, and a
mail never silently drops a filter the page showed (the search goes through search.page.item_query).
"""

from dataclasses import dataclass

from django.http import QueryDict
from django.urls import reverse

from minutes.bad_requests import Problem
from minutes.models import AgendaItem, AlertKind, Body, Case, Person
from minutes.search.page import item_query, search_description

# Parameters of a search URL that change how it is shown, not which items it gives.
NOT_FOLLOWED = ("side", "sortering")


@dataclass(frozen=True)
class Followed:
    kind: str  # AlertKind
    what: str  # after "Følg" / "Du følger": "søgningen «budget» (Udvalg: Økonomiudvalget)", "sag 24-003210"
    url: str  # its page
    query: str = ""  # a search: its canonical query string
    case: Case | None = None
    body: Body | None = None
    person: Person | None = None

    def items(self, within=None, known: dict | None = None):
        """Every item it follows (among ``within``, a queryset of items, when given); ``known``: see
        search.page.item_query."""
        items = AgendaItem.objects.all() if within is None else within
        if self.kind == AlertKind.SEARCH:
            return item_query(QueryDict(self.query), within=items, known=known).items
        if self.kind == AlertKind.CASE:
            return items.filter(case=self.case)
        if self.kind == AlertKind.BODY:
            return items.filter(meeting_body=self.body)
        return items.filter(meeting__attendances__person=self.person)


def search(params) -> tuple[Followed, list[Problem]]:
    """A search as its results page shows it: the text and every filter chip, in the canonical form;
    and the problems of its parameters (a filter the page leaves out must not be followed silently)."""
    found = item_query(params, within=AgendaItem.objects.none())  # reads the parameters, searches nothing
    canonical = found.reading.params.copy()
    for name in NOT_FOLLOWED:
        canonical.pop(name, None)
    q, chips = search_description(canonical)
    what = f"søgningen «{q}»" if q else "alle nye punkter"
    if chips:
        what += f" ({', '.join(chips)})"
    query = canonical.urlencode()
    url = reverse("minutes:search") + (f"?{query}" if query else "")
    return Followed(AlertKind.SEARCH, what, url, query), found.problems


def case(case: Case) -> Followed:
    return Followed(AlertKind.CASE, f"sag {case.number}", case.get_absolute_url(), case=case)


def body(body: Body) -> Followed:
    return Followed(AlertKind.BODY, body.name, body.get_absolute_url(), body=body)


def person(person: Person) -> Followed:
    return Followed(AlertKind.PERSON, f"møderne med {person.name}", person.get_absolute_url(), person=person)


def of_subscription(subscription) -> Followed:
    """What a subscription follows (its case, body or person read with it: select_related)."""
    if subscription.kind == AlertKind.SEARCH:
        query = subscription.query
        url = reverse("minutes:search") + (f"?{query}" if query else "")
        return Followed(AlertKind.SEARCH, subscription.description, url, query)
    if subscription.kind == AlertKind.CASE:
        return case(subscription.case)
    if subscription.kind == AlertKind.BODY:
        return body(subscription.body)
    return person(subscription.person)
