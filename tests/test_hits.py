"""search/hits.py (the items of a page of hits, and of a case's page, in one statement written once) and
the Jinja2 partials that show the hits and the facets (archive_site/jinja2.py)."""

import re

from django.db import connection
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext

from minutes import views
from minutes.models import AgendaItem, Body, Case, OtherDecision
from minutes.search import indexing
from minutes.search.hits import HIT_DEFERRED, case_items, hit_items

SHOWN = (
    lambda item: item.pk,
    lambda item: item.title,
    lambda item: item.decision,
    lambda item: item.decision_type,
    lambda item: item.get_decision_type_display(),
    lambda item: item.number,
    lambda item: item.closed,
    lambda item: item.meeting_date,
    lambda item: item.journal_number,
    lambda item: item.get_absolute_url(),
    lambda item: item.meeting.pk,
    lambda item: item.meeting.date,
    lambda item: item.meeting.start_time,
    lambda item: item.meeting.updated_at,
    lambda item: item.meeting.get_absolute_url(),
    lambda item: item.meeting.body.name,
    lambda item: item.meeting.body.slug,
    lambda item: item.case.number if item.case else None,
    lambda item: item.case.get_absolute_url() if item.case else None,
)


def test_hit_items_load_what_select_related_loads_in_the_order_asked(archive):
    ids = list(AgendaItem.objects.order_by("?").values_list("pk", flat=True))
    assert any(AgendaItem.objects.filter(case=None)) and any(AgendaItem.objects.exclude(case=None))
    asked = [*ids[:7], 10**12, *ids[7:]]  # an id that is gone (deleted since the index saw it)
    expected = AgendaItem.objects.select_related("meeting__body", "case").defer(*HIT_DEFERRED).in_bulk(ids)
    with CaptureQueriesContext(connection) as queries:
        items = hit_items(asked)
        shown = [[show(item) for show in SHOWN] for item in items]
    assert len(queries) == 1  # one statement, and nothing a hit shows is read afterwards
    assert [item.pk for item in items] == ids
    assert shown == [[show(expected[pk]) for show in SHOWN] for pk in ids]
    for item in items:
        assert item.get_deferred_fields() == expected[item.pk].get_deferred_fields()
        assert item.meeting.get_deferred_fields() == expected[item.pk].meeting.get_deferred_fields()
    # A field left out is read when asked for, as a deferred one is.
    assert items[0].summary == AgendaItem.objects.get(pk=items[0].pk).summary
    assert hit_items([]) == [] and hit_items([10**12]) == []


def test_the_hit_and_facet_lists_escape_the_minutes_text(archive, client):
    item = AgendaItem.objects.filter(decision_type="approved").first()
    AgendaItem.objects.filter(pk=item.pk).update(
        title='<script>alert(1)</script> "Flådestyring" & mere', decision="<b>Godkendt</b> flådestyring"
    )
    Body.objects.filter(pk=item.meeting.body_id).update(name="Teknik & <i>Miljø</i>")
    indexing.drain_all()
    html = client.get("/soeg/", {"q": "flådestyring"}, secure=True).content.decode()
    assert "<script>alert(1)</script>" not in html and "<b>Godkendt</b>" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &#34;Flådestyring&#34; &amp; mere" in html
    assert "&lt;b&gt;Godkendt&lt;/b&gt; flådestyring" in html
    assert html.count("Teknik &amp; &lt;i&gt;Miljø&lt;/i&gt;") >= 2  # a hit's meeting and a facet
    assert '<span class="visually-hidden">Beslutningstype: </span>Godkendt</span>' in html


def test_case_items_are_the_case_newest_first_with_the_other_bodies_decisions(archive):
    cases = Case.objects.filter(items__isnull=False).distinct()
    assert cases.count() > 3 and OtherDecision.objects.exists()
    for case in cases:
        expected = list(
            case.items.order_by("-meeting_date", "-meeting__start_time", "number", "id").prefetch_related(
                Prefetch("other_decisions", queryset=OtherDecision.objects.select_related("body"))
            )
        )
        with CaptureQueriesContext(connection) as queries:
            found = case_items(case.pk, 0, 1000)
            shown = [
                (
                    item.pk,
                    item.meeting.date,
                    item.meeting.body.name,
                    [(o.body.name, o.date, o.text) for o in item.elsewhere],
                )
                for item in found
            ]
        assert len(queries) == 2  # the items, then every item's decisions elsewhere
        assert shown == [
            (
                item.pk,
                item.meeting.date,
                item.meeting.body.name,
                [(o.body.name, o.date, o.text) for o in item.other_decisions.all()],
            )
            for item in expected
        ]
        assert [item.pk for item in case_items(case.pk, 1, 1)] == [item.pk for item in expected[1:2]]


def test_the_case_page_pages_through_its_items(archive, client, monkeypatch):
    monkeypatch.setattr(views, "ITEMS_PER_PAGE", 1)
    days = []
    for side in (1, 2, 3, 99):  # a page past the last shows the last
        page = client.get("/sag/21-102762/", {"side": side}, secure=True).content.decode()
        days.append(re.search(r'<time datetime="([\d-]+)">', page).group(1))
        assert "Side " in page
    assert days == ["2024-10-07", "2024-06-24", "2024-04-02", "2024-04-02"]
